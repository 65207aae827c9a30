package sandbox

import (
	"bytes"
	"crypto/subtle"
	"crypto/x509"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/pki"
)

// oauthMetadata are the client metadata the RFC 7591 server keeps and
// returns (RFC 7591 section 2; RFC 8705 section 2). Others are ignored, as
// section 2 asks.
var oauthMetadata = []string{"redirect_uris", "token_endpoint_auth_method", "token_endpoint_auth_signing_alg", "tls_client_auth_subject_dn",
	"grant_types", "response_types", "client_name", "client_uri", "logo_uri", "scope", "contacts", "tos_uri", "policy_uri",
	"jwks_uri", "jwks", "software_id", "software_version", "software_statement"}

// oauthReadOnly are what a server sets; an update must not send them (RFC
// 7592 section 2.2).
var oauthReadOnly = []string{"registration_access_token", "registration_client_uri", "client_id_issued_at", "client_secret_expires_at"}

func (s *Server) clientsURL(b *bank, handle string) string { return s.issuer(b) + "/clients/" + handle }

// oauthRegister handles POST {register} of the RFC 7591 server: a JSON
// object of client metadata, an optional software statement signed by the
// sandbox directory, and an optional initial access token (RFC 7591
// section 3), over mutual TLS.
func (s *Server) oauthRegister(w http.ResponseWriter, r *http.Request, b *bank) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.fail(w, r, b.Style, refuse("http.method", KindMethodNotAllowed, "%s is not allowed here; register with POST, then manage the client at the registration_client_uri returned", r.Method))
		return
	}
	cert, ref := s.caller(r)
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	if token := bearer(r); token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.initialToken)) != 1 {
		s.fail(w, r, b.Style, refuse("token.initial", KindToken, "the initial access token is not one this server issued"))
		return
	}
	meta, ref := s.checkOAuthMetadata(r, b, cert, nil)
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	now := s.now().UTC()
	c := &Client{Bank: b.ID, ClientID: newID(22), Handle: newID(16), OrgIdentifier: pki.OrganizationIdentifier(cert), Created: now, Updated: now}
	answer := s.applyOAuthMetadata(c, meta)
	s.issueCredentials(c, answer, s.clientsURL(b, c.Handle))
	s.created(w, r, b, c, http.StatusCreated, answer)
}

// applyOAuthMetadata keeps the accepted metadata on the client and returns
// its information response (RFC 7591 section 3.2.1).
func (s *Server) applyOAuthMetadata(c *Client, meta map[string]any) map[string]any {
	kept := map[string]any{}
	for _, k := range oauthMetadata {
		if v, ok := meta[k]; ok {
			kept[k] = v
		}
	}
	c.Metadata = kept
	c.AuthMethod, _ = kept["token_endpoint_auth_method"].(string)
	c.AuthAlg, _ = kept["token_endpoint_auth_signing_alg"].(string)
	c.SubjectDN, _ = kept["tls_client_auth_subject_dn"].(string)
	c.JWKSURI, _ = kept["jwks_uri"].(string)
	c.SoftwareID, _ = kept["software_id"].(string)
	answer := map[string]any{"client_id": c.ClientID, "client_id_issued_at": c.Created.Unix()}
	for k, v := range kept {
		answer[k] = v
	}
	return answer
}

// checkOAuthMetadata applies the server's rules to a registration or, when
// existing is set, to its change. Defaults are RFC 7591 section 2's.
func (s *Server) checkOAuthMetadata(r *http.Request, b *bank, cert *x509.Certificate, existing *Client) (map[string]any, *Refusal) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, refuse("request.content-type", KindMediaType, "Content-Type %q is not application/json (RFC 7591 section 3)", r.Header.Get("Content-Type"))
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var meta map[string]any
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err = dec.Decode(&meta); err == nil && dec.More() {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil || meta == nil {
		return nil, refuse("body.json", KindFormat, "the body must be one JSON object of client metadata")
	}
	if existing != nil {
		if meta["client_id"] != existing.ClientID {
			return nil, refuse("metadata.client-id", KindInvalid, "the body's client_id %v is not this registration's (RFC 7592 section 2.2)", meta["client_id"])
		}
		for _, k := range oauthReadOnly {
			if _, has := meta[k]; has {
				return nil, refuse("metadata.read-only", KindInvalid, "%s is set by the server and must not be sent in an update (RFC 7592 section 2.2)", k)
			}
		}
		if secret, has := meta["client_secret"]; has {
			if str, _ := secret.(string); existing.SecretHash == "" || !secretMatches(existing.SecretHash, str) {
				return nil, refuse("metadata.client-secret", KindInvalid, "client_secret does not match the one issued (RFC 7592 section 2.2)")
			}
		}
	}

	var allowed []string
	if raw, has := meta["software_statement"]; has {
		str, _ := raw.(string)
		sw, claims, ref := s.verifyStatement(str)
		if ref != nil {
			return nil, ref
		}
		if ref := s.ownsSoftware(cert, sw.ID); ref != nil {
			return nil, ref
		}
		if id, has := meta["software_id"]; has && id != sw.ID {
			return nil, refuse("metadata.software-id", KindInvalid, "software_id %v is not the statement's %s", id, sw.ID)
		}
		meta["software_id"] = sw.ID
		allowed = ssaStrings(claims["software_redirect_uris"])
	}

	if _, has := meta["grant_types"]; !has {
		meta["grant_types"] = []any{"authorization_code"}
	}
	if ref := checkValues("metadata.grant-types", meta["grant_types"], b.GrantTypes, true); ref != nil {
		return nil, ref
	}
	grants, _ := stringList(meta["grant_types"])
	if slices.Contains(grants, "authorization_code") {
		if _, has := meta["response_types"]; !has {
			meta["response_types"] = []any{"code"}
		}
		if ref := checkRedirects(meta["redirect_uris"], allowed); ref != nil {
			return nil, ref
		}
	} else if _, has := meta["redirect_uris"]; has {
		if ref := checkRedirects(meta["redirect_uris"], allowed); ref != nil {
			return nil, ref
		}
	}
	if ref := checkValues("metadata.response-types", meta["response_types"], b.ResponseTypes, false); ref != nil {
		return nil, ref
	}

	if _, has := meta["token_endpoint_auth_method"]; !has {
		meta["token_endpoint_auth_method"] = "client_secret_basic"
	}
	method, _ := meta["token_endpoint_auth_method"].(string)
	if !slices.Contains(b.AuthMethods, method) {
		return nil, refuse("metadata.auth-method", KindInvalid, "token_endpoint_auth_method %v is not offered; this server offers %v", meta["token_endpoint_auth_method"], b.AuthMethods)
	}
	switch method {
	case "tls_client_auth":
		if ref := checkSubjectDN(meta["tls_client_auth_subject_dn"], cert); ref != nil {
			return nil, ref
		}
	case "private_key_jwt":
		_, hasJWKS := meta["jwks"]
		_, hasURI := meta["jwks_uri"]
		if hasJWKS == hasURI {
			return nil, refuse("metadata.jwks", KindInvalid, "private_key_jwt needs exactly one of jwks and jwks_uri (RFC 7591 section 2)")
		}
		if hasURI {
			if u, err := url.Parse(stringOf(meta["jwks_uri"])); err != nil || u.Scheme != "https" || u.Host == "" {
				return nil, refuse("metadata.jwks", KindInvalid, "jwks_uri %v is not an https address", meta["jwks_uri"])
			}
		}
	}
	if _, has := meta["tls_client_auth_subject_dn"]; has && method != "tls_client_auth" {
		return nil, refuse("metadata.subject-dn", KindInvalid, "tls_client_auth_subject_dn is only for tls_client_auth")
	}
	if scope, has := meta["scope"]; has {
		str, ok := scope.(string)
		if !ok {
			return nil, refuse("metadata.scope", KindInvalid, "scope must be a space-separated string")
		}
		for _, sc := range strings.Fields(str) {
			if !slices.Contains(b.Scopes, sc) {
				return nil, refuse("metadata.scope", KindInvalid, "scope %q is not offered; this server offers %v", sc, b.Scopes)
			}
		}
	}
	return meta, nil
}

func stringOf(v any) string { s, _ := v.(string); return s }

// oauthManage handles GET, PUT and DELETE at a registration_client_uri
// (RFC 7592 section 2), authorised by the registration access token alone.
// The address holds a handle, not the client id: a client that builds the
// address from its client id finds nothing.
func (s *Server) oauthManage(w http.ResponseWriter, r *http.Request, b *bank) {
	cert, ok := s.manageable(w, r, b)
	if !ok {
		return
	}
	c, ref := s.clientByHandle(r, b, r.PathValue("handle"))
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	switch r.Method {
	case http.MethodGet:
		echoInteraction(w, r)
		writeJSON(w, http.StatusOK, record(c, s.clientsURL(b, c.Handle)))
		s.log(r, http.StatusOK, "", c.ClientID)
	case http.MethodDelete:
		if ref := s.change(func(st *state) { delete(st.Clients, clientKey(b.ID, c.ClientID)) }); ref != nil {
			s.fail(w, r, b.Style, ref)
			return
		}
		echoInteraction(w, r)
		w.WriteHeader(http.StatusNoContent)
		s.log(r, http.StatusNoContent, "", c.ClientID)
	case http.MethodPut:
		meta, ref := s.checkOAuthMetadata(r, b, cert, c)
		if ref != nil {
			s.fail(w, r, b.Style, ref)
			return
		}
		updated := *c
		updated.Updated = s.now().UTC()
		answer := s.applyOAuthMetadata(&updated, meta)
		// RFC 7592 section 2.2: the server may rotate the registration
		// access token; this one does on every change, so that a client
		// that keeps using the old one is caught.
		rat := s.newSecret()
		updated.RATHash = hashSecret(rat)
		answer["registration_access_token"] = rat
		answer["registration_client_uri"] = s.clientsURL(b, c.Handle)
		s.changed(w, r, b, c, &updated, answer)
	}
}

// clientByHandle finds the client a registration_client_uri names and
// checks its registration access token. An unknown client is answered as a
// bad token (RFC 7592 section 2), so that addresses cannot be probed.
func (s *Server) clientByHandle(r *http.Request, b *bank, handle string) (*Client, *Refusal) {
	token := bearer(r)
	if token == "" {
		return nil, refuse("token.missing", KindToken, "an Authorization: Bearer registration access token is needed (RFC 7592 section 2)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.st.Clients {
		if c.Bank == b.ID && c.Handle != "" && c.Handle == handle && secretMatches(c.RATHash, token) {
			return c, nil
		}
	}
	return nil, refuse("token.invalid", KindToken, "the registration access token is not valid for this address (or the client was deleted)")
}
