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

// wordFields are the fields findings name in words, with their names in
// the user's language; protocol fields (client_id, scope) keep their names.
var wordFields = map[string]text.Message{
	"transport certificate":   text.F("transport certificate"),
	"signing certificate":     text.F("signing certificate"),
	"signing certificate URL": text.F("signing certificate URL"),
	"software statement":      text.F("software statement"),
	"identity":                text.F("identity"),
	"endpoint":                text.F("endpoint"),
	"profile":                 text.F("profile"),
	"token":                   text.F("token"),
}

// FieldName is how a finding names its field.
func FieldName(field string) text.Message {
	if m, ok := wordFields[field]; ok {
		return m
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
