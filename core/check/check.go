// Package check holds the findings that preflight checks produce: what is
// wrong or worth knowing before a request is sent, and how to fix it.
package check

import (
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

// In is Plain in another language. A field named in words is named in t;
// a protocol field (client_id, scope) keeps its name.
func (f Finding) In(t text.Translator) string {
	m := f.Message
	if !f.Fix.IsZero() {
		m = text.F("%s (%s)", m, f.Fix)
	}
	if f.Field != "" {
		m = text.F("%s: %s", FieldName(f.Field), m)
	}
	return m.In(t)
}

// FieldName is how a finding names its field: the fields named in words
// are translated, protocol fields are not.
func FieldName(field string) text.Message {
	switch field {
	case "transport certificate":
		return text.F("transport certificate")
	case "signing certificate":
		return text.F("signing certificate")
	case "signing certificate URL":
		return text.F("signing certificate URL")
	case "software statement":
		return text.F("software statement")
	case "identity":
		return text.F("identity")
	case "endpoint":
		return text.F("endpoint")
	case "profile":
		return text.F("profile")
	case "token":
		return text.F("token")
	}
	return text.F("%s", field)
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
