package stet_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/core/dialect/stet"
	"github.com/tppwizard/tppwizard/core/httpsig"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/testkit"
)

var update = flag.Bool("update", false, "rewrite golden files")

// opensslIdentity uses the OpenSSL-made certificate and key in core/pki/testdata
// for both roles, so the whole request (PKCS#1 v1.5 is deterministic) can be
// compared byte for byte with a golden file.
func opensslIdentity(t testing.TB) *identity.Parsed {
	t.Helper()
	cert, err := os.ReadFile("../../pki/testdata/rsa-cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile("../../pki/testdata/rsa-pkcs8.pem")
	if err != nil {
		t.Fatal(err)
	}
	p, err := identity.Identity{Name: "golden", TransportCert: string(cert), TransportKey: string(key),
		SigningCert: string(cert), SigningKey: string(key), SigningKID: "qseal-2026"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func goldenInput(t testing.TB) *registration.Input {
	return &registration.Input{
		Profile:      testkit.Profile(t, "fr-bpce-17515-sandbox"),
		Identity:     opensslIdentity(t),
		Operation:    registration.Create,
		Endpoint:     "https://www.17515.sandbox.api.89C3.com/stet/setting/v1/register",
		RedirectURIs: []string{"https://app.exemple.fr/callback"},
		Fields: map[string]any{
			"scope":                "aisp, pisp",
			"contact.contact_name": "Claire Martin",
			"contact.email":        "claire.martin@exemple.fr",
			"contact.phone_number": "+33102030405",
		},
		AccessToken: "token-from-bank",
		Now:         time.Unix(1_800_000_000, 0),
		NewID:       func() string { return "0b8a1f6e-6d0c-4b8e-9d43-6a1f3c2e7b10" },
	}
}

func TestGoldenRequest(t *testing.T) {
	req, err := stet.Dialect{}.Build(goldenInput(t))
	if err != nil {
		t.Fatal(err)
	}
	if errs := req.Findings.Errors(); len(errs) > 0 {
		t.Fatalf("findings %v", errs)
	}
	var got strings.Builder
	got.WriteString(req.Method + " " + req.URL + "\n")
	for _, h := range []string{"Content-Type", "Accept", "X-Request-ID", "Digest", "Authorization", "Signature"} {
		got.WriteString(h + ": " + req.Header.Get(h) + "\n")
	}
	got.WriteString("\n")
	got.Write(req.Body)
	got.WriteString("\n")
	const golden = "testdata/golden-register.txt"
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Fatalf("request differs from %s:\n%s", golden, got.String())
	}
}

func TestBodyFollowsSeed001(t *testing.T) {
	in := goldenInput(t)
	req, err := stet.Dialect{}.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		RedirectURIs            []string `json:"redirect_uris"`
		TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
		GrantTypes              []string `json:"grant_types"`
		ResponseTypes           []string `json:"response_types"`
		ClientName              string   `json:"client_name"`
		Scope                   string   `json:"scope"`
		ProviderLegalID         string   `json:"provider_legal_id"`
		SoftwareID              string   `json:"software_id"`
		JWKS                    struct {
			Keys []map[string]any `json:"keys"`
		} `json:"jwks"`
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.TokenEndpointAuthMethod != "tls_client_auth" || strings.Join(body.GrantTypes, ",") != "client_credentials" ||
		strings.Join(body.ResponseTypes, ",") != "code" || body.ClientName != "Exemple Paiements, SAS" ||
		body.ProviderLegalID != "PSDFR-ACPR-12345" || body.Scope != "aisp, pisp" {
		t.Errorf("body %s", req.Body)
	}
	if len(body.JWKS.Keys) != 1 {
		t.Fatalf("jwks has %d keys, want exactly 1", len(body.JWKS.Keys))
	}
	k := body.JWKS.Keys[0]
	leaf := in.Identity.Signing.Leaf()
	x5c, _ := k["x5c"].([]any)
	// Values derived by hand from the certificate, independently of pki.
	sum := sha256.Sum256(leaf.Raw)
	if k["kty"] != "RSA" || k["use"] != "sig" || k["alg"] != "RS256" || k["kid"] != "qseal-2026" ||
		len(x5c) != 1 || x5c[0] != base64.StdEncoding.EncodeToString(leaf.Raw) ||
		k["x5t#S256"] != "T3Uqf3jr4EbMkNA9MaAV7oN80dCnVlYzNqiIL2E6hmA" ||
		k["x5t#S256"] != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Errorf("jwk %v", k)
	}
	if ops, _ := k["key_ops"].([]any); len(ops) != 1 || ops[0] != "verify" {
		t.Errorf("key_ops %v", k["key_ops"])
	}
	for _, forbidden := range []string{"x5u", "x5t"} {
		if _, has := k[forbidden]; has {
			t.Errorf("jwk has forbidden %s", forbidden)
		}
	}
}

func TestSignatureVerifiesOverHandBuiltSigningString(t *testing.T) {
	tests := []struct {
		name      string
		operation registration.Operation
		clientID  string
		target    string
	}{
		{"create", registration.Create, "", "post /stet/setting/v1/register"},
		{"update", registration.Update, "AGTFR-ACPR-12345001", "put /stet/setting/v1/register/AGTFR-ACPR-12345001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goldenInput(t)
			in.Operation, in.ClientID = tt.operation, tt.clientID
			req, err := stet.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(req.Body)
			digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
			if req.Header.Get("Digest") != digest {
				t.Fatalf("Digest %s, want %s", req.Header.Get("Digest"), digest)
			}
			signing := "(request-target): " + tt.target + "\n" +
				"digest: " + digest + "\n" +
				"x-request-id: 0b8a1f6e-6d0c-4b8e-9d43-6a1f3c2e7b10"
			params, err := httpsig.Parse(req.Header.Get("Signature"))
			if err != nil {
				t.Fatal(err)
			}
			if params.KeyID != "qseal-2026" || params.Algorithm != "rsa-sha256" || strings.Join(params.Headers, " ") != "(request-target) digest x-request-id" {
				t.Fatalf("params %+v", params)
			}
			h := sha256.Sum256([]byte(signing))
			pub := in.Identity.Signing.Leaf().PublicKey.(*rsa.PublicKey)
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], params.Signature); err != nil {
				t.Fatalf("signature does not verify over the hand-built signing string: %v", err)
			}
		})
	}
}

func TestKeyIDPerProfile(t *testing.T) {
	tests := []struct {
		setting, certURL string
		operation        registration.Operation
		want             string
		wantFinding      bool
	}{
		{"kid", "", registration.Create, "qseal-2026", false},
		{"x5t#S256", "", registration.Create, "T3Uqf3jr4EbMkNA9MaAV7oN80dCnVlYzNqiIL2E6hmA", false},
		{"certificate_url", "https://tpp.exemple.fr/qsealc.pem", registration.Create, "https://tpp.exemple.fr/qsealc.pem", false},
		{"certificate_url", "", registration.Create, "qseal-2026", true},
		{"client_id", "", registration.Update, "client-9", false},
	}
	for _, tt := range tests {
		t.Run(tt.setting, func(t *testing.T) {
			in := goldenInput(t)
			in.Profile.Signature.KeyID = tt.setting
			in.SigningCertURL = tt.certURL
			in.Operation, in.ClientID = tt.operation, "client-9"
			req, err := stet.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := httpsig.Parse(req.Header.Get("Signature"))
			if p.KeyID != tt.want {
				t.Errorf("keyId %q, want %q", p.KeyID, tt.want)
			}
			if got := len(req.Findings.Errors()) > 0; got != tt.wantFinding {
				t.Errorf("findings %v", req.Findings)
			}
		})
	}
}

func TestRequiredFieldsAndAllowedValues(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]any
		want   string
	}{
		{"empty contact name", map[string]any{"contact.contact_name": " "}, "contact.contact_name"},
		{"bad e-mail", map[string]any{"contact.email": "nobody"}, "is not an e-mail address"},
		{"unknown scope", map[string]any{"scope": "aisp, psp"}, `"psp" is not one of`},
		{"no scope", map[string]any{"scope": nil}, "roles to register for are needed"},
		{"wrong auth method", map[string]any{"token_endpoint_auth_method": "private_key_jwt"}, `must be "tls_client_auth"`},
		{"wrong grant", map[string]any{"grant_types": []any{"authorization_code"}}, `must be ["client_credentials"]`},
		{"bad legal id", map[string]any{"provider_legal_id": "12345"}, "is not in the ETSI form"},
		{"bad agent id", map[string]any{"client_legal_id": "FR-12"}, "agent form"},
		{"no software id", map[string]any{"software_id": ""}, "brand name shown to customers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goldenInput(t)
			for k, v := range tt.fields {
				in.Fields[k] = v
			}
			req, err := stet.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, f := range req.Findings.Errors() {
				all = append(all, f.Field+": "+f.Message.String())
			}
			if !strings.Contains(strings.Join(all, "|"), tt.want) {
				t.Fatalf("findings %q, want %q", all, tt.want)
			}
		})
	}
}

func TestPrefillsFromEIDASCertificateAndSSA(t *testing.T) {
	k := testkit.Get(t)
	in := &registration.Input{Profile: testkit.Profile(t, "fr-bpce-17515-sandbox"), Identity: k.Parsed(t), Operation: registration.Create,
		Endpoint: "https://bank.example/stet/setting/v1/register", Now: time.Now()}
	req, err := stet.Dialect{}.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if errs := req.Findings.Errors(); len(errs) > 0 {
		t.Fatalf("a complete eIDAS identity with an SSA should need no input: %v", errs)
	}
	b := req.Fields
	if b["scope"] != "aisp, pisp" || b["provider_legal_id"] != testkit.OrgID || b["client_name"] != testkit.OrgName || b["software_id"] != "Exemple Pay" {
		t.Errorf("prefilled %v", b)
	}
	if !strings.Contains(req.Header.Get("Authorization"), "fetched at send time") {
		t.Errorf("Authorization %q", req.Header.Get("Authorization"))
	}
}
