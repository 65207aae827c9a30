package keystore

import (
	"errors"

	"github.com/zalando/go-keyring"

	"github.com/tppwizard/tppwizard/core/text"
)

// OSKeyring stores values in the operating system's keyring (Secret Service
// on Linux, Credential Manager on Windows, Keychain on macOS) under one
// service name. Wrap it in Chunked: Windows holds at most 2560 bytes a value.
type OSKeyring struct{ Service string }

// Get reads a value.
func (k OSKeyring) Get(key string) (string, error) {
	v, err := keyring.Get(k.Service, key)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", text.Errorf("read %q from the keyring: %w", key, err)
	}
	return v, nil
}

// Set writes a value.
func (k OSKeyring) Set(key, value string) error {
	err := keyring.Set(k.Service, key, value)
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return ErrTooBig
	}
	if err != nil {
		return text.Errorf("write %q to the keyring: %w", key, err)
	}
	return nil
}

// Delete removes a value; deleting what is not there is not an error.
func (k OSKeyring) Delete(key string) error {
	err := keyring.Delete(k.Service, key)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return text.Errorf("delete %q from the keyring: %w", key, err)
	}
	return nil
}

// Probe writes, reads back and deletes a marker value, and returns an
// *UnavailableError when the keyring cannot be used.
func Probe(s Store) error {
	const key, value = "probe", "tppwizard keyring probe"
	if err := s.Set(key, value); err != nil {
		return &UnavailableError{Cause: err}
	}
	got, err := s.Get(key)
	if err != nil {
		return &UnavailableError{Cause: err}
	}
	if got != value {
		return &UnavailableError{Cause: text.New("the keyring returned a different value than was stored")}
	}
	if err := s.Delete(key); err != nil {
		return &UnavailableError{Cause: err}
	}
	return nil
}
