package gui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// rect is an area of the window in absolute coordinates.
type rect struct{ x, y, w, h float32 }

func (r rect) intersect(o rect) rect {
	x, y := max(r.x, o.x), max(r.y, o.y)
	return rect{x, y, max(0, min(r.x+r.w, o.x+o.w)-x), max(0, min(r.y+r.h, o.y+o.h)-y)}
}

// clippedText lists every piece of text on the canvas that the user cannot
// read in full: text given less room than it needs, text that runs past
// the edge of what shows it (the window, a scrolled pane, a list), and
// labels cut short with an ellipsis. Text inside a scroll may run past its edge in
// the direction it scrolls: the user scrolls to it.
func clippedText(c fyne.Canvas) []string {
	var found []string
	size := c.Size()
	// Lay everything out afresh, as a frame does: a label that wrapped
	// after its container's last layout asks for more height now.
	for _, o := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		s := o.Size()
		o.Resize(s.SubtractWidthHeight(1, 1))
		o.Resize(s)
	}
	window := rect{0, 0, size.Width, size.Height}
	layers := []fyne.CanvasObject{c.Content()}
	layers = append(layers, c.Overlays().List()...)
	for _, o := range layers {
		walkText(o, fyne.Position{}, window, &found)
	}
	return found
}

// unbounded stands for "as far as scrolling goes".
const unbounded = 1 << 24

// walkText visits o at its absolute origin; area is where its text must
// lie to be seen: the window, narrowed by each scroll it is inside.
func walkText(o fyne.CanvasObject, origin fyne.Position, area rect, found *[]string) {
	if o == nil || !o.Visible() {
		return
	}
	pos := origin.Add(o.Position())
	size := o.Size()
	bounds := rect{pos.X, pos.Y, size.Width, size.Height}
	switch o := o.(type) {
	case *canvas.Text:
		if strings.TrimSpace(o.Text) == "" || size.Width == 0 {
			return
		}
		need := o.MinSize()
		w := min(need.Width, size.Width)
		switch {
		case size.Width+1 < need.Width:
			*found = append(*found, fmt.Sprintf("%q is %.0f px wide, needs %.0f", o.Text, size.Width, need.Width))
		case pos.X+1 < area.x || pos.X+w > area.x+area.w+1:
			*found = append(*found, fmt.Sprintf("%q runs past the side of what shows it (x %.0f to %.0f, shown from %.0f to %.0f)", o.Text, pos.X, pos.X+w, area.x, area.x+area.w))
		case pos.Y+1 < area.y || pos.Y+need.Height > area.y+area.h+1:
			*found = append(*found, fmt.Sprintf("%q is cut at its top or bottom (y %.0f to %.0f, shown from %.0f to %.0f)", o.Text, pos.Y, pos.Y+need.Height, area.y, area.y+area.h))
		}
		return
	case *widget.Label:
		if o.Truncation != fyne.TextTruncateOff && o.Text != "" {
			if shown := labelShows(o); shown != o.Text {
				*found = append(*found, fmt.Sprintf("%q is cut short to %q", o.Text, shown))
			}
		}
	case *fyne.Container:
		// A container does not clip what it holds (only scrolls and the
		// window do).
		inner := area
		for _, child := range o.Objects {
			walkText(child, pos, inner, found)
		}
		return
	}
	w, ok := o.(fyne.Widget)
	if !ok {
		return
	}
	inner := area
	if s, ok := o.(*container.Scroll); ok {
		inner = area.intersect(bounds)
		if s.Direction == container.ScrollBoth || s.Direction == container.ScrollVerticalOnly {
			inner.y, inner.h = -unbounded, 2*unbounded
		}
		if s.Direction == container.ScrollBoth || s.Direction == container.ScrollHorizontalOnly {
			inner.x, inner.w = -unbounded, 2*unbounded
		}
	}
	for _, child := range test.WidgetRenderer(w).Objects() {
		walkText(child, pos, inner, found)
	}
}

// labelShows is the text a label displays once laid out.
func labelShows(l *widget.Label) string {
	var b strings.Builder
	for _, o := range test.LaidOutObjects(l) {
		if t, ok := o.(*canvas.Text); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// speak switches the GUI's language for the test: "en" or "fr".
func speak(t *testing.T, lang string) text.Translator {
	t.Helper()
	set := func(lang string) {
		locale := map[string]string{"en": "en_GB", "fr": "fr_FR"}[lang]
		t.Setenv("LANGUAGE", locale)
		t.Setenv("LC_ALL", locale+".UTF-8")
		if err := i18n.Load(); err != nil {
			t.Fatal(err)
		}
	}
	set(lang)
	t.Cleanup(func() { set("en") })
	if lang == "en" {
		return nil
	}
	return i18n.Translate
}

// closeDialogs closes what the screen shows over itself, as Escape does.
func (s *session) closeDialogs() {
	s.t.Helper()
	for top := s.win.Canvas().Overlays().Top(); top != nil; top = s.win.Canvas().Overlays().Top() {
		s.win.Canvas().Unfocus()
		s.press(fyne.KeyEscape)
		if s.win.Canvas().Overlays().Top() == top {
			s.t.Fatal("Escape did not close the dialog")
		}
	}
}

// TestNoTextIsClipped walks every screen and dialog, in English and in
// French, in the smallest window the wizard supports and in a full HD one,
// and reads every piece of text on it: each must be shown whole.
func TestNoTextIsClipped(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		for _, size := range []fyne.Size{{Width: 800, Height: 600}, {Width: 1920, Height: 1080}} {
			t.Run(fmt.Sprintf("%s/%.0fx%.0f", lang, size.Width, size.Height), func(t *testing.T) {
				s := newSessionIn(t, speak(t, lang))
				s.win.Resize(size)
				seen := 0
				look := func(where string) {
					t.Helper()
					for _, f := range clippedText(s.win.Canvas()) {
						t.Errorf("%s: %s", where, f)
					}
					seen++
				}
				look("home, first run")
				s.u.ShowAbout()
				look("About")
				s.closeDialogs()

				test.Tap(s.u.home.demoButton)
				s.wait("sandbox")
				look("bank step, nothing chosen")
				showAddFromDiscovery(s.u.wizard)
				look("add a bank from its discovery address")
				s.closeDialogs()
				for _, id := range sandbox.ProfileIDs()[:3] {
					s.u.StartWizard()
					s.chooseBank(id)
					look(id + ": bank")
					s.next(app.StepIdentity)
					s.chooseIdentity(sandbox.DemoIdentityName)
					look(id + ": identity")
					s.next(app.StepDetails)
					look(id + ": details")
					s.next(app.StepReview)
					look(id + ": review")
					s.next(app.StepSend)
					look(id + ": send")
					test.Tap(s.u.wizard.send.sendB)
					s.wait("sent")
					look(id + ": sent")
				}
				s.u.StartWizard()
				s.chooseBank(sandbox.ProfileIDs()[0])
				s.next(app.StepIdentity)
				showImport(s.u.wizard, func(string) {})
				look("import certificate files")
				s.closeDialogs()

				s.u.ShowHome()
				s.wait("identities")
				s.wait("records")
				look("home, three registrations")
				s.u.home.past.show(s.u.home.past.recs[0])
				look("a past registration")
				s.closeDialogs()

				test.Tap(s.u.home.batchB)
				s.wait("batch identities")
				look("several banks at once")

				c := s.u.ShowCertificates()
				s.wait("waiting")
				look("certificates")
				c.chooseFrameworkID(t, "sandbox")
				test.Tap(c.demo)
				s.wait("cert demo")
				look("certificates, the demo's values")
				test.Tap(c.make)
				s.wait("csr")
				s.wait("waiting")
				look("certificate requests made")
				test.Tap(buttons(c.results)[i18n.T("Have the demo trust framework issue them")])
				s.wait("certificate")
				s.wait("waiting")
				look("certificates issued")
				c.chooseFrameworkID(t, "eidas")
				c.inputs["org_identifier"].SetText("PSDXX")
				look("certificates, eIDAS with a wrong identifier")
				if seen != 31 {
					t.Errorf("looked at %d screens, want 31", seen)
				}
			})
		}
	}
}

// TestClippedTextFindsWhatIsCut: the walk above finds text cut each way
// it can be, and passes text shown whole.
func TestClippedTextFindsWhatIsCut(t *testing.T) {
	long := "Register your firm's application with a bank"
	truncated := widget.NewLabel(long)
	truncated.Truncation = fyne.TextTruncateEllipsis
	cases := []struct {
		name    string
		content func() fyne.CanvasObject
		found   string
	}{
		{"whole text", func() fyne.CanvasObject { return widget.NewLabel("Register") }, ""},
		{"wrapped text", func() fyne.CanvasObject {
			l := widget.NewLabel(long + ", " + long)
			l.Wrapping = fyne.TextWrapWord
			return container.NewGridWrap(fyne.NewSize(120, 400), l)
		}, ""},
		{"text narrower than it needs", func() fyne.CanvasObject {
			return container.NewWithoutLayout(sized(canvas.NewText(long, nil), 40, 20))
		}, "needs"},
		{"label cut short", func() fyne.CanvasObject {
			return container.NewGridWrap(fyne.NewSize(100, 40), truncated)
		}, "cut short"},
		{"past the side of a scroll", func() fyne.CanvasObject {
			return container.NewGridWrap(fyne.NewSize(100, 100), container.NewVScroll(widget.NewLabel(long)))
		}, "past the side"},
		{"below the edge of a scroll", func() fyne.CanvasObject {
			return container.NewGridWrap(fyne.NewSize(500, 50), container.NewVScroll(widget.NewLabel("a\nb\nc\nd\ne")))
		}, ""},
		{"past the window", func() fyne.CanvasObject {
			return container.NewWithoutLayout(sized(canvas.NewText(long, nil), 400, 20))
		}, "past the side"},
		{"under the window's bottom", func() fyne.CanvasObject {
			return container.NewWithoutLayout(moved(sized(canvas.NewText("bottom", nil), 100, 20), 0, 190))
		}, "top or bottom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			test.NewTempApp(t)
			w := test.NewTempWindow(t, c.content())
			w.SetPadded(false)
			w.Resize(fyne.NewSize(200, 200))
			found := clippedText(w.Canvas())
			switch {
			case c.found == "" && len(found) > 0:
				t.Errorf("found %q in text shown whole", found)
			case c.found != "" && (len(found) == 0 || !strings.Contains(found[0], c.found)):
				t.Errorf("found %q, want %q", found, c.found)
			}
		})
	}
}

func sized(o fyne.CanvasObject, w, h float32) fyne.CanvasObject {
	o.Resize(fyne.NewSize(w, h))
	return o
}
func moved(o fyne.CanvasObject, x, y float32) fyne.CanvasObject { o.Move(fyne.NewPos(x, y)); return o }
