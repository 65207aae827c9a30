package gui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

func TestContrastFormula(t *testing.T) {
	// WCAG's own figures: black on white is 21:1, #777 on white 4.48:1.
	cases := []struct {
		a, b color.Color
		want float64
	}{
		{color.Black, color.White, 21},
		{color.NRGBA{0x77, 0x77, 0x77, 0xff}, color.White, 4.48},
		{color.White, color.White, 1},
	}
	for _, c := range cases {
		if got := contrast(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast %v on %v = %.2f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

// TestTextIsReadableInBothThemes: every colour the wizard writes text in
// stands out 4.5:1 from what it is written on (WCAG 2.1 AA), light and
// dark. Disabled controls are exempt, as WCAG exempts them.
func TestTextIsReadableInBothThemes(t *testing.T) {
	th := newReadableTheme()
	pairs := []struct{ text, on fyne.ThemeColorName }{
		{theme.ColorNameForeground, theme.ColorNameBackground},
		{theme.ColorNameForeground, theme.ColorNameButton},
		{theme.ColorNameForeground, theme.ColorNameInputBackground},
		{theme.ColorNameForeground, theme.ColorNameOverlayBackground},
		{theme.ColorNameForeground, theme.ColorNameMenuBackground},
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameSuccess, theme.ColorNameBackground},
		{theme.ColorNameWarning, theme.ColorNameBackground},
		{theme.ColorNameError, theme.ColorNameBackground},
		{theme.ColorNameError, theme.ColorNameOverlayBackground},
		{theme.ColorNamePlaceHolder, theme.ColorNameInputBackground},
		{theme.ColorNameHyperlink, theme.ColorNameBackground},
	}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, p := range pairs {
			if got := contrast(th.Color(p.text, v), th.Color(p.on, v)); got < 4.5 {
				t.Errorf("variant %d: %s on %s is %.2f:1, under 4.5:1", v, p.text, p.on, got)
			}
		}
	}
}

// TestReadableThemeKeepsWhatReadsWell: colours that already stand out are
// Fyne's own, untouched.
func TestReadableThemeKeepsWhatReadsWell(t *testing.T) {
	th, base := newReadableTheme(), theme.DefaultTheme()
	for _, name := range []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameBackground, theme.ColorNameButton} {
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			if th.Color(name, v) != base.Color(name, v) {
				t.Errorf("%s in variant %d changed", name, v)
			}
		}
	}
	if th.Color(theme.ColorNameSuccess, theme.VariantDark) != base.Color(theme.ColorNameSuccess, theme.VariantDark) {
		t.Error("green on the dark background already reads well, yet changed")
	}
}
