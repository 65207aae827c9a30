// Package i18n says the wizard's words in the user's language, through
// Fyne's lang package and the translations in assets/translations. Keys
// are the English texts themselves (see core/text), so a text with no
// translation shows in English rather than as a key.
package i18n

import (
	"fyne.io/fyne/v2/lang"

	"github.com/tppwizard/tppwizard/assets"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n/clocale"
)

// Languages are the languages shipped, each complete.
var Languages = []string{"en", "fr"}

// Load adds the shipped translations; lang then picks the one closest to
// the user's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), English when
// none is close.
func Load() error {
	clocale.Plain()
	return lang.AddTranslationsFS(assets.Translations, "translations")
}

// Translate is the translation of an English format.
func Translate(format string) string { return lang.L(format) }

// T says a message (an English printf format and its arguments) in the
// user's language.
func T(format string, args ...any) string { return text.F(format, args...).In(Translate) }

// Err says an error in the user's language; the words a bank wrote stay
// as the bank wrote them.
func Err(err error) string { return text.In(err, Translate) }

// Data says a text from a data file (see text.Data) in the user's language.
func Data(s string) string { return text.Data(s).In(Translate) }
