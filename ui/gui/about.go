package gui

import (
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// The project's addresses, opened in the user's browser from About.
const (
	websiteURL = "https://github.com/tppwizard/tppwizard"
	licenceURL = "https://github.com/tppwizard/tppwizard/blob/main/LICENSE"
	issuesURL  = "https://github.com/tppwizard/tppwizard/issues"
)

// aboutDialog says which wizard this is, under which licence, and which
// version of each bank profile it holds: what support asks first.
type aboutDialog struct {
	dialog   *dialog.CustomDialog
	version  *widget.Label
	profiles *widget.Label
	links    []*widget.Button
}

// ShowAbout opens the About dialog.
func (u *UI) ShowAbout() *aboutDialog {
	d := &aboutDialog{}
	title := widget.NewLabelWithStyle(i18n.T("TPP Onboarding Wizard"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.version = widget.NewLabel(i18n.T("Version %s", app.Version))
	licence := widget.NewLabel(i18n.T("Licence: BSD 3-Clause. The wizard is free to use, change and share; it comes with no warranty."))
	licence.Wrapping = fyne.TextWrapWord
	link := func(label, url string) *widget.Button {
		b := widget.NewButtonWithIcon(label, theme.ComputerIcon(), func() { u.browse(url) })
		d.links = append(d.links, b)
		return b
	}
	links := container.NewHBox(link(i18n.T("Website"), websiteURL), link(i18n.T("Licence"), licenceURL), link(i18n.T("Report a problem"), issuesURL))

	width := 0
	for _, p := range u.a.Catalog.Profiles {
		width = max(width, len([]rune(p.Name)))
	}
	var lines []string
	for _, p := range u.a.Catalog.Profiles {
		v := p.Version
		if v == "" {
			v = "—"
		}
		lines = append(lines, fmt.Sprintf("%-*s  %-8s %s", width, p.Name, p.Environment, v))
	}
	sort.Strings(lines)
	text := ""
	for _, l := range lines {
		text += l + "\n"
	}
	d.profiles = widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	profiles := container.NewVScroll(d.profiles)
	profiles.SetMinSize(fyne.NewSize(0, 160))

	body := container.NewBorder(
		container.NewVBox(title, d.version, licence, links, widget.NewSeparator(),
			widget.NewLabelWithStyle(i18n.T("Bank profiles (name, environment, version)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
		nil, nil, nil, profiles)
	d.dialog = dialog.NewCustom(i18n.T("About"), i18n.T("Close"), body, u.win)
	d.dialog.Resize(fyne.NewSize(min(u.win.Canvas().Size().Width-40, 760), min(u.win.Canvas().Size().Height-40, 520)))
	d.dialog.Show()
	u.lastAbout = d
	return d
}
