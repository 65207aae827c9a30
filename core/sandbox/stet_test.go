package sandbox_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
)

const stetPath = "/bpce/stet/setting/v1/register"

// stetReq is a STET registration made by hand in the test, following seed
// 001's tables and draft-cavage-http-signatures-12.
type stetReq struct {
	method, path string
	body         map[string]any
	raw          []byte // sent instead of body when set
	digest       string // "" computes it; "-" leaves the header out
	requestID    string // "-" leaves the header out
	signed       []string
	algorithm    string
	keyID        string
	key          crypto.Signer
	token        string
	cred         *pki.Credential
	contentType  string
	noSignature  bool
}

// stetToken gets a manageRegistration token by hand.
func (f *fixture) stetToken(t *testing.T, cred *pki.Credential) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"PSD2_TPPRegister"}, "scope": {"manageRegistration"}}
	a := f.do(t, cred, "POST", f.url("/bpce/stet/psd2/oauth/token"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, []byte(form.Encode()))
	tok, _ := a.Body["access_token"].(string)
	if a.Status != 200 || tok == "" || a.Body["token_type"] != "Bearer" {
		t.Fatalf("token: %d %s", a.Status, a.Raw)
	}
	return tok
}

// qsealJWK is the demo QSEAL key as seed 001's jwks table describes it,
// computed here rather than by the wizard's pki package.
func (f *fixture) qsealJWK() map[string]any {
	cert := f.demo.Signing.Leaf()
	pub := cert.PublicKey.(*rsa.PublicKey)
	sum := sha256.Sum256(cert.Raw)
	return map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "key_ops": []string{"verify"}, "kid": f.demo.SigningKID,
		"n":        base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":        base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"x5c":      []string{base64.StdEncoding.EncodeToString(cert.Raw)},
		"x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:]),
	}
}

// validSTET registers an agent (client_legal_id), so that every test gets
// its own client id.
func (f *fixture) validSTET(t *testing.T) *stetReq {
	t.Helper()
	agent := fmt.Sprintf("AGTGB-SBX-000001%06d", randInt(t))
	return &stetReq{
		method: "POST", path: stetPath,
		body: map[string]any{
			"redirect_uris":              []string{"https://demo-tpp.example/callback"},
			"token_endpoint_auth_method": "tls_client_auth",
			"grant_types":                []string{"client_credentials"},
			"response_types":             []string{"code"},
			"client_name":                "Demo Payments Ltd",
			"scope":                      "aisp, pisp",
			"contact":                    map[string]any{"contact_name": "Alex Demo", "email": "alex.demo@demo-tpp.example", "phone_number": "+442071234567"},
			"provider_legal_id":          "PSDGB-SBX-000001",
			"client_legal_id":            agent,
			"software_id":                "Demo Pay",
			"jwks":                       map[string]any{"keys": []any{f.qsealJWK()}},
		},
		requestID: registration.NewUUID(), signed: []string{"(request-target)", "digest", "x-request-id"}, algorithm: "rsa-sha256",
		keyID: f.demo.SigningKID, key: f.demo.Signing.Key, token: f.stetToken(t, f.demo.Transport), cred: f.demo.Transport,
		contentType: "application/json",
	}
}

func randInt(t *testing.T) int64 {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		t.Fatal(err)
	}
	return n.Int64()
}

// signingString writes the draft-cavage signing string line by line.
func signingString(method, path, digest, requestID string, headers []string) string {
	lines := make([]string, 0, len(headers))
	for _, h := range headers {
		switch h {
		case "(request-target)":
			lines = append(lines, "(request-target): "+strings.ToLower(method)+" "+path)
		case "digest":
			lines = append(lines, "digest: "+digest)
		case "x-request-id":
			lines = append(lines, "x-request-id: "+requestID)
		}
	}
	return strings.Join(lines, "\n")
}

func (f *fixture) sendSTET(t *testing.T, r *stetReq) answer {
	t.Helper()
	raw := r.raw
	if raw == nil {
		var err error
		if raw, err = json.Marshal(r.body); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256(raw)
	digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	if r.digest != "" {
		digest = r.digest
	}
	h := map[string]string{"Content-Type": r.contentType, "Accept": "application/json"}
	if r.token != "" {
		h["Authorization"] = "Bearer " + r.token
	}
	if r.requestID != "-" {
		h["X-Request-ID"] = r.requestID
	}
	if digest != "-" {
		h["Digest"] = digest
	}
	if !r.noSignature {
		toSign := signingString(r.method, r.path, digest, r.requestID, r.signed)
		hashed := sha256.Sum256([]byte(toSign))
		sig, err := rsa.SignPKCS1v15(rand.Reader, r.key.(*rsa.PrivateKey), crypto.SHA256, hashed[:])
		if err != nil {
			t.Fatal(err)
		}
		h["Signature"] = fmt.Sprintf(`keyId="%s",algorithm="%s",headers="%s",signature="%s"`,
			r.keyID, r.algorithm, strings.Join(r.signed, " "), base64.StdEncoding.EncodeToString(sig))
	}
	return f.do(t, r.cred, r.method, f.url(r.path), h, raw)
}

func TestSigningStringIsWrittenAsSeed001Describes(t *testing.T) {
	got := signingString("POST", stetPath, "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "99391c7e-ad88-49ec-a2ad-99ddcb1f7721",
		[]string{"(request-target)", "digest", "x-request-id"})
	want := "(request-target): post /bpce/stet/setting/v1/register\n" +
		"digest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n" +
		"x-request-id: 99391c7e-ad88-49ec-a2ad-99ddcb1f7721"
	if got != want {
		t.Errorf("signing string\n%s\nwant\n%s", got, want)
	}
}

func TestSTETRegistrationCreatesAndChanges(t *testing.T) {
	f := getFixture(t)
	r := f.validSTET(t)
	a := f.sendSTET(t, r)
	if a.Status != 201 {
		t.Fatalf("POST: %d %s", a.Status, a.Raw)
	}
	id := r.body["client_legal_id"].(string)
	if a.Body["client_id"] != id {
		t.Errorf("client_id %v, want the agent id %s", a.Body["client_id"], id)
	}
	if a.Header.Get("X-Request-Id") != r.requestID {
		t.Errorf("x-request-id not echoed: %q", a.Header.Get("X-Request-Id"))
	}

	put := f.validSTET(t)
	put.method, put.path = "PUT", stetPath+"/"+id
	put.body["client_legal_id"] = id
	put.body["redirect_uris"] = []string{"https://demo-tpp.example/callback", "https://demo-tpp.example/new"}
	a = f.sendSTET(t, put)
	if a.Status != 201 {
		t.Fatalf("PUT: %d %s", a.Status, a.Raw)
	}
	if uris, _ := a.Body["redirect_uris"].([]any); len(uris) != 2 {
		t.Errorf("the change is not in the answer: %s", a.Raw)
	}
}

// TestSTETRefusals breaks each rule of seed 001 on purpose.
func TestSTETRefusals(t *testing.T) {
	f := getFixture(t)
	jwk := func(r *stetReq) map[string]any {
		return r.body["jwks"].(map[string]any)["keys"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name   string
		change func(r *stetReq)
		status int
		code   string
		rule   string
	}{
		{"no client certificate", func(r *stetReq) { r.cred = nil }, 401, "unauthorized_client", "mtls.certificate-missing"},
		{"no Bearer token", func(r *stetReq) { r.token = "" }, 401, "invalid_token", "token.missing"},
		{"a token the bank never issued", func(r *stetReq) { r.token = "forged-token" }, 401, "invalid_token", "token.invalid"},
		{"token used over another certificate", func(r *stetReq) { r.cred = f.aispOnly.Transport }, 401, "invalid_token", "token.certificate-bound"},
		{"no x-request-id", func(r *stetReq) { r.requestID = "-"; r.signed = []string{"(request-target)", "digest"} }, 400, "invalid_request", "headers.x-request-id"},
		{"text/plain body", func(r *stetReq) { r.contentType = "text/plain" }, 400, "invalid_request", "request.content-type"},
		{"no Digest", func(r *stetReq) { r.digest = "-"; r.signed = []string{"(request-target)", "x-request-id"} }, 400, "invalid_request", "digest.missing"},
		{"Digest of the empty body", func(r *stetReq) { r.digest = "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }, 400, "invalid_client_metadata", "digest.mismatch"},
		{"no Signature", func(r *stetReq) { r.noSignature = true }, 400, "invalid_request", "signature.missing"},
		{"hs2019 algorithm", func(r *stetReq) { r.algorithm = "hs2019" }, 400, "invalid_client_metadata", "signature.algorithm"},
		{"digest not signed", func(r *stetReq) { r.signed = []string{"(request-target)", "x-request-id"} }, 400, "invalid_client_metadata", "signature.headers"},
		{"keyId naming no key", func(r *stetReq) { r.keyID = "another-kid" }, 400, "invalid_client_metadata", "signature.key-id"},
		{"signed with another key", func(r *stetReq) { r.key = otherKey }, 400, "invalid_client_metadata", "signature.invalid"},
		{"contact missing", func(r *stetReq) { delete(r.body, "contact") }, 400, "invalid_request", "body.required"},
		{"two keys in jwks", func(r *stetReq) {
			r.body["jwks"] = map[string]any{"keys": []any{f.qsealJWK(), f.qsealJWK()}}
		}, 400, "invalid_client_metadata", "jwks.keys"},
		{"x5u given", func(r *stetReq) { jwk(r)["x5u"] = "https://tpp.example/qseal.pem" }, 400, "invalid_client_metadata", "jwks.forbidden"},
		{"use enc", func(r *stetReq) { jwk(r)["use"] = "enc" }, 400, "invalid_client_metadata", "jwks.use"},
		{"key_ops sign", func(r *stetReq) { jwk(r)["key_ops"] = []string{"sign"} }, 400, "invalid_client_metadata", "jwks.key_ops"},
		{"chain in x5c", func(r *stetReq) {
			jwk(r)["x5c"] = []string{base64.StdEncoding.EncodeToString(f.demo.Signing.Leaf().Raw), base64.StdEncoding.EncodeToString(f.srv.CA().Cert.Raw)}
		}, 400, "invalid_client_metadata", "jwks.x5c"},
		{"QSEAL from another CA", func(r *stetReq) {
			jwk(r)["x5c"] = []string{base64.StdEncoding.EncodeToString(f.stranger.Leaf().Raw)}
		}, 400, "invalid_client_metadata", "jwks.x5c-untrusted"},
		{"x5t#S256 of another certificate", func(r *stetReq) { jwk(r)["x5t#S256"] = pki.ThumbprintS256(f.demo.Transport.Leaf()) }, 400, "invalid_client_metadata", "jwks.x5t#S256"},
		{"n of another key", func(r *stetReq) {
			jwk(r)["n"] = base64.RawURLEncoding.EncodeToString(otherKey.N.Bytes())
		}, 400, "invalid_client_metadata", "jwks.key-mismatch"},
		{"client_secret_basic", func(r *stetReq) { r.body["token_endpoint_auth_method"] = "client_secret_basic" }, 400, "invalid_client_metadata", "body.token-endpoint-auth-method"},
		{"authorization_code grant", func(r *stetReq) { r.body["grant_types"] = []string{"authorization_code"} }, 400, "invalid_client_metadata", "body.grant-types"},
		{"scope separated by semicolons", func(r *stetReq) { r.body["scope"] = "aisp; pisp" }, 400, "invalid_client_metadata", "body.scope"},
		{"e-mail without a domain", func(r *stetReq) {
			r.body["contact"] = map[string]any{"contact_name": "A", "email": "alex", "phone_number": "+1"}
		}, 400, "invalid_client_metadata", "body.contact"},
		{"provider_legal_id of another TPP", func(r *stetReq) { r.body["provider_legal_id"] = "PSDFR-ACPR-12345" }, 400, "invalid_client_metadata", "body.provider-legal-id"},
		{"provider_legal_id not in ETSI form", func(r *stetReq) { r.body["provider_legal_id"] = "12345" }, 400, "invalid_client_metadata", "body.provider-legal-id"},
		{"agent id without AGT", func(r *stetReq) { r.body["client_legal_id"] = "FR-ACPR-12345001" }, 400, "invalid_client_metadata", "body.client-legal-id"},
		{"http redirect URI", func(r *stetReq) { r.body["redirect_uris"] = []string{"http://demo-tpp.example/cb"} }, 400, "invalid_redirect_uri", "redirect.https"},
		{"PUT of a client that does not exist", func(r *stetReq) {
			r.method, r.path = "PUT", stetPath+"/AGTGB-SBX-999"
			r.body["client_legal_id"] = "AGTGB-SBX-999"
		}, 404, "not_found", "client.unknown"},
		{"DELETE, which seed 001 does not offer", func(r *stetReq) { r.method, r.path = "DELETE", stetPath+"/AGTGB-SBX-999" }, 405, "method_not_allowed", "http.method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.validSTET(t)
			tt.change(r)
			a := f.sendSTET(t, r)
			if a.Status != tt.status || a.Code != tt.code || a.Rule != tt.rule {
				t.Errorf("got %d %s [%s], want %d %s [%s]\n%s", a.Status, a.Code, a.Rule, tt.status, tt.code, tt.rule, a.Raw)
			}
		})
	}
}

func TestSTETRefusesASecondCreateOfTheSameClient(t *testing.T) {
	f := getFixture(t)
	r := f.validSTET(t)
	if a := f.sendSTET(t, r); a.Status != 201 {
		t.Fatalf("first: %d %s", a.Status, a.Raw)
	}
	again := f.validSTET(t)
	again.body["client_legal_id"] = r.body["client_legal_id"]
	a := f.sendSTET(t, again)
	if a.Status != 400 || a.Rule != "register.duplicate" {
		t.Errorf("got %d [%s], want 400 [register.duplicate]: %s", a.Status, a.Rule, a.Raw)
	}
}

func TestSTETTokenEndpointRefusals(t *testing.T) {
	f := getFixture(t)
	tests := []struct {
		name   string
		form   url.Values
		cred   *pki.Credential
		status int
		code   string
		rule   string
	}{
		{"another scope", url.Values{"grant_type": {"client_credentials"}, "client_id": {"PSD2_TPPRegister"}, "scope": {"aisp"}}, f.demo.Transport, 400, "invalid_scope", "token.scope"},
		{"another client id", url.Values{"grant_type": {"client_credentials"}, "client_id": {"me"}, "scope": {"manageRegistration"}}, f.demo.Transport, 401, "invalid_client", "token.client-id"},
		{"password grant", url.Values{"grant_type": {"password"}}, f.demo.Transport, 400, "unsupported_grant_type", "token.grant-type"},
		{"no certificate", url.Values{"grant_type": {"client_credentials"}, "client_id": {"PSD2_TPPRegister"}, "scope": {"manageRegistration"}}, nil, 401, "invalid_client", "mtls.certificate-missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.do(t, tt.cred, "POST", f.url("/bpce/stet/psd2/oauth/token"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, []byte(tt.form.Encode()))
			if a.Status != tt.status || a.Code != tt.code || a.Rule != tt.rule {
				t.Errorf("got %d %s [%s], want %d %s [%s]: %s", a.Status, a.Code, a.Rule, tt.status, tt.code, tt.rule, a.Raw)
			}
		})
	}
}
