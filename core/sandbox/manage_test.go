package sandbox_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/discovery"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// register makes a client at a UK bank by hand and returns its answer.
func (f *fixture) register(t *testing.T, bank string, change func(*ukReq)) map[string]any {
	t.Helper()
	r := f.validUK(t, bank)
	if change != nil {
		change(r)
	}
	a := f.sendUK(t, "POST", f.url(ukPaths[bank]), r, "")
	if a.Status/100 != 2 {
		t.Fatalf("register: %d %s", a.Status, a.Raw)
	}
	return a.Body
}

func (f *fixture) tokenFor(t *testing.T, bank string, form url.Values, basic [2]string) answer {
	t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if basic[0] != "" {
		h["Authorization"] = "Basic " + basicAuth(basic[0], basic[1])
	}
	return f.do(t, f.demo.Transport, "POST", f.url("/"+bank+"/token"), h, []byte(form.Encode()))
}

func basicAuth(id, secret string) string {
	return b64(url.QueryEscape(id) + ":" + url.QueryEscape(secret))
}

func TestRegistrationIsManagedWithItsAccessToken(t *testing.T) {
	f := getFixture(t)
	rec := f.register(t, "obie", nil)
	id, rat := rec["client_id"].(string), rec["registration_access_token"].(string)
	uri := rec["registration_client_uri"].(string)
	if uri != f.url(ukPaths["obie"]+"/"+id) {
		t.Errorf("registration_client_uri %s", uri)
	}
	auth := map[string]string{"Authorization": "Bearer " + rat}

	a := f.do(t, f.demo.Transport, "GET", uri, auth, nil)
	if a.Status != 200 || a.Body["client_id"] != id || a.Body["client_secret"] != nil {
		t.Fatalf("GET: %d %s", a.Status, a.Raw)
	}
	for _, tt := range []struct {
		name   string
		header map[string]string
		rule   string
	}{
		{"no token", nil, "token.missing"},
		{"wrong token", map[string]string{"Authorization": "Bearer nope"}, "token.invalid"},
	} {
		if a := f.do(t, f.demo.Transport, "GET", uri, tt.header, nil); a.Status != 401 || a.Code != "invalid_token" || a.Rule != tt.rule {
			t.Errorf("GET with %s: %d %s [%s]", tt.name, a.Status, a.Code, a.Rule)
		}
	}

	put := f.validUK(t, "obie")
	put.claims["redirect_uris"] = []string{"https://demo-tpp.example/callback/mobile"}
	a = f.sendUK(t, "PUT", uri, put, rat)
	if a.Status != 200 {
		t.Fatalf("PUT: %d %s", a.Status, a.Raw)
	}
	if uris, _ := a.Body["redirect_uris"].([]any); len(uris) != 1 || uris[0] != "https://demo-tpp.example/callback/mobile" {
		t.Errorf("PUT answer %s", a.Raw)
	}

	if a := f.do(t, f.demo.Transport, "DELETE", uri, auth, nil); a.Status != 204 {
		t.Fatalf("DELETE: %d %s", a.Status, a.Raw)
	}
	// RFC 7592: a deleted client's token no longer works.
	if a := f.do(t, f.demo.Transport, "GET", uri, auth, nil); a.Status != 401 {
		t.Errorf("GET after DELETE: %d %s", a.Status, a.Raw)
	}
}

func TestClientCredentialsTokenManagesTheClient(t *testing.T) {
	f := getFixture(t)
	tests := []struct {
		name   string
		bank   string
		change func(*ukReq)
		token  func(t *testing.T, rec map[string]any) answer
	}{
		{"tls_client_auth", "obie", nil, func(t *testing.T, rec map[string]any) answer {
			return f.tokenFor(t, "obie", url.Values{"grant_type": {"client_credentials"}, "client_id": {rec["client_id"].(string)}}, [2]string{})
		}},
		{"client_secret_basic", "uk31", nil, func(t *testing.T, rec map[string]any) answer {
			return f.tokenFor(t, "uk31", url.Values{"grant_type": {"client_credentials"}, "scope": {"accounts"}},
				[2]string{rec["client_id"].(string), rec["client_secret"].(string)})
		}},
		{"private_key_jwt", "obie", func(r *ukReq) {
			r.claims["token_endpoint_auth_method"] = "private_key_jwt"
			r.claims["token_endpoint_auth_signing_alg"] = "PS256"
			delete(r.claims, "tls_client_auth_subject_dn")
		}, func(t *testing.T, rec map[string]any) answer {
			id := rec["client_id"].(string)
			assertion := sign(t, f.demo.Signing.Key, jose.PS256, map[string]any{"kid": f.demo.SigningKID}, map[string]any{
				"iss": id, "sub": id, "aud": f.url("/obie/token"), "jti": registration.NewUUID(),
				"iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()})
			return f.tokenFor(t, "obie", url.Values{"grant_type": {"client_credentials"},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}, [2]string{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.register(t, tt.bank, tt.change)
			a := tt.token(t, rec)
			tok, _ := a.Body["access_token"].(string)
			if a.Status != 200 || tok == "" {
				t.Fatalf("token: %d %s", a.Status, a.Raw)
			}
			uri := f.url(ukPaths[tt.bank] + "/" + rec["client_id"].(string))
			if a := f.do(t, f.demo.Transport, "GET", uri, map[string]string{"Authorization": "Bearer " + tok}, nil); a.Status != 200 {
				t.Errorf("GET with the access token: %d %s", a.Status, a.Raw)
			}
			other := f.register(t, tt.bank, tt.change)
			otherURI := f.url(ukPaths[tt.bank] + "/" + other["client_id"].(string))
			if a := f.do(t, f.demo.Transport, "GET", otherURI, map[string]string{"Authorization": "Bearer " + tok}, nil); a.Status != 401 || a.Rule != "token.other-client" {
				t.Errorf("another client's record with this token: %d [%s]", a.Status, a.Rule)
			}
		})
	}
}

func TestTokenEndpointRefusesClientsThatDoNotAuthenticateAsRegistered(t *testing.T) {
	f := getFixture(t)
	basic := f.register(t, "uk31", nil)
	tls := f.register(t, "obie", nil)
	cc := url.Values{"grant_type": {"client_credentials"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vals := range cc {
			v[k] = vals
		}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name  string
		bank  string
		form  url.Values
		basic [2]string
		code  string
		rule  string
	}{
		{"wrong client secret", "uk31", cc, [2]string{basic["client_id"].(string), "guess"}, "invalid_client", "token.client-secret"},
		{"secret client using tls_client_auth", "uk31", with("client_id", basic["client_id"].(string)), [2]string{}, "invalid_client", "token.auth-method"},
		{"unknown client", "obie", with("client_id", "ghost"), [2]string{}, "invalid_client", "token.client-unknown"},
		{"scope not registered", "obie", with("client_id", tls["client_id"].(string), "scope", "fundsconfirmations"), [2]string{}, "invalid_scope", "token.scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.tokenFor(t, tt.bank, tt.form, tt.basic)
			if a.Code != tt.code || a.Rule != tt.rule {
				t.Errorf("got %d %s [%s], want %s [%s]: %s", a.Status, a.Code, a.Rule, tt.code, tt.rule, a.Raw)
			}
		})
	}
}

func TestAlTareqRegistration(t *testing.T) {
	f := getFixture(t)
	ok := map[string]string{"Content-Type": "application/json", "X-Fapi-Interaction-Id": "0d4f3bde-d6a5-4c29-9b5d-1a8e0b9a7e61"}
	a := f.do(t, f.demo.Transport, "POST", f.url("/altareq/tpp-registration"), ok, []byte("{}"))
	if a.Status != 204 || a.Header.Get("X-Fapi-Interaction-Id") != ok["X-Fapi-Interaction-Id"] {
		t.Fatalf("register: %d %q %s", a.Status, a.Header.Get("X-Fapi-Interaction-Id"), a.Raw)
	}
	tests := []struct {
		name   string
		cred   *pki.Credential
		header map[string]string
		body   string
		method string
		status int
		rule   string
	}{
		{"no client certificate", nil, ok, "{}", "POST", 401, "mtls.certificate-missing"},
		{"certificate from another CA", f.stranger, ok, "{}", "POST", 401, "mtls.certificate-untrusted"},
		{"certificate of no application in the directory", f.unenrolled, ok, "{}", "POST", 401, "mtls.not-trust-framework"},
		{"interaction id not a UUID", f.demo.Transport, map[string]string{"Content-Type": "application/json", "X-Fapi-Interaction-Id": "42"}, "{}", "POST", 400, "headers.x-fapi-interaction-id"},
		{"body not JSON", f.demo.Transport, map[string]string{"Content-Type": "application/json"}, "register me", "POST", 400, "body.json"},
		{"form body", f.demo.Transport, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "a=b", "POST", 400, "request.content-type"},
		{"GET", f.demo.Transport, ok, "", "GET", 405, "http.method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.do(t, tt.cred, tt.method, f.url("/altareq/tpp-registration"), tt.header, []byte(tt.body))
			if a.Status != tt.status || a.Rule != tt.rule || a.Body["Errors"] == nil {
				t.Errorf("got %d [%s], want %d [%s] in the Errors format: %s", a.Status, a.Rule, tt.status, tt.rule, a.Raw)
			}
		})
	}
}

func TestDiscoveryDocumentsReadByTheWizard(t *testing.T) {
	f := getFixture(t)
	for _, bank := range []string{"uk31", "obie", "bpce", "altareq"} {
		a := f.do(t, nil, "GET", f.url("/"+bank+"/.well-known/openid-configuration"), nil, nil)
		cfg, err := discovery.Parse([]byte(a.Raw))
		if a.Status != 200 || err != nil {
			t.Fatalf("%s: %d %v", bank, a.Status, err)
		}
		if cfg.Issuer != f.url("/"+bank) || !strings.HasPrefix(cfg.RegistrationEndpoint, cfg.Issuer+"/") || cfg.TokenEndpoint == "" {
			t.Errorf("%s: %+v", bank, cfg)
		}
	}
}

func TestDirectoryPublishesKeysGoJoseReads(t *testing.T) {
	f := getFixture(t)
	var claims map[string]any
	parts := strings.Split(f.demo.Statement, ".")
	if err := json.Unmarshal(unb64(t, parts[1]), &claims); err != nil {
		t.Fatal(err)
	}
	a := f.do(t, nil, "GET", claims["software_jwks_endpoint"].(string), nil, nil)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(a.Raw), &set); err != nil || a.Status != 200 {
		t.Fatalf("%d %v %s", a.Status, err, a.Raw)
	}
	keys := set.Key(f.demo.SigningKID)
	if len(keys) != 1 || !keys[0].Certificates[0].Equal(f.demo.Signing.Leaf()) {
		t.Fatalf("signing key not published with its certificate: %s", a.Raw)
	}
	// The statement verifies with the directory's published key.
	a = f.do(t, nil, "GET", f.url("/directory/keys.jwks"), nil, nil)
	if err := json.Unmarshal([]byte(a.Raw), &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(f.demo.Statement, []jose.SignatureAlgorithm{jose.PS256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(set.Key("sandbox-directory-1")[0].Key); err != nil {
		t.Errorf("statement does not verify with the published directory key: %v", err)
	}
}

func TestFreshStatementIsIssuedToTheSoftwaresCertificateOnly(t *testing.T) {
	f := getFixture(t)
	u := f.srv.StatementURL(f.demo.Software.ID)
	a := f.do(t, f.demo.Transport, "POST", u, nil, nil)
	if a.Status != 200 || strings.Count(a.Raw, ".") != 2 {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	if a := f.do(t, f.aispOnly.Transport, "POST", u, nil, nil); a.Status != 401 || a.Rule != "mtls.not-software-certificate" {
		t.Errorf("another TPP's certificate: %d [%s]", a.Status, a.Rule)
	}
}

func TestCertificateUpload(t *testing.T) {
	f := getFixture(t)
	path := f.url("/uk31/api/open-banking/v3.1/tpp/certificates")
	body := func(pem, name, typ string) []byte {
		b, _ := json.Marshal(map[string]any{"data": map[string]any{"certificate": map[string]any{"pem": pem, "name": name, "type": typ}}})
		return b
	}
	qseal := string(pki.EncodeCertificates(f.demo.Signing.Chain[:1]))
	oneLine := strings.ReplaceAll(qseal, "\n", "")
	h := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name   string
		body   []byte
		status int
		rule   string
	}{
		{"PEM with line breaks", body(qseal, "QSEAL 2026", "qseal"), 200, ""},
		{"PEM on one line, as seed 000's example", body(oneLine, "QSEAL 2026", "qseal"), 200, ""},
		{"no name", body(qseal, "", "qseal"), 401, "certificate.required"},
		{"type qwac", body(qseal, "x", "qwac"), 401, "certificate.type"},
		{"certificate from another CA", body(string(pki.EncodeCertificates(f.stranger.Chain[:1])), "x", "qseal"), 401, "certificate.untrusted"},
		{"another organisation's certificate", body(string(pki.EncodeCertificates(f.aispOnly.Signing.Chain[:1])), "x", "qseal"), 401, "certificate.organisation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.do(t, f.demo.Transport, "POST", path, h, tt.body)
			if a.Status != tt.status || a.Rule != tt.rule {
				t.Errorf("got %d [%s], want %d [%s]: %s", a.Status, a.Rule, tt.status, tt.rule, a.Raw)
			}
			if tt.status != 200 && a.Code != "WrongRequiredFields" {
				t.Errorf("seed 000 lists WrongRequiredFields for this endpoint, got %q", a.Code)
			}
		})
	}
}

func TestRegisteredClientsOutliveARestart(t *testing.T) {
	f := getFixture(t)
	rec := f.register(t, "obie", nil)
	restarted, err := sandbox.New(sandbox.Options{Dir: f.dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := restarted.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	uri := restarted.URL() + ukPaths["obie"] + "/" + rec["client_id"].(string)
	a := f.do(t, f.demo.Transport, "GET", uri, map[string]string{"Authorization": "Bearer " + rec["registration_access_token"].(string)}, nil)
	if a.Status != 200 || a.Body["client_id"] != rec["client_id"] {
		t.Fatalf("GET after restart: %d %s", a.Status, a.Raw)
	}
}

func TestInteractionIDIsEchoedOrMade(t *testing.T) {
	f := getFixture(t)
	sent := "3b0e6d0e-5f5c-4a57-9d3c-2f1b8f6a9e10"
	a := f.do(t, f.demo.Transport, "POST", f.url(ukPaths["obie"]), map[string]string{"Content-Type": "application/jose", "X-Fapi-Interaction-Id": sent}, []byte("x"))
	if a.Status != 400 || a.Header.Get("X-Fapi-Interaction-Id") != sent {
		t.Errorf("refusal: %d, interaction id %q", a.Status, a.Header.Get("X-Fapi-Interaction-Id"))
	}
	a = f.do(t, f.demo.Transport, "POST", f.url(ukPaths["obie"]), map[string]string{"Content-Type": "application/jose"}, []byte("x"))
	if got := a.Header.Get("X-Fapi-Interaction-Id"); len(got) != 36 {
		t.Errorf("no interaction id made for a request without one: %q", got)
	}
}

func TestTLS12OffersOnlyTheFAPISuites(t *testing.T) {
	f := getFixture(t)
	roots := x509.NewCertPool()
	roots.AddCert(f.srv.CA().Cert)
	tests := []struct {
		suite uint16
		ok    bool
	}{
		{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, true},
		{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, true},
		{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, false},
		{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, false},
	}
	for _, tt := range tests {
		conn, err := tls.Dial("tcp", strings.TrimPrefix(f.srv.URL(), "https://"), &tls.Config{RootCAs: roots,
			MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tt.suite}})
		if (err == nil) != tt.ok {
			t.Errorf("%s: handshake error %v, want success %v", tls.CipherSuiteName(tt.suite), err, tt.ok)
		}
		if conn != nil {
			conn.Close()
		}
	}
}
