package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// reviewStep: the preflight checklist and exactly what will be sent.
type reviewStep struct {
	s       *wizardScreen
	checks  *fyne.Container
	request *widget.Label
	copyB   *button
	saveB   *button
	content fyne.CanvasObject
}

func newReviewStep(s *wizardScreen) *reviewStep {
	r := &reviewStep{s: s, checks: container.NewVBox()}
	r.request = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	r.request.Selectable = true
	r.copyB = s.u.button(i18n.T("Copy as curl"), theme.ContentCopyIcon(), func() {
		r.signed(func(plan *engine.Plan) {
			fyne.CurrentApp().Clipboard().SetContent(app.CurlCommand(plan))
			s.u.done("copied")
		})
	})
	r.saveB = s.u.button(i18n.T("Save request…"), theme.DocumentSaveIcon(), r.save)
	top := container.NewVBox(widget.NewLabelWithStyle(i18n.T("Checks before sending"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), r.checks,
		container.NewBorder(nil, nil, widget.NewLabelWithStyle(i18n.T("What will be sent"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewHBox(r.copyB, r.saveB)))
	r.content = container.NewBorder(top, nil, nil, nil, container.NewScroll(r.request))
	return r
}

func (r *reviewStep) focus() fyne.Focusable   { return nil } // Next: "Continue to send"
func (r *reviewStep) view() fyne.CanvasObject { return r.content }
func (r *reviewStep) hint() string {
	return i18n.T("Nothing has been sent yet. Red items must be fixed first; amber ones are worth a look. When sending, the request is signed, and fresh ids and the bank's token are added.")
}

func (r *reviewStep) refresh() {
	r.checks.RemoveAll()
	plan, err := r.s.w.Preview()
	if err != nil {
		r.checks.Add(checkRow(check.Error, i18n.Err(err)))
		r.request.SetText("")
		return
	}
	if len(plan.Request.Findings) == 0 {
		r.checks.Add(checkRow(check.OK, i18n.T("Everything this bank checks looks right.")))
	}
	for _, f := range plan.Request.Findings {
		r.checks.Add(checkRow(f.Severity, findingText(f)))
	}
	if earlier := r.s.w.Earlier(); earlier != nil {
		r.checks.Add(checkRow(check.Warning, i18n.T("Your registration at %s on %s (record %s) may have reached the bank, but no answer came back.",
			earlier.Bank, earlier.Started.Local().Format("2006-01-02 15:04"), earlier.ID)+" "+app.HowToCheck(earlier).In(i18n.Translate)))
		r.checks.Add(r.s.checkedBox())
	}
	r.request.SetText(hardWrap(app.RequestText(plan), monoWidth))
}

// checkRow is one checklist line: green, amber or red, with the fix.
func checkRow(sev check.Severity, text string) fyne.CanvasObject {
	icon := widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	switch sev {
	case check.Warning:
		icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
	case check.Error:
		icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
	}
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, icon, nil, l)
}

// signed signs the request as it stands off the UI goroutine (RSA takes a
// few milliseconds), then hands it to use on the UI goroutine.
func (r *reviewStep) signed(use func(*engine.Plan)) {
	sign := r.s.w.Signed()
	r.s.u.background(func() func() {
		plan, err := sign()
		return func() {
			if err != nil {
				dialog.ShowError(err, r.s.u.win)
				return
			}
			use(plan)
		}
	})
}

func (r *reviewStep) save() {
	if plan, err := r.s.w.Preview(); err != nil || plan == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		r.signed(func(plan *engine.Plan) {
			if err := app.SaveRequest(plan, path); err != nil {
				dialog.ShowError(err, r.s.u.win)
			}
			r.s.u.done("saved")
		})
	}, r.s.u.win)
	d.SetFileName("registration-request.txt")
	d.Show()
}
