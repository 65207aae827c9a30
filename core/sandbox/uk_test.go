package sandbox_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// ukReq is a registration request made by hand in the test.
type ukReq struct {
	claims      map[string]any
	header      map[string]any
	key         crypto.Signer
	alg         jose.SignatureAlgorithm
	cred        *pki.Credential
	contentType string
	raw         string // sent as is when set
}

var ukPaths = map[string]string{
	"uk31": "/uk31/api/open-banking/v3.1/tpp/register",
	"obie": "/obie/dynamic-client-registration/v3.3/register",
}

// demoDN is the demo transport certificate's subject in RFC 4514 order,
// written out by hand: Go encodes C, O, OU, CN and then the extra
// organizationIdentifier, and RFC 4514 writes the last RDN first.
func (f *fixture) demoDN() string {
	return "organizationIdentifier=PSDGB-SBX-000001,CN=" + f.demo.Software.ID + ",OU=0015800001SBXDEMO1,O=Demo Payments Ltd,C=GB"
}

// validUK is a request each bank accepts, built from the seed 000 claim
// table and OBIE DCR v3.3 without the wizard's dialect code.
func (f *fixture) validUK(t *testing.T, bank string) *ukReq {
	t.Helper()
	now := time.Now()
	claims := map[string]any{
		"iss":                          f.demo.Software.ID,
		"iat":                          now.Unix(),
		"exp":                          now.Add(5 * time.Minute).Unix(),
		"jti":                          registration.NewUUID(),
		"redirect_uris":                []string{"https://demo-tpp.example/callback"},
		"grant_types":                  []string{"client_credentials", "authorization_code"},
		"response_types":               []string{"code"},
		"software_statement":           f.freshSSA(t, nil),
		"software_id":                  f.demo.Software.ID,
		"scope":                        "openid accounts payments",
		"application_type":             "web",
		"request_object_signing_alg":   "PS256",
		"id_token_signed_response_alg": "PS256",
	}
	r := &ukReq{claims: claims, header: map[string]any{"kid": f.demo.SigningKID, "typ": "JWT"},
		key: f.demo.Signing.Key, alg: jose.PS256, cred: f.demo.Transport}
	switch bank {
	case "uk31":
		claims["aud"] = "sandbox-aspsp-uk31"
		claims["token_endpoint_auth_method"] = "client_secret_basic"
		r.contentType = "application/jwt"
	case "obie":
		claims["aud"] = f.url("/obie")
		claims["token_endpoint_auth_method"] = "tls_client_auth"
		claims["tls_client_auth_subject_dn"] = f.demoDN()
		r.contentType = "application/jose"
	}
	return r
}

// freshSSA is a statement for the demo software, with claims changed.
func (f *fixture) freshSSA(t *testing.T, change map[string]any) string {
	t.Helper()
	claims := f.srv.StatementClaims(f.demo.Software)
	for k, v := range change {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	ssa, err := f.srv.SignStatement(claims)
	if err != nil {
		t.Fatal(err)
	}
	return ssa
}

func (f *fixture) sendUK(t *testing.T, method, url string, r *ukReq, token string) answer {
	t.Helper()
	body := r.raw
	if body == "" {
		body = sign(t, r.key, r.alg, r.header, r.claims)
	}
	h := map[string]string{"Content-Type": r.contentType, "Accept": "application/json"}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return f.do(t, r.cred, method, url, h, []byte(body))
}

var otherKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func TestUKRegistrationIsAcceptedInBothShapes(t *testing.T) {
	f := getFixture(t)
	tests := []struct {
		bank   string
		status int
	}{{"uk31", 200}, {"obie", 201}}
	for _, tt := range tests {
		t.Run(tt.bank, func(t *testing.T) {
			a := f.sendUK(t, "POST", f.url(ukPaths[tt.bank]), f.validUK(t, tt.bank), "")
			if a.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.Status, tt.status, a.Raw)
			}
			if id, _ := a.Body["client_id"].(string); id == "" {
				t.Errorf("no client_id in %s", a.Raw)
			}
			if a.Body["registration_access_token"] == nil || a.Body["registration_client_uri"] == nil {
				t.Errorf("no RFC 7592 management data in %s", a.Raw)
			}
			_, hasSecret := a.Body["client_secret"]
			if wantSecret := tt.bank == "uk31"; hasSecret != wantSecret {
				t.Errorf("client_secret present = %v, want %v (client_secret_basic gets one, tls_client_auth none)", hasSecret, wantSecret)
			}
		})
	}
}

// TestUKRefusals breaks each rule of a UK registration on purpose, on
// requests made by hand, and checks the status, the bank's error code and
// the rule named.
func TestUKRefusals(t *testing.T) {
	f := getFixture(t)
	past := time.Now().Add(-2 * time.Hour)
	tests := []struct {
		name   string
		bank   string
		change func(r *ukReq)
		status int
		code   string
		rule   string
	}{
		{"no client certificate", "obie", func(r *ukReq) { r.cred = nil }, 401, "unauthorized_client", "mtls.certificate-missing"},
		{"client certificate from another CA", "uk31", func(r *ukReq) { r.cred = f.stranger }, 401, "AccessDenied", "mtls.certificate-untrusted"},
		{"transport certificate of other software", "obie", func(r *ukReq) { r.cred = f.aispOnly.Transport }, 401, "unauthorized_client", "mtls.not-software-certificate"},
		{"OBIE bank given application/jwt", "obie", func(r *ukReq) { r.contentType = "application/jwt" }, 415, "invalid_request", "request.content-type"},
		{"seed 000 bank given application/json", "uk31", func(r *ukReq) { r.contentType = "application/json" }, 400, "RequestFormatInvalid", "request.content-type"},
		{"body is JSON, not a JWT", "uk31", func(r *ukReq) { r.raw = `{"iss":"x"}` }, 400, "RequestFormatInvalid", "jws.format"},
		{"signed with HS256", "uk31", func(r *ukReq) { r.alg, r.key = jose.HS256, nil; r.raw = hs256(t, r) }, 406, "Invalid", "jws.alg"},
		{"RS256 at an OBIE bank that takes PS256 only", "obie", func(r *ukReq) { r.alg = jose.RS256 }, 400, "invalid_client_metadata", "jws.alg"},
		{"no kid in the header", "uk31", func(r *ukReq) { delete(r.header, "kid") }, 401, "WrongRequiredFields", "jws.kid"},
		{"x5c in the header", "obie", func(r *ukReq) { r.header["x5c"] = []string{"MIIB"} }, 400, "invalid_client_metadata", "jws.header-key"},
		{"kid not in the software's JWKS", "uk31", func(r *ukReq) { r.header["kid"] = "nobody" }, 404, "NotFound", "jws.kid-unknown"},
		{"kid of the transport key", "obie", func(r *ukReq) { r.header["kid"] = f.demo.Software.ID + "-tls-1" }, 400, "invalid_client_metadata", "jws.key-use"},
		{"signed with another key under the right kid", "uk31", func(r *ukReq) { r.key = otherKey }, 406, "Invalid", "jws.signature"},
		{"aud missing", "uk31", func(r *ukReq) { delete(r.claims, "aud") }, 401, "WrongRequiredFields", "claims.required"},
		{"jti missing at OBIE", "obie", func(r *ukReq) { delete(r.claims, "jti") }, 400, "invalid_client_metadata", "claims.required"},
		{"statement from another directory", "obie", func(r *ukReq) {
			r.claims["software_statement"] = sign(t, otherKey, jose.PS256, map[string]any{"kid": "other-directory"}, f.srv.StatementClaims(f.demo.Software))
		}, 400, "unapproved_software_statement", "ssa.untrusted"},
		{"statement signature forged under the directory's kid", "obie", func(r *ukReq) {
			r.claims["software_statement"] = sign(t, otherKey, jose.PS256, map[string]any{"kid": sandbox.DirectoryKID}, f.srv.StatementClaims(f.demo.Software))
		}, 400, "invalid_software_statement", "ssa.signature"},
		{"statement 31 minutes old", "obie", func(r *ukReq) {
			r.claims["software_statement"] = f.freshSSA(t, map[string]any{"iat": time.Now().Add(-31 * time.Minute).Unix()})
		}, 400, "invalid_software_statement", "ssa.stale"},
		{"statement for software not in the directory", "uk31", func(r *ukReq) {
			r.claims["software_statement"] = f.freshSSA(t, map[string]any{"software_id": "ghost"})
		}, 401, "AccessDenied", "ssa.software-unknown"},
		{"expired request", "uk31", func(r *ukReq) { r.claims["iat"], r.claims["exp"] = past.Unix(), past.Add(5*time.Minute).Unix() }, 406, "Invalid", "jwt.expired"},
		{"iat in the future", "obie", func(r *ukReq) {
			r.claims["iat"], r.claims["exp"] = time.Now().Add(10*time.Minute).Unix(), time.Now().Add(15*time.Minute).Unix()
		}, 400, "invalid_client_metadata", "jwt.iat-future"},
		{"lifetime of a day", "obie", func(r *ukReq) { r.claims["exp"] = time.Now().Add(24 * time.Hour).Unix() }, 400, "invalid_client_metadata", "jwt.lifetime"},
		{"aud of another bank", "uk31", func(r *ukReq) { r.claims["aud"] = "sandbox-aspsp-obie" }, 406, "Invalid", "jwt.aud"},
		{"iss is not the software_id", "obie", func(r *ukReq) { r.claims["iss"] = "Demo Payments Ltd" }, 400, "invalid_client_metadata", "jwt.iss"},
		{"software_id differs from the statement", "uk31", func(r *ukReq) { r.claims["software_id"] = "other" }, 406, "Invalid", "jwt.software-id"},
		{"http redirect URI", "obie", func(r *ukReq) { r.claims["redirect_uris"] = []string{"http://demo-tpp.example/callback"} }, 400, "invalid_redirect_uri", "redirect.https"},
		{"localhost redirect URI", "obie", func(r *ukReq) { r.claims["redirect_uris"] = []string{"https://localhost/callback"} }, 400, "invalid_redirect_uri", "redirect.localhost"},
		{"redirect URI not in the statement", "uk31", func(r *ukReq) { r.claims["redirect_uris"] = []string{"https://demo-tpp.example/elsewhere"} }, 406, "Invalid", "redirect.not-in-statement"},
		{"tls_client_auth at the seed 000 bank", "uk31", func(r *ukReq) { r.claims["token_endpoint_auth_method"] = "tls_client_auth" }, 406, "Invalid", "metadata.auth-method"},
		{"subject DN of another certificate", "obie", func(r *ukReq) {
			r.claims["tls_client_auth_subject_dn"] = "CN=" + f.demo.Software.ID + ",OU=0015800001SBXDEMO1,O=Demo Payments Ltd,C=GB"
		}, 400, "invalid_client_metadata", "metadata.subject-dn"},
		{"tls_client_auth without subject DN", "obie", func(r *ukReq) { delete(r.claims, "tls_client_auth_subject_dn") }, 400, "invalid_client_metadata", "metadata.subject-dn"},
		{"grant type the bank does not offer", "uk31", func(r *ukReq) { r.claims["grant_types"] = []string{"password"} }, 406, "Invalid", "metadata.grant-types"},
		{"scope the bank does not offer", "obie", func(r *ukReq) { r.claims["scope"] = "openid makepayment" }, 400, "invalid_client_metadata", "scope.unknown"},
		{"application_type desktop", "uk31", func(r *ukReq) { r.claims["application_type"] = "desktop" }, 406, "Invalid", "metadata.application-type"},
		{"request_object_signing_alg none", "obie", func(r *ukReq) { r.claims["request_object_signing_alg"] = "none" }, 400, "invalid_client_metadata", "metadata.alg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.validUK(t, tt.bank)
			tt.change(r)
			a := f.sendUK(t, "POST", f.url(ukPaths[tt.bank]), r, "")
			if a.Status != tt.status || a.Code != tt.code || a.Rule != tt.rule {
				t.Errorf("got %d %s [%s], want %d %s [%s]\n%s", a.Status, a.Code, a.Rule, tt.status, tt.code, tt.rule, a.Raw)
			}
		})
	}
}

// hs256 signs the request with a shared secret, which no bank accepts.
func hs256(t *testing.T, r *ukReq) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")},
		(&jose.SignerOptions{}).WithHeader("kid", r.header["kid"]))
	if err != nil {
		t.Fatal(err)
	}
	payload := fmt.Sprintf(`{"iss":%q}`, r.claims["iss"])
	jws, err := signer.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := jws.CompactSerialize()
	return s
}

func TestScopeBeyondTheStatementRolesIsRefused(t *testing.T) {
	f := getFixture(t)
	m := f.aispOnly
	ssa, err := f.srv.IssueStatement(m.Software.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := map[string]any{"iss": m.Software.ID, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "aud": "sandbox-aspsp-uk31",
		"redirect_uris": []string{"https://info-only.example/cb"}, "grant_types": []string{"client_credentials"},
		"software_statement": ssa, "scope": "openid accounts payments"}
	r := &ukReq{claims: claims, header: map[string]any{"kid": m.SigningKID}, key: m.Signing.Key, alg: jose.PS256, cred: m.Transport, contentType: "application/jwt"}
	a := f.sendUK(t, "POST", f.url(ukPaths["uk31"]), r, "")
	if a.Status != 406 || a.Code != "Invalid" || a.Rule != "scope.role" {
		t.Errorf("got %d %s [%s], want 406 Invalid [scope.role]: %s", a.Status, a.Code, a.Rule, a.Raw)
	}
	claims["scope"], claims["jti"] = "openid accounts", registration.NewUUID()
	if a := f.sendUK(t, "POST", f.url(ukPaths["uk31"]), r, ""); a.Status != 200 {
		t.Errorf("the AISP-only software asking for accounts: %d %s", a.Status, a.Raw)
	}
}

func TestReplayedJTIIsRefused(t *testing.T) {
	f := getFixture(t)
	r := f.validUK(t, "obie")
	body := sign(t, r.key, r.alg, r.header, r.claims)
	r.raw = body
	if a := f.sendUK(t, "POST", f.url(ukPaths["obie"]), r, ""); a.Status != 201 {
		t.Fatalf("first use: %d %s", a.Status, a.Raw)
	}
	a := f.sendUK(t, "POST", f.url(ukPaths["obie"]), r, "")
	if a.Status != 400 || a.Code != "invalid_client_metadata" || a.Rule != "jwt.jti-replayed" {
		t.Errorf("replay: got %d %s [%s]: %s", a.Status, a.Code, a.Rule, a.Raw)
	}
}
