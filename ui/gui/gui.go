// Package gui is the Fyne front end: a home screen and the registration
// wizard, one file per step. It only presents app state and forwards what
// the user does; work that waits (the sandbox, the network) runs off the UI
// goroutine and comes back through fyne.Do.
package gui

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"

	"github.com/pkg/browser"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// AppID is the reverse-DNS application id (also in FyneApp.toml).
const AppID = "io.github.tppwizard"

// Run opens the window and blocks until it is closed.
func Run() {
	if err := i18n.Load(); err != nil {
		fyne.LogError("the translations could not be loaded; the wizard speaks English", err)
	}
	fa := fyneapp.NewWithID(AppID)
	fa.Settings().SetTheme(newReadableTheme())
	w := fa.NewWindow(i18n.T("TPP Onboarding Wizard"))
	a := app.New(app.Options{Log: app.LoggerFromEnv(), Text: i18n.Translate})
	u := New(a, w)
	w.SetOnClosed(func() { _ = a.StopSandbox() })
	w.Resize(fyne.NewSize(900, 650))
	u.ShowHome()
	w.ShowAndRun()
}

// UI is the window's state: the app and the screen shown.
type UI struct {
	a   *app.App
	win fyne.Window
	// home and wizard are the screens, kept so that tests reach their widgets.
	home   *homeScreen
	wizard *wizardScreen
	batch  *batchScreen
	certs  *certScreen
	// lastAbout is the About dialog last opened (tests read it).
	lastAbout *aboutDialog
	// settled, when set, hears each piece of background work finish, after
	// its result is on screen ("identities", "names", "sandbox", "sent").
	settled func(event string)
	// post, when set, replaces fyne.Do for handing results to the UI
	// thread: tests run them on the test goroutine, their UI thread.
	post func(func())
	// openFile opens a file in the user's browser, and openURL a web
	// address (tests replace them).
	openFile func(path string) error
	openURL  func(url string) error
}

// browse opens a web address in the user's browser; when it cannot, it
// says where to go instead.
func (u *UI) browse(url string) {
	if err := u.openURL(url); err != nil {
		dialog.ShowInformation(i18n.T("The browser could not be opened"), i18n.T("Open %s yourself.", url), u.win)
	}
}

// onUI runs f on the UI goroutine (tests: on theirs).
func (u *UI) onUI(f func()) {
	if u.post != nil {
		u.post(f)
	} else {
		fyne.Do(f)
	}
}

func (u *UI) done(event string) {
	if u.settled != nil {
		u.settled(event)
	}
}

// background runs work off the UI goroutine (it may wait on the keyring or
// the network) and then applies its result on the UI goroutine.
func (u *UI) background(work func() (apply func())) {
	go func() { u.onUI(work()) }()
}

// New makes the UI for a window.
func New(a *app.App, w fyne.Window) *UI {
	u := &UI{a: a, win: w, openFile: browser.OpenFile, openURL: browser.OpenURL}
	w.Canvas().SetOnTypedKey(u.typedKey)
	return u
}

// typedKey hears the keys no control has taken: Escape closes a dialog,
// and in the wizard Enter goes on and Escape goes back.
func (u *UI) typedKey(ev *fyne.KeyEvent) {
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		if ev.Name == fyne.KeyEscape {
			top.Hide()
		}
		return
	}
	if u.wizard != nil {
		u.wizard.typedKey(ev)
	}
}

// ShowHome shows the home screen.
func (u *UI) ShowHome() {
	u.wizard, u.batch = nil, nil
	u.home = newHome(u)
	u.win.SetContent(u.home.content)
	u.win.Canvas().Focus(u.home.newButton) // Enter starts a registration
}

// StartWizard opens a new registration, at its first step.
func (u *UI) StartWizard() { u.openWizard(u.a.NewWizard()) }

// openWizard shows a wizard at its current step: a new registration, or
// the change of one.
func (u *UI) openWizard(w *app.Wizard) {
	u.wizard = newWizardScreen(u, w)
	u.win.SetContent(u.wizard.content)
	u.wizard.show()
}
