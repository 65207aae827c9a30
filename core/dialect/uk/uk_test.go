package uk_test

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/dialect/uk"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/testkit"
)

var fixedNow = time.Unix(1_800_000_000, 0)

func input(t testing.TB, profileID string) *registration.Input {
	k := testkit.Get(t)
	return &registration.Input{
		Profile:   testkit.Profile(t, profileID),
		Identity:  k.Parsed(t),
		Operation: registration.Create,
		Endpoint:  "https://bank.example/api/open-banking/v3.1/tpp/register",
		Now:       fixedNow,
		NewID:     func() string { return "6b1f1a0e-3c1d-4e8f-9a5b-2c7d8e9f0a1b" },
	}
}

func TestBuildSignsAJWTThatGoJoseVerifies(t *testing.T) {
	k := testkit.Get(t)
	tests := []struct {
		profile, contentType string
		alg                  jose.SignatureAlgorithm
	}{
		{"uk-saltedge-v31", "application/jwt", jose.PS256},
		{"uk-obie-v33-modelbank", "application/jose", jose.PS256},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			in := input(t, tt.profile)
			req, err := uk.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != "POST" || req.URL != in.Endpoint || req.Header.Get("Content-Type") != tt.contentType {
				t.Fatalf("%s %s, Content-Type %s", req.Method, req.URL, req.Header.Get("Content-Type"))
			}
			jws, err := jose.ParseSigned(string(req.Body), []jose.SignatureAlgorithm{tt.alg})
			if err != nil {
				t.Fatal(err)
			}
			payload, err := jws.Verify(&k.Signing.Key.(*rsa.PrivateKey).PublicKey)
			if err != nil {
				t.Fatalf("go-jose does not verify the registration JWT: %v", err)
			}
			h := jws.Signatures[0].Protected
			if h.KeyID != testkit.SigningKID || h.Algorithm != string(tt.alg) || h.ExtraHeaders["typ"] != "JWT" {
				t.Errorf("header kid=%q alg=%q typ=%v", h.KeyID, h.Algorithm, h.ExtraHeaders["typ"])
			}
			var rawHeader map[string]any
			seg, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(string(req.Body), ".", 2)[0])
			if err := json.Unmarshal(seg, &rawHeader); err != nil {
				t.Fatal(err)
			}
			for _, forbidden := range []string{"x5c", "x5u", "jwk"} {
				if _, has := rawHeader[forbidden]; has {
					t.Errorf("header carries %s", forbidden)
				}
			}
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			if claims["aud"] == nil || claims["jti"] != "6b1f1a0e-3c1d-4e8f-9a5b-2c7d8e9f0a1b" {
				t.Errorf("aud=%v jti=%v", claims["aud"], claims["jti"])
			}
		})
	}
}

func TestClaimsGolden(t *testing.T) {
	in := input(t, "uk-saltedge-v31")
	in.Fields = map[string]any{"aud": "0dw23dsa13123"}
	req, err := uk.Dialect{}.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"iss":                          testkit.SoftwareID,
		"iat":                          float64(1_800_000_000),
		"exp":                          float64(1_800_000_300),
		"aud":                          "0dw23dsa13123",
		"jti":                          "6b1f1a0e-3c1d-4e8f-9a5b-2c7d8e9f0a1b",
		"redirect_uris":                []any{testkit.RedirectURI, testkit.RedirectURI2},
		"token_endpoint_auth_method":   "client_secret_basic",
		"grant_types":                  []any{"client_credentials", "authorization_code", "refresh_token"},
		"response_types":               []any{"code"},
		"software_statement":           in.Identity.SSA,
		"software_id":                  testkit.SoftwareID,
		"scope":                        "openid accounts payments",
		"application_type":             "web",
		"request_object_signing_alg":   "PS256",
		"id_token_signed_response_alg": "PS256",
	}
	got := decodeClaims(t, req.Body)
	if !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("claims differ from golden:\n%s", gotJSON)
	}
	if len(req.Findings) != 0 {
		t.Errorf("unexpected findings %v", req.Findings)
	}
}

func decodeClaims(t *testing.T, body []byte) map[string]any {
	t.Helper()
	jws, err := jose.ParseSigned(string(body), []jose.SignatureAlgorithm{jose.PS256, jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestAuthMethodDecidesDependentClaims(t *testing.T) {
	tests := []struct {
		method      string
		wantDN      string
		wantSignAlg string
	}{
		// The DN is written out by hand from the transport certificate's
		// subject: RFC 4514 order (last RDN first), organizationIdentifier named.
		{"tls_client_auth", "organizationIdentifier=PSDFR-ACPR-12345,CN=tpp-transport,O=Exemple Paiements SAS,C=FR", ""},
		{"private_key_jwt", "", "PS256"},
		{"client_secret_basic", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			in := input(t, "uk-obie-v33-modelbank")
			in.Fields = map[string]any{"token_endpoint_auth_method": tt.method}
			req, err := uk.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			c := decodeClaims(t, req.Body)
			if dn, _ := c["tls_client_auth_subject_dn"].(string); dn != tt.wantDN {
				t.Errorf("tls_client_auth_subject_dn = %q, want %q", dn, tt.wantDN)
			}
			if alg, _ := c["token_endpoint_auth_signing_alg"].(string); alg != tt.wantSignAlg {
				t.Errorf("token_endpoint_auth_signing_alg = %q, want %q", alg, tt.wantSignAlg)
			}
		})
	}
}

func TestRS256PerProfile(t *testing.T) {
	in := input(t, "uk-saltedge-v31")
	in.Profile.SigningAlg = "RS256"
	req, err := uk.Dialect{}.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(string(req.Body), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(in.Identity.Signing.Leaf().PublicKey); err != nil {
		t.Fatal(err)
	}
}

func TestPreflightFindings(t *testing.T) {
	tests := []struct {
		name      string
		redirects []string
		fields    map[string]any
		want      string
	}{
		{"redirect not in SSA", []string{"https://other.example/cb"}, nil, "is not in your software statement"},
		{"http redirect", []string{"http://tpp.example.com/callback"}, nil, "does not use https"},
		{"localhost redirect", []string{"https://localhost/cb"}, nil, "points at this computer"},
		{"loopback IP redirect", []string{"https://127.0.0.1/cb"}, nil, "points at this computer"},
		{"auth method the bank refuses", nil, map[string]any{"token_endpoint_auth_method": "tls_client_auth"}, "is not accepted by this bank"},
		{"scope the bank does not offer", nil, map[string]any{"scope": "openid makepayment"}, `"makepayment" is not a scope`},
		{"software id changed", nil, map[string]any{"software_id": "other"}, "differs from the software statement"},
		{"bad application type", nil, map[string]any{"application_type": "desktop"}, "is not web or mobile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(t, "uk-saltedge-v31")
			in.RedirectURIs = tt.redirects
			in.Fields = tt.fields
			req, err := uk.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, f := range req.Findings.Errors() {
				found = append(found, f.Message.String())
			}
			if !strings.Contains(strings.Join(found, "|"), tt.want) {
				t.Fatalf("errors %q, want one containing %q", found, tt.want)
			}
		})
	}
}

func TestAudienceDefaultsAreFlagged(t *testing.T) {
	in := input(t, "uk-saltedge-v31")
	req, err := uk.Dialect{}.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if decodeClaims(t, req.Body)["aud"] != "https://bank.example" || len(req.Findings) != 1 || req.Findings[0].Field != "aud" {
		t.Fatalf("findings %v", req.Findings)
	}
	in.Issuer = "https://issuer.bank.example"
	req, _ = uk.Dialect{}.Build(in)
	if decodeClaims(t, req.Body)["aud"] != "https://issuer.bank.example" || len(req.Findings) != 0 {
		t.Fatalf("with issuer: findings %v", req.Findings)
	}
}

func TestUpdatePutsToTheClientURL(t *testing.T) {
	in := input(t, "uk-obie-v33-modelbank")
	in.Operation = registration.Update
	in.ClientID = "client-123"
	in.AccessToken = "tok"
	req, err := uk.Dialect{}.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "PUT" || req.URL != in.Endpoint+"/client-123" || req.Header.Get("Authorization") != "Bearer tok" {
		t.Fatalf("%s %s %v", req.Method, req.URL, req.Header)
	}
	in.ClientID = "../admin"
	if _, err := (uk.Dialect{}).Build(in); err == nil || !strings.Contains(err.Error(), "is not a client id") {
		t.Fatalf("path characters accepted: %v", err)
	}
}

func TestMissingCredentialsAreNamed(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*registration.Input)
		want   string
	}{
		{"no SSA", func(in *registration.Input) { in.Identity.Statement = nil }, "software statement is needed"},
		{"no signing certificate", func(in *registration.Input) { in.Identity.Signing = nil }, "signing certificate and key are needed"},
		{"no kid", func(in *registration.Input) { in.Identity.SigningKID = "" }, "key id (kid)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(t, "uk-saltedge-v31")
			tt.mutate(in)
			_, err := uk.Dialect{}.Build(in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestCertificateUploadBody(t *testing.T) {
	in := input(t, "uk-saltedge-v31")
	req, err := uk.CertificateUpload(in.Profile.CertificateEndpoint, in.Identity.Signing.Leaf(), "QSEAL 2026")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Data struct {
			Certificate struct{ PEM, Name, Type string }
		}
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatal(err)
	}
	c := body.Data.Certificate
	if !strings.HasPrefix(c.PEM, "-----BEGIN CERTIFICATE-----") || c.Name != "QSEAL 2026" || c.Type != "qseal" {
		t.Fatalf("body %s", req.Body)
	}
	if req.Method != "POST" || req.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s %v", req.Method, req.Header)
	}
}

func TestChangeIsAnswered200EvenWhereCreationIs201(t *testing.T) {
	body := []byte(`{"client_id":"client-123","redirect_uris":["https://tpp.example.com/callback"]}`)
	tests := []struct {
		op     registration.Operation
		status int
		ok     bool
	}{
		{registration.Create, 201, true},
		{registration.Create, 200, false},
		{registration.Update, 200, true},
		{registration.Update, 201, true},
		{registration.Update, 204, false},
	}
	for _, tt := range tests {
		in := input(t, "uk-obie-v33-modelbank")
		in.Operation = tt.op
		_, err := uk.Dialect{}.Parse(in, &registration.Response{Status: tt.status, Body: body})
		if (err == nil) != tt.ok {
			t.Errorf("%s answered %d: err = %v, want ok %v", tt.op, tt.status, err, tt.ok)
		}
	}
}
