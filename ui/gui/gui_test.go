package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
)

func TestHomeListsEveryBankProfile(t *testing.T) {
	test.NewTempApp(t)
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir()})
	w := test.NewTempWindow(t, Home(a))
	w.Resize(fyne.NewSize(800, 600))

	var texts []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
		if c, ok := o.(interface{ Objects() []fyne.CanvasObject }); ok {
			for _, child := range c.Objects() {
				walk(child)
			}
		}
	}
	for _, o := range test.LaidOutObjects(w.Content()) {
		walk(o)
	}
	all := strings.Join(texts, "\n")
	for _, p := range a.Catalog.Profiles {
		if !strings.Contains(all, p.Name) {
			t.Errorf("home does not show %q", p.Name)
		}
	}
}
