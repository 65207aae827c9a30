// Package check holds the findings that preflight checks produce: what is
// wrong or worth knowing before a request is sent, and how to fix it.
package check

import (
	"strings"

	"github.com/tppwizard/tppwizard/core/text"
)

// Severity orders findings: Error blocks sending, Warning asks for a look.
type Severity int

// Severities, in increasing order.
const (
	OK Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case OK:
		return "ok"
	case Warning:
		return "warning"
	default:
		return "error"
	}
}

// MarshalText writes the severity by name in JSON output.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity written by MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "ok":
		*s = OK
	case "warning":
		*s = Warning
	case "error":
		*s = Error
	default:
		return text.Errorf("unknown severity %q", b)
	}
	return nil
}

// Finding is one preflight result, phrased for a non-developer.
type Finding struct {
	Severity Severity `json:"severity"`
	// Field names the input the finding is about ("transport certificate",
	// "redirect_uris"), so a front end can take the user back to it.
	Field   string       `json:"field,omitempty"`
	Message text.Message `json:"message"`
	Fix     text.Message `json:"fix,omitempty"`
}

func (f Finding) String() string {
	return f.Severity.String() + ": " + f.Plain()
}

// Plain is the finding without its severity, for where that is already
// said (a list of errors, a step that cannot go on).
func (f Finding) Plain() string { return f.In(text.English) }

// In is Plain in another language. The field name stays as the check
// wrote it; front ends that show a field by its label use Message and Fix.
func (f Finding) In(t text.Translator) string {
	var b strings.Builder
	if f.Field != "" {
		b.WriteString(f.Field)
		b.WriteString(": ")
	}
	b.WriteString(f.Message.In(t))
	if !f.Fix.IsZero() {
		b.WriteString(" (")
		b.WriteString(f.Fix.In(t))
		b.WriteString(")")
	}
	return b.String()
}

// List is a set of findings.
type List []Finding

// Errors returns the findings that block sending.
func (l List) Errors() List {
	var out List
	for _, f := range l {
		if f.Severity == Error {
			out = append(out, f)
		}
	}
	return out
}
