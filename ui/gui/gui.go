// Package gui is the Fyne front end. Until the full wizard lands it shows
// the home screen: the bank profiles and the saved identities.
package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
)

// AppID is the reverse-DNS application id (also in FyneApp.toml).
const AppID = "io.github.tppwizard"

// Run opens the window and blocks until it is closed.
func Run() {
	fa := fyneapp.NewWithID(AppID)
	w := fa.NewWindow("TPP Onboarding Wizard")
	w.SetContent(Home(app.New(app.Options{})))
	w.Resize(fyne.NewSize(800, 600))
	w.ShowAndRun()
}

// Home lists the bank profiles and the identities saved in the keyring.
func Home(a *app.App) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("TPP Onboarding Wizard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel("Register your firm's application with open banking banks.\n" +
		"The step-by-step wizard is on its way; today the same engine runs from the command line:\n" +
		"tppwizard identity import ...  then  tppwizard register --profile ID --identity NAME")
	intro.Wrapping = fyne.TextWrapWord

	banks := widget.NewList(
		func() int { return len(a.Catalog.Profiles) },
		func() fyne.CanvasObject { return widget.NewLabel("bank") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := a.Catalog.Profiles[i]
			o.(*widget.Label).SetText(fmt.Sprintf("%s · %s · %s (%s)", p.Country, p.Ecosystem, p.Name, p.Environment))
		})

	names, err := a.Vault().List()
	status := fmt.Sprintf("%d identities saved in the system keyring", len(names))
	switch {
	case a.KeyringProblem() != nil:
		status = "Keyring not available: " + a.KeyringProblem().Error()
	case err != nil:
		status = "Could not read the keyring: " + err.Error()
	}
	ids := widget.NewList(
		func() int { return len(names) },
		func() fyne.CanvasObject { return widget.NewLabel("identity") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(names[i]) })
	statusLabel := widget.NewLabel(status)
	statusLabel.Wrapping = fyne.TextWrapWord

	tabs := container.NewAppTabs(
		container.NewTabItem("Banks", banks),
		container.NewTabItem("Identities", container.NewBorder(statusLabel, nil, nil, nil, ids)),
	)
	return container.NewBorder(container.NewVBox(title, intro), nil, nil, nil, tabs)
}
