package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// The keyboard: Tab and Shift+Tab move between controls (Fyne's own),
// Space presses the focused control (Fyne's own), Enter goes on: it presses
// a focused button, submits a field, picks the focused bank; Escape goes
// back a step. Fyne sends keys to the focused widget only, so the widgets
// the wizard uses are wrapped to hear Enter and Escape.

// escape goes back a step (from the first step, home).
func (u *UI) escape() {
	if u.wizard != nil && len(u.win.Canvas().Overlays().List()) == 0 {
		u.wizard.goBack()
	}
}

// button is a widget.Button that Enter presses, as Space does.
type button struct {
	widget.Button
	u *UI
}

func (u *UI) button(label string, icon fyne.Resource, tapped func()) *button {
	b := &button{u: u}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey adds Enter and Escape to the button's keys.
func (b *button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	case fyne.KeyEscape:
		b.u.escape()
	default:
		b.Button.TypedKey(ev)
	}
}

// entry is a widget.Entry on which Escape goes back; Enter submits it
// (OnSubmitted), as in Fyne.
type entry struct {
	widget.Entry
	u *UI
}

func (u *UI) entry(multiLine bool) *entry {
	e := &entry{u: u}
	e.MultiLine = multiLine
	if multiLine {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey adds Escape to the entry's keys.
func (e *entry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		e.u.escape()
		return
	}
	e.Entry.TypedKey(ev)
}

// selectBox is a widget.Select on which Enter goes on and Escape goes back
// (Space and the arrows open its choices, as in Fyne).
type selectBox struct {
	widget.Select
	u       *UI
	onEnter func()
}

func (u *UI) selectBox(options []string, changed func(string)) *selectBox {
	s := &selectBox{u: u}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey adds Enter and Escape to the select's keys.
func (s *selectBox) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if s.onEnter != nil {
			s.onEnter()
		}
	case fyne.KeyEscape:
		s.u.escape()
	default:
		s.Select.TypedKey(ev)
	}
}

// list is a widget.List on which Enter picks the focused row and goes on
// (Space picks it, and the arrows move, as in Fyne); Escape goes back.
type list struct {
	widget.List
	u       *UI
	onEnter func()
}

func (u *UI) list(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *list {
	l := &list{u: u}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey adds Enter and Escape to the list's keys.
func (l *list) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
		if l.onEnter != nil {
			l.onEnter()
		}
	case fyne.KeyEscape:
		l.u.escape()
	default:
		l.List.TypedKey(ev)
	}
}
