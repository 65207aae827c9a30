package sandbox_test

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/ssa"
)

// fixture is one running sandbox shared by the package's tests, with the
// demo TPP, a second TPP that holds only the AISP role, a certificate from
// the sandbox CA that belongs to no software, and one from another CA.
type fixture struct {
	srv        *sandbox.Server
	demo       *sandbox.Demo
	aispOnly   *sandbox.Member
	unenrolled *pki.Credential
	stranger   *pki.Credential
	dir        string
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
)

func getFixture(t testing.TB) *fixture {
	t.Helper()
	fixOnce.Do(func() { fix, fixErr = newFixture() })
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

func newFixture() (*fixture, error) {
	dir, err := tempDir()
	if err != nil {
		return nil, err
	}
	srv, err := sandbox.New(sandbox.Options{Dir: dir})
	if err != nil {
		return nil, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	f := &fixture{srv: srv, dir: dir}
	if f.demo, err = srv.Demo(); err != nil {
		return nil, err
	}
	if f.aispOnly, err = srv.Enrol(sandbox.Enrolment{OrgName: "Account Info Only Ltd", OrgIdentifier: "PSDGB-SBX-000002", OrgID: "org-aisp-only",
		Country: "GB", ClientName: "Info Only", PSD2Roles: []string{pki.RoleAI}, RedirectURIs: []string{"https://info-only.example/cb"},
		Contacts: []ssa.Contact{{Name: "Ines", Email: "ines@info-only.example", Phone: "+441234"}}}); err != nil {
		return nil, err
	}
	if f.unenrolled, err = srv.CA().Issue(pki.Spec{CommonName: "not-in-directory", Organization: "Nobody Ltd", Country: "GB",
		OrganizationIdentifier: "PSDGB-SBX-000009", PSD2Roles: []string{pki.RoleAI}}); err != nil {
		return nil, err
	}
	other, err := pki.NewRootAuthority("Another Trust Framework", 2048, time.Now())
	if err != nil {
		return nil, err
	}
	if f.stranger, err = other.Issue(pki.Spec{CommonName: f.demo.Software.ID, Organization: "Demo Payments Ltd", Country: "GB",
		OrganizationIdentifier: "PSDGB-SBX-000001", PSD2Roles: []string{pki.RoleAI, pki.RolePI}}); err != nil {
		return nil, err
	}
	return f, nil
}

// client is an HTTPS client trusting the sandbox CA and presenting cred
// (none when nil).
func (f *fixture) client(cred *pki.Credential) *http.Client {
	roots := x509.NewCertPool()
	roots.AddCert(f.srv.CA().Cert)
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if cred != nil {
		cfg.Certificates = []tls.Certificate{cred.TLSCertificate()}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// answer is a sandbox response reduced to what the tests compare.
type answer struct {
	Status int
	Code   string
	Rule   string
	Header http.Header
	Body   map[string]any
	Raw    string
}

var ruleInMessage = regexp.MustCompile(`^\[([^\]]+)\]`)

func (f *fixture) do(t *testing.T, cred *pki.Credential, method, url string, header map[string]string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.client(cred).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	_ = json.Unmarshal(raw, &a.Body)
	msg := ""
	switch {
	case a.Body["error_class"] != nil:
		a.Code, _ = a.Body["error_class"].(string)
		msg, _ = a.Body["error_message"].(string)
	case a.Body["error"] != nil:
		a.Code, _ = a.Body["error"].(string)
		msg, _ = a.Body["error_description"].(string)
	case a.Body["Errors"] != nil:
		first, _ := a.Body["Errors"].([]any)[0].(map[string]any)
		a.Code, _ = first["Code"].(string)
		msg, _ = first["Message"].(string)
	}
	if m := ruleInMessage.FindStringSubmatch(msg); m != nil {
		a.Rule = m[1]
	}
	return a
}

// sign makes a compact JWS with go-jose: the test's own signer, not the
// wizard's dialect code.
func sign(t *testing.T, key crypto.Signer, alg jose.SignatureAlgorithm, header map[string]any, claims map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	for k, v := range header {
		opts.WithHeader(jose.HeaderKey(k), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) url(path string) string { return f.srv.URL() + path }

func tempDir() (string, error) { return os.MkdirTemp("", "sandbox-test-") }

func TestMain(m *testing.M) {
	code := m.Run()
	if fix != nil {
		_ = fix.srv.Close()
		_ = os.RemoveAll(fix.dir)
	}
	os.Exit(code)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
