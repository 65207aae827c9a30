package sandbox

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/mail"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/httpsig"
	"github.com/tppwizard/tppwizard/core/pki"
)

// stetSignedHeaders must all be covered by the HTTP signature (seed 001:
// the request is signed with the QSEALC key; the digest binds the body and
// x-request-id the call).
var stetSignedHeaders = []string{httpsig.RequestTarget, "digest", "x-request-id"}

// stetRequired are the body fields seed 001 marks (R).
var stetRequired = []string{"redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types", "client_name",
	"scope", "contact", "provider_legal_id", "jwks", "software_id"}

// stetRoles: the PSD2 role in the certificate each STET scope needs.
var stetRoles = map[string]string{"aisp": pki.RoleAI, "pisp": pki.RolePI, "cbpii": pki.RoleIC}

// stetRegister handles POST /register and PUT /register/{client_id}
// (seed 001). Any other method is answered 405, as the seed lists.
func (s *Server) stetRegister(w http.ResponseWriter, r *http.Request, b *bank, clientID string) {
	if (clientID == "" && r.Method != http.MethodPost) || (clientID != "" && r.Method != http.MethodPut) {
		allow := "POST"
		if clientID != "" {
			allow = "PUT"
		}
		w.Header().Set("Allow", allow)
		s.fail(w, r, b.Style, refuse("http.method", KindMethodNotAllowed, "%s is not allowed here; create with POST %s, change with PUT %s/{client_id}", r.Method, b.RegisterPath, b.RegisterPath))
		return
	}
	c, body, ref := s.checkSTET(r, b, clientID)
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	status := http.StatusCreated // seed 001: "A correct response returns a HTTP 201 status", for PUT too
	answer := map[string]any{"client_id": c.ClientID, "client_id_issued_at": c.Created.Unix()}
	for k, v := range body {
		answer[k] = v
	}
	if id := r.Header.Get("X-Request-Id"); id != "" {
		w.Header().Set("X-Request-Id", id)
	}
	writeJSON(w, status, answer)
	s.log(r, status, "", c.ClientID)
}

// checkSTET applies seed 001's rules and records the registration.
func (s *Server) checkSTET(r *http.Request, b *bank, clientID string) (*Client, map[string]any, *Refusal) {
	cert, ref := s.caller(r)
	if ref != nil {
		return nil, nil, ref
	}
	token := bearer(r)
	if token == "" {
		return nil, nil, refuse("token.missing", KindToken, "Authorization: Bearer is required: get a token from %s with client_id %s and scope %s", s.tokenURL(b), stetTokenClientID, stetTokenScope)
	}
	t, ref := s.validToken(token, b, cert)
	if ref != nil {
		return nil, nil, ref
	}
	if t.scope != stetTokenScope {
		return nil, nil, refuse("token.scope", KindToken, "the access token's scope %q does not allow registration (%s)", t.scope, stetTokenScope)
	}
	if r.Header.Get("X-Request-Id") == "" {
		return nil, nil, refuse("headers.x-request-id", KindRequired, "the x-request-id header is required")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, nil, refuse("request.content-type", KindMediaType, "Content-Type %q is not application/json", r.Header.Get("Content-Type"))
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, nil, refuse("request.body", KindFormat, "the body could not be read: %v", err)
	}
	if r.Header.Get("Digest") == "" {
		return nil, nil, refuse("digest.missing", KindRequired, "the Digest header is required: SHA-256= and the base64 SHA-256 of the body")
	}
	if err := httpsig.VerifyDigest(r.Header.Get("Digest"), raw); err != nil {
		return nil, nil, refuse("digest.mismatch", KindInvalid, "%v", err)
	}
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&body); err != nil || dec.More() {
		return nil, nil, refuse("body.json", KindFormat, "the body is not one JSON object")
	}
	var missing []string
	for _, k := range stetRequired {
		if v, ok := body[k]; !ok || v == nil || v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, nil, refuse("body.required", KindRequired, "required fields are missing: %s", strings.Join(missing, ", "))
	}

	// The key set: one RSA QSEAL key, exactly as the seed's table says.
	qseal, jwk, ref := s.checkSTETKeys(body["jwks"])
	if ref != nil {
		return nil, nil, ref
	}

	// The HTTP signature, made with that key over the required headers.
	if r.Header.Get("Signature") == "" {
		return nil, nil, refuse("signature.missing", KindRequired, "the Signature header is required (draft-cavage, rsa-sha256, QSEAL key)")
	}
	sig, err := httpsig.Parse(r.Header.Get("Signature"))
	if err != nil {
		return nil, nil, refuse("signature.malformed", KindInvalid, "the Signature header cannot be read: %v", err)
	}
	if sig.Algorithm != httpsig.AlgorithmRSASHA256 {
		return nil, nil, refuse("signature.algorithm", KindInvalid, "signature algorithm %q is not accepted; use rsa-sha256", sig.Algorithm)
	}
	for _, h := range stetSignedHeaders {
		if !slices.Contains(sig.Headers, h) {
			return nil, nil, refuse("signature.headers", KindInvalid, "the signature must cover %s; it covers %s", strings.Join(stetSignedHeaders, " "), strings.Join(sig.Headers, " "))
		}
	}
	if kid, _ := jwk["kid"].(string); sig.KeyID != kid && sig.KeyID != pki.ThumbprintS256(qseal) {
		return nil, nil, refuse("signature.key-id", KindInvalid, "keyId %q names no key in the body's jwks (kid %q, or x5t#S256 of its certificate)", sig.KeyID, kid)
	}
	if err := httpsig.Verify(qseal.PublicKey.(*rsa.PublicKey), sig, httpsig.Message{Method: r.Method, Target: r.URL.RequestURI(), Header: r.Header}); err != nil {
		return nil, nil, refuse("signature.invalid", KindInvalid, "%v (the key is the QSEAL certificate in jwks.keys[0].x5c[0])", err)
	}

	// The fields.
	str := func(k string) string { v, _ := body[k].(string); return v }
	if v := str("token_endpoint_auth_method"); v != "tls_client_auth" {
		return nil, nil, refuse("body.token-endpoint-auth-method", KindInvalid, `token_endpoint_auth_method %q must be "tls_client_auth"`, v)
	}
	if g, ok := stringList(body["grant_types"]); !ok || !slices.Equal(g, []string{"client_credentials"}) {
		return nil, nil, refuse("body.grant-types", KindInvalid, `grant_types must be ["client_credentials"]`)
	}
	if rt, ok := stringList(body["response_types"]); !ok || !slices.Equal(rt, []string{"code"}) {
		return nil, nil, refuse("body.response-types", KindInvalid, `response_types must be ["code"]`)
	}
	if strings.TrimSpace(str("client_name")) == "" {
		return nil, nil, refuse("body.client-name", KindRequired, "client_name, the TPP's legal name, must be a non-empty string")
	}
	if strings.TrimSpace(str("software_id")) == "" {
		return nil, nil, refuse("body.software-id", KindRequired, "software_id, the name shown to customers, must be a non-empty string")
	}
	if ref := checkRedirects(body["redirect_uris"], nil); ref != nil {
		return nil, nil, ref
	}
	roles, _ := pki.PSD2(cert)
	scopes := strings.Split(str("scope"), ",")
	for _, sc := range scopes {
		sc = strings.TrimSpace(sc)
		role, known := stetRoles[sc]
		if !known {
			return nil, nil, refuse("body.scope", KindInvalid, "scope %q is not aisp, pisp or cbpii (comma separated)", sc)
		}
		if !slices.Contains(roles.Roles, role) {
			return nil, nil, refuse("body.scope-role", KindInvalid, "scope %q needs the %s role, which the QWAC does not carry (roles: %s)", sc, role, strings.Join(roles.Roles, ", "))
		}
	}
	contact, _ := body["contact"].(map[string]any)
	for _, f := range []string{"contact_name", "email", "phone_number"} {
		if v, _ := contact[f].(string); strings.TrimSpace(v) == "" {
			return nil, nil, refuse("body.contact", KindRequired, "contact.%s is required", f)
		}
	}
	if email, _ := contact["email"].(string); !validEmail(email) {
		return nil, nil, refuse("body.contact", KindInvalid, "contact.email %q is not an e-mail address", email)
	}
	legal := str("provider_legal_id")
	if !pki.IsPSD2AuthorisationNumber(legal) {
		return nil, nil, refuse("body.provider-legal-id", KindInvalid, "provider_legal_id %q is not in the ETSI form PSDXX-YYYYYYYY-ZZZZZZZZ", legal)
	}
	if org := pki.OrganizationIdentifier(cert); legal != org {
		return nil, nil, refuse("body.provider-legal-id", KindInvalid, "provider_legal_id %q is not the QWAC's organizationIdentifier %q", legal, org)
	}
	if org := pki.OrganizationIdentifier(qseal); legal != org {
		return nil, nil, refuse("jwks.organisation", KindInvalid, "the QSEAL certificate's organizationIdentifier %q is not provider_legal_id %q", org, legal)
	}
	agent, hasAgent := body["client_legal_id"]
	agentID, _ := agent.(string)
	if hasAgent && !pki.IsAgentID(agentID) {
		return nil, nil, refuse("body.client-legal-id", KindInvalid, "client_legal_id %v is not in the agent form AGTXX-YYYYYYYY-ZZZZZZZZ", agent)
	}

	// Create or change.
	id := legal
	if agentID != "" {
		id = agentID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := clientKey(b.ID, id)
	existing := s.st.Clients[key]
	now := s.now().UTC()
	switch {
	case clientID == "" && existing != nil:
		return nil, nil, refuse("register.duplicate", KindInvalid, "%s is already registered; change it with PUT %s/%s", id, b.RegisterPath, id)
	case clientID != "":
		old := s.st.Clients[clientKey(b.ID, clientID)]
		if old == nil {
			return nil, nil, refuse("client.unknown", KindNotFound, "client %s is not registered at this bank", clientID)
		}
		if old.OrgIdentifier != t.orgIdentifier {
			return nil, nil, refuse("client.other-owner", KindCaller, "client %s belongs to %s, not to %s", clientID, old.OrgIdentifier, t.orgIdentifier)
		}
		if id != clientID {
			return nil, nil, refuse("register.client-id", KindInvalid, "the body describes client %s (from provider_legal_id / client_legal_id), not %s", id, clientID)
		}
		existing = old
	}
	c := &Client{Bank: b.ID, ClientID: id, OrgIdentifier: legal, AuthMethod: "tls_client_auth", Metadata: body, Created: now, Updated: now}
	if existing != nil {
		c.Created = existing.Created
	}
	c.SubjectDN, _ = pki.SubjectDN(cert)
	s.st.Clients[key] = c
	if err := saveState(s.opts.Dir, s.st); err != nil {
		return nil, nil, refuse("sandbox.storage", KindInternal, "the sandbox could not save the registration: %v", err)
	}
	return c, body, nil
}

// checkSTETKeys: jwks.keys holds exactly one RSA key (seed 001's table):
// kty RSA, use sig, alg RS256, key_ops ["verify"], a kid, x5c with exactly
// the QSEALC, x5t#S256 its thumbprint; x5u and x5t forbidden. The
// certificate must come from the trust framework and hold the key given.
func (s *Server) checkSTETKeys(v any) (*x509.Certificate, map[string]any, *Refusal) {
	set, _ := v.(map[string]any)
	keys, _ := set["keys"].([]any)
	if len(keys) != 1 {
		return nil, nil, refuse("jwks.keys", KindInvalid, "jwks.keys must hold exactly one key, the QSEALC's; it holds %d", len(keys))
	}
	k, ok := keys[0].(map[string]any)
	if !ok {
		return nil, nil, refuse("jwks.keys", KindInvalid, "jwks.keys[0] is not a JSON object")
	}
	for _, f := range []string{"x5u", "x5t"} {
		if _, ok := k[f]; ok {
			return nil, nil, refuse("jwks.forbidden", KindInvalid, "jwks.keys[0].%s is forbidden", f)
		}
	}
	for f, want := range map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256"} {
		if k[f] != want {
			return nil, nil, refuse("jwks."+f, KindInvalid, "jwks.keys[0].%s must be %q, not %v", f, want, k[f])
		}
	}
	if ops, ok := stringList(k["key_ops"]); !ok || !slices.Equal(ops, []string{"verify"}) {
		return nil, nil, refuse("jwks.key_ops", KindInvalid, `jwks.keys[0].key_ops must be ["verify"]`)
	}
	if kid, _ := k["kid"].(string); kid == "" {
		return nil, nil, refuse("jwks.kid", KindRequired, "jwks.keys[0].kid is required")
	}
	x5c, ok := stringList(k["x5c"])
	if !ok || len(x5c) != 1 {
		return nil, nil, refuse("jwks.x5c", KindInvalid, "jwks.keys[0].x5c must hold exactly one certificate, the QSEALC, without its chain")
	}
	der, err := base64.StdEncoding.DecodeString(x5c[0])
	if err != nil {
		return nil, nil, refuse("jwks.x5c", KindInvalid, "jwks.keys[0].x5c[0] is not standard base64 DER")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, refuse("jwks.x5c", KindInvalid, "jwks.keys[0].x5c[0] is not a certificate: %v", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: s.roots, CurrentTime: s.now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, nil, refuse("jwks.x5c-untrusted", KindInvalid, "the QSEAL certificate is not one the sandbox trust framework issued, or it has expired: %v", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, refuse("jwks.kty", KindInvalid, "the QSEAL certificate's key is not RSA")
	}
	if t, _ := k["x5t#S256"].(string); t != pki.ThumbprintS256(cert) {
		return nil, nil, refuse("jwks.x5t#S256", KindInvalid, "jwks.keys[0].x5t#S256 %q is not the certificate's SHA-256 thumbprint %q", t, pki.ThumbprintS256(cert))
	}
	n, errN := decodeB64URL(k["n"])
	e, errE := decodeB64URL(k["e"])
	if errN != nil || errE != nil || new(big.Int).SetBytes(n).Cmp(pub.N) != 0 || new(big.Int).SetBytes(e).Int64() != int64(pub.E) {
		return nil, nil, refuse("jwks.key-mismatch", KindInvalid, "jwks.keys[0] n and e are not the key of the certificate in x5c")
	}
	return cert, k, nil
}

func decodeB64URL(v any) ([]byte, error) {
	s, _ := v.(string)
	return base64.RawURLEncoding.DecodeString(s)
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}
