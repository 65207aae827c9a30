// Package ssa reads software statement assertions (SSA): the JWS a trust
// framework's directory signs to vouch for a TPP's software. The wizard
// reads it to pre-fill registrations; the bank verifies its signature.
package ssa

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/text"
)

// MaxAge is how old a statement UK banks usually still accept.
const MaxAge = 30 * time.Minute

// MaxSize bounds the statement accepted from a file.
const MaxSize = 64 << 10

// Contact is one of the organisation's contacts listed in the statement.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	Type  string `json:"type"`
}

// Claims are the statement claims the wizard uses. Others are kept in All.
type Claims struct {
	Issuer              string    `json:"iss"`
	IssuedAt            int64     `json:"iat"`
	Expiry              int64     `json:"exp"`
	JTI                 string    `json:"jti"`
	SoftwareID          string    `json:"software_id"`
	SoftwareClientID    string    `json:"software_client_id"`
	SoftwareClientName  string    `json:"software_client_name"`
	SoftwareVersion     any       `json:"software_version"`
	SoftwareRedirectURI []string  `json:"software_redirect_uris"`
	SoftwareRoles       []string  `json:"software_roles"`
	SoftwareJWKSURI     string    `json:"software_jwks_endpoint"`
	SoftwareMode        string    `json:"software_mode"`
	SoftwareEnvironment string    `json:"software_environment"`
	OrgID               string    `json:"org_id"`
	OrgName             string    `json:"org_name"`
	OrgContacts         []Contact `json:"org_contacts"`
}

// Statement is a decoded (not verified) SSA.
type Statement struct {
	Raw    string
	Header map[string]any
	Claims Claims
	All    map[string]any
}

// Alg is the statement's signing algorithm.
func (s *Statement) Alg() string { a, _ := s.Header["alg"].(string); return a }

// Kid is the statement's key id.
func (s *Statement) Kid() string { k, _ := s.Header["kid"].(string); return k }

// Parse decodes a compact JWS software statement. It refuses unsigned
// statements (alg "none" or an empty signature): no bank accepts them.
func Parse(raw string) (*Statement, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > MaxSize {
		return nil, text.Errorf("software statement: %d bytes is far larger than a statement; this is probably the wrong file", len(raw))
	}
	if raw == "" {
		return nil, text.New("software statement: the file is empty")
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, text.New("software statement: not a signed JWT (expected three parts separated by dots); download the statement again from your directory")
	}
	st := &Statement{Raw: raw}
	if err := decodeSegment(parts[0], &st.Header); err != nil {
		return nil, text.Errorf("software statement header: %w", err)
	}
	alg := st.Alg()
	if alg == "" || strings.EqualFold(alg, "none") || parts[2] == "" {
		return nil, text.New("software statement: it is unsigned (alg none); banks accept only statements signed by the trust framework's directory")
	}
	if err := decodeSegment(parts[1], &st.All); err != nil {
		return nil, text.Errorf("software statement claims: %w", err)
	}
	if err := decodeSegment(parts[1], &st.Claims); err != nil {
		return nil, text.Errorf("software statement claims: %w", err)
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return nil, text.New("software statement: the signature is not valid base64url")
	}
	return st, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return text.New("not valid base64url")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return text.Errorf("not valid JSON: %w", err)
	}
	return nil
}

// IssuedAt is the statement's iat as a time (zero when absent).
func (s *Statement) IssuedAt() time.Time {
	if s.Claims.IssuedAt == 0 {
		return time.Time{}
	}
	return time.Unix(s.Claims.IssuedAt, 0)
}

// Check lists what would make a bank refuse the statement at time now.
func (s *Statement) Check(now time.Time) check.List {
	const field = "software statement"
	var out check.List
	if s.Claims.SoftwareID == "" {
		out = append(out, check.Finding{Severity: check.Error, Field: field, Message: text.F("it has no software_id"),
			Fix: text.F("download the statement for your software again from the directory")})
	}
	if s.Claims.Expiry != 0 && now.After(time.Unix(s.Claims.Expiry, 0)) {
		out = append(out, check.Finding{Severity: check.Error, Field: field,
			Message: text.F("it expired on %s", time.Unix(s.Claims.Expiry, 0).UTC().Format("2 Jan 2006 15:04 MST")),
			Fix:     text.F("generate a new software statement in your directory and import it")})
	} else if iat := s.IssuedAt(); !iat.IsZero() && now.Sub(iat) > MaxAge {
		out = append(out, check.Finding{Severity: check.Warning, Field: field,
			Message: text.F("it was issued %s ago; many banks accept only statements less than %d minutes old", roundAge(now.Sub(iat)), int(MaxAge.Minutes())),
			Fix:     text.F("generate a fresh software statement in your directory just before registering")})
	}
	return out
}

func roundAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	default:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
}
