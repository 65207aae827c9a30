package gui

import (
	"image/color"
	"math"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// minContrast is what WCAG 2.1 AA asks of body text against its background.
const minContrast = 4.5

// readableTheme is Fyne's own theme with the colours text is written in
// adjusted until they stand out 4.5:1 from what they are written on. Fyne's
// light variant writes green, orange and red text too pale to read (green
// on white is 1.5:1), and a white label on its default blue button falls
// just short. Colours that already read well, and every colour the user
// chose that does, are left as they are.
type readableTheme struct {
	fyne.Theme
	cache *sync.Map // key{name, variant, base colour} -> color.Color
}

func newReadableTheme() fyne.Theme { return readableTheme{theme.DefaultTheme(), &sync.Map{}} }

// textOn is, for each colour text is written in, what it is written on.
var textOn = map[fyne.ThemeColorName]fyne.ThemeColorName{
	theme.ColorNameSuccess:     theme.ColorNameBackground,
	theme.ColorNameWarning:     theme.ColorNameBackground,
	theme.ColorNameError:       theme.ColorNameBackground,
	theme.ColorNameHyperlink:   theme.ColorNameBackground,
	theme.ColorNamePlaceHolder: theme.ColorNameInputBackground,
}

type themeKey struct {
	name    fyne.ThemeColorName
	variant fyne.ThemeVariant
	base    color.NRGBA
}

func (t readableTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	c := t.Theme.Color(name, v)
	var against color.Color
	switch {
	case textOn[name] != "":
		against = t.Theme.Color(textOn[name], v)
	case name == theme.ColorNamePrimary:
		// A primary button's label is written on it.
		against = t.Theme.Color(theme.ColorNameForegroundOnPrimary, v)
	default:
		return c
	}
	key := themeKey{name, v, color.NRGBAModel.Convert(c).(color.NRGBA)}
	if got, ok := t.cache.Load(key); ok {
		return got.(color.Color)
	}
	got := readableOn(c, against)
	t.cache.Store(key, got)
	return got
}

// readableOn moves c towards black (on a light ground) or white (on a dark
// one), in small steps, until it stands out minContrast from ground.
func readableOn(c, ground color.Color) color.Color {
	to := color.NRGBA{A: 0xff}
	if luminance(ground) < 0.18 {
		to = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	}
	from := color.NRGBAModel.Convert(c).(color.NRGBA)
	for step := 0; step <= 40; step++ {
		m := mix(from, to, float64(step)/40)
		if contrast(m, ground) >= minContrast {
			return m
		}
	}
	return to
}

func mix(a, b color.NRGBA, f float64) color.NRGBA {
	ch := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*f)) }
	return color.NRGBA{R: ch(a.R, b.R), G: ch(a.G, b.G), B: ch(a.B, b.B), A: a.A}
}

// luminance is WCAG 2.1's relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2.1's contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}
