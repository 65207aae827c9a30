package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// detailsStep: the fields the bank needs, pre-filled, checked as typed.
type detailsStep struct {
	s       *wizardScreen
	content *fyne.Container
	inputs  map[string]fyne.CanvasObject
	// first is the first one-line field in the form, where the keyboard
	// starts.
	first    fyne.Focusable
	problems map[string]*widget.Label
	builtFor string
}

func newDetailsStep(s *wizardScreen) *detailsStep {
	return &detailsStep{s: s, content: container.NewStack()}
}

func (d *detailsStep) view() fyne.CanvasObject { return d.content }
func (d *detailsStep) focus() fyne.Focusable   { return d.first }
func (d *detailsStep) hint() string {
	if c := d.s.w.Change(); c != nil {
		text := i18n.T("%s Change what must change: the whole registration is sent again, with the identity's certificates as they are now.", c.Source)
		for _, r := range c.Renewed {
			text += "\n" + r.In(i18n.Translate)
		}
		return text
	}
	return i18n.T("These values come from your software statement and certificates. Change them only where they are wrong; each is checked as you type.")
}

// refresh builds the form for the chosen bank and identity once, and
// afterwards only updates the checks, so that typing keeps its place.
func (d *detailsStep) refresh() {
	key := d.s.w.Profile().ID + "/" + d.s.w.IdentityName()
	if d.builtFor != key {
		d.build()
		d.builtFor = key
	}
	d.showProblems()
}

func (d *detailsStep) build() {
	d.inputs, d.problems, d.first = map[string]fyne.CanvasObject{}, map[string]*widget.Label{}, nil
	basic, advanced := container.NewVBox(), container.NewVBox()
	fields := d.s.w.Fields()
	for _, f := range fields {
		box := basic
		if f.Advanced {
			box = advanced
		}
		label := widget.NewLabelWithStyle(f.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		// Help is told apart by its slant: Fyne's pale "low importance"
		// grey was 1.3:1 on the light background, unreadable.
		help := widget.NewLabelWithStyle(f.Help, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		help.Wrapping = fyne.TextWrapWord
		problem := widget.NewLabel("")
		problem.Wrapping = fyne.TextWrapWord
		problem.Importance = widget.DangerImportance
		d.problems[f.Name] = problem
		input := d.input(f)
		d.inputs[f.Name] = input
		// Enter goes on from a one-line field; in a list of lines it starts a
		// new line, so the keyboard starts at the first one-line field.
		if fo, ok := input.(fyne.Focusable); ok && d.first == nil && !f.Advanced && !f.Multi {
			d.first = fo
		}
		box.Add(container.NewVBox(label, input, help, problem))
	}
	if len(fields) == 0 {
		none := widget.NewLabel(i18n.T("This bank needs nothing more: the registration is your transport certificate itself."))
		none.Wrapping = fyne.TextWrapWord
		basic.Add(none)
	}
	items := []fyne.CanvasObject{basic}
	if len(advanced.Objects) > 0 {
		items = append(items, widget.NewAccordion(widget.NewAccordionItem(i18n.T("Advanced: change only if the bank asks you to"), advanced)))
	}
	d.content.Objects = []fyne.CanvasObject{container.NewVScroll(container.NewVBox(items...))}
	d.content.Refresh()
}

// input is the widget for one field: a choice, a multi-line list, or text.
func (d *detailsStep) input(f app.Field) fyne.CanvasObject {
	set := func(v string) {
		d.s.w.SetField(f.Name, v)
		d.showProblems()
		d.s.update()
	}
	switch {
	case len(f.Choices) > 0:
		sel := d.s.u.selectBox(f.Choices, nil)
		sel.onEnter = d.s.enter
		sel.SetSelected(f.Value)
		sel.OnChanged = set
		return sel
	case f.Multi:
		e := d.s.u.entry(true)
		e.SetText(f.Value)
		e.SetMinRowsVisible(3)
		e.OnChanged = set
		return e
	}
	e := d.s.u.entry(false)
	e.Password = f.Secret
	e.SetText(f.Value)
	e.OnChanged = set
	e.OnSubmitted = func(string) { d.s.enter() }
	return e
}

func (d *detailsStep) showProblems() {
	for _, f := range d.s.w.Fields() {
		if l, ok := d.problems[f.Name]; ok {
			l.SetText(f.Problem)
			if f.Problem == "" {
				l.Hide()
			} else {
				l.Show()
			}
		}
	}
}
