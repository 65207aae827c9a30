// Package text holds the words a user reads in a form any front end can
// translate. A message is a printf format and its arguments; the format is
// the English text and, unchanged, the key a translation is found under.
// Errors made here render in English through Error(), as every error does,
// and in another language through In.
//
// core and app never translate: they have no notion of a user's language.
// The front ends pass a Translator.
package text

import (
	"fmt"
	"strings"
)

// Translator returns the translation of a format (the English format when
// it has none). Identity is English.
type Translator func(format string) string

// English is the translator of the keys themselves.
func English(format string) string { return format }

// Localizer is a value (an error, most often) that can say itself in
// another language. Error types of core and app implement it.
type Localizer interface {
	In(t Translator) string
}

// Message is a format and its arguments.
type Message struct {
	Format string
	Args   []any
}

// F makes a message. The format follows fmt's rules; %w marks an error
// argument that Errorf wraps.
func F(format string, args ...any) Message { return Message{Format: format, Args: args} }

// String is the message in English.
func (m Message) String() string { return m.In(English) }

// IsZero reports a message with no text.
func (m Message) IsZero() bool { return m.Format == "" }

// In renders the message with t. Arguments that are messages or
// Localizers are rendered with t too; so are errors, through In.
func (m Message) In(t Translator) string {
	if t == nil {
		t = English
	}
	format := m.Format
	if format == "" {
		return ""
	}
	format = t(format)
	if len(m.Args) == 0 && !strings.Contains(format, "%") {
		return format
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		args[i] = arg(a, t)
	}
	return fmt.Sprintf(strings.ReplaceAll(format, "%w", "%v"), args...)
}

// arg renders one argument in t when it knows how.
func arg(a any, t Translator) any {
	switch v := a.(type) {
	case Message:
		return v.In(t)
	case Localizer:
		return v.In(t)
	case error:
		return In(v, t)
	}
	return a
}

// MarshalText writes the message in English, as records keep it.
func (m Message) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads back an English text. It is kept as written: a
// record's words are the words it was made with.
func (m *Message) UnmarshalText(b []byte) error {
	*m = Message{Format: escape(string(b))}
	return nil
}

// escape makes a text safe as a format with no arguments.
func escape(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// Error is an error whose text is a Message. Errors among its arguments
// marked %w are wrapped, as with fmt.Errorf.
type Error struct {
	Message
	wrapped []error
}

// Errorf is fmt.Errorf whose text a front end can translate.
func Errorf(format string, args ...any) error {
	e := &Error{Message: F(format, args...)}
	if strings.Contains(format, "%w") {
		// fmt knows which arguments %w names; ask it once.
		switch w := fmt.Errorf(format, args...).(type) {
		case interface{ Unwrap() error }:
			e.wrapped = []error{w.Unwrap()}
		case interface{ Unwrap() []error }:
			e.wrapped = w.Unwrap()
		}
	}
	return e
}

// Data is a text that comes from a data file (a trust framework's labels,
// say) rather than the code: the translation files may hold it as a key,
// and a % in it is a percent sign.
func Data(s string) Message { return Message{Format: strings.ReplaceAll(s, "%", "%%")} }

// New is errors.New whose text a front end can translate.
func New(text string) error { return &Error{Message: F(text)} }

func (e *Error) Error() string { return e.Message.String() }

// Unwrap gives the errors marked %w.
func (e *Error) Unwrap() []error { return e.wrapped }

// In says err in t: through its own In when it has one, else (an error
// from the standard library, or a bank's own words) as it is.
func In(err error, t Translator) string {
	if err == nil {
		return ""
	}
	var l Localizer
	if l, _ = err.(Localizer); l != nil {
		return l.In(t)
	}
	return err.Error()
}
