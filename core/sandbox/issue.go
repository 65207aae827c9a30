package sandbox

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/core/pki"
)

// The demo trust framework's certificate authority: like the Al Tareq and
// OB directories (seed 004, step 2: "Upload your CSR"), it takes a CSR for
// one of its applications and issues the certificate at once, publishing
// its key in the application's JWKS so that banks recognise it.
const certificatesPath = "/directory/software/{software_id}/certificates"

// CertificatesURL is where a CSR for software is posted (?use=transport or
// ?use=signing); the answer is the issued chain, PEM.
func (s *Server) CertificatesURL(softwareID, use string) string {
	return s.base + strings.Replace(certificatesPath, "{software_id}", url.PathEscape(softwareID), 1) + "?use=" + url.QueryEscape(use)
}

// maxCSR bounds a posted CSR (a 4096-bit RSA CSR is under 2 KB).
const maxCSR = 64 << 10

func (s *Server) issueRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+certificatesPath, s.issueCertificate)
}

func (s *Server) issueCertificate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("software_id")
	use := r.URL.Query().Get("use")
	fail := func(status int, rule, format string, args ...any) {
		http.Error(w, fmt.Sprintf(format, args...), status)
		s.log(r, status, rule, "")
	}
	if use != "transport" && use != "signing" {
		fail(http.StatusBadRequest, "issue.use", "use must be transport or signing, not %q", use)
		return
	}
	sw := s.Software(id)
	if sw == nil || !sw.Active {
		fail(http.StatusNotFound, "issue.unknown-software", "software %q is not an active member of the sandbox directory", id)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCSR))
	if err != nil {
		fail(http.StatusRequestEntityTooLarge, "issue.size", "the CSR is larger than %d bytes", maxCSR)
		return
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		fail(http.StatusBadRequest, "issue.pem", "the body must be a PEM CERTIFICATE REQUEST")
		return
	}
	req, err := parseRequest(block.Bytes)
	if err != nil {
		fail(http.StatusBadRequest, "issue.csr", "%v", err)
		return
	}
	// Like the real directories, the certificate names the application it
	// is for.
	if cn := req.Subject.CommonName; cn != sw.ID && cn != sw.ID+" signing" {
		fail(http.StatusBadRequest, "issue.common-name", "the CSR's CN is %q; for this application it must be its software statement id, %s", cn, sw.ID)
		return
	}
	if ou := first(req.Subject.OrganizationalUnit); ou != sw.OrgID {
		fail(http.StatusBadRequest, "issue.org-id", "the CSR's OU is %q; it must be the organisation id, %s", ou, sw.OrgID)
		return
	}
	chain, err := s.ca.SignRequest(req, use == "signing", s.now().Add(-5*time.Minute), s.now().AddDate(1, 0, 0))
	if err != nil {
		fail(http.StatusBadRequest, "issue.sign", "%v", err)
		return
	}
	keyUse, kid := "tls", fmt.Sprintf("%s-tls-%s", sw.ID, chain[0].SerialNumber.Text(16))
	if use == "signing" {
		keyUse, kid = "sig", fmt.Sprintf("%s-sig-%s", sw.ID, chain[0].SerialNumber.Text(16))
	}
	alg := ""
	if use == "signing" {
		alg = "PS256"
		if _, ec := req.PublicKey.(*ecdsa.PublicKey); ec {
			alg = "ES256"
		}
	}
	jwk, err := pki.CertificateJWK(chain[0], kid, keyUse, alg, nil)
	if err != nil {
		fail(http.StatusBadRequest, "issue.key", "%v", err)
		return
	}
	updated := *sw
	updated.Keys = append(slices.Clone(sw.Keys), jwk)
	if err := s.AddSoftware(&updated); err != nil {
		fail(http.StatusInternalServerError, "issue.publish", "%v", err)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("X-Key-Id", kid)
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(pki.EncodeCertificates(chain))
	s.log(r, http.StatusCreated, "issue.ok", "")
}

func parseRequest(der []byte) (*x509.CertificateRequest, error) {
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("the CSR cannot be read: %v", err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("the CSR's signature does not verify: %v", err)
	}
	return req, nil
}
