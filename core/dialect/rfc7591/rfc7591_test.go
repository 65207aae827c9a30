package rfc7591_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/dialect/rfc7591"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/testkit"
)

const (
	endpoint   = "https://as.example.com/connect/register"
	manageURI  = "https://as.example.com/connect/clients/opaque-handle-7"
	fixedID    = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"
	transportD = "organizationIdentifier=PSDFR-ACPR-12345,CN=tpp-transport,O=Exemple Paiements SAS,C=FR"
)

func oauthProfile(mod func(*profile.Profile)) *profile.Profile {
	p := &profile.Profile{ID: "generic-as", Name: "Generic AS", Country: "Other", Dialect: profile.DialectOAuth, Environment: "sandbox",
		RegistrationEndpoint: endpoint, SuccessStatus: []int{201}, Needs: []string{profile.NeedTransport},
		AuthMethods: []string{"tls_client_auth", "private_key_jwt", "client_secret_basic"}, Scopes: []string{"openid", "accounts", "payments"}}
	if mod != nil {
		mod(p)
	}
	return p
}

// withoutStatement is the test identity with no software statement.
func withoutStatement(t *testing.T) *identity.Parsed {
	id := testkit.Get(t).Parsed(t)
	id.Statement = nil
	return id
}

func input(p *profile.Profile, id *identity.Parsed) *registration.Input {
	return &registration.Input{Profile: p, Identity: id, Operation: registration.Create, Endpoint: p.RegistrationEndpoint,
		Now: time.Unix(1800000000, 0), NewID: func() string { return fixedID }}
}

func body(t *testing.T, req *registration.Request) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(req.Body, &m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, req.Body)
	}
	return m
}

func TestCreateWithoutStatementSendsTheMetadataRFC7591Names(t *testing.T) {
	in := input(oauthProfile(nil), withoutStatement(t))
	in.RedirectURIs = []string{"https://tpp.example.com/callback"}
	req, err := rfc7591.Dialect{}.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.URL != endpoint {
		t.Fatalf("%s %s", req.Method, req.URL)
	}
	if req.Header.Get("Content-Type") != "application/json" || req.Header.Get("Authorization") != "" || req.Header.Get("X-Fapi-Interaction-Id") != fixedID {
		t.Fatalf("headers %v", req.Header)
	}
	// Written out by hand from RFC 7591 section 2 and RFC 8705 section 2.1.2.
	want := `{
		"redirect_uris": ["https://tpp.example.com/callback"],
		"token_endpoint_auth_method": "tls_client_auth",
		"tls_client_auth_subject_dn": "` + transportD + `",
		"grant_types": ["authorization_code", "refresh_token"],
		"response_types": ["code"]
	}`
	var wantMap map[string]any
	if err := json.Unmarshal([]byte(want), &wantMap); err != nil {
		t.Fatal(err)
	}
	if got := body(t, req); !reflect.DeepEqual(got, wantMap) {
		t.Fatalf("body\n got %v\nwant %v", got, wantMap)
	}
	if len(req.Findings) != 0 {
		t.Fatalf("findings %v", req.Findings)
	}
}

func TestStatementIsSentOnlyWhenTheServerAsksForOne(t *testing.T) {
	k := testkit.Get(t)
	tests := []struct {
		name      string
		needs     []string
		statement bool
	}{
		{"server asks", []string{profile.NeedTransport, profile.NeedSSA}, true},
		{"server does not ask", []string{profile.NeedTransport}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(oauthProfile(func(p *profile.Profile) { p.Needs = tt.needs }), k.Parsed(t))
			req, err := rfc7591.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			m := body(t, req)
			_, has := m["software_statement"]
			if has != tt.statement || (has && m["software_statement"] != k.Identity.SSA) {
				t.Fatalf("software_statement present=%v: %v", has, m["software_statement"])
			}
			// Only a statement sent binds the redirect addresses.
			in.RedirectURIs = []string{"https://elsewhere.example.com/cb"}
			again, err := rfc7591.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := hasError(again.Findings, "redirect_uris"); got != tt.statement {
				t.Errorf("redirect outside the statement refused=%v: %v", got, again.Findings)
			}
			// The statement's values pre-fill the metadata either way.
			if m["software_id"] != testkit.SoftwareID || m["client_name"] != "Exemple Pay" ||
				!reflect.DeepEqual(registration.StringList(m["redirect_uris"]), []string{testkit.RedirectURI, testkit.RedirectURI2}) {
				t.Fatalf("metadata %v", m)
			}
		})
	}
}

func TestInitialAccessToken(t *testing.T) {
	tests := []struct {
		name, policy, token string
		wantHeader          string
		wantFinding         bool
	}{
		{"given", profile.TokenOptional, "iat-123", "Bearer iat-123", false},
		{"optional and absent", profile.TokenOptional, "", "", false},
		{"required and absent", profile.TokenRequired, "", "", true},
		{"required and given", profile.TokenRequired, "iat-123", "Bearer iat-123", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(oauthProfile(func(p *profile.Profile) { p.InitialAccessToken = tt.policy }), testkit.Get(t).Parsed(t))
			in.AccessToken = tt.token
			req, err := rfc7591.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			if req.Header.Get("Authorization") != tt.wantHeader {
				t.Errorf("Authorization %q", req.Header.Get("Authorization"))
			}
			if got := hasError(req.Findings, "initial_access_token"); got != tt.wantFinding {
				t.Errorf("finding %v: %v", got, req.Findings)
			}
		})
	}
}

func TestUpdateGoesOnlyToTheRegistrationClientURI(t *testing.T) {
	tests := []struct {
		name, uri, token string
		wantErr          bool
		wantTokenProblem bool
	}{
		{"uri and token", manageURI, "rat-1", false, false},
		{"no token", manageURI, "", false, true},
		{"no uri is never guessed", "", "rat-1", true, false},
		{"http uri", "http://as.example.com/clients/1", "rat-1", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(oauthProfile(nil), testkit.Get(t).Parsed(t))
			in.Operation, in.ClientID, in.ManagementURI, in.AccessToken = registration.Update, "client-9", tt.uri, tt.token
			req, err := rfc7591.Dialect{}.Build(in)
			var ie *registration.InputError
			if tt.wantErr {
				if !errors.As(err, &ie) || ie.Field != "registration_client_uri" {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != "PUT" || req.URL != manageURI {
				t.Fatalf("%s %s", req.Method, req.URL)
			}
			m := body(t, req)
			if m["client_id"] != "client-9" {
				t.Errorf("RFC 7592 section 2.2: the body carries the client_id: %v", m)
			}
			if hasError(req.Findings, "registration_access_token") != tt.wantTokenProblem {
				t.Errorf("findings %v", req.Findings)
			}
			if tt.token != "" && req.Header.Get("Authorization") != "Bearer "+tt.token {
				t.Errorf("Authorization %q", req.Header.Get("Authorization"))
			}
		})
	}
}

func TestManagementNeverBuildsAnAddress(t *testing.T) {
	for _, op := range []registration.Operation{registration.Read, registration.Delete} {
		in := input(oauthProfile(nil), testkit.Get(t).Parsed(t))
		in.Operation, in.ClientID, in.AccessToken = op, "client-9", "rat-1"
		if _, err := registration.ManageRequest(in); err == nil {
			t.Errorf("%s without a registration_client_uri was built", op)
		}
		in.ManagementURI = manageURI
		req, err := registration.ManageRequest(in)
		if err != nil || req.URL != manageURI {
			t.Errorf("%s: %v %v", op, req, err)
		}
	}
}

func TestPrivateKeyJWTPublishesTheSigningKey(t *testing.T) {
	k := testkit.Get(t)
	t.Run("statement names a JWKS address", func(t *testing.T) {
		in := input(oauthProfile(nil), k.Parsed(t))
		in.Fields = map[string]any{"token_endpoint_auth_method": "private_key_jwt"}
		req, err := rfc7591.Dialect{}.Build(in)
		if err != nil {
			t.Fatal(err)
		}
		m := body(t, req)
		if m["jwks_uri"] != "https://keystore.directory.test/org/"+testkit.SoftwareID+".jwks" || m["jwks"] != nil ||
			m["token_endpoint_auth_signing_alg"] != "PS256" || m["tls_client_auth_subject_dn"] != nil {
			t.Fatalf("metadata %v", m)
		}
	})
	t.Run("no statement: the signing certificate's key", func(t *testing.T) {
		in := input(oauthProfile(nil), withoutStatement(t))
		in.RedirectURIs = []string{testkit.RedirectURI}
		in.Fields = map[string]any{"token_endpoint_auth_method": "private_key_jwt"}
		req, err := rfc7591.Dialect{}.Build(in)
		if err != nil {
			t.Fatal(err)
		}
		var parsed struct {
			JWKS jose.JSONWebKeySet `json:"jwks"`
		}
		if err := json.Unmarshal(req.Body, &parsed); err != nil {
			t.Fatal(err)
		}
		if len(parsed.JWKS.Keys) != 1 {
			t.Fatalf("jwks %s", req.Body)
		}
		key := parsed.JWKS.Keys[0]
		if key.KeyID != testkit.SigningKID || !reflect.DeepEqual(key.Key, k.Signing.Leaf().PublicKey) || len(key.Certificates) != 1 ||
			!key.Certificates[0].Equal(k.Signing.Leaf()) {
			t.Fatalf("go-jose reads the key as kid %q, %T", key.KeyID, key.Key)
		}
	})
}

func TestChecksBeforeSending(t *testing.T) {
	tests := []struct {
		name      string
		redirects []string
		fields    map[string]any
		field     string
	}{
		{"http redirect", []string{"http://tpp.example.com/cb"}, nil, "redirect_uris"},
		{"localhost redirect", []string{"https://localhost/cb"}, nil, "redirect_uris"},
		{"redirect outside the statement", []string{"https://evil.example.com/cb"}, nil, "redirect_uris"},
		{"auth method the server refuses", nil, map[string]any{"token_endpoint_auth_method": "client_secret_post"}, "token_endpoint_auth_method"},
		{"scope the server does not offer", nil, map[string]any{"scope": "openid admin"}, "scope"},
		{"read-only member", nil, map[string]any{"registration_access_token": "x"}, "registration_access_token"},
		{"both key forms", nil, map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": map[string]any{"keys": []any{}}, "jwks_uri": "https://k.example.com"}, "jwks"},
		{"software id changed", nil, map[string]any{"software_id": "other"}, "software_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The statement is sent, so its redirect addresses bind.
			in := input(oauthProfile(func(p *profile.Profile) { p.Needs = []string{profile.NeedTransport, profile.NeedSSA} }), testkit.Get(t).Parsed(t))
			in.RedirectURIs, in.Fields = tt.redirects, tt.fields
			req, err := rfc7591.Dialect{}.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			if !hasError(req.Findings, tt.field) {
				t.Fatalf("no error on %s: %v", tt.field, req.Findings)
			}
		})
	}
}

func TestMachineClientNeedsNoRedirect(t *testing.T) {
	in := input(oauthProfile(func(p *profile.Profile) { p.GrantTypes = []string{"client_credentials"} }), withoutStatement(t))
	req, err := rfc7591.Dialect{}.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	m := body(t, req)
	if _, has := m["redirect_uris"]; has || m["response_types"] != nil || len(req.Findings) != 0 {
		t.Fatalf("metadata %v findings %v", m, req.Findings)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		op     registration.Operation
		status int
		body   string
		ok     bool
		code   string
	}{
		{"created", registration.Create, 201, `{"client_id":"c1","registration_access_token":"rat","registration_client_uri":"` + manageURI + `"}`, true, ""},
		{"changed", registration.Update, 200, `{"client_id":"c1"}`, true, ""},
		{"created without client id", registration.Create, 201, `{}`, false, ""},
		{"refused", registration.Create, 400, `{"error":"invalid_redirect_uri","error_description":"not https"}`, false, "invalid_redirect_uri"},
		{"token refused", registration.Update, 401, `{"error":"invalid_token"}`, false, "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(oauthProfile(nil), testkit.Get(t).Parsed(t))
			in.Operation = tt.op
			r, err := rfc7591.Dialect{}.Parse(in, &registration.Response{Status: tt.status, Header: http.Header{}, Body: []byte(tt.body)})
			if tt.ok {
				if err != nil || r.ClientID != "c1" {
					t.Fatalf("%v %+v", err, r)
				}
				return
			}
			var be *registration.BankError
			if !errors.As(err, &be) || be.Code != tt.code {
				t.Fatalf("err = %#v", err)
			}
		})
	}
}

func hasError(l check.List, field string) bool {
	for _, f := range l {
		if f.Severity == check.Error && f.Field == field {
			return true
		}
	}
	return false
}
