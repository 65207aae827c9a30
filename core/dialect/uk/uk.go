// Package uk builds UK Open Banking dynamic client registration requests: a
// JWT signed with the TPP's signing key carrying the software statement
// (seed 000, a Salt Edge v3.1 dedicated interface; OBIE DCR v3.1-v3.3).
package uk

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// Lifetime is how long the registration JWT is valid (exp - iat). Seed
// 000's example uses a little over five minutes.
const Lifetime = 5 * time.Minute

// roleScopes maps SSA software_roles to the scopes they allow.
var roleScopes = map[string]string{
	"AISP":  "accounts",
	"PISP":  "payments",
	"CBPII": "fundsconfirmations",
}

// Dialect is the UK registration dialect.
type Dialect struct{}

// Build makes the signed registration request.
func (Dialect) Build(in *registration.Input) (*registration.Request, error) {
	p, id := in.Profile, in.Identity
	if id.Statement == nil {
		return nil, &registration.InputError{Field: "ssa", Problem: text.F("a software statement is needed for UK registration"),
			Fix: text.F("import the statement your directory issued (identity import --ssa FILE)")}
	}
	if id.Signing == nil {
		return nil, &registration.InputError{Field: "signing certificate", Problem: text.F("a signing certificate and key are needed to sign the registration"),
			Fix: text.F("import them (identity import --signing-cert F --signing-key F --signing-kid K)")}
	}
	if id.SigningKID == "" {
		return nil, &registration.InputError{Field: "signing_kid", Problem: text.F("the key id (kid) of the signing key is needed"),
			Fix: text.F("it is the kid under which the key is published in your directory's JWKS; set it with identity import --signing-kid")}
	}
	claims, findings := Claims(in)

	method, endpoint := "POST", in.Endpoint
	if in.Operation == registration.Update {
		// The registration_client_uri the bank returned, else
		// {registration_endpoint}/{client_id} (OBIE DCR).
		if err := registration.ValidClientID(in.ClientID); err != nil {
			return nil, err
		}
		target, err := registration.ManagementURL(in)
		if err != nil {
			return nil, err
		}
		method, endpoint = "PUT", target
	}

	alg := jose.SignatureAlgorithm(p.SigningAlg)
	if err := keyFitsAlg(id.Signing, alg); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	compact, err := signJWT(in, alg, payload)
	if err != nil {
		return nil, err
	}
	header := map[string]any{}
	headerJSON, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(compact, ".", 2)[0])
	_ = json.Unmarshal(headerJSON, &header)

	interaction := in.NextID()
	req := &registration.Request{
		Method:        method,
		URL:           endpoint,
		InteractionID: interaction,
		// OBIE read/write and DCR APIs accept an x-fapi-interaction-id and
		// echo it back, which ties the bank's logs to this attempt.
		Header:   map[string][]string{"Content-Type": {p.ContentType}, "Accept": {"application/json"}, "X-Fapi-Interaction-Id": {interaction}},
		Body:     []byte(compact),
		JWT:      &registration.DecodedJWT{Header: header, Claims: claims},
		Fields:   claims,
		Findings: findings,
	}
	if in.Operation == registration.Update && in.AccessToken != "" {
		req.Header.Set("Authorization", "Bearer "+in.AccessToken)
	}
	return req, nil
}

// signJWT signs the claims as a compact JWS (typ JWT, the signing key's
// kid) with go-jose; a preview writes the same header and payload with
// registration.PreviewSignature in place of the signature.
func signJWT(in *registration.Input, alg jose.SignatureAlgorithm, payload []byte) (string, error) {
	id := in.Identity
	if in.Preview {
		header, err := json.Marshal(map[string]string{"alg": string(alg), "kid": id.SigningKID, "typ": "JWT"})
		if err != nil {
			return "", err
		}
		enc := base64.RawURLEncoding.EncodeToString
		return enc(header) + "." + enc(payload) + "." + enc([]byte(registration.PreviewSignature)), nil
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: id.Signing.Key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", id.SigningKID))
	if err != nil {
		return "", text.Errorf("prepare signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", text.Errorf("sign registration: %w", err)
	}
	return jws.CompactSerialize()
}

// Claims assembles the registration claims from the SSA, the certificates
// and the profile, applies the user's fields, and checks the result.
func Claims(in *registration.Input) (map[string]any, check.List) {
	p, id := in.Profile, in.Identity
	st := id.Statement.Claims
	now := in.Now
	var findings check.List

	aud := p.Audience
	_, audGiven := in.Fields["aud"]
	switch {
	case aud != "" || audGiven:
	case in.Issuer != "":
		aud = in.Issuer
	default:
		if u, err := url.Parse(in.Endpoint); err == nil && u.Host != "" {
			aud = u.Scheme + "://" + u.Host
		}
		findings = append(findings, check.Finding{Severity: check.Warning, Field: "aud",
			Message: text.F("the bank profile gives no audience, so %q (the bank's address) is used", aud),
			Fix:     text.F("check the bank's identifier in its documentation and set it with --set aud=...")})
	}

	redirects := in.RedirectURIs
	if len(redirects) == 0 {
		redirects = st.SoftwareRedirectURI
	}
	method := p.DefaultAuthMethod
	if method == "" && len(p.AuthMethods) > 0 {
		method = p.AuthMethods[0]
	}
	grants := p.GrantTypes
	if len(grants) == 0 {
		grants = []string{"client_credentials", "authorization_code", "refresh_token"}
	}
	claims := map[string]any{
		"iss":                          st.SoftwareID,
		"iat":                          now.Unix(),
		"exp":                          now.Add(Lifetime).Unix(),
		"aud":                          aud,
		"jti":                          in.NextID(),
		"redirect_uris":                redirects,
		"token_endpoint_auth_method":   method,
		"grant_types":                  grants,
		"response_types":               []string{"code"},
		"software_statement":           id.Statement.Raw,
		"software_id":                  st.SoftwareID,
		"application_type":             "web",
		"request_object_signing_alg":   p.SigningAlg,
		"id_token_signed_response_alg": p.SigningAlg,
	}
	if scope := scopeFor(st.SoftwareRoles, p.Scopes); scope != "" {
		claims["scope"] = scope
	}
	registration.ApplyFields(claims, in.Fields)

	// What depends on the (possibly overridden) auth method.
	method, _ = claims["token_endpoint_auth_method"].(string)
	switch method {
	case "private_key_jwt":
		if _, set := claims["token_endpoint_auth_signing_alg"]; !set {
			claims["token_endpoint_auth_signing_alg"] = p.SigningAlg
		}
	case "tls_client_auth":
		if _, set := claims["tls_client_auth_subject_dn"]; !set {
			if dn, err := pki.SubjectDN(id.Transport.Leaf()); err == nil {
				claims["tls_client_auth_subject_dn"] = dn
			}
		}
	}
	if len(p.AuthMethods) > 0 && !slices.Contains(p.AuthMethods, method) {
		findings = append(findings, check.Finding{Severity: check.Error, Field: "token_endpoint_auth_method",
			Message: text.F("%q is not accepted by this bank", method), Fix: text.F("choose one of: %s", strings.Join(p.AuthMethods, ", "))})
	}
	if _, has := claims["tls_client_auth_subject_dn"]; has && method != "tls_client_auth" {
		findings = append(findings, check.Finding{Severity: check.Error, Field: "tls_client_auth_subject_dn",
			Message: text.F("is only sent with token_endpoint_auth_method tls_client_auth"), Fix: text.F("remove it or change the auth method")})
	}

	findings = append(findings, registration.CheckRedirectURIs(registration.StringList(claims["redirect_uris"]), st.SoftwareRedirectURI)...)
	if claims["software_id"] != st.SoftwareID {
		findings = append(findings, check.Finding{Severity: check.Error, Field: "software_id",
			Message: text.F("differs from the software statement's software_id"), Fix: text.F("leave software_id as in the statement")})
	}
	if claims["iss"] != st.SoftwareID {
		findings = append(findings, check.Finding{Severity: check.Warning, Field: "iss",
			Message: text.F("differs from the software_id; for statements issued by the OB Directory iss must be the software_id"), Fix: text.F("leave iss as the software_id")})
	}
	if scope, _ := claims["scope"].(string); scope != "" && len(p.Scopes) > 0 {
		for _, s := range strings.Fields(scope) {
			if !slices.Contains(p.Scopes, s) {
				findings = append(findings, check.Finding{Severity: check.Error, Field: "scope",
					Message: text.F("%q is not a scope this bank offers", s), Fix: text.F("choose from: %s", strings.Join(p.Scopes, " "))})
			}
		}
	}
	if at, _ := claims["application_type"].(string); at != "web" && at != "mobile" {
		findings = append(findings, check.Finding{Severity: check.Error, Field: "application_type",
			Message: text.F("%q is not web or mobile", at)})
	}
	return claims, findings
}

// scopeFor turns SSA roles into the space-separated scope the bank offers.
func scopeFor(roles, offered []string) string {
	scopes := []string{"openid"}
	for _, r := range roles {
		if s, ok := roleScopes[strings.ToUpper(r)]; ok && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if len(offered) > 0 {
		scopes = slices.DeleteFunc(scopes, func(s string) bool { return !slices.Contains(offered, s) })
	}
	return strings.Join(scopes, " ")
}

func keyFitsAlg(c *pki.Credential, alg jose.SignatureAlgorithm) error {
	switch c.Key.Public().(type) {
	case *rsa.PublicKey:
		if alg == jose.PS256 || alg == jose.RS256 {
			return nil
		}
	case *ecdsa.PublicKey:
		if alg == jose.ES256 {
			return nil
		}
	}
	return &registration.InputError{Field: "signing certificate",
		Problem: text.F("a %s key cannot sign with %s, which this bank requires", pki.KeyDescription(c.Key.Public()), alg),
		Fix:     text.F("use a signing key of the type the bank expects (RSA for PS256/RS256)")}
}

// Parse reads the bank's answer.
func (Dialect) Parse(in *registration.Input, resp *registration.Response) (*registration.Result, error) {
	r, err := registration.ParseAnswer(in, resp)
	if err != nil {
		return nil, err
	}
	return r, registration.RequireClientID(r)
}
