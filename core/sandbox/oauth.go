package sandbox

import (
	"crypto/x509"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/pki"
)

// STET's registration token (seed 001; DESIGN.md): client_credentials with
// this client id and scope, over mutual TLS with the QWAC.
const (
	stetTokenClientID = "PSD2_TPPRegister"
	stetTokenScope    = "manageRegistration"
)

// TokenLifetime is how long an access token lasts.
const TokenLifetime = 5 * time.Minute

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// accessToken is an issued token, bound to the certificate it was issued
// over (RFC 8705 section 3).
type accessToken struct {
	bank, clientID, scope string
	orgIdentifier         string
	certThumbprint        string
	expires               time.Time
}

// token handles the token endpoint: client_credentials only.
func (s *Server) token(w http.ResponseWriter, r *http.Request, b *bank) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.fail(w, r, StyleOAuth, refuse("http.method", KindMethodNotAllowed, "the token endpoint takes POST"))
		return
	}
	cert, ref := s.caller(r)
	if ref != nil {
		s.fail(w, r, StyleOAuth, ref)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, StyleOAuth, refuse("token.form", KindFormat, "the body is not a form: %v", err))
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		s.fail(w, r, StyleOAuth, refuse("token.grant-type", KindGrant, "grant_type %q is not offered here; use client_credentials", gt))
		return
	}
	var t *accessToken
	if b.Dialect == "stet" {
		t, ref = s.stetToken(r, cert)
	} else {
		t, ref = s.clientToken(r, b, cert)
	}
	if ref != nil {
		s.fail(w, r, StyleOAuth, ref)
		return
	}
	t.bank, t.certThumbprint, t.expires = b.ID, pki.ThumbprintS256(cert), s.now().Add(TokenLifetime)
	value := s.newSecret()
	s.mu.Lock()
	for k, old := range s.tokens {
		if s.now().After(old.expires) {
			delete(s.tokens, k)
		}
	}
	s.tokens[hashSecret(value)] = t
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": value, "token_type": "Bearer",
		"expires_in": int(TokenLifetime.Seconds()), "scope": t.scope})
	s.log(r, http.StatusOK, "", t.clientID)
}

// stetToken: BPCE's registration token for any TPP with a QWAC.
func (s *Server) stetToken(r *http.Request, cert *x509.Certificate) (*accessToken, *Refusal) {
	if id := r.PostForm.Get("client_id"); id != stetTokenClientID {
		return nil, refuse("token.client-id", KindClientAuth, "client_id %q is not accepted; registration tokens are for client_id %s", id, stetTokenClientID)
	}
	if sc := r.PostForm.Get("scope"); sc != stetTokenScope {
		return nil, refuse("token.scope", KindScope, "scope %q is not offered to %s; ask for %s", sc, stetTokenClientID, stetTokenScope)
	}
	org := pki.OrganizationIdentifier(cert)
	if !pki.IsPSD2AuthorisationNumber(org) {
		return nil, refuse("mtls.organisation-identifier", KindCaller, "the client certificate has no PSD2 organizationIdentifier (PSDXX-YYYYYYYY-ZZZZZZZZ); got %q", org)
	}
	return &accessToken{clientID: stetTokenClientID, scope: stetTokenScope, orgIdentifier: org}, nil
}

// clientToken authenticates a registered client the way it registered:
// tls_client_auth, private_key_jwt or client_secret_basic/post.
func (s *Server) clientToken(r *http.Request, b *bank, cert *x509.Certificate) (*accessToken, *Refusal) {
	form := r.PostForm
	id, secret, basic := r.BasicAuth()
	method := "tls_client_auth"
	switch {
	case basic:
		method = "client_secret_basic"
		// RFC 6749 section 2.3.1: both parts are form-urlencoded first.
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		if u, err := url.QueryUnescape(secret); err == nil {
			secret = u
		}
	case form.Get("client_assertion") != "":
		method = "private_key_jwt"
	case form.Get("client_secret") != "":
		method, id, secret = "client_secret_post", form.Get("client_id"), form.Get("client_secret")
	default:
		id = form.Get("client_id")
	}
	var assertion map[string]any
	if method == "private_key_jwt" {
		if form.Get("client_assertion_type") != jwtBearer {
			return nil, refuse("token.assertion-type", KindClientAuth, "client_assertion_type must be %s", jwtBearer)
		}
		var err error
		if assertion, err = peekClaims(form.Get("client_assertion")); err != nil {
			return nil, refuse("token.assertion", KindClientAuth, "client_assertion is not a JWT: %v", err)
		}
		iss, _ := assertion["iss"].(string)
		if given := form.Get("client_id"); given != "" && given != iss {
			return nil, refuse("token.assertion", KindClientAuth, "client_id %q differs from the assertion's iss %q", given, iss)
		}
		id = iss
	}
	if id == "" {
		return nil, refuse("token.client-id", KindClientAuth, "no client_id was given")
	}
	s.mu.Lock()
	c := s.st.Clients[clientKey(b.ID, id)]
	s.mu.Unlock()
	if c == nil {
		return nil, refuse("token.client-unknown", KindClientAuth, "client %s is not registered at this bank", id)
	}
	registered := c.AuthMethod
	if registered == "" {
		registered = "tls_client_auth"
	}
	if method != registered && !(method == "client_secret_post" && registered == "client_secret_basic") {
		return nil, refuse("token.auth-method", KindClientAuth, "client %s registered token_endpoint_auth_method %s, but authenticated with %s", id, registered, method)
	}
	if sw := s.Software(c.SoftwareID); sw == nil || !sw.Active || !sw.hasCertificate(cert) {
		return nil, refuse("mtls.not-software-certificate", KindCaller, "the client certificate is not one the directory issued to software %s", c.SoftwareID)
	}
	switch method {
	case "client_secret_basic", "client_secret_post":
		if !secretMatches(c.SecretHash, secret) {
			return nil, refuse("token.client-secret", KindClientAuth, "the client secret is wrong")
		}
	case "private_key_jwt":
		if ref := s.checkAssertion(r, b, c, form.Get("client_assertion"), assertion); ref != nil {
			return nil, ref
		}
	case "tls_client_auth":
		want, err1 := pki.ParseDN(c.SubjectDN)
		got, err2 := pki.NameDN(cert.RawSubject)
		if err1 != nil || err2 != nil || !want.Equal(got) {
			return nil, refuse("token.subject-dn", KindClientAuth, "the client certificate's subject is not the tls_client_auth_subject_dn client %s registered", id)
		}
	}
	registeredScope, _ := c.Metadata["scope"].(string)
	scope := strings.TrimSpace(form.Get("scope"))
	if scope == "" {
		scope = registeredScope
	}
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(strings.Fields(registeredScope), sc) {
			return nil, refuse("token.scope", KindScope, "scope %q was not registered by client %s (registered: %q)", sc, id, registeredScope)
		}
	}
	return &accessToken{clientID: id, scope: scope}, nil
}

// checkAssertion verifies a private_key_jwt client assertion (RFC 7523,
// OpenID Connect Core 9): signed with a key from the software's JWKS with
// the registered alg, iss = sub = client_id, aud the token endpoint or the
// issuer, not expired, jti not used before.
func (s *Server) checkAssertion(r *http.Request, b *bank, c *Client, compact string, claims map[string]any) *Refusal {
	hdr, err := peekHeader(compact)
	if err != nil {
		return refuse("token.assertion", KindClientAuth, "client_assertion: %v", err)
	}
	alg, _ := hdr["alg"].(string)
	want := c.AuthAlg
	if want == "" {
		want = "PS256"
	}
	if alg != want {
		return refuse("token.assertion-alg", KindClientAuth, "client_assertion is signed with %q; client %s registered %s", alg, c.ClientID, want)
	}
	keys, ref := s.fetchKeys(r, c.JWKSURI)
	if ref != nil {
		return ref
	}
	kid, _ := hdr["kid"].(string)
	found := keys.Key(kid)
	if kid == "" || len(found) == 0 {
		return refuse("token.assertion-kid", KindClientAuth, "client_assertion kid %q is not published in the software's JWKS", kid)
	}
	jws, err := jose.ParseSigned(compact, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err == nil {
		_, err = jws.Verify(found[0].Key)
	}
	if err != nil {
		return refuse("token.assertion-signature", KindClientAuth, "client_assertion signature does not verify with key %q", kid)
	}
	if claims["iss"] != c.ClientID || claims["sub"] != c.ClientID {
		return refuse("token.assertion-claims", KindClientAuth, "client_assertion iss and sub must both be the client_id %s", c.ClientID)
	}
	if !audienceHas(claims["aud"], s.tokenURL(b), s.issuer(b)) {
		return refuse("token.assertion-aud", KindClientAuth, "client_assertion aud must be the token endpoint %s", s.tokenURL(b))
	}
	exp, ok := numericDate(claims["exp"])
	now := s.now()
	if !ok || !now.Before(exp.Add(clockSkew)) || exp.Sub(now) > maxJWTLifetime {
		return refuse("token.assertion-exp", KindClientAuth, "client_assertion exp must be in the future, at most %s ahead", maxJWTLifetime)
	}
	jti, _ := claims["jti"].(string)
	if jti == "" || !s.firstUse("assertion/"+b.ID+"/"+c.ClientID+"/"+jti, exp.Add(clockSkew)) {
		return refuse("token.assertion-jti", KindClientAuth, "client_assertion jti must be present and used only once")
	}
	return nil
}

// validToken checks a Bearer access token for a bank: known, not expired,
// and presented over the certificate it was issued to.
func (s *Server) validToken(value string, b *bank, cert *x509.Certificate) (*accessToken, *Refusal) {
	s.mu.Lock()
	t := s.tokens[hashSecret(value)]
	s.mu.Unlock()
	switch {
	case t == nil || t.bank != b.ID:
		return nil, refuse("token.invalid", KindToken, "the access token is not one this bank issued")
	case !s.now().Before(t.expires):
		return nil, refuse("token.expired", KindToken, "the access token expired at %s; get a new one", t.expires.UTC().Format(time.RFC3339))
	case t.certThumbprint != pki.ThumbprintS256(cert):
		return nil, refuse("token.certificate-bound", KindToken, "the access token was issued over another client certificate (RFC 8705 certificate-bound token)")
	}
	return t, nil
}
