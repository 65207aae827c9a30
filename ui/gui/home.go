package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// homeScreen is where every session starts.
type homeScreen struct {
	content    fyne.CanvasObject
	newButton  *button
	batchB     *button
	demoButton *button
	aboutB     *button
	demoStatus *widget.Label
	demoBusy   *widget.Activity
	identities *widget.List
	idStatus   *widget.Label
	certsB     *button
	// expiring lists identities whose certificates end within 30 days,
	// each with its Renew button.
	expiring *fyne.Container
	names    []string
	past     *pastList
}

func newHome(u *UI) *homeScreen {
	h := &homeScreen{}
	title := widget.NewLabelWithStyle(i18n.T("TPP Onboarding Wizard"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(i18n.T("Register your firm's application with a bank: choose the bank, your certificates, " +
		"check what will be sent, and keep the client id safely in the system keyring."))
	intro.Wrapping = fyne.TextWrapWord

	h.newButton = u.button(i18n.T("New registration"), theme.ContentAddIcon(), u.StartWizard)
	h.newButton.Importance = widget.HighImportance
	h.batchB = u.button(i18n.T("Several banks at once…"), theme.ContentCopyIcon(), u.ShowBatch)
	h.demoStatus = widget.NewLabel(i18n.T("No bank account or certificate files yet? The demo bank runs on this computer, with a ready demo identity."))
	h.demoStatus.Wrapping = fyne.TextWrapWord
	h.demoButton = u.button(i18n.T("Try it with the demo bank"), theme.MediaPlayIcon(), func() { h.startDemo(u) })
	h.demoBusy = widget.NewActivity()
	h.demoBusy.Hide()

	h.idStatus = widget.NewLabel(i18n.T("Reading the system keyring…"))
	h.idStatus.Wrapping = fyne.TextWrapWord
	h.identities = widget.NewList(
		func() int { return len(h.names) },
		func() fyne.CanvasObject { return widget.NewLabel("identity") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(h.names[i]) })

	banks := widget.NewLabel(i18n.T("%d bank profiles available.", len(u.a.Catalog.Profiles)))
	h.aboutB = u.button(i18n.T("About…"), theme.InfoIcon(), func() { u.ShowAbout() })
	// Tab order: New registration, the demo bank, then several banks.
	left := container.NewVBox(title, intro, h.newButton, widget.NewSeparator(), h.demoButton, container.NewBorder(nil, nil, h.demoBusy, nil, h.demoStatus),
		widget.NewSeparator(), h.batchB, container.NewBorder(nil, nil, nil, h.aboutB, banks))
	h.certsB = u.button(i18n.T("Request or renew certificates…"), theme.DocumentCreateIcon(), func() { u.ShowCertificates() })
	h.expiring = container.NewVBox()
	right := container.NewBorder(widget.NewLabelWithStyle(i18n.T("Saved identities"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(h.idStatus, h.expiring, h.certsB), nil, nil, h.identities)
	h.past = newPastList(u)
	top := container.NewVBox(container.NewGridWithColumns(2, left, right), widget.NewSeparator())
	h.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, h.past.content))
	h.loadIdentities(u)
	h.past.load()
	return h
}

// loadIdentities reads the keyring off the UI goroutine: it can be slow, or
// ask the user to unlock it.
func (h *homeScreen) loadIdentities(u *UI) {
	u.background(func() func() {
		names, err := u.a.Vault().List()
		problem := u.a.KeyringProblem()
		expiring, _ := u.a.ExpiringSoon()
		return func() {
			h.showExpiring(u, expiring)
			h.names = names
			switch {
			case problem != nil:
				h.idStatus.SetText(i18n.T("Identities are kept in memory only, until you close the wizard. %s", app.Sentence(i18n.Err(problem))))
			case err != nil:
				h.idStatus.SetText(i18n.T("Could not read the keyring: %v", err))
			case len(names) == 0:
				h.idStatus.SetText(i18n.T("None yet: a new registration lets you import your certificate files once."))
			default:
				h.idStatus.SetText(i18n.T("%d in the system keyring.", len(names)))
			}
			h.identities.Refresh()
			u.done("identities")
		}
	})
}

// startDemo starts the in-process sandbox bank and its demo identity, then
// opens a registration with the sandbox banks listed.
func (h *homeScreen) startDemo(u *UI) {
	h.demoButton.Disable()
	h.demoBusy.Show()
	h.demoBusy.Start()
	h.demoStatus.SetText(i18n.T("Starting the demo bank and its trust framework…"))
	u.background(func() func() {
		_, err := u.a.StartSandbox()
		return func() {
			h.demoBusy.Stop()
			h.demoBusy.Hide()
			if err != nil {
				h.demoButton.Enable()
				h.demoStatus.SetText(i18n.T("The demo bank could not start: %v", err))
				u.done("sandbox")
				return
			}
			u.StartWizard()
			u.wizard.bank.search.SetText("demo")
			u.wizard.focusStep(u.wizard.bank.focus())
			u.wizard.hint.SetText(i18n.T("The demo bank is running. Choose one of its banks, then the identity %q.", sandbox.DemoIdentityName))
			u.done("sandbox")
		}
	})
}

// showExpiring offers, 30 days ahead, to renew each identity whose
// certificates end soon.
func (h *homeScreen) showExpiring(u *UI, list []app.Expiring) {
	h.expiring.RemoveAll()
	shown := map[string]bool{}
	for _, e := range list {
		if shown[e.Identity] {
			continue
		}
		shown[e.Identity] = true
		msg := i18n.T("%s: the %s ends in %d days (%s).", e.Identity, certName(e.Use), e.DaysLeft, e.NotAfter.Local().Format("2006-01-02"))
		if e.DaysLeft < 0 {
			msg = i18n.T("%s: the %s ended on %s.", e.Identity, certName(e.Use), e.NotAfter.Local().Format("2006-01-02"))
		}
		l := widget.NewLabel(msg)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		name := e.Identity
		renew := u.button(i18n.T("Renew…"), theme.ViewRefreshIcon(), func() { u.ShowCertificates().renew(name) })
		h.expiring.Add(container.NewBorder(nil, nil, nil, renew, l))
	}
	h.expiring.Refresh()
}
