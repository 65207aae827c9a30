// Package profile describes banks as data: where to register, in which
// dialect, with which settings. Adding a bank is adding a JSON file.
package profile

import (
	"net/url"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/text"
)

// Dialects.
const (
	DialectUK      = "uk-obie" // UK Open Banking DCR: signed JWT body (seed 000, OBIE v3.x)
	DialectSTET    = "stet"    // French STET registration (seed 001)
	DialectAlTareq = "altareq" // UAE Open Finance /tpp-registration (seed 004)
	// DialectOAuth is plain OAuth 2.0 dynamic client registration: an RFC
	// 7591 JSON body, managed through RFC 7592's registration_client_uri.
	DialectOAuth = "oauth2-dcr"
)

// Dialects lists every dialect a profile may name.
var Dialects = []string{DialectUK, DialectSTET, DialectAlTareq, DialectOAuth}

// Initial access token policies (RFC 7591 section 3: a server may require
// a Bearer token on the registration request).
const (
	TokenRequired = "required"
	TokenOptional = "optional"
)

// Credentials a bank may need.
const (
	NeedTransport = "transport" // mutual TLS certificate and key
	NeedSigning   = "signing"   // signing certificate and key (JWS, HTTP signature)
	NeedSSA       = "ssa"       // software statement
	NeedClientID  = "client_id" // trust-framework application id
)

// Profile is one bank (or one bank environment).
type Profile struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Country     string `json:"country"`
	Ecosystem   string `json:"ecosystem"`
	Dialect     string `json:"dialect"`
	Environment string `json:"environment"`
	// Version is the profile file's own version, shown in About.
	Version          string `json:"version"`
	DocumentationURL string `json:"documentation_url,omitempty"`
	Notes            string `json:"notes,omitempty"`

	DiscoveryURL         string `json:"discovery_url,omitempty"`
	RegistrationEndpoint string `json:"registration_endpoint,omitempty"`
	TokenEndpoint        string `json:"token_endpoint,omitempty"`
	// CertificateEndpoint is seed 000's QSEAL certificate upload.
	CertificateEndpoint string `json:"certificate_endpoint,omitempty"`

	// Audience is the "aud" of a UK registration JWT.
	Audience    string `json:"audience,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// SuccessStatus lists the HTTP statuses that mean "registered".
	SuccessStatus []int `json:"success_status"`
	// ErrorStyle names how the bank writes errors, for explanations:
	// "saltedge" (seed 000 classes), "rfc7591", "stet", "altareq".
	ErrorStyle string `json:"error_style,omitempty"`

	SigningAlg        string   `json:"signing_alg,omitempty"`
	AuthMethods       []string `json:"auth_methods,omitempty"`
	DefaultAuthMethod string   `json:"default_auth_method,omitempty"`
	Scopes            []string `json:"scopes,omitempty"`
	ScopeSeparator    string   `json:"scope_separator,omitempty"`
	GrantTypes        []string `json:"grant_types,omitempty"`
	Needs             []string `json:"needs"`
	// UpdateMethod is "PUT" when the dialect can change a registration.
	UpdateMethod string `json:"update_method,omitempty"`
	// InitialAccessToken says whether the server asks for an initial access
	// token on registration: "required", "optional" or "" (never). Only
	// the oauth2-dcr dialect sends one.
	InitialAccessToken string `json:"initial_access_token,omitempty"`

	Token     *TokenSettings     `json:"token,omitempty"`
	Signature *SignatureSettings `json:"signature,omitempty"`

	// ExtraCAPEM is a CA certificate trusted for this profile only (sandboxes
	// with a private CA). TLS verification is never turned off.
	ExtraCAPEM string `json:"extra_ca_pem,omitempty"`

	// Source is the file the profile came from (not in the JSON).
	Source string `json:"-"`
}

// TokenSettings say how to get the access token a registration call needs
// (STET: client_credentials with scope manageRegistration over mTLS).
type TokenSettings struct {
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
}

// SignatureSettings configure a draft-cavage HTTP Signature (STET).
type SignatureSettings struct {
	Algorithm string   `json:"algorithm"`
	Headers   []string `json:"headers"`
	// KeyID is what the keyId parameter holds: "kid" (the signing key id),
	// "x5t#S256" (the certificate thumbprint), "certificate_url" (a URL
	// where the bank can fetch the QSEALC) or "client_id" (after
	// registration, for changes).
	KeyID string `json:"key_id"`
}

// OAuthAuthMethods are the token endpoint auth methods an oauth2-dcr
// registration may ask for (RFC 7591 section 2; RFC 8705 section 2).
var OAuthAuthMethods = []string{"tls_client_auth", "self_signed_tls_client_auth", "private_key_jwt", "client_secret_basic", "client_secret_post"}

// Accepts reports whether status is a success status for this profile.
func (p *Profile) Accepts(status int) bool { return slices.Contains(p.SuccessStatus, status) }

// FieldError is a problem with one field of a profile file.
type FieldError struct {
	File, Field string
	Problem     text.Message
}

func (e *FieldError) Error() string { return e.In(text.English) }

// In says the error in t.
func (e *FieldError) In(t text.Translator) string {
	if e.Field == "" {
		return text.F("bank profile %s: %s", e.File, e.Problem).In(t)
	}
	return text.F("bank profile %s: field %q: %s", e.File, e.Field, e.Problem).In(t)
}

// Validate checks a profile and returns the first problem, naming the field.
func (p *Profile) Validate() error {
	bad := func(field string, problem text.Message) error {
		return &FieldError{File: p.Source, Field: field, Problem: problem}
	}
	required := map[string]string{"id": p.ID, "name": p.Name, "dialect": p.Dialect, "environment": p.Environment, "country": p.Country}
	for _, f := range []string{"id", "name", "dialect", "environment", "country"} {
		if strings.TrimSpace(required[f]) == "" {
			return bad(f, text.F("is required"))
		}
	}
	for _, r := range p.ID {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return bad("id", text.F("%q may hold only lower-case letters, digits, dots and dashes", p.ID))
		}
	}
	if !slices.Contains(Dialects, p.Dialect) {
		return bad("dialect", text.F("%q is not one of %s", p.Dialect, strings.Join(Dialects, ", ")))
	}
	if p.Environment != "sandbox" && p.Environment != "live" {
		return bad("environment", text.F("%q is not sandbox or live", p.Environment))
	}
	for field, u := range map[string]string{"discovery_url": p.DiscoveryURL, "registration_endpoint": p.RegistrationEndpoint,
		"token_endpoint": p.TokenEndpoint, "certificate_endpoint": p.CertificateEndpoint, "documentation_url": p.DocumentationURL} {
		if u == "" {
			continue
		}
		parsed, err := url.Parse(u)
		if err != nil || parsed.Scheme != "https" || parsed.Host == "" {
			return bad(field, text.F("%q is not an https URL", u))
		}
	}
	if p.DiscoveryURL == "" && p.RegistrationEndpoint == "" {
		return bad("registration_endpoint", text.F("is required when there is no discovery_url"))
	}
	if len(p.SuccessStatus) == 0 {
		return bad("success_status", text.F("is required (for example [201])"))
	}
	for _, s := range p.SuccessStatus {
		if s < 200 || s > 299 {
			return bad("success_status", text.F("%d is not a 2xx status", s))
		}
	}
	if len(p.Needs) == 0 {
		return bad("needs", text.F("is required (for example [\"transport\", \"signing\"])"))
	}
	for _, n := range p.Needs {
		if !slices.Contains([]string{NeedTransport, NeedSigning, NeedSSA, NeedClientID}, n) {
			return bad("needs", text.F("%q is not one of transport, signing, ssa, client_id", n))
		}
	}
	if p.UpdateMethod != "" && p.UpdateMethod != "PUT" {
		return bad("update_method", text.F("%q is not PUT", p.UpdateMethod))
	}
	switch p.Dialect {
	case DialectUK:
		if !slices.Contains([]string{"PS256", "RS256", "ES256"}, p.SigningAlg) {
			return bad("signing_alg", text.F("%q is not PS256, RS256 or ES256", p.SigningAlg))
		}
		if p.ContentType != "application/jwt" && p.ContentType != "application/jose" {
			return bad("content_type", text.F("%q is not application/jwt or application/jose", p.ContentType))
		}
		for _, m := range p.AuthMethods {
			if !slices.Contains([]string{"tls_client_auth", "private_key_jwt", "client_secret_basic", "client_secret_post"}, m) {
				return bad("auth_methods", text.F("%q is not a token endpoint auth method", m))
			}
		}
		if p.DefaultAuthMethod != "" && !slices.Contains(p.AuthMethods, p.DefaultAuthMethod) {
			return bad("default_auth_method", text.F("%q is not listed in auth_methods", p.DefaultAuthMethod))
		}
	case DialectOAuth:
		if p.ContentType != "" && p.ContentType != "application/json" {
			return bad("content_type", text.F("%q is not application/json", p.ContentType))
		}
		for _, m := range p.AuthMethods {
			if !slices.Contains(OAuthAuthMethods, m) {
				return bad("auth_methods", text.F("%q is not one of %s", m, strings.Join(OAuthAuthMethods, ", ")))
			}
		}
		if p.DefaultAuthMethod != "" && len(p.AuthMethods) > 0 && !slices.Contains(p.AuthMethods, p.DefaultAuthMethod) {
			return bad("default_auth_method", text.F("%q is not listed in auth_methods", p.DefaultAuthMethod))
		}
		if p.InitialAccessToken != "" && p.InitialAccessToken != TokenRequired && p.InitialAccessToken != TokenOptional {
			return bad("initial_access_token", text.F("%q is not required or optional", p.InitialAccessToken))
		}
		if p.SigningAlg != "" && !slices.Contains([]string{"PS256", "RS256", "ES256"}, p.SigningAlg) {
			return bad("signing_alg", text.F("%q is not PS256, RS256 or ES256", p.SigningAlg))
		}
	case DialectSTET:
		if p.Signature == nil {
			return bad("signature", text.F("is required for the stet dialect"))
		}
		if p.Signature.Algorithm != "rsa-sha256" {
			return bad("signature.algorithm", text.F("%q is not rsa-sha256", p.Signature.Algorithm))
		}
		if len(p.Signature.Headers) == 0 {
			return bad("signature.headers", text.F("is required"))
		}
		if !slices.Contains([]string{"kid", "x5t#S256", "certificate_url", "client_id"}, p.Signature.KeyID) {
			return bad("signature.key_id", text.F("%q is not kid, x5t#S256, certificate_url or client_id", p.Signature.KeyID))
		}
		if p.Token != nil && p.TokenEndpoint == "" {
			return bad("token_endpoint", text.F("is required when token settings are given"))
		}
	}
	return nil
}
