package sandbox_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/csr"
	"github.com/tppwizard/tppwizard/core/pki"
)

// request is a CSR for the subject given, signed by a fresh P-256 key.
func request(t *testing.T, subject pkix.Name) []byte {
	t.Helper()
	key, err := csr.NewKey(csr.ECP256, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject}, key)
	if err != nil {
		t.Fatal(err)
	}
	return csr.EncodePEM(der)
}

// TestDirectoryIssuesFromACSR: the demo trust framework issues a
// transport certificate for one of its applications from a CSR, and
// refuses what a real directory refuses.
func TestDirectoryIssuesFromACSR(t *testing.T) {
	f := getFixture(t)
	sw := f.demo.Software
	good := pkix.Name{Country: []string{"GB"}, Organization: []string{sw.OrgName}, OrganizationalUnit: []string{sw.OrgID}, CommonName: sw.ID}
	// A request whose signature no longer matches: the last byte of the
	// DER is the signature's.
	block, _ := pem.Decode(request(t, good))
	block.Bytes[len(block.Bytes)-1] ^= 0x01
	corrupt := pem.EncodeToMemory(block)
	cases := []struct {
		name     string
		software string
		use      string
		body     []byte
		status   int
		says     string
	}{
		{"transport certificate", sw.ID, "transport", request(t, good), http.StatusCreated, "-----BEGIN CERTIFICATE-----"},
		{"unknown application", "no-such-software", "transport", request(t, good), http.StatusNotFound, "not an active member"},
		{"neither transport nor signing", sw.ID, "encryption", request(t, good), http.StatusBadRequest, "use must be transport or signing"},
		{"not PEM", sw.ID, "transport", []byte("hello"), http.StatusBadRequest, "PEM CERTIFICATE REQUEST"},
		{"signature does not verify", sw.ID, "transport", corrupt, http.StatusBadRequest, "signature does not verify"},
		{"another application's name", sw.ID, "transport", request(t, pkix.Name{OrganizationalUnit: []string{sw.OrgID}, CommonName: "someone-else"}),
			http.StatusBadRequest, "must be its software statement id"},
		{"another organisation", sw.ID, "transport", request(t, pkix.Name{OrganizationalUnit: []string{"other-org"}, CommonName: sw.ID}),
			http.StatusBadRequest, "must be the organisation id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := f.do(t, nil, http.MethodPost, f.srv.CertificatesURL(c.software, c.use), map[string]string{"Content-Type": "application/pkcs10"}, c.body)
			if a.Status != c.status || !strings.Contains(a.Raw, c.says) {
				t.Fatalf("HTTP %d %q, want %d with %q", a.Status, a.Raw, c.status, c.says)
			}
			if c.status != http.StatusCreated {
				return
			}
			chain, err := pki.ParseCertificates([]byte(a.Raw))
			if err != nil {
				t.Fatal(err)
			}
			leaf := chain[0]
			if leaf.Subject.CommonName != sw.ID || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
				t.Errorf("issued %q with %v", leaf.Subject, leaf.ExtKeyUsage)
			}
			pool := x509.NewCertPool()
			pool.AddCert(f.srv.CA().Cert)
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				t.Errorf("the certificate does not chain to the sandbox CA: %v", err)
			}
			keys := f.srv.Software(sw.ID).Keys
			if last := keys[len(keys)-1]; len(last.X5c) == 0 || last.X5c[0] != base64.StdEncoding.EncodeToString(leaf.Raw) || last.Use != "tls" {
				t.Error("the new certificate is not published in the application's keys")
			}
		})
	}
}
