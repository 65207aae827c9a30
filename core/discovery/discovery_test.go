package discovery

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/testkit"
	"github.com/tppwizard/tppwizard/core/transport"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, doc, wantReg, wantErr string
	}{
		{"plain", `{"issuer":"https://as.bank","registration_endpoint":"https://as.bank/register","token_endpoint":"https://as.bank/token"}`, "https://as.bank/register", ""},
		{"mTLS alias wins", `{"registration_endpoint":"https://as.bank/register","mtls_endpoint_aliases":{"registration_endpoint":"https://mtls.bank/register"}}`, "https://mtls.bank/register", ""},
		{"no registration endpoint", `{"issuer":"https://as.bank"}`, "", "no registration_endpoint"},
		{"http endpoint", `{"registration_endpoint":"http://as.bank/register"}`, "", "not an https address"},
		{"HTML", `<!doctype html>`, "", "web page"},
		{"not JSON", `nope`, "", "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.doc))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || c.RegistrationEndpoint != tt.wantReg {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"registration_endpoint":"https://as.bank/register"}`))
	f.Add([]byte(`{"mtls_endpoint_aliases":{"token_endpoint":"x"}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := Parse(doc)
		if err == nil && !strings.HasPrefix(c.RegistrationEndpoint, "https://") {
			t.Fatalf("accepted endpoint %q", c.RegistrationEndpoint)
		}
	})
}

func TestMetadataURLs(t *testing.T) {
	tests := []struct {
		issuer string
		want   []string
		err    bool
	}{
		{"https://as.example.com", []string{"https://as.example.com/.well-known/oauth-authorization-server", "https://as.example.com/.well-known/openid-configuration"}, false},
		{"https://as.example.com/tenant/1/", []string{"https://as.example.com/.well-known/oauth-authorization-server/tenant/1", "https://as.example.com/tenant/1/.well-known/openid-configuration"}, false},
		{"http://as.example.com", nil, true},
		{"https://as.example.com?x=1", nil, true},
	}
	for _, tt := range tests {
		got, err := MetadataURLs(tt.issuer)
		if (err != nil) != tt.err || strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: %v %v", tt.issuer, got, err)
		}
	}
}

func TestFetchAnyFindsTheIssuersMetadata(t *testing.T) {
	k := testkit.Get(t)
	var base string
	tests := []struct {
		name    string
		serve   map[string]string // path -> issuer named in the document
		address func() string
		wantAt  string
		wantErr string
	}{
		{"RFC 8414 address", map[string]string{"/.well-known/oauth-authorization-server/as": "/as"}, func() string { return base + "/as" }, "/.well-known/oauth-authorization-server/as", ""},
		{"OpenID address", map[string]string{"/as/.well-known/openid-configuration": "/as"}, func() string { return base + "/as" }, "/as/.well-known/openid-configuration", ""},
		{"discovery address given", map[string]string{"/as/.well-known/openid-configuration": "/other"}, func() string { return base + "/as/.well-known/openid-configuration" }, "/as/.well-known/openid-configuration", ""},
		{"issuer mismatch", map[string]string{"/.well-known/oauth-authorization-server/as": "/evil"}, func() string { return base + "/as" }, "", "RFC 8414 forbids"},
		{"nothing there", map[string]string{}, func() string { return base + "/as" }, "", "no metadata found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := k.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				iss, ok := tt.serve[r.URL.Path]
				if !ok {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"issuer":%q,"registration_endpoint":%q}`, base+iss, base+"/as/register")
			}))
			base = srv.URL
			client, err := transport.New(transport.Options{Roots: k.Roots(), Certificate: k.Transport})
			if err != nil {
				t.Fatal(err)
			}
			cfg, at, err := FetchAny(context.Background(), client, tt.address())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || at != base+tt.wantAt || cfg.RegistrationEndpoint != base+"/as/register" {
				t.Fatalf("%v at %s: %+v", err, at, cfg)
			}
		})
	}
}
