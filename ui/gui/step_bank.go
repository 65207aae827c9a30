package gui

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// bankStep: choose the bank from a searchable list.
type bankStep struct {
	s       *wizardScreen
	search  *entry
	list    *list
	shown   []*profile.Profile
	name    *widget.Label
	about   *widget.Label
	badge   *widget.Label
	docs    *button
	add     *button
	addURL  *button
	status  *widget.Label
	content fyne.CanvasObject
}

func newBankStep(s *wizardScreen) *bankStep {
	b := &bankStep{s: s}
	b.search = s.u.entry(false)
	b.search.SetPlaceHolder(i18n.T("Search by bank, country or ecosystem"))
	b.search.OnChanged = func(string) { b.filter() }
	// Enter in the search picks the only match, or moves to the list.
	b.search.OnSubmitted = func(string) {
		switch {
		case len(b.shown) == 1:
			b.list.Select(0)
			s.enter()
		case len(b.shown) > 1:
			s.u.win.Canvas().Focus(b.list)
		}
	}
	b.list = s.u.list(
		func() int { return len(b.shown) },
		// A row is the bank's name over where it is: on one line the two
		// ran past the list's edge at 800 px.
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			where := widget.NewLabel("")
			where.SizeName = theme.SizeNameCaptionText
			for _, l := range []*widget.Label{name, where} {
				l.Truncation = fyne.TextTruncateEllipsis
			}
			return container.New(layout.NewCustomPaddedVBoxLayout(0), name, where)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := b.shown[i]
			row := o.(*fyne.Container).Objects
			row[0].(*widget.Label).SetText(p.Name)
			row[1].(*widget.Label).SetText(i18n.T("%s · %s · %s", p.Country, p.Ecosystem, app.EnvironmentName(p.Environment).In(i18n.Translate)))
		})
	b.list.onEnter = s.enter
	b.list.OnSelected = func(i widget.ListItemID) {
		if i < len(b.shown) {
			_ = s.w.ChooseProfile(b.shown[i].ID)
			b.describe()
			s.update()
		}
	}
	b.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.name.Wrapping = fyne.TextWrapWord
	b.badge = widget.NewLabel("")
	b.about = widget.NewLabel(i18n.T("Choose a bank on the left."))
	b.about.Wrapping = fyne.TextWrapWord
	b.docs = s.u.button(i18n.T("Bank's documentation"), theme.HelpIcon(), func() {
		if p := s.w.Profile(); p != nil && p.DocumentationURL != "" {
			s.u.browse(p.DocumentationURL)
		}
	})
	b.docs.Hide()
	b.add = s.u.button(i18n.T("From a profile file…"), theme.FolderOpenIcon(), b.addFromFile)
	b.addURL = s.u.button(i18n.T("From its discovery address…"), theme.SearchIcon(), func() { showAddFromDiscovery(s) })
	b.status = widget.NewLabel("")
	b.status.Wrapping = fyne.TextWrapWord
	detail := container.NewVBox(b.name, b.badge, b.about, b.docs)
	// The two ways to add a bank are stacked: side by side, in French,
	// they left the bank's description no room.
	adding := container.NewVBox(b.status, container.NewBorder(nil, nil, widget.NewLabel(i18n.T("Add a bank:")), nil, container.NewVBox(b.add, b.addURL)))
	left := container.NewBorder(b.search, adding, nil, nil, b.list)
	split := container.NewHSplit(left, container.NewVScroll(detail))
	split.Offset = 0.6
	b.content = split
	b.filter()
	return b
}

func (b *bankStep) view() fyne.CanvasObject { return b.content }
func (b *bankStep) hint() string {
	return i18n.T("Which bank do you register with? Sandbox banks are for testing; live banks register for real.")
}
func (b *bankStep) refresh() { b.describe() }

// focus starts in the search, ready to type after what is there.
func (b *bankStep) focus() fyne.Focusable {
	b.search.CursorColumn = len([]rune(b.search.Text))
	b.search.Refresh()
	return b.search
}

// filter shows the profiles matching every word of the search, grouped by
// country and ecosystem (the catalog's order).
func (b *bankStep) filter() {
	words := strings.Fields(strings.ToLower(b.search.Text))
	b.shown = b.shown[:0]
	for _, p := range b.s.u.a.Catalog.Profiles {
		text := strings.ToLower(strings.Join([]string{p.Name, p.Country, p.Ecosystem, p.Environment, p.ID}, " "))
		match := true
		for _, w := range words {
			if !strings.Contains(text, w) {
				match = false
				break
			}
		}
		if match {
			b.shown = append(b.shown, p)
		}
	}
	b.list.UnselectAll()
	b.list.Refresh()
	if chosen := b.s.w.Profile(); chosen != nil {
		for i, p := range b.shown {
			if p.ID == chosen.ID {
				b.list.Select(i)
			}
		}
	}
}

// describe shows the chosen bank.
func (b *bankStep) describe() {
	p := b.s.w.Profile()
	if p == nil {
		return
	}
	b.name.SetText(p.Name)
	env := strings.ToUpper(app.EnvironmentName(p.Environment).In(i18n.Translate))
	if p.Environment == "live" {
		env += i18n.T(": a real registration")
		b.badge.Importance = widget.DangerImportance
	} else {
		env += i18n.T(": for testing")
		b.badge.Importance = widget.SuccessImportance
	}
	b.badge.SetText(env)
	b.about.SetText(i18n.T("%s, %s.\n\n%s", p.Ecosystem, p.Country, p.Notes))
	if u, err := url.Parse(p.DocumentationURL); err == nil && u.Scheme == "https" {
		b.docs.Show()
	} else {
		b.docs.Hide()
	}
}

func (b *bankStep) addFromFile() {
	pickFile(b.s.u.win, func(path string) {
		p, err := b.s.u.a.AddProfileFile(path)
		if err != nil {
			dialog.ShowError(err, b.s.u.win)
			return
		}
		_ = b.s.w.ChooseProfile(p.ID)
		b.filter()
		b.s.update()
	})
}
