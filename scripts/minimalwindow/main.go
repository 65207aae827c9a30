// Command minimalwindow is the floor for the wizard's start-up benchmark:
// the smallest Fyne window, built the same way as the wizard (same Fyne,
// same flags), showing one label.
package main

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := fyneapp.NewWithID("io.github.tppwizard.minimal")
	w := a.NewWindow("Minimal Fyne window")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(900, 650))
	w.ShowAndRun()
}
