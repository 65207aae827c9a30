package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// wizardScreen frames the steps: where you are, the step, and Back/Next
// with the reason when Next is not possible yet.
type wizardScreen struct {
	u        *UI
	w        *app.Wizard
	content  fyne.CanvasObject
	progress *widget.Label
	hint     *widget.Label
	body     *fyne.Container
	back     *button
	next     *button
	home     *button
	reason   *widget.Label

	bank     *bankStep
	identity *identityStep
	details  *detailsStep
	review   *reviewStep
	send     *sendStep
}

func newWizardScreen(u *UI, w *app.Wizard) *wizardScreen {
	s := &wizardScreen{u: u, w: w}
	s.progress = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.progress.Wrapping = fyne.TextWrapWord
	s.hint = widget.NewLabel("")
	s.hint.Wrapping = fyne.TextWrapWord
	s.body = container.NewStack()
	s.reason = widget.NewLabel("")
	s.reason.Wrapping = fyne.TextWrapWord
	s.reason.Importance = widget.WarningImportance
	s.back = u.button(i18n.T("Back"), theme.NavigateBackIcon(), s.goBack)
	s.next = u.button(i18n.T("Next"), theme.NavigateNextIcon(), s.goNext)
	s.next.IconPlacement = widget.ButtonIconTrailingText
	s.next.Importance = widget.HighImportance
	s.home = u.button(i18n.T("Home"), theme.HomeIcon(), u.ShowHome)

	s.bank = newBankStep(s)
	s.identity = newIdentityStep(s)
	s.details = newDetailsStep(s)
	s.review = newReviewStep(s)
	s.send = newSendStep(s)

	footer := container.NewBorder(nil, nil, container.NewHBox(s.home, s.back), s.next, s.reason)
	header := container.NewVBox(s.progress, s.hint, widget.NewSeparator())
	s.content = container.NewPadded(container.NewBorder(header, container.NewVBox(widget.NewSeparator(), footer), nil, nil, s.body))
	s.show()
	return s
}

// typedKey gives the keyboard the footer: Enter goes on, Escape goes back.
func (s *wizardScreen) typedKey(ev *fyne.KeyEvent) {
	if s.u.wizard != s {
		return
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		s.enter()
	case fyne.KeyEscape:
		s.goBack()
	}
}

// enter goes on when the step is complete.
func (s *wizardScreen) enter() {
	if !s.next.Disabled() && !s.next.Hidden {
		s.goNext()
	}
}

func (s *wizardScreen) goNext() {
	if err := s.w.Next(); err != nil {
		s.reason.SetText(i18n.Err(err))
		return
	}
	s.show()
}

func (s *wizardScreen) goBack() {
	if s.w.Step() == s.w.First() {
		s.u.ShowHome()
		return
	}
	if s.send.busy() {
		return
	}
	s.w.Back()
	s.show()
}

// goTo returns to an earlier step, to fix what a refusal points at.
func (s *wizardScreen) goTo(step app.Step) {
	s.w.GoTo(step)
	s.show()
}

// show puts the current step on screen.
func (s *wizardScreen) show() {
	names := make([]string, 0, app.StepSend+1)
	for st := s.w.First(); st <= app.StepSend; st++ {
		n := i18n.T("%d %s", int(st)+1, st.Name().In(i18n.Translate))
		if st == s.w.Step() {
			n = "[" + n + "]"
		}
		names = append(names, n)
	}
	progress := strings.Join(names, "  ›  ")
	if c := s.w.Change(); c != nil {
		progress = i18n.T("Changing client %s at %s", c.ClientID, s.w.Profile().Name) + "\n" + progress
	}
	s.progress.SetText(progress)
	var step interface {
		refresh()
		view() fyne.CanvasObject
		hint() string
		// focus is the control the keyboard starts at, or nil.
		focus() fyne.Focusable
	}
	switch s.w.Step() {
	case app.StepBank:
		step = s.bank
	case app.StepIdentity:
		step = s.identity
	case app.StepDetails:
		step = s.details
	case app.StepReview:
		step = s.review
	default:
		step = s.send
	}
	step.refresh()
	s.hint.SetText(step.hint())
	s.body.Objects = []fyne.CanvasObject{step.view()}
	s.body.Refresh()
	s.next.SetText(i18n.T("Next"))
	if s.w.Step() == app.StepReview {
		s.next.SetText(i18n.T("Continue to send"))
	}
	if s.w.Step() == app.StepSend {
		s.next.Hide()
	} else {
		s.next.Show()
	}
	s.update()
	// A wrapped hint knows its height only once it has its width: lay the
	// frame out again so that the step starts below it.
	s.content.Refresh()
	s.focusStep(step.focus())
}

// focusStep puts the keyboard on the step's first control, or on Next.
func (s *wizardScreen) focusStep(f fyne.Focusable) {
	if s.u.wizard != s {
		return // not on screen yet: StartWizard focuses once it is
	}
	if f != nil {
		s.u.win.Canvas().Focus(f)
	} else if !s.next.Disabled() && !s.next.Hidden {
		s.u.win.Canvas().Focus(s.next)
	}
}

// checkedBox is the person's word that they checked with the bank about
// an attempt whose outcome is unknown; only then can it be sent again.
func (s *wizardScreen) checkedBox() *widget.Check {
	c := widget.NewCheck(i18n.T("I checked with the bank: nothing was registered, send again"), func(on bool) {
		s.w.SetChecked(on)
		s.update()
		if s.send != nil && s.w.Step() == app.StepSend {
			if on {
				s.send.sendB.Enable()
			} else {
				s.send.sendB.Disable()
			}
		}
	})
	return c
}

// update enables Next when the step is complete and says why when not.
func (s *wizardScreen) update() {
	ok, why := s.w.CanNext()
	if ok || s.w.Step() == app.StepSend {
		s.next.Enable()
		s.reason.SetText("")
		return
	}
	s.next.Disable()
	s.reason.SetText(why)
}
