// Package records is the journal of registration attempts. An attempt is
// written before its request leaves (status pending) and completed after the
// bank answers, so that a crash or power cut mid-send leaves a record whose
// outcome is unknown, never no record at all. Records hold no secret: the
// secrets a bank returns live in the keyring, under keys the record names.
package records

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/text"
)

// Status is where an attempt ended.
type Status string

// Statuses.
const (
	// Pending: journalled, the request is being sent. Found after the
	// process that wrote it has gone, it means the outcome is unknown.
	Pending Status = "pending"
	// Succeeded: the bank answered with a success status.
	Succeeded Status = "succeeded"
	// Refused: the bank answered with a refusal.
	Refused Status = "refused"
	// NotSent: stopped before the request left (a blocking preflight
	// finding, a failed token or discovery call, no connection).
	NotSent Status = "not-sent"
	// Unknown: the request may have reached the bank but no answer was
	// read (timeout, cut connection, cancel, crash).
	Unknown Status = "unknown"
)

// Record is one attempt.
type Record struct {
	ID          string `json:"id"`
	Operation   string `json:"operation"`
	ProfileID   string `json:"profile_id"`
	Bank        string `json:"bank"`
	Environment string `json:"environment"`
	Dialect     string `json:"dialect"`
	Identity    string `json:"identity"`
	// InteractionID is the x-request-id / x-fapi-interaction-id sent.
	InteractionID string     `json:"interaction_id,omitempty"`
	Started       time.Time  `json:"started"`
	Finished      *time.Time `json:"finished,omitempty"`
	Status        Status     `json:"status"`
	// ClientID is the registration the attempt created or changed.
	ClientID string `json:"client_id,omitempty"`
	// Request and Response are as sent and received, secrets masked.
	Request  *Exchange `json:"request,omitempty"`
	Response *Exchange `json:"response,omitempty"`
	// Error says, in plain words, why the attempt did not succeed.
	Error string `json:"error,omitempty"`
	// Refusal is the bank's own error code and text, when it refused.
	Refusal *Refusal `json:"refusal,omitempty"`
	// Secrets are the keyring keys of the secrets the bank returned.
	Secrets      []string      `json:"secrets,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
	Preflight    check.List    `json:"preflight,omitempty"`
	// RegistrationClientURI is where RFC 7592 management of the client
	// happens, when the bank gave one.
	RegistrationClientURI string `json:"registration_client_uri,omitempty"`
	// Owner is the process id that is sending a pending attempt.
	Owner int `json:"owner,omitempty"`
}

// Exchange is one side of the HTTP exchange.
type Exchange struct {
	Method string            `json:"method,omitempty"`
	URL    string            `json:"url,omitempty"`
	Status int               `json:"status,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body,omitempty"`
}

// Refusal is the bank's own words.
type Refusal struct {
	Code        string `json:"code,omitempty"`
	Description string `json:"description,omitempty"`
}

// Certificate identifies a certificate used, for audit.
type Certificate struct {
	Role    string    `json:"role"`
	Subject string    `json:"subject"`
	Serial  string    `json:"serial"`
	SHA256  string    `json:"sha256"`
	Expires time.Time `json:"expires"`
}

// NewID returns a record id that sorts by time: 20261121T101500Z-3f9a0c1e.
func NewID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// SecretKey is the keyring key under which a record keeps a secret the bank
// returned ("client_secret", "registration_access_token").
func SecretKey(recordID, name string) string { return "record/" + recordID + "/" + name }

// Describe is the status in plain words.
func (s Status) Describe() text.Message {
	switch s {
	case Pending:
		return text.F("sending")
	case Succeeded:
		return text.F("done")
	case Refused:
		return text.F("refused by the bank")
	case NotSent:
		return text.F("not sent")
	case Unknown:
		return text.F("outcome unknown")
	}
	return text.F("%s", string(s))
}
