// Package rfc7591 builds plain OAuth 2.0 dynamic client registration
// requests: the client's metadata as a JSON object (RFC 7591 section 3.1),
// with a software statement when the server asks for one and an initial
// access token when it gives one, over mutual TLS. A registration is then
// read, changed and deleted only at the registration_client_uri the server
// returned (RFC 7592 sections 2 and 3); no management address is ever built
// by the client.
package rfc7591

import (
	"crypto/ecdsa"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// Dialect is the generic OAuth 2.0 registration dialect.
type Dialect struct{}

// readOnly are the members a server sets and a client never sends back in
// an update (RFC 7592 section 2.2).
var readOnly = []string{"registration_access_token", "registration_client_uri", "client_id_issued_at", "client_secret_expires_at"}

// Build makes the registration (POST to the registration endpoint) or its
// change (PUT to the registration_client_uri, with the client_id).
func (Dialect) Build(in *registration.Input) (*registration.Request, error) {
	method, target := http.MethodPost, in.Endpoint
	if in.Operation == registration.Update {
		u, err := registration.ManagementURL(in)
		if err != nil {
			return nil, err
		}
		method, target = http.MethodPut, u
	}
	meta, findings := Metadata(in)
	body, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	interaction := in.NextID()
	h := registration.JSONHeader(interaction)
	if in.AccessToken != "" {
		h.Set("Authorization", "Bearer "+in.AccessToken)
	}
	return &registration.Request{Method: method, URL: target, Header: h, Body: body, Fields: meta,
		InteractionID: interaction, Findings: findings}, nil
}

// Metadata assembles the client metadata from the profile, the identity's
// certificates and software statement, applies the user's fields, and
// checks the result.
func Metadata(in *registration.Input) (map[string]any, check.List) {
	p, id := in.Profile, in.Identity
	var findings check.List
	st := id.Statement

	method := p.DefaultAuthMethod
	if method == "" && len(p.AuthMethods) > 0 {
		method = p.AuthMethods[0]
	}
	if method == "" {
		method = "tls_client_auth"
	}
	grants := p.GrantTypes
	if len(grants) == 0 {
		grants = []string{"authorization_code", "refresh_token"}
	}
	meta := map[string]any{
		"token_endpoint_auth_method": method,
		"grant_types":                grants,
	}
	if slices.Contains(grants, "authorization_code") {
		meta["response_types"] = []string{"code"}
	}
	var allowed []string
	redirects := in.RedirectURIs
	if st != nil {
		if len(redirects) == 0 {
			redirects = st.Claims.SoftwareRedirectURI
		}
		if st.Claims.SoftwareID != "" {
			meta["software_id"] = st.Claims.SoftwareID
		}
		if st.Claims.SoftwareClientName != "" {
			meta["client_name"] = st.Claims.SoftwareClientName
		}
		// A statement goes only to a server that asks for one: others may
		// refuse what they cannot verify (RFC 7591 section 3.1.1).
		// The server then holds the redirect addresses to the statement's.
		if slices.Contains(p.Needs, profile.NeedSSA) {
			meta["software_statement"] = st.Raw
			allowed = st.Claims.SoftwareRedirectURI
		}
	}
	if len(redirects) > 0 {
		meta["redirect_uris"] = redirects
	}
	if in.Operation == registration.Update {
		meta["client_id"] = in.ClientID
	}
	registration.ApplyFields(meta, in.Fields)

	// What depends on the (possibly overridden) auth method.
	method, _ = meta["token_endpoint_auth_method"].(string)
	switch method {
	case "tls_client_auth":
		if _, set := meta["tls_client_auth_subject_dn"]; !set {
			if dn, err := pki.SubjectDN(id.Transport.Leaf()); err == nil {
				meta["tls_client_auth_subject_dn"] = dn
			}
		}
	case "self_signed_tls_client_auth":
		if _, set := meta["jwks"]; !set {
			if jwk, err := pki.CertificateJWK(id.Transport.Leaf(), pki.ThumbprintS256(id.Transport.Leaf()), "sig", "", nil); err == nil {
				meta["jwks"] = map[string]any{"keys": []pki.JWK{jwk}}
			}
		}
	case "private_key_jwt":
		findings = append(findings, keysFor(in, meta)...)
	}

	for _, k := range readOnly {
		if _, has := meta[k]; has {
			findings = append(findings, check.Finding{Severity: check.Error, Field: k,
				Message: text.F("is set by the server and is never sent by the client (RFC 7592 section 2.2)"), Fix: text.F("remove it")})
		}
	}
	if len(p.AuthMethods) > 0 && !slices.Contains(p.AuthMethods, method) {
		findings = append(findings, check.Finding{Severity: check.Error, Field: "token_endpoint_auth_method",
			Message: text.F("%q is not accepted by this server", method), Fix: text.F("choose one of: %s", strings.Join(p.AuthMethods, ", "))})
	} else if !slices.Contains(profile.OAuthAuthMethods, method) {
		findings = append(findings, check.Finding{Severity: check.Error, Field: "token_endpoint_auth_method",
			Message: text.F("%q is not a token endpoint auth method", method), Fix: text.F("choose one of: %s", strings.Join(profile.OAuthAuthMethods, ", "))})
	}
	if _, has := meta["tls_client_auth_subject_dn"]; has && method != "tls_client_auth" {
		findings = append(findings, check.Finding{Severity: check.Error, Field: "tls_client_auth_subject_dn",
			Message: text.F("is only sent with token_endpoint_auth_method tls_client_auth"), Fix: text.F("remove it or change the auth method")})
	}
	_, hasJWKS := meta["jwks"]
	_, hasJWKSURI := meta["jwks_uri"]
	if hasJWKS && hasJWKSURI {
		findings = append(findings, check.Finding{Severity: check.Error, Field: "jwks",
			Message: text.F("jwks and jwks_uri are both set; RFC 7591 section 2 allows one"), Fix: text.F("keep one of them")})
	}

	uris := registration.StringList(meta["redirect_uris"])
	needRedirect := slices.Contains(registration.StringList(meta["grant_types"]), "authorization_code")
	if len(uris) > 0 || needRedirect {
		findings = append(findings, registration.CheckRedirectURIs(uris, allowed)...)
	}
	if scope, _ := meta["scope"].(string); scope != "" && len(p.Scopes) > 0 {
		for _, s := range strings.Fields(scope) {
			if !slices.Contains(p.Scopes, s) {
				findings = append(findings, check.Finding{Severity: check.Error, Field: "scope",
					Message: text.F("%q is not a scope this server offers", s), Fix: text.F("choose from: %s", strings.Join(p.Scopes, " "))})
			}
		}
	}
	if st != nil {
		if sid, has := meta["software_id"]; has && sid != st.Claims.SoftwareID {
			findings = append(findings, check.Finding{Severity: check.Error, Field: "software_id",
				Message: text.F("differs from the software statement's software_id"), Fix: text.F("leave software_id as in the statement")})
		}
	}
	findings = append(findings, tokenFindings(in)...)
	return meta, findings
}

// keysFor publishes the key private_key_jwt assertions are checked with:
// the statement's JWKS address when there is one, else the signing
// certificate's public key.
func keysFor(in *registration.Input, meta map[string]any) check.List {
	_, hasJWKS := meta["jwks"]
	_, hasJWKSURI := meta["jwks_uri"]
	if hasJWKS || hasJWKSURI {
		return nil
	}
	id := in.Identity
	if id.Statement != nil && id.Statement.Claims.SoftwareJWKSURI != "" {
		meta["jwks_uri"] = id.Statement.Claims.SoftwareJWKSURI
	} else {
		cred := id.SigningOrTransport()
		kid := id.SigningKID
		if kid == "" {
			kid = pki.ThumbprintS256(cred.Leaf())
		}
		jwk, err := pki.CertificateJWK(cred.Leaf(), kid, "sig", "", nil)
		if err != nil {
			return check.List{{Severity: check.Error, Field: "jwks", Message: text.F("the signing key cannot be published: %v", err)}}
		}
		meta["jwks"] = map[string]any{"keys": []pki.JWK{jwk}}
	}
	if _, set := meta["token_endpoint_auth_signing_alg"]; !set {
		alg := in.Profile.SigningAlg
		if alg == "" {
			alg = "PS256"
			if _, ec := id.SigningOrTransport().Key.Public().(*ecdsa.PublicKey); ec {
				alg = "ES256"
			}
		}
		meta["token_endpoint_auth_signing_alg"] = alg
	}
	return nil
}

// tokenFindings: a registration at a server that requires an initial
// access token, or a change without the registration access token, would
// only be refused.
func tokenFindings(in *registration.Input) check.List {
	if in.AccessToken != "" {
		return nil
	}
	switch {
	case in.Operation == registration.Update:
		return check.List{{Severity: check.Error, Field: "registration_access_token",
			Message: text.F("no registration access token is known for this client; the server accepts changes only with the one it returned at registration (RFC 7592)"),
			Fix:     text.F("change the registration from the record of the registration that returned it")}}
	case in.Profile.InitialAccessToken == profile.TokenRequired:
		return check.List{{Severity: check.Error, Field: "initial_access_token",
			Message: text.F("this server registers clients only with an initial access token"),
			Fix:     text.F("paste the token the server's operator gave you")}}
	}
	return nil
}

// Parse reads the answer: 201 Created with the client information (RFC
// 7591 section 3.2.1), or 200 OK for a change (RFC 7592 section 2.2).
func (Dialect) Parse(in *registration.Input, resp *registration.Response) (*registration.Result, error) {
	r, err := registration.ParseAnswer(in, resp)
	if err != nil {
		return nil, err
	}
	return r, registration.RequireClientID(r)
}
