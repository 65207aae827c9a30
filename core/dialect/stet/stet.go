// Package stet builds French STET registration requests as BPCE specifies
// them (seed 001): a JSON body whose JWKS carries the QSEAL certificate,
// sent with x-request-id, Digest, a draft-cavage Signature made with the
// QSEAL key, and a Bearer token, over mutual TLS with the QWAC. POST
// /register creates; PUT /register/{client_id} changes.
package stet

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/httpsig"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// TokenPlaceholder stands for the Bearer token in a dry run, when it will be
// fetched from the bank's token endpoint at send time.
const TokenPlaceholder = "<access token fetched at send time from the bank's token endpoint>"

// roleScopes maps PSD2 roles in the QSEAL certificate to STET scopes.
var roleScopes = map[string]string{
	pki.RoleAI: "aisp",
	pki.RolePI: "pisp",
	pki.RoleIC: "cbpii",
}

// Dialect is the STET registration dialect.
type Dialect struct{}

// Build makes the signed registration request.
func (Dialect) Build(in *registration.Input) (*registration.Request, error) {
	p, id := in.Profile, in.Identity
	qseal := id.Signing
	if qseal == nil {
		return nil, &registration.InputError{Field: "signing certificate", Problem: text.F("the QSEAL certificate and key are needed: the bank reads your public key from it and checks the request signature with it"),
			Fix: text.F("import them (identity import --signing-cert F --signing-key F)")}
	}
	kid := id.SigningKID
	if kid == "" {
		kid = pki.ThumbprintS256(qseal.Leaf())
	}
	jwk, err := pki.CertificateJWK(qseal.Leaf(), kid, "sig", "RS256", []string{"verify"})
	if err != nil {
		return nil, err
	}
	body, findings := Body(in, jwk)

	method, target := "POST", in.Endpoint
	if in.Operation == registration.Update {
		if err := registration.ValidClientID(in.ClientID); err != nil {
			return nil, err
		}
		method, target = "PUT", strings.TrimSuffix(in.Endpoint, "/")+"/"+url.PathEscape(in.ClientID)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, text.Errorf("registration endpoint %q: %w", target, err)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}

	requestID := in.NextID()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("X-Request-ID", requestID)
	h.Set("Digest", httpsig.Digest(raw))
	token := in.AccessToken
	if token == "" {
		token = TokenPlaceholder
	}
	h.Set("Authorization", "Bearer "+token)

	keyID, finding := signatureKeyID(in, kid, qseal)
	if finding != nil {
		findings = append(findings, *finding)
	}
	sig, err := httpsig.Sign(in.Signer(qseal.Key), keyID, httpsig.Message{Method: method, Target: u.RequestURI(), Header: h}, p.Signature.Headers)
	if err != nil {
		return nil, text.Errorf("sign the request: %w", err)
	}
	h.Set("Signature", sig)

	return &registration.Request{Method: method, URL: target, Header: h, Body: raw, Fields: body,
		InteractionID: requestID, Findings: findings}, nil
}

func signatureKeyID(in *registration.Input, kid string, qseal *pki.Credential) (string, *check.Finding) {
	switch in.Profile.Signature.KeyID {
	case "x5t#S256":
		return pki.ThumbprintS256(qseal.Leaf()), nil
	case "certificate_url":
		if in.SigningCertURL == "" {
			return kid, &check.Finding{Severity: check.Error, Field: "signing certificate URL",
				Message: text.F("this bank identifies the signing key by the web address of your QSEAL certificate, and none is given"),
				Fix:     text.F("publish the certificate and give its address with --signing-cert-url")}
		}
		return in.SigningCertURL, nil
	case "client_id":
		if in.Operation == registration.Update {
			return in.ClientID, nil
		}
	}
	return kid, nil
}

// Body assembles the seed 001 body, applies the user's fields, and checks
// it against the seed's table of required and allowed values.
func Body(in *registration.Input, jwk pki.JWK) (map[string]any, check.List) {
	p, id := in.Profile, in.Identity
	qseal := id.Signing.Leaf()
	var findings check.List

	clientName := ""
	if len(qseal.Subject.Organization) > 0 {
		clientName = qseal.Subject.Organization[0]
	}
	softwareID := clientName
	var contact map[string]any
	redirects := in.RedirectURIs
	if st := id.Statement; st != nil {
		if st.Claims.SoftwareClientName != "" {
			softwareID = st.Claims.SoftwareClientName
		}
		if len(redirects) == 0 {
			redirects = st.Claims.SoftwareRedirectURI
		}
		if len(st.Claims.OrgContacts) > 0 {
			c := st.Claims.OrgContacts[0]
			contact = map[string]any{"contact_name": c.Name, "email": c.Email, "phone_number": c.Phone}
		}
	}
	if redirects == nil {
		redirects = []string{}
	}
	legalID := pki.OrganizationIdentifier(qseal)
	if legalID == "" {
		legalID = pki.OrganizationIdentifier(id.Transport.Leaf())
	}
	var scopes []string
	if info, ok := pki.PSD2(qseal); ok {
		for _, r := range info.Roles {
			if s, ok := roleScopes[r]; ok {
				scopes = append(scopes, s)
			}
		}
	}
	sep := p.ScopeSeparator
	if sep == "" {
		sep = ","
	}

	body := map[string]any{
		"redirect_uris":              redirects,
		"token_endpoint_auth_method": "tls_client_auth",
		"grant_types":                []string{"client_credentials"},
		"response_types":             []string{"code"},
		"client_name":                clientName,
		"provider_legal_id":          legalID,
		"software_id":                softwareID,
		"jwks":                       map[string]any{"keys": []pki.JWK{jwk}},
	}
	if len(scopes) > 0 {
		body["scope"] = strings.Join(scopes, sep)
	}
	if contact != nil {
		body["contact"] = contact
	}
	registration.ApplyFields(body, in.Fields)

	bad := func(field string, msg, fix text.Message) {
		findings = append(findings, check.Finding{Severity: check.Error, Field: field, Message: msg, Fix: fix})
	}
	str := func(k string) string { s, _ := body[k].(string); return s }

	findings = append(findings, registration.CheckRedirectURIs(registration.StringList(body["redirect_uris"]), nil)...)
	if str("token_endpoint_auth_method") != "tls_client_auth" {
		bad("token_endpoint_auth_method", text.F(`must be "tls_client_auth" for this bank (seed 001)`), text.Message{})
	}
	if g := registration.StringList(body["grant_types"]); len(g) != 1 || g[0] != "client_credentials" {
		bad("grant_types", text.F(`must be ["client_credentials"] for this bank`), text.Message{})
	}
	if r := registration.StringList(body["response_types"]); len(r) != 1 || r[0] != "code" {
		bad("response_types", text.F(`must be ["code"] for this bank`), text.Message{})
	}
	if str("client_name") == "" {
		bad("client_name", text.F("your firm's legal name is needed"), text.F("it is read from the QSEAL certificate's organisation; give it with --set client_name=..."))
	}
	if str("software_id") == "" {
		bad("software_id", text.F("the application or brand name shown to customers is needed"), text.F("give it with --set software_id=..."))
	}
	scope := str("scope")
	if scope == "" {
		bad("scope", text.F("the roles to register for are needed (aisp, pisp, cbpii)"), text.F("the certificate has no PSD2 roles; give them with --set scope=aisp"))
	}
	for _, s := range strings.Split(scope, ",") {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(p.Scopes, s) {
			bad("scope", text.F("%q is not one of %s", s, strings.Join(p.Scopes, ", ")), text.Message{})
		}
	}
	c, _ := body["contact"].(map[string]any)
	for _, f := range []string{"contact_name", "email", "phone_number"} {
		if v, _ := c[f].(string); strings.TrimSpace(v) == "" {
			bad("contact."+f, text.F("contact details are required by this bank"), text.F("give them with --set contact.%s=...", f))
		}
	}
	if email, _ := c["email"].(string); email != "" && !strings.Contains(email, "@") {
		bad("contact.email", text.F("%q is not an e-mail address", email), text.Message{})
	}
	switch legal := str("provider_legal_id"); {
	case legal == "":
		bad("provider_legal_id", text.F("your authorisation number is needed"), text.F("it is read from the certificate's organizationIdentifier (PSDFR-ACPR-12345); give it with --set provider_legal_id=..."))
	case !pki.IsPSD2AuthorisationNumber(legal):
		bad("provider_legal_id", text.F("%q is not in the ETSI form PSDXX-YYYYYYYY-ZZZZZZZZ", legal), text.Message{})
	}
	if agent := str("client_legal_id"); agent != "" && !pki.IsAgentID(agent) {
		bad("client_legal_id", text.F("%q is not in the agent form AGTXX-YYYYYYYY-ZZZZZZZZ", agent), text.F("leave it out unless you register an agent"))
	}
	if keys, ok := body["jwks"].(map[string]any); !ok || keys["keys"] == nil {
		bad("jwks", text.F("the key set with the QSEAL certificate is required"), text.Message{})
	}
	return body, findings
}

// Parse reads the bank's answer: 201 with the registration record.
func (Dialect) Parse(in *registration.Input, resp *registration.Response) (*registration.Result, error) {
	r, err := registration.ParseAnswer(in, resp)
	if err != nil {
		return nil, err
	}
	if r.ClientID == "" && in.Operation == registration.Update {
		r.ClientID = in.ClientID
	}
	return r, registration.RequireClientID(r)
}
