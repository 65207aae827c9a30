package gui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// sendStep: send with progress and Cancel, then the result or the refusal.
type sendStep struct {
	s        *wizardScreen
	sendB    *button
	cancelB  *button
	progress *widget.ProgressBarInfinite
	status   *widget.Label
	result   *fyne.Container
	cancel   context.CancelFunc
	content  fyne.CanvasObject

	// Widgets of the result, for tests.
	clientID *widget.Label
	secret   *widget.Label
	reveal   *button
	fix      *button
}

func newSendStep(s *wizardScreen) *sendStep {
	st := &sendStep{s: s, result: container.NewVBox()}
	st.sendB = s.u.button(i18n.T("Send to the bank"), theme.MailSendIcon(), st.start)
	st.sendB.Importance = widget.HighImportance
	st.cancelB = s.u.button(i18n.T("Cancel"), theme.CancelIcon(), func() {
		if st.cancel != nil {
			st.cancel()
		}
	})
	st.progress = widget.NewProgressBarInfinite()
	st.status = widget.NewLabel("")
	st.status.Wrapping = fyne.TextWrapWord
	st.content = container.NewVScroll(container.NewVBox(st.status, container.NewHBox(st.sendB, st.cancelB), st.progress, st.result))
	return st
}

func (st *sendStep) view() fyne.CanvasObject { return st.content }
func (st *sendStep) focus() fyne.Focusable {
	if st.sendB.Hidden || st.sendB.Disabled() {
		return nil
	}
	return st.sendB
}
func (st *sendStep) hint() string {
	return i18n.T("Sending registers your application with the bank. What it returns is saved in the system keyring before it is shown.")
}

func (st *sendStep) busy() bool { return st.cancel != nil }

func (st *sendStep) refresh() {
	if st.busy() {
		return
	}
	st.result.RemoveAll()
	st.progress.Stop()
	st.progress.Hide()
	st.cancelB.Hide()
	st.sendB.Show()
	st.sendB.Enable()
	p := st.s.w.Profile()
	ready := i18n.T("Ready to register %q with %s.", st.s.w.IdentityName(), p.Name)
	if p.Environment == "live" {
		ready += i18n.T(" This is a live bank: the registration is real, and it is recorded for audit.")
	}
	st.status.SetText(ready)
}

// start sends off the UI goroutine; the window stays responsive and Cancel
// stops the exchange.
func (st *sendStep) start() {
	send, err := st.s.w.Sender()
	if err != nil {
		st.status.SetText(i18n.Err(err))
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	st.cancel = cancel
	st.sendB.Disable()
	st.s.back.Disable()
	st.cancelB.Show()
	st.progress.Show()
	st.progress.Start()
	st.status.SetText(i18n.T("Connecting to the bank and sending the registration…"))
	st.s.u.background(func() func() {
		out, err := send(ctx)
		cancel()
		return func() {
			st.s.w.Record(out, err)
			st.finish(out, err)
			st.s.u.done("sent")
		}
	})
}

func (st *sendStep) finish(out *app.Outcome, err error) {
	st.cancel = nil
	st.progress.Stop()
	st.progress.Hide()
	st.cancelB.Hide()
	st.s.back.Enable()
	st.result.RemoveAll()
	switch {
	case err == nil:
		st.showSuccess(out)
	case out != nil && out.Record.Status == records.Unknown:
		// Never re-sent by itself: the person checks with the bank first,
		// and says so, before Send works again.
		st.sendB.Disable()
		lead := i18n.T("The request left, but no readable answer came back.")
		if errors.Is(err, context.Canceled) {
			lead = i18n.T("Cancelled after the request had left.")
		}
		st.status.SetText(lead + " " + app.HowToCheck(&out.Record).In(i18n.Translate) + " " + i18n.T("The attempt is kept under Past registrations on the home screen."))
		st.result.Add(st.s.checkedBox())
		st.content.Refresh() // the status now wraps over more lines
	case errors.Is(err, context.Canceled):
		st.sendB.Enable()
		st.status.SetText(i18n.T("Cancelled before the request left: nothing was registered by this attempt. You can send again."))
	default:
		st.sendB.Enable()
		st.showRefusal(err)
	}
}

func (st *sendStep) showSuccess(out *app.Outcome) {
	st.sendB.Hide()
	res := out.Result
	said := i18n.T("Registered with %s (HTTP %d).", st.s.w.Profile().Name, res.Status)
	if st.s.w.Change() != nil {
		said = i18n.T("Changed at %s (HTTP %d).", st.s.w.Profile().Name, res.Status)
	}
	st.status.SetText(said)
	st.clientID = widget.NewLabelWithStyle(res.ClientID, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	st.clientID.Selectable = true
	copyID := st.s.u.button(i18n.T("Copy"), theme.ContentCopyIcon(), func() { fyne.CurrentApp().Clipboard().SetContent(res.ClientID) })
	st.result.Add(widget.NewLabelWithStyle(i18n.T("Client id"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	st.result.Add(container.NewBorder(nil, nil, nil, copyID, st.clientID))
	if res.ClientIDFromDirectory {
		note := widget.NewLabel(i18n.T("The bank returned no client id: this is your application id from the trust framework directory, which this bank uses."))
		note.Wrapping = fyne.TextWrapWord
		st.result.Add(note)
	}
	if res.ClientSecret != "" {
		hidden := i18n.T("•••••••• (hidden)")
		st.secret = widget.NewLabelWithStyle(hidden, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		shown := false
		st.reveal = st.s.u.button(i18n.T("Reveal"), theme.VisibilityIcon(), func() {
			shown = !shown
			if shown {
				st.secret.SetText(res.ClientSecret)
				st.reveal.SetText(i18n.T("Hide"))
			} else {
				st.secret.SetText(hidden)
				st.reveal.SetText(i18n.T("Reveal"))
			}
		})
		copySecret := st.s.u.button(i18n.T("Copy"), theme.ContentCopyIcon(), func() { fyne.CurrentApp().Clipboard().SetContent(res.ClientSecret) })
		st.result.Add(widget.NewLabelWithStyle(i18n.T("Client secret"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		st.result.Add(container.NewBorder(nil, nil, nil, container.NewHBox(st.reveal, copySecret), st.secret))
	}
	if len(out.SecretKeys) > 0 {
		saved := widget.NewLabel(i18n.T("Saved in the system keyring (service \"%s\"):", app.KeyringService) + "\n" + strings.Join(out.SecretKeys, "\n"))
		saved.Wrapping = fyne.TextWrapWord
		st.result.Add(saved)
	}
	if res.InteractionID != "" {
		st.result.Add(widget.NewLabel(i18n.T("Interaction id (quote it to the bank): %s", res.InteractionID)))
	}
	st.result.Add(widget.NewLabel(i18n.T("Recorded as %s: it is listed under Past registrations on the home screen.", out.Record.ID)))
	done := st.s.u.button(i18n.T("Done"), theme.HomeIcon(), st.s.u.ShowHome)
	st.result.Add(done)
	st.s.u.win.Canvas().Focus(done)
}

func (st *sendStep) showRefusal(err error) {
	var be *registration.BankError
	fixAt := st.s.w.FixStep()
	if errors.As(err, &be) {
		what := "registration"
		if st.s.w.Change() != nil {
			what = "change"
		}
		st.status.SetText(i18n.T("The bank refused the %s (HTTP %d).", what, be.Status))
		add := func(title, text string) {
			if text == "" {
				return
			}
			l := widget.NewLabel(text)
			l.Wrapping = fyne.TextWrapWord
			st.result.Add(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
			st.result.Add(l)
		}
		add(i18n.T("What happened"), be.Explanation.In(i18n.Translate))
		add(i18n.T("What to do"), be.NextStep.In(i18n.Translate))
		add(i18n.T("The bank's own words"), strings.TrimSpace(be.Code+" "+be.Description))
		add(i18n.T("Interaction id (quote it to the bank)"), be.InteractionID)
	} else {
		st.status.SetText(i18n.T("The registration could not be sent."))
		l := widget.NewLabel(i18n.Err(err))
		l.Wrapping = fyne.TextWrapWord
		st.result.Add(l)
	}
	st.fix = st.s.u.button(i18n.T("Back to %s to fix it", fixAt.Name().In(i18n.Translate)), theme.NavigateBackIcon(), func() { st.s.goTo(fixAt) })
	st.result.Add(st.fix)
	st.s.u.win.Canvas().Focus(st.fix)
}
