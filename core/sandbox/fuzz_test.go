package sandbox

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/core/httpsig"
	"github.com/tppwizard/tppwizard/core/pki"
)

// The sandbox reads bodies and headers from anyone who connects: whatever
// arrives, it must answer with a refusal in the bank's format, never panic,
// never a 5xx, and never accept garbage.

var (
	fuzzOnce sync.Once
	fuzzSrv  *Server
	fuzzCert *pki.Credential
	fuzzErr  error
)

const fuzzToken = "fuzz-token"

func fuzzServer(f *testing.F) (*Server, *pki.Credential) {
	fuzzOnce.Do(func() {
		if fuzzSrv, fuzzErr = New(Options{}); fuzzErr != nil {
			return
		}
		fuzzSrv.base = "https://127.0.0.1:1" // never listened on: key fetches fail fast
		if fuzzCert, fuzzErr = fuzzSrv.CA().Issue(pki.Spec{CommonName: "fuzz", Organization: "Fuzz Ltd", Country: "GB",
			OrganizationIdentifier: "PSDGB-SBX-000042", PSD2Roles: []string{pki.RoleAI}}); fuzzErr != nil {
			return
		}
		fuzzSrv.tokens[hashSecret(fuzzToken)] = &accessToken{bank: "bpce", clientID: stetTokenClientID, scope: stetTokenScope,
			orgIdentifier: "PSDGB-SBX-000042", certThumbprint: pki.ThumbprintS256(fuzzCert.Leaf()), expires: time.Now().Add(time.Hour)}
	})
	if fuzzErr != nil {
		f.Fatal(fuzzErr)
	}
	return fuzzSrv, fuzzCert
}

func serveFuzz(t *testing.T, s *Server, cert *pki.Credential, method, path string, header http.Header, body []byte) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header = header
	req.TLS = &tls.ConnectionState{PeerCertificates: cert.Chain}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code < 400 || rec.Code >= 500 {
		t.Fatalf("%s %s answered %d to fuzzed input: %s", method, path, rec.Code, rec.Body.String())
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("refusal is not JSON: %q", rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), "[") {
		t.Fatalf("refusal names no rule: %s", rec.Body.String())
	}
}

func FuzzUKRegistration(f *testing.F) {
	s, cert := fuzzServer(f)
	f.Add("application/jwt", []byte("eyJhbGciOiJQUzI1NiIsImtpZCI6InRlc3QifQ.eyJpc3MiOiJ4In0.c2ln"))
	f.Add("application/jose", []byte(`eyJhbGciOiJub25lIn0.e30.`))
	f.Add("application/jwt", []byte(`{"iss":"x"}`))
	f.Add("application/jwt", []byte("a.b.c"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		for _, path := range []string{"/uk31/api/open-banking/v3.1/tpp/register", "/obie/dynamic-client-registration/v3.3/register"} {
			serveFuzz(t, s, cert, "POST", path, http.Header{"Content-Type": {contentType}}, body)
		}
	})
}

func FuzzSTETRegistration(f *testing.F) {
	s, cert := fuzzServer(f)
	f.Add([]byte(`{"redirect_uris":["https://a.example"],"jwks":{"keys":[{"kty":"RSA","x5c":["MIIB"]}]}}`), `keyId="k",algorithm="rsa-sha256",headers="(request-target) digest x-request-id",signature="AAAA"`)
	f.Add([]byte(`{}`), `keyId="k",signature="AAAA"`)
	f.Add([]byte(`[1,2]`), ``)
	f.Fuzz(func(t *testing.T, body []byte, signature string) {
		sum := httpsig.Digest(body)
		h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + fuzzToken},
			"X-Request-Id": {"00000000-0000-4000-8000-000000000000"}, "Digest": {sum}, "Signature": {signature}}
		serveFuzz(t, s, cert, "POST", "/bpce/stet/setting/v1/register", h, body)
	})
}

func FuzzCertificateUpload(f *testing.F) {
	s, cert := fuzzServer(f)
	f.Add([]byte(`{"data":{"certificate":{"pem":"-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----","name":"n","type":"qseal"}}}`))
	f.Add([]byte(`{"data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		serveFuzz(t, s, cert, "POST", "/uk31/api/open-banking/v3.1/tpp/certificates", http.Header{"Content-Type": {"application/json"}}, body)
	})
}
