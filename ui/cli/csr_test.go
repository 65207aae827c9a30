package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/core/csr"
	"github.com/tppwizard/tppwizard/core/pki"
)

// TestCSRFromTheCommandLine: keys and requests for an eIDAS QWAC and QSEAL,
// a QTSP (a test authority here) issues from the files, and the
// certificates come back into the identity, with no key file anywhere.
func TestCSRFromTheCommandLine(t *testing.T) {
	s := newSession(t)
	out := t.TempDir()
	code, stdout, stderr := s.run("", "csr", "new", "--framework", "eidas", "--name", "Acme QTSP", "--key-type", "EC-P256", "--dir", out,
		"--set", "country=FR", "--set", "org_name=Acme Paiements SAS", "--set", "org_identifier=PSDFR-ACPR-12345", "--set", "domain=api.acme-paiements.fr")
	if code != 0 {
		t.Fatalf("csr new: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"no key was written to a file", "What to do with these files", "Portal: https://"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("csr new says:\n%s\nwant %q", stdout, want)
		}
	}
	ca, err := pki.NewRootAuthority("Test QTSP", 2048, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(files) != 2 {
		t.Fatalf("files written: %v, want two requests", files)
	}
	if code, stdout, _ := s.run("", "csr", "list"); code != 0 || !strings.Contains(stdout, "Acme QTSP") || !strings.Contains(stdout, "transport, signing") {
		t.Errorf("csr list: exit %d\n%s", code, stdout)
	}
	for i, use := range []string{"transport", "signing"} {
		data, err := os.ReadFile(filepath.Join(out, "Acme-QTSP-"+use+".csr"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Fatalf("the %s request holds a private key", use)
		}
		req, err := csr.ParsePEM(data)
		if err != nil {
			t.Fatal(err)
		}
		chain, err := ca.SignRequest(req, use == "signing", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		certFile := filepath.Join(out, use+".pem")
		if err := os.WriteFile(certFile, pki.EncodeCertificates(chain), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := s.run("", "csr", "complete", "--cert", certFile)
		want := []string{"Still waiting for: signing.", `Identity "Acme QTSP" is complete`}[i]
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("complete %s: exit %d\n%s%s\nwant %q", use, code, stdout, stderr, want)
		}
	}
	if code, stdout, _ := s.run("", "identity", "show", "--name", "Acme QTSP"); code != 0 || !strings.Contains(stdout, "PSDFR-ACPR-12345") && !strings.Contains(stdout, "Acme Paiements SAS") {
		t.Errorf("identity show: exit %d\n%s", code, stdout)
	}
	// A certificate that matches no waiting key is refused, and says so.
	code, _, stderr = s.run("", "csr", "complete", "--cert", filepath.Join(out, "transport.pem"))
	if code != 2 || !strings.Contains(stderr, "does not belong to any key waiting for one") {
		t.Errorf("a second import: exit %d\n%s", code, stderr)
	}
	for _, f := range append(files, filepath.Join(out, "transport.pem"), filepath.Join(out, "signing.pem")) {
		if data, _ := os.ReadFile(f); bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds a private key", f)
		}
	}
}
