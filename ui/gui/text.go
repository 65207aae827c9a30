package gui

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// monoWidth is how many characters a line of monospace text is cut at.
const monoWidth = 96

// hardWrap cuts lines longer than width into lines of width runes. Long
// unbroken runs (a JWT, a certificate) are what a monospace label spends
// its time on when it wraps them itself, on every layout; cut once, the
// label lays out line by line.
func hardWrap(s string, width int) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		for utf8.RuneCountInString(line) > width {
			cut := 0
			for n := 0; n < width; n++ {
				_, size := utf8.DecodeRuneInString(line[cut:])
				cut += size
			}
			b.WriteString(line[:cut])
			b.WriteByte('\n')
			line = line[cut:]
		}
		b.WriteString(line)
	}
	return b.String()
}

// findingText is a check's finding in the user's language: the field it is
// about, what is wrong, and the fix.
func findingText(f check.Finding) string {
	s := f.Message.In(i18n.Translate)
	if f.Field != "" {
		s = i18n.T("%s: %s", check.FieldName(f.Field).In(i18n.Translate), s)
	}
	if fix := f.Fix.In(i18n.Translate); fix != "" {
		s = i18n.T("%s — %s", s, fix)
	}
	return s
}

// environments are the values a profile's environment takes, in the order
// choices offer them.
var environments = []string{"sandbox", "live"}

// certText is a certificate as a person reads it: who it is for, until
// when, and whether the key is its own. Empty for no certificate.
func certText(title string, c *pki.Credential, now time.Time) string {
	if c == nil {
		return ""
	}
	sum := c.Summarise(now)
	keyOK := i18n.T("yes")
	if !sum.KeyMatches {
		keyOK = i18n.T("NO: this key belongs to another certificate")
	}
	return i18n.T("%s\n  Organisation: %s\n  Authorisation number: %s\n  Valid until: %s (%d days left)\n  Key matches the certificate: %s\n\n",
		title, orDash(sum.Organisation), orDash(sum.AuthorisationNumber), sum.NotAfter.Format("2006-01-02"), sum.DaysLeft, keyOK)
}
