package sandbox

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
)

// The demo trust framework directory.
const (
	// DirectoryIssuer is the iss of every statement the directory signs.
	DirectoryIssuer = "TPP Wizard Sandbox Directory"
	// DirectoryKID is the kid of the directory's signing key.
	DirectoryKID = "sandbox-directory-1"
	// StatementMaxAge is how old a statement the banks still accept is:
	// banks take only fresh statements, often under 30 minutes old.
	StatementMaxAge = 30 * time.Minute

	directoryKeysPath = "/directory/keys.jwks"
	statementPath     = "/directory/software-statements/"
)

func (s *Server) directoryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+directoryKeysPath, s.directoryKeys)
	mux.HandleFunc("GET /directory/{org}/{file}", s.softwareJWKS)
	mux.HandleFunc("POST "+statementPath+"{software_id}", s.newStatement)
}

// jwksURL is where the directory publishes a software's keys.
func (s *Server) jwksURL(sw *Software) string {
	return s.base + "/directory/" + sw.OrgID + "/" + sw.ID + ".jwks"
}

// StatementPath is where, on the sandbox's address, a member asks for a
// fresh statement (POST, mutual TLS with the software's transport
// certificate).
func StatementPath(softwareID string) string { return statementPath + url.PathEscape(softwareID) }

// StatementURL is StatementPath on this sandbox.
func (s *Server) StatementURL(softwareID string) string { return s.base + StatementPath(softwareID) }

// directoryKeys publishes the directory's public key, with which anyone can
// check a statement it signed.
func (s *Server) directoryKeys(w http.ResponseWriter, r *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: s.directory.Public(), KeyID: DirectoryKID, Algorithm: string(jose.PS256), Use: "sig"}}}
	writeJSON(w, http.StatusOK, set)
	s.log(r, http.StatusOK, "", "")
}

// softwareJWKS serves /directory/{org_id}/{software_id}.jwks.
func (s *Server) softwareJWKS(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".jwks")
	s.mu.Lock()
	sw := s.st.Software[id]
	s.mu.Unlock()
	if !ok || sw == nil || sw.OrgID != r.PathValue("org") {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "error_description": "no such software in the sandbox directory"})
		s.log(r, http.StatusNotFound, "directory.unknown-software", "")
		return
	}
	writeJSON(w, http.StatusOK, pki.JWKS{Keys: sw.Keys})
	s.log(r, http.StatusOK, "", "")
}

// newStatement signs a fresh statement for the software whose transport
// certificate calls.
func (s *Server) newStatement(w http.ResponseWriter, r *http.Request) {
	cert, ref := s.caller(r)
	if ref == nil {
		ref = s.ownsSoftware(cert, r.PathValue("software_id"))
	}
	if ref != nil {
		s.fail(w, r, StyleRFC7591, ref)
		return
	}
	ssa, err := s.IssueStatement(r.PathValue("software_id"))
	if err != nil {
		s.fail(w, r, StyleRFC7591, refuse("directory.unknown-software", KindNotFound, "%v", err))
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(ssa))
	s.log(r, http.StatusOK, "", "")
}

// ownsSoftware checks that cert is one of the software's published keys.
func (s *Server) ownsSoftware(cert *x509.Certificate, softwareID string) *Refusal {
	s.mu.Lock()
	sw := s.st.Software[softwareID]
	s.mu.Unlock()
	if sw == nil || !sw.Active {
		return refuse("directory.unknown-software", KindCaller, "software %q is not an active member of the sandbox directory", softwareID)
	}
	if !sw.hasCertificate(cert) {
		return refuse("mtls.not-software-certificate", KindCaller,
			"the client certificate %q is not one the directory issued to software %s", cert.Subject.CommonName, softwareID)
	}
	return nil
}

func (sw *Software) hasCertificate(cert *x509.Certificate) bool {
	for _, k := range sw.Keys {
		if len(k.X5c) > 0 && k.X5c[0] == base64.StdEncoding.EncodeToString(cert.Raw) {
			return true
		}
	}
	return false
}

// softwareForCertificate finds the active software a certificate belongs to.
func (s *Server) softwareForCertificate(cert *x509.Certificate) *Software {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sw := range s.st.Software {
		if sw.Active && sw.hasCertificate(cert) {
			return sw
		}
	}
	return nil
}

// AddSoftware puts software in the directory (replacing one with the same id).
func (s *Server) AddSoftware(sw *Software) error {
	if sw.ID == "" || sw.OrgID == "" {
		return fmt.Errorf("software needs an id and an organisation id")
	}
	if ref := s.change(func(st *state) { st.Software[sw.ID] = sw }); ref != nil {
		return ref
	}
	s.forgetKeys()
	return nil
}

// Software returns a directory member's software, or nil.
func (s *Server) Software(id string) *Software {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Software[id]
}

// StatementClaims are the claims of a fresh statement for sw, in the OB
// Directory's shape.
func (s *Server) StatementClaims(sw *Software) map[string]any {
	return map[string]any{
		"iss":                    DirectoryIssuer,
		"iat":                    s.now().Unix(),
		"jti":                    registration.NewUUID(),
		"software_environment":   "sandbox",
		"software_mode":          "Test",
		"software_id":            sw.ID,
		"software_client_id":     sw.ID,
		"software_client_name":   sw.ClientName,
		"software_version":       "1.0",
		"software_redirect_uris": sw.RedirectURIs,
		"software_roles":         sw.Roles,
		"software_jwks_endpoint": s.jwksURL(sw),
		"org_status":             "Active",
		"org_id":                 sw.OrgID,
		"org_name":               sw.OrgName,
		"org_contacts":           sw.Contacts,
	}
}

// IssueStatement signs a fresh statement for a directory member.
func (s *Server) IssueStatement(softwareID string) (string, error) {
	sw := s.Software(softwareID)
	if sw == nil || !sw.Active {
		return "", fmt.Errorf("software %q is not an active member of the sandbox directory", softwareID)
	}
	return s.SignStatement(s.StatementClaims(sw))
}

// SignStatement signs any claims as the directory (PS256), as the OB
// Directory signs software statements.
func (s *Server) SignStatement(claims map[string]any) (string, error) {
	return signJWT(s.directory, jose.PS256, DirectoryKID, claims)
}

func signJWT(key crypto.Signer, alg jose.SignatureAlgorithm, kid string, claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// verifyStatement checks a software statement as a bank does: signed by the
// sandbox directory with PS256, fresh, and naming an active member.
func (s *Server) verifyStatement(raw string) (*Software, map[string]any, *Refusal) {
	raw = strings.TrimSpace(raw)
	hdr, err := peekHeader(raw)
	if err != nil {
		return nil, nil, refuse("ssa.format", KindStatement, "the software_statement is not a signed JWT: %v", err)
	}
	if alg, _ := hdr["alg"].(string); alg != string(jose.PS256) {
		return nil, nil, refuse("ssa.alg", KindStatement, "the software statement is signed with %q; the directory signs with PS256", alg)
	}
	if kid, _ := hdr["kid"].(string); kid != DirectoryKID {
		return nil, nil, refuse("ssa.untrusted", KindUnapproved, "the software statement's key %q is not the sandbox directory's (%s); it was issued by another directory", kid, DirectoryKID)
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.PS256})
	if err != nil {
		return nil, nil, refuse("ssa.format", KindStatement, "the software_statement cannot be read: %v", err)
	}
	payload, err := jws.Verify(s.directory.Public())
	if err != nil {
		return nil, nil, refuse("ssa.signature", KindStatement, "the software statement's signature does not verify with the sandbox directory's key")
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, nil, refuse("ssa.format", KindStatement, "the software statement's claims are not a JSON object")
	}
	if iss, _ := claims["iss"].(string); iss != DirectoryIssuer {
		return nil, nil, refuse("ssa.untrusted", KindUnapproved, "the software statement's issuer %q is not %q", iss, DirectoryIssuer)
	}
	now := s.now()
	iat, ok := numericDate(claims["iat"])
	switch {
	case !ok:
		return nil, nil, refuse("ssa.iat", KindStatement, "the software statement has no iat")
	case iat.After(now.Add(clockSkew)):
		return nil, nil, refuse("ssa.iat", KindStatement, "the software statement is issued in the future (%s)", iat.UTC().Format(time.RFC3339))
	case now.Sub(iat) > StatementMaxAge:
		return nil, nil, refuse("ssa.stale", KindStatement, "the software statement was issued %s ago; this bank accepts statements under %s old. Get a fresh one from the directory (tppwizard sandbox ssa)",
			now.Sub(iat).Round(time.Second), StatementMaxAge)
	}
	if exp, ok := numericDate(claims["exp"]); ok && !now.Before(exp.Add(clockSkew)) {
		return nil, nil, refuse("ssa.expired", KindStatement, "the software statement expired at %s", exp.UTC().Format(time.RFC3339))
	}
	id, _ := claims["software_id"].(string)
	sw := s.Software(id)
	if sw == nil || !sw.Active {
		return nil, nil, refuse("ssa.software-unknown", KindUnapproved, "software %q is not an active member of the sandbox directory", id)
	}
	return sw, claims, nil
}

// KeysCacheTime is how long a fetched JWKS is used again, as banks cache
// them; a change in the sandbox's own directory empties the cache at once.
const KeysCacheTime = 5 * time.Minute

type cachedKeys struct {
	set     *jose.JSONWebKeySet
	fetched time.Time
}

// forgetKeys empties the JWKS cache (the directory changed).
func (s *Server) forgetKeys() {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	s.keys = nil
}

// fetchKeys returns the keys a statement's software_jwks_endpoint
// publishes, fetched as a bank does (only loopback addresses) and cached
// for KeysCacheTime. One fetch at a time: many registrations arriving
// together wait for one fetch rather than each making their own.
func (s *Server) fetchKeys(r *http.Request, endpoint string) (*jose.JSONWebKeySet, *Refusal) {
	if !strings.HasPrefix(endpoint, "https://") {
		return nil, refuse("ssa.jwks-endpoint", KindKeyNotFound, "the software statement's software_jwks_endpoint %q is not an https address", endpoint)
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if c, ok := s.keys[endpoint]; ok && time.Since(c.fetched) < KeysCacheTime {
		return c.set, nil
	}
	set, ref := s.fetchKeysNow(r, endpoint)
	if ref == nil {
		if s.keys == nil {
			s.keys = map[string]cachedKeys{}
		}
		s.keys[endpoint] = cachedKeys{set: set, fetched: time.Now()}
	}
	return set, ref
}

func (s *Server) fetchKeysNow(r *http.Request, endpoint string) (*jose.JSONWebKeySet, *Refusal) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, refuse("ssa.jwks-endpoint", KindKeyNotFound, "software_jwks_endpoint %q: %v", endpoint, err)
	}
	resp, err := s.fetcher.Do(req)
	if err != nil {
		return nil, refuse("ssa.jwks-unreachable", KindKeyNotFound, "the software's keys could not be fetched from %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, refuse("ssa.jwks-unreachable", KindKeyNotFound, "the software's keys at %s answered HTTP %d", endpoint, resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 256<<10)).Decode(&set); err != nil {
		return nil, refuse("ssa.jwks-unreachable", KindKeyNotFound, "the software's keys at %s are not a JWKS: %v", endpoint, err)
	}
	return &set, nil
}

func containsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) })
}
