package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"regexp"

	"github.com/tppwizard/tppwizard/core/pki"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// altareqRegister handles POST /tpp-registration (seed 004): mutual TLS with
// a transport certificate the trust framework issued to an application in
// its directory, Content-Type application/json, body {}, an optional
// x-fapi-interaction-id (a UUID, echoed back). The client id is the
// application's id in the directory, so the answer is 204 with no body.
func (s *Server) altareqRegister(w http.ResponseWriter, r *http.Request, b *bank) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.fail(w, r, b.Style, refuse("http.method", KindMethodNotAllowed, "%s is not allowed; register with POST", r.Method))
		return
	}
	cert, ref := s.caller(r)
	if ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	sw := s.softwareForCertificate(cert)
	if sw == nil {
		s.fail(w, r, b.Style, refuse("mtls.not-trust-framework", KindCaller,
			"the transport certificate %q is not registered to any application in the trust framework directory", cert.Subject.CommonName))
		return
	}
	id := r.Header.Get("X-Fapi-Interaction-Id")
	if id != "" && !uuidPattern.MatchString(id) {
		s.fail(w, r, b.Style, refuse("headers.x-fapi-interaction-id", KindInvalid, "x-fapi-interaction-id %q is not a UUID", id))
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.fail(w, r, b.Style, refuse("request.content-type", KindMediaType, "Content-Type %q is not application/json", r.Header.Get("Content-Type")))
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var body map[string]any
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err = dec.Decode(&body); err == nil && dec.More() {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil || body == nil {
		s.fail(w, r, b.Style, refuse("body.json", KindFormat, "the body must be a JSON object ({})"))
		return
	}
	now := s.now().UTC()
	dn, _ := pki.SubjectDN(cert)
	if ref := s.change(func(st *state) {
		key := clientKey(b.ID, sw.ID)
		c := st.Clients[key]
		if c == nil {
			c = &Client{Bank: b.ID, ClientID: sw.ID, SoftwareID: sw.ID, Created: now}
		}
		c.OrgIdentifier, c.AuthMethod, c.SubjectDN, c.Metadata, c.Updated = pki.OrganizationIdentifier(cert), "tls_client_auth", dn, body, now
		st.Clients[key] = c
	}); ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	echoInteraction(w, r)
	w.WriteHeader(http.StatusNoContent)
	s.log(r, http.StatusNoContent, "", sw.ID)
}
