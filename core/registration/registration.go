// Package registration is what every dialect shares: the request a dialect
// builds, the result a bank returns, the bank's refusal explained in plain
// words, and the small interface each dialect implements.
package registration

import (
	"crypto"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/text"
)

// Operation is what a request does to the registration.
type Operation string

// Operations.
const (
	Create Operation = "create"
	Update Operation = "update"
)

// Input is everything a dialect needs to build a request. Nothing in it is
// fetched over the network by the dialect itself.
type Input struct {
	Profile   *profile.Profile
	Identity  *identity.Parsed
	Operation Operation
	// Endpoint is the registration endpoint, already resolved (from the
	// profile, the command line, or discovery).
	Endpoint string
	// Issuer is the bank's issuer from discovery, when known.
	Issuer string
	// ClientID is the registration to change, read or delete.
	ClientID string
	// ManagementURI is the registration_client_uri the bank returned, where
	// the registration is managed (RFC 7592); empty to use Endpoint/ClientID.
	ManagementURI string
	// RedirectURIs chosen by the user; empty means "those in the SSA".
	RedirectURIs []string
	// Fields override or add claims / body fields; dotted names reach into
	// objects ("contact.email").
	Fields map[string]any
	// AccessToken is the Bearer token for dialects that need one. Empty
	// means it is fetched at send time (a placeholder is shown in a dry run).
	AccessToken string
	// SigningCertURL is where the bank can fetch the QSEALC, for profiles
	// whose HTTP signature keyId is "certificate_url".
	SigningCertURL string
	Now            time.Time
	// NewID makes request ids (UUID v4); replaced in golden tests.
	NewID func() string
	// Preview builds the request for looking at as it is edited: every
	// check is made, but nothing is signed; PreviewSignature stands where
	// the signature will be. A preview is never sent.
	Preview bool
}

// PreviewSignature is what a preview shows in place of a signature.
const PreviewSignature = "signature-made-when-sending"

// Signer is the key a request is signed with: in a preview, one that only
// writes PreviewSignature, so that looking at a request costs no RSA work.
func (in *Input) Signer(key crypto.Signer) crypto.Signer {
	if in.Preview {
		return previewSigner{key.Public()}
	}
	return key
}

type previewSigner struct{ pub crypto.PublicKey }

func (p previewSigner) Public() crypto.PublicKey { return p.pub }
func (p previewSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return []byte(PreviewSignature), nil
}

// Request is exactly what will be sent, plus what a person needs to review it.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// JWT is the decoded body when the body is a JWS (UK).
	JWT *DecodedJWT `json:",omitempty"`
	// Fields is the body's claims or JSON fields as sent.
	Fields map[string]any
	// InteractionID is the x-request-id / x-fapi-interaction-id sent.
	InteractionID string
	// Findings are the preflight results; any Error blocks sending.
	Findings check.List
}

// DecodedJWT is a JWS shown for review.
type DecodedJWT struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

// Response is a bank's raw answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Result is a successful registration, in one shape for every dialect.
type Result struct {
	Status                  int            `json:"status"`
	ClientID                string         `json:"client_id,omitempty"`
	ClientSecret            string         `json:"client_secret,omitempty"`
	ClientIDIssuedAt        int64          `json:"client_id_issued_at,omitempty"`
	ClientSecretExpiresAt   int64          `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken string         `json:"registration_access_token,omitempty"`
	RegistrationClientURI   string         `json:"registration_client_uri,omitempty"`
	InteractionID           string         `json:"interaction_id,omitempty"`
	Metadata                map[string]any `json:"metadata,omitempty"`
	Body                    []byte         `json:"-"`
	// ClientIDFromDirectory is true when the bank returned no client id and
	// the trust framework's application id stands for it (Al Tareq).
	ClientIDFromDirectory bool `json:"client_id_from_directory,omitempty"`
}

// Redacted returns a copy safe to print or keep as evidence: secrets masked.
func (r Result) Redacted() Result {
	r.ClientSecret = Mask(r.ClientSecret)
	r.RegistrationAccessToken = Mask(r.RegistrationAccessToken)
	if r.Metadata != nil {
		m := make(map[string]any, len(r.Metadata))
		for k, v := range r.Metadata {
			if secretField(k) {
				if s, ok := v.(string); ok {
					v = Mask(s)
				}
			}
			m[k] = v
		}
		r.Metadata = m
	}
	r.Body = nil
	return r
}

func secretField(name string) bool {
	switch name {
	case "client_secret", "registration_access_token", "access_token", "refresh_token", "id_token":
		return true
	}
	return false
}

// Mask hides a secret entirely; an empty value stays empty.
func Mask(s string) string {
	if s == "" {
		return ""
	}
	return "•••••••• (hidden)"
}

// Dialect builds requests and reads responses for one registration API.
type Dialect interface {
	Build(in *Input) (*Request, error)
	Parse(in *Input, resp *Response) (*Result, error)
}

// JSONHeader is the header of a JSON registration request: its content
// type, the JSON answer it expects, and the interaction id that ties the
// bank's logs to this attempt (FAPI x-fapi-interaction-id).
func JSONHeader(interaction string) http.Header {
	return http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}, "X-Fapi-Interaction-Id": {interaction}}
}

// NextID returns a new request id from NewID, or a random UUID.
func (in *Input) NextID() string {
	if in.NewID != nil {
		return in.NewID()
	}
	return NewUUID()
}

// ParseAnswer reads a bank's answer to a registration request: a status the
// profile does not count as success becomes a *BankError, a success becomes
// a Result. A change (Update) answered 200 OK is a success whatever status
// the bank uses for a creation (RFC 7592 section 2.2; OBIE DCR).
func ParseAnswer(in *Input, resp *Response) (*Result, error) {
	if !in.Profile.Accepts(resp.Status) && !(in.Operation == Update && resp.Status == 200) {
		return nil, ParseError(resp)
	}
	return ParseSuccess(resp)
}

// RequireClientID refuses a success that names no client.
func RequireClientID(r *Result) error {
	if r.ClientID != "" {
		return nil
	}
	return &BankError{Status: r.Status, Body: r.Body,
		Explanation: text.F("The bank answered with success but gave no client_id."),
		NextStep:    text.F("Ask the bank whether the registration exists; keep its reply below.")}
}

// ParseSuccess reads a success response body common to all dialects: a
// JSON client record (RFC 7591 section 3.2.1) or, for Al Tareq, nothing.
func ParseSuccess(resp *Response) (*Result, error) {
	r := &Result{Status: resp.Status, Body: resp.Body}
	r.InteractionID = firstHeader(resp.Header, "x-fapi-interaction-id", "x-request-id")
	body := strings.TrimSpace(string(resp.Body))
	if body == "" {
		return r, nil
	}
	if err := json.Unmarshal([]byte(body), &r.Metadata); err != nil {
		return nil, &BankError{Status: resp.Status, Body: resp.Body, InteractionID: r.InteractionID,
			Explanation: text.F("The bank answered with success but its reply is not the JSON record it should be."),
			NextStep:    text.F("Check with the bank whether the registration exists before trying again; keep the reply text below for them.")}
	}
	str := func(k string) string { s, _ := r.Metadata[k].(string); return s }
	num := func(k string) int64 { f, _ := r.Metadata[k].(float64); return int64(f) }
	r.ClientID = str("client_id")
	r.ClientSecret = str("client_secret")
	r.RegistrationAccessToken = str("registration_access_token")
	r.RegistrationClientURI = str("registration_client_uri")
	r.ClientIDIssuedAt = num("client_id_issued_at")
	r.ClientSecretExpiresAt = num("client_secret_expires_at")
	if r.RegistrationClientURI != "" {
		if u, err := url.Parse(r.RegistrationClientURI); err != nil || u.Scheme != "https" {
			r.RegistrationClientURI = ""
		}
	}
	return r, nil
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// ErrBlocked is returned when preflight findings block sending.
var ErrBlocked = text.New("the request has problems that must be fixed before it is sent")

// BlockedError lists the findings that stop a request.
type BlockedError struct{ Findings check.List }

func (e *BlockedError) Error() string { return e.In(text.English) }

// In says the error in t.
func (e *BlockedError) In(t text.Translator) string {
	lines := make([]string, 0, len(e.Findings)+1)
	lines = append(lines, text.In(ErrBlocked, t)+":")
	for _, f := range e.Findings {
		lines = append(lines, "  - "+f.In(t))
	}
	return strings.Join(lines, "\n")
}

func (e *BlockedError) Unwrap() error { return ErrBlocked }

// InputError is a problem with what the user supplied, found while building.
type InputError struct {
	Field        string
	Problem, Fix text.Message
}

func (e *InputError) Error() string { return e.In(text.English) }

// In says the error in t.
func (e *InputError) In(t text.Translator) string {
	return check.Finding{Field: e.Field, Message: e.Problem, Fix: e.Fix}.In(t)
}
