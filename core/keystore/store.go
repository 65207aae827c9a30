// Package keystore keeps secrets (private keys, client secrets, tokens) in
// the operating system's keyring, never on disk. Store is the small interface
// every backend implements; Chunked makes large values fit the limits some
// keyrings have.
package keystore

import (
	"github.com/tppwizard/tppwizard/core/text"
)

var (
	// ErrNotFound means nothing is stored under the key.
	ErrNotFound = text.New("not found in the keyring")
	// ErrTooBig means the backend refused a value for its size.
	ErrTooBig = text.New("value too large for the keyring")
)

// Store is a flat key-value store for secrets.
type Store interface {
	Get(key string) (string, error)
	Set(key, value string) error
	Delete(key string) error
}

// UnavailableError says the OS keyring cannot be used, why, and what the user
// can do instead.
type UnavailableError struct{ Cause error }

func (e *UnavailableError) Error() string { return e.In(text.English) }

// In says the error in t.
func (e *UnavailableError) In(t text.Translator) string {
	return text.F("the system keyring is not available (%v). Nothing secret is written to disk instead: "+
		"you can work with an identity held in memory for this session only, or start your desktop's keyring "+
		"(on Linux, GNOME Keyring or KWallet) and try again", e.Cause).In(t)
}

func (e *UnavailableError) Unwrap() error { return e.Cause }
