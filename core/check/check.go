// Package check holds the findings that preflight checks produce: what is
// wrong or worth knowing before a request is sent, and how to fix it.
package check

import (
	"fmt"
	"strings"
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
		return fmt.Errorf("unknown severity %q", b)
	}
	return nil
}

// Finding is one preflight result, phrased for a non-developer.
type Finding struct {
	Severity Severity `json:"severity"`
	// Field names the input the finding is about ("transport certificate",
	// "redirect_uris"), so a front end can take the user back to it.
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

func (f Finding) String() string {
	return f.Severity.String() + ": " + f.Plain()
}

// Plain is the finding without its severity, for where that is already
// said (a list of errors, a step that cannot go on).
func (f Finding) Plain() string {
	var b strings.Builder
	if f.Field != "" {
		b.WriteString(f.Field)
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	if f.Fix != "" {
		b.WriteString(" (")
		b.WriteString(f.Fix)
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
