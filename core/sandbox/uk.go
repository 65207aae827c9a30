package sandbox

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
)

// maxBody bounds a request body the sandbox reads.
const maxBody = 256 << 10

// roleScopes: the SSA software_roles a UK scope needs.
var roleScopes = map[string]string{"accounts": "AISP", "payments": "PISP", "fundsconfirmations": "CBPII"}

// ukRequest is a registration JWT that passed every check.
type ukRequest struct {
	claims   map[string]any
	jwksURI  string
	software *Software
	cert     *x509.Certificate
	method   string
}

// ukRegister handles POST {register}: seed 000 and OBIE DCR.
func (s *Server) ukRegister(w http.ResponseWriter, r *http.Request, b *bank) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.fail(w, r, b.Style, refuse("http.method", KindMethodNotAllowed, "%s is not allowed here; register with POST, manage with GET/PUT/DELETE %s/{client_id}", r.Method, b.RegisterPath))
		return
	}
	req, ref := s.checkUKRegistration(r, b, nil)
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	c := &Client{Bank: b.ID, ClientID: newID(22), SoftwareID: req.software.ID, OrgIdentifier: pki.OrganizationIdentifier(req.cert),
		Created: s.now().UTC(), Updated: s.now().UTC()}
	answer := s.applyUKMetadata(b, c, req)
	s.issueCredentials(c, answer, s.registerURL(b)+"/"+c.ClientID)
	s.created(w, r, b, c, b.CreateStatus, answer)
}

// applyUKMetadata records the accepted claims on the client and returns the
// client's public record (RFC 7591 section 3.2.1).
func (s *Server) applyUKMetadata(b *bank, c *Client, req *ukRequest) map[string]any {
	meta := map[string]any{}
	for _, k := range []string{"redirect_uris", "token_endpoint_auth_method", "token_endpoint_auth_signing_alg", "tls_client_auth_subject_dn",
		"grant_types", "response_types", "scope", "application_type", "request_object_signing_alg", "id_token_signed_response_alg", "software_statement"} {
		if v, ok := req.claims[k]; ok {
			meta[k] = v
		}
	}
	meta["software_id"] = req.software.ID
	if _, ok := meta["token_endpoint_auth_method"]; !ok {
		meta["token_endpoint_auth_method"] = b.DefaultAuth
	}
	if _, ok := meta["response_types"]; !ok {
		meta["response_types"] = []string{"code"}
	}
	c.Metadata = meta
	c.AuthMethod = req.method
	c.AuthAlg, _ = req.claims["token_endpoint_auth_signing_alg"].(string)
	if c.AuthMethod == "private_key_jwt" && c.AuthAlg == "" {
		c.AuthAlg = "PS256"
	}
	c.SubjectDN, _ = req.claims["tls_client_auth_subject_dn"].(string)
	c.JWKSURI = req.jwksURI
	answer := map[string]any{"client_id": c.ClientID, "client_id_issued_at": c.Created.Unix()}
	for k, v := range meta {
		answer[k] = v
	}
	return answer
}

// checkUKRegistration applies every rule a UK bank applies to a
// registration JWT (seed 000's claim table; OBIE DCR v3.3). existing is the
// client being changed by PUT, or nil.
func (s *Server) checkUKRegistration(r *http.Request, b *bank, existing *Client) (*ukRequest, *Refusal) {
	cert, ref := s.caller(r)
	if ref != nil {
		return nil, ref
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != b.ContentType {
		return nil, refuse("request.content-type", KindMediaType, "Content-Type %q is not accepted; this bank takes %s", r.Header.Get("Content-Type"), b.ContentType)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, refuse("request.body", KindFormat, "the body could not be read: %v", err)
	}
	compact := strings.TrimSpace(string(body))

	// The JWS header, before anything is trusted.
	hdr, err := peekHeader(compact)
	if err != nil {
		return nil, refuse("jws.format", KindFormat, "the body is not a signed JWT: %v", err)
	}
	alg, _ := hdr["alg"].(string)
	if !slices.Contains(b.Algs, alg) {
		return nil, refuse("jws.alg", KindInvalid, "the request is signed with %q; this bank accepts %s", alg, strings.Join(b.Algs, ", "))
	}
	kid, _ := hdr["kid"].(string)
	if kid == "" {
		return nil, refuse("jws.kid", KindRequired, "the JWT header has no kid; it must name the signing key published in the software's JWKS")
	}
	for _, m := range []string{"x5c", "x5u", "jwk", "jku"} {
		if _, ok := hdr[m]; ok {
			return nil, refuse("jws.header-key", KindInvalid, "the JWT header carries %q; the key must come from the directory's JWKS, named by kid only", m)
		}
	}
	if _, ok := hdr["crit"]; ok {
		return nil, refuse("jws.crit", KindInvalid, "the JWT header has critical extensions the bank does not understand")
	}
	if typ, ok := hdr["typ"].(string); ok && !strings.EqualFold(typ, "JWT") {
		return nil, refuse("jws.typ", KindInvalid, "the JWT header typ is %q, not JWT", typ)
	}
	claims, err := peekClaims(compact)
	if err != nil {
		return nil, refuse("jws.format", KindFormat, "the JWT cannot be read: %v", err)
	}
	var missing []string
	for _, k := range b.Required {
		if v, ok := claims[k]; !ok || v == nil || v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, refuse("claims.required", KindRequired, "required claims are missing: %s", strings.Join(missing, ", "))
	}

	// The software statement, then the key it points at.
	ssaRaw, ok := claims["software_statement"].(string)
	if !ok {
		return nil, refuse("claims.required", KindRequired, "software_statement must be a string (the statement JWT)")
	}
	sw, ssaClaims, ref := s.verifyStatement(ssaRaw)
	if ref != nil {
		return nil, ref
	}
	if existing != nil && existing.SoftwareID != sw.ID {
		return nil, refuse("ssa.other-software", KindInvalid, "the statement is for software %s, but client %s belongs to software %s", sw.ID, existing.ClientID, existing.SoftwareID)
	}
	jwksURI, _ := ssaClaims["software_jwks_endpoint"].(string)
	keys, ref := s.fetchKeys(r, jwksURI)
	if ref != nil {
		return nil, ref
	}
	found := keys.Key(kid)
	if len(found) == 0 {
		return nil, refuse("jws.kid-unknown", KindKeyNotFound, "kid %q is not published at the software's JWKS endpoint", kid)
	}
	key := found[0]
	if key.Use != "" && key.Use != "sig" {
		return nil, refuse("jws.key-use", KindInvalid, "key %q is published for %q, not for signing", kid, key.Use)
	}
	jws, err := jose.ParseSigned(compact, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return nil, refuse("jws.format", KindFormat, "the JWT cannot be read: %v", err)
	}
	if _, err := jws.Verify(key.Key); err != nil {
		return nil, refuse("jws.signature", KindInvalid, "the JWT signature does not verify with key %q from the software's JWKS", kid)
	}
	if !sw.hasCertificate(cert) {
		return nil, refuse("mtls.not-software-certificate", KindCaller,
			"the transport certificate %q is not one the directory issued to software %s", cert.Subject.CommonName, sw.ID)
	}

	// Time, audience, issuer, replay.
	now := s.now()
	iat, okIat := numericDate(claims["iat"])
	exp, okExp := numericDate(claims["exp"])
	switch {
	case !okIat || !okExp:
		return nil, refuse("jwt.time", KindInvalid, "iat and exp must be numbers of seconds since 1970")
	case iat.After(now.Add(clockSkew)):
		return nil, refuse("jwt.iat-future", KindInvalid, "iat %s is in the future; check the computer's clock", iat.UTC().Format(time.RFC3339))
	case !now.Before(exp.Add(clockSkew)):
		return nil, refuse("jwt.expired", KindInvalid, "the request expired at %s", exp.UTC().Format(time.RFC3339))
	case !exp.After(iat) || exp.Sub(iat) > maxJWTLifetime:
		return nil, refuse("jwt.lifetime", KindInvalid, "exp must be after iat and at most %s later", maxJWTLifetime)
	}
	if nbf, ok := numericDate(claims["nbf"]); ok && nbf.After(now.Add(clockSkew)) {
		return nil, refuse("jwt.nbf", KindInvalid, "the request is not valid before %s", nbf.UTC().Format(time.RFC3339))
	}
	if !audienceHas(claims["aud"], b.Audience, s.issuer(b)) {
		return nil, refuse("jwt.aud", KindInvalid, "aud %v is not this bank; use %q (its id in the directory) or its issuer %q", claims["aud"], b.Audience, s.issuer(b))
	}
	if iss, _ := claims["iss"].(string); iss != sw.ID {
		return nil, refuse("jwt.iss", KindInvalid, "iss %q must be the software_id %q of the statement", iss, sw.ID)
	}
	if id, ok := claims["software_id"]; ok && id != sw.ID {
		return nil, refuse("jwt.software-id", KindInvalid, "software_id %v differs from the statement's %q", id, sw.ID)
	}
	if jti, ok := claims["jti"]; ok || b.RequireJTI {
		id, _ := jti.(string)
		if id == "" {
			return nil, refuse("jwt.jti", KindRequired, "jti must be a unique string")
		}
		if !s.firstUse(b.ID+"/"+sw.ID+"/"+id, exp.Add(clockSkew)) {
			return nil, refuse("jwt.jti-replayed", KindInvalid, "jti %q was already used; every request needs a new one", id)
		}
	}

	// Metadata.
	if ref := checkRedirects(claims["redirect_uris"], ssaStrings(ssaClaims["software_redirect_uris"])); ref != nil {
		return nil, ref
	}
	method := b.DefaultAuth
	if v, ok := claims["token_endpoint_auth_method"]; ok {
		method, _ = v.(string)
	}
	if !slices.Contains(b.AuthMethods, method) {
		return nil, refuse("metadata.auth-method", KindInvalid, "token_endpoint_auth_method %q is not accepted; this bank allows %s", method, strings.Join(b.AuthMethods, ", "))
	}
	switch method {
	case "tls_client_auth":
		if ref := checkSubjectDN(claims["tls_client_auth_subject_dn"], cert); ref != nil {
			return nil, ref
		}
	case "private_key_jwt":
		if v, ok := claims["token_endpoint_auth_signing_alg"]; ok && !slices.Contains(b.Algs, fmt.Sprint(v)) {
			return nil, refuse("metadata.auth-signing-alg", KindInvalid, "token_endpoint_auth_signing_alg %v is not one of %s", v, strings.Join(b.Algs, ", "))
		}
	}
	for _, field := range []string{"request_object_signing_alg", "id_token_signed_response_alg", "token_endpoint_auth_signing_alg"} {
		if v, ok := claims[field]; ok && !slices.Contains(b.Algs, fmt.Sprint(v)) {
			return nil, refuse("metadata.alg", KindInvalid, "%s %v is not one of %s", field, v, strings.Join(b.Algs, ", "))
		}
	}
	if ref := checkValues("metadata.grant-types", claims["grant_types"], b.GrantTypes, true); ref != nil {
		return nil, ref
	}
	if ref := checkValues("metadata.response-types", claims["response_types"], b.ResponseTypes, false); ref != nil {
		return nil, ref
	}
	if v, ok := claims["application_type"]; ok && v != "web" && v != "mobile" {
		return nil, refuse("metadata.application-type", KindInvalid, "application_type %v is not web or mobile", v)
	}
	if v, ok := claims["scope"]; ok {
		scope, _ := v.(string)
		roles := ssaStrings(ssaClaims["software_roles"])
		for _, sc := range strings.Fields(scope) {
			if !slices.Contains(b.Scopes, sc) {
				return nil, refuse("scope.unknown", KindInvalid, "scope %q is not offered; this bank offers %s", sc, strings.Join(b.Scopes, " "))
			}
			if role, need := roleScopes[sc]; need && !containsFold(roles, role) {
				return nil, refuse("scope.role", KindInvalid, "scope %q needs the %s role, which the software statement does not give (roles: %s)", sc, role, strings.Join(roles, ", "))
			}
		}
		if strings.TrimSpace(scope) == "" {
			return nil, refuse("scope.unknown", KindInvalid, "scope must be a space-separated list of %s", strings.Join(b.Scopes, " "))
		}
	}
	return &ukRequest{claims: claims, jwksURI: jwksURI, software: sw, cert: cert, method: method}, nil
}

// firstUse records a one-time id until its expiry and reports whether it
// was new.
func (s *Server) firstUse(id string, until time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, t := range s.jtis {
		if now.After(t) {
			delete(s.jtis, k)
		}
	}
	if _, seen := s.jtis[id]; seen {
		return false
	}
	s.jtis[id] = until
	return true
}

func ssaStrings(v any) []string { l, _ := stringList(v); return l }

// checkRedirects applies the redirect URI rules shared by the dialects:
// present, https, not a loopback address, no fragment, and, when the
// statement lists some, a subset of them.
func checkRedirects(v any, allowed []string) *Refusal {
	uris, ok := stringList(v)
	if !ok || len(uris) == 0 {
		return refuse("redirect.required", KindRequired, "redirect_uris must be a non-empty array of addresses")
	}
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return refuse("redirect.https", KindRedirect, "redirect URI %q is not an absolute address", raw)
		}
		if u.Scheme != "https" {
			return refuse("redirect.https", KindRedirect, "redirect URI %q must use https", raw)
		}
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || strings.HasSuffix(host, ".localhost") || (ip != nil && ip.IsLoopback()) {
			return refuse("redirect.localhost", KindRedirect, "redirect URI %q points at this computer (localhost)", raw)
		}
		if u.Fragment != "" {
			return refuse("redirect.fragment", KindRedirect, "redirect URI %q must not have a fragment", raw)
		}
		if len(allowed) > 0 && !slices.Contains(allowed, raw) {
			return refuse("redirect.not-in-statement", KindRedirect, "redirect URI %q is not one of the software statement's software_redirect_uris", raw)
		}
	}
	return nil
}

// checkSubjectDN: with tls_client_auth, tls_client_auth_subject_dn must
// name the certificate presented (RFC 8705 section 2.1.2).
func checkSubjectDN(v any, cert *x509.Certificate) *Refusal {
	claim, _ := v.(string)
	if claim == "" {
		return refuse("metadata.subject-dn", KindRequired, "tls_client_auth needs tls_client_auth_subject_dn, the transport certificate's subject DN")
	}
	want, _ := pki.SubjectDN(cert)
	got, err := pki.ParseDN(claim)
	if err != nil {
		return refuse("metadata.subject-dn", KindInvalid, "tls_client_auth_subject_dn %q is not an RFC 4514 name: %v", claim, err)
	}
	presented, err := pki.NameDN(cert.RawSubject)
	if err != nil || !got.Equal(presented) {
		return refuse("metadata.subject-dn", KindInvalid, "tls_client_auth_subject_dn %q is not the presented certificate's subject %q", claim, want)
	}
	return nil
}

// checkValues: v must be an array of allowed strings (non-empty if required).
func checkValues(rule string, v any, allowed []string, required bool) *Refusal {
	if v == nil && !required {
		return nil
	}
	list, ok := stringList(v)
	if !ok || (required && len(list) == 0) {
		return refuse(rule, KindInvalid, "must be an array of: %s", strings.Join(allowed, ", "))
	}
	for _, x := range list {
		if !slices.Contains(allowed, x) {
			return refuse(rule, KindInvalid, "%q is not accepted; allowed: %s", x, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// echoInteraction returns the caller's x-fapi-interaction-id, or a new
// UUID when it sent none, as FAPI 1.0 Baseline section 6.2.1 asks.
func echoInteraction(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("X-Fapi-Interaction-Id")
	if id == "" {
		id = registration.NewUUID()
	}
	w.Header().Set("X-Fapi-Interaction-Id", id)
}

// ukManage handles GET, PUT and DELETE {register}/{client_id} (RFC 7592;
// OBIE DCR), authorised by the registration access token or by an access
// token the bank's token endpoint gave this client.
func (s *Server) ukManage(w http.ResponseWriter, r *http.Request, b *bank) {
	id := r.PathValue("client_id")
	cert, ok := s.manageable(w, r, b)
	if !ok {
		return
	}
	c, ref := s.authoriseManagement(r, b, id, cert)
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	switch r.Method {
	case http.MethodGet:
		echoInteraction(w, r)
		writeJSON(w, http.StatusOK, record(c, s.registerURL(b)+"/"+id))
		s.log(r, http.StatusOK, "", id)
	case http.MethodDelete:
		if ref := s.change(func(st *state) {
			delete(st.Clients, clientKey(b.ID, id))
			for k, t := range s.tokens {
				if t.bank == b.ID && t.clientID == id {
					delete(s.tokens, k)
				}
			}
		}); ref != nil {
			s.fail(w, r, b.Style, ref)
			return
		}
		echoInteraction(w, r)
		w.WriteHeader(http.StatusNoContent)
		s.log(r, http.StatusNoContent, "", id)
	case http.MethodPut:
		req, ref := s.checkUKRegistration(r, b, c)
		if ref != nil {
			s.fail(w, r, b.Style, ref)
			return
		}
		if v, ok := req.claims["client_id"]; ok && v != id {
			s.fail(w, r, b.Style, refuse("metadata.client-id", KindInvalid, "client_id %v in the request is not %s", v, id))
			return
		}
		updated := *c
		updated.Updated = s.now().UTC()
		answer := s.applyUKMetadata(b, &updated, req)
		answer["registration_client_uri"] = s.registerURL(b) + "/" + id
		s.changed(w, r, b, c, &updated, answer)
	}
}

// manageable checks the method and the caller's certificate of a request
// to a registration's management address.
func (s *Server) manageable(w http.ResponseWriter, r *http.Request, b *bank) (*x509.Certificate, bool) {
	switch r.Method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		s.fail(w, r, b.Style, refuse("http.method", KindMethodNotAllowed, "%s is not allowed on a registration; use GET, PUT or DELETE", r.Method))
		return nil, false
	}
	cert, ref := s.caller(r)
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return nil, false
	}
	return cert, true
}

// record is a client's public registration record, managed at manageURI.
func record(c *Client, manageURI string) map[string]any {
	out := map[string]any{"client_id": c.ClientID, "client_id_issued_at": c.Created.Unix(), "registration_client_uri": manageURI}
	for k, v := range c.Metadata {
		out[k] = v
	}
	return out
}

// changed keeps a changed registration and answers 200 with its record. A
// client that moved to a client_secret method is given a secret.
func (s *Server) changed(w http.ResponseWriter, r *http.Request, b *bank, old, updated *Client, answer map[string]any) {
	if updated.AuthMethod != old.AuthMethod && (updated.AuthMethod == "client_secret_basic" || updated.AuthMethod == "client_secret_post") {
		secret := s.newSecret()
		updated.SecretHash = hashSecret(secret)
		answer["client_secret"] = secret
		answer["client_secret_expires_at"] = 0
	}
	answer["client_id_issued_at"] = old.Created.Unix()
	if ref := s.change(func(st *state) { st.Clients[clientKey(b.ID, updated.ClientID)] = updated }); ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	echoInteraction(w, r)
	writeJSON(w, http.StatusOK, answer)
	s.log(r, http.StatusOK, "", updated.ClientID)
}

// authoriseManagement finds the client and checks the Bearer token: its
// registration access token, or an access token the token endpoint issued
// to it over the same certificate.
func (s *Server) authoriseManagement(r *http.Request, b *bank, id string, cert *x509.Certificate) (*Client, *Refusal) {
	token := bearer(r)
	if token == "" {
		return nil, refuse("token.missing", KindToken, "an Authorization: Bearer token is needed: the registration access token, or a client_credentials access token for this client")
	}
	s.mu.Lock()
	c := s.st.Clients[clientKey(b.ID, id)]
	s.mu.Unlock()
	if c == nil {
		return nil, refuse("client.unknown", KindNotFound, "client %s is not registered at this bank", id)
	}
	if secretMatches(c.RATHash, token) {
		return c, nil
	}
	t, ref := s.validToken(token, b, cert)
	if ref != nil {
		return nil, ref
	}
	if t.clientID != id {
		return nil, refuse("token.other-client", KindToken, "the access token was issued to another client")
	}
	return c, nil
}

// certificateUpload handles seed 000's POST .../tpp/certificates:
// {"data":{"certificate":{"pem","name","type":"qseal"}}}.
func (s *Server) certificateUpload(w http.ResponseWriter, r *http.Request, b *bank) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.fail(w, r, b.Style, refuse("http.method", KindMethodNotAllowed, "use POST to add a certificate"))
		return
	}
	caller, ref := s.caller(r)
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	var req struct {
		Data struct {
			Certificate struct {
				PEM  string `json:"pem"`
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"certificate"`
		} `json:"data"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		s.fail(w, r, b.Style, refuse("certificate.body", KindFormat, "the body is not the JSON the endpoint takes: %v", err))
		return
	}
	c := req.Data.Certificate
	var missing []string
	for k, v := range map[string]string{"data.certificate.pem": c.PEM, "data.certificate.name": c.Name, "data.certificate.type": c.Type} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		// Seed 000 lists WrongRequiredFields as this endpoint's error.
		s.fail(w, r, b.Style, refuse("certificate.required", KindRequired, "required fields are missing: %s", strings.Join(missing, ", ")))
		return
	}
	if c.Type != "qseal" {
		s.fail(w, r, b.Style, refuse("certificate.type", KindRequired, "type %q is not accepted; send the QSEAL certificate with type \"qseal\"", c.Type))
		return
	}
	cert, err := parseLoosePEM(c.PEM)
	if err != nil {
		s.fail(w, r, b.Style, refuse("certificate.pem", KindRequired, "pem is not a certificate: %v", err))
		return
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: s.roots, CurrentTime: s.now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		s.fail(w, r, b.Style, refuse("certificate.untrusted", KindRequired, "the certificate is not one the sandbox trust framework issued, or it has expired: %v", err))
		return
	}
	if org := pki.OrganizationIdentifier(cert); org == "" || org != pki.OrganizationIdentifier(caller) {
		s.fail(w, r, b.Style, refuse("certificate.organisation", KindRequired, "the certificate's organizationIdentifier %q is not the caller's %q", org, pki.OrganizationIdentifier(caller)))
		return
	}
	subject, _ := pki.SubjectDN(cert)
	up := UploadedCertificate{Bank: b.ID, Name: c.Name, Type: c.Type, Subject: subject, Fingerprint: pki.FingerprintSHA256(cert), Received: s.now().UTC()}
	if ref := s.change(func(st *state) { st.Certificates = append(st.Certificates, up) }); ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"certificate": map[string]any{
		"name": up.Name, "type": up.Type, "subject": up.Subject, "sha256": up.Fingerprint,
		"status": "pending", "message": "A confirmation letter is sent to your representative's e-mail (sandbox: not really).",
	}}})
	s.log(r, http.StatusOK, "", "")
}

// parseLoosePEM reads a certificate PEM, also in the one-line form seed
// 000's example sends ("-----BEGIN CERTIFICATE-----MIID...-----END...").
func parseLoosePEM(s string) (*x509.Certificate, error) {
	if certs, err := pki.ParseCertificates([]byte(s)); err == nil {
		if len(certs) != 1 {
			return nil, fmt.Errorf("%d certificates sent; send exactly one", len(certs))
		}
		return certs[0], nil
	}
	body := strings.TrimSpace(s)
	body, ok1 := strings.CutPrefix(body, "-----BEGIN CERTIFICATE-----")
	body, ok2 := strings.CutSuffix(body, "-----END CERTIFICATE-----")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("no BEGIN/END CERTIFICATE markers")
	}
	body = strings.Join(strings.Fields(body), "")
	certs, err := pki.ParseCertificates([]byte("-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n"))
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("%d certificates sent; send exactly one", len(certs))
	}
	return certs[0], nil
}
