package discovery

import (
	"slices"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/profile"
)

func TestNewProfileFromADiscoveryDocument(t *testing.T) {
	doc := []byte(`{
		"issuer": "https://auth.bank.example/obie",
		"registration_endpoint": "https://auth.bank.example/obie/register",
		"token_endpoint": "https://auth.bank.example/obie/token",
		"token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "tls_client_auth", "none"],
		"request_object_signing_alg_values_supported": ["RS256", "PS256"],
		"scopes_supported": ["openid", "accounts", "payments", "offline_access"]
	}`)
	cfg, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	const where = "https://auth.bank.example/obie/.well-known/openid-configuration"
	tests := []struct {
		name  string
		opts  ProfileOptions
		check func(t *testing.T, p *profile.Profile)
		err   string
	}{
		{"UK bank, OBIE standard", ProfileOptions{DiscoveryURL: where, Name: "Example Bank", Country: "United Kingdom", Dialect: profile.DialectUK, Environment: "sandbox"},
			func(t *testing.T, p *profile.Profile) {
				if p.ID != "discovered-auth.bank.example-obie" || p.Name != "Example Bank" || p.Environment != "sandbox" {
					t.Errorf("who: %s %q %s", p.ID, p.Name, p.Environment)
				}
				if p.ContentType != "application/jose" || p.SigningAlg != "PS256" || p.Audience != "https://auth.bank.example/obie" {
					t.Errorf("how: %s %s %s", p.ContentType, p.SigningAlg, p.Audience)
				}
				if !slices.Equal(p.AuthMethods, []string{"client_secret_basic", "private_key_jwt", "tls_client_auth"}) || p.DefaultAuthMethod != "tls_client_auth" {
					t.Errorf("auth: %v default %s", p.AuthMethods, p.DefaultAuthMethod)
				}
				if !slices.Equal(p.Scopes, []string{"openid", "accounts", "payments"}) {
					t.Errorf("scopes: %v", p.Scopes)
				}
				if p.DiscoveryURL != where || p.RegistrationEndpoint != "https://auth.bank.example/obie/register" || p.TokenEndpoint != "https://auth.bank.example/obie/token" {
					t.Errorf("where: %s %s %s", p.DiscoveryURL, p.RegistrationEndpoint, p.TokenEndpoint)
				}
			}, ""},
		{"UK bank with application/jwt, no name", ProfileOptions{DiscoveryURL: where, Dialect: profile.DialectUK, ContentType: "application/jwt"},
			func(t *testing.T, p *profile.Profile) {
				if p.ContentType != "application/jwt" || p.Name != "auth.bank.example" || p.Country != "Other" || p.Environment != "live" {
					t.Errorf("%s %q %q %s", p.ContentType, p.Name, p.Country, p.Environment)
				}
			}, ""},
		{"Al Tareq bank", ProfileOptions{DiscoveryURL: where, Name: "UAE Bank", Country: "United Arab Emirates", Dialect: profile.DialectAlTareq},
			func(t *testing.T, p *profile.Profile) {
				if !slices.Equal(p.Needs, []string{profile.NeedTransport, profile.NeedClientID}) || !p.Accepts(204) {
					t.Errorf("needs %v, success %v", p.Needs, p.SuccessStatus)
				}
			}, ""},
		{"OAuth server, statement and initial token", ProfileOptions{DiscoveryURL: "https://auth.bank.example/.well-known/oauth-authorization-server/obie", Dialect: profile.DialectOAuth,
			Statement: true, InitialToken: profile.TokenRequired},
			func(t *testing.T, p *profile.Profile) {
				if p.ID != "discovered-auth.bank.example-obie" || p.ContentType != "application/json" || !p.Accepts(201) || p.UpdateMethod != "PUT" {
					t.Errorf("%s %s %v %s", p.ID, p.ContentType, p.SuccessStatus, p.UpdateMethod)
				}
				if !slices.Equal(p.Needs, []string{profile.NeedTransport, profile.NeedSSA}) || p.InitialAccessToken != profile.TokenRequired {
					t.Errorf("needs %v, token %q", p.Needs, p.InitialAccessToken)
				}
				if !slices.Equal(p.AuthMethods, []string{"client_secret_basic", "private_key_jwt", "tls_client_auth"}) || p.DefaultAuthMethod != "tls_client_auth" {
					t.Errorf("auth: %v default %s", p.AuthMethods, p.DefaultAuthMethod)
				}
				// No grant_types_supported: RFC 8414's default, authorization_code.
				if !slices.Equal(p.GrantTypes, []string{"authorization_code"}) || !slices.Contains(p.Scopes, "offline_access") {
					t.Errorf("grants %v scopes %v", p.GrantTypes, p.Scopes)
				}
			}, ""},
		{"OAuth server, nothing asked", ProfileOptions{DiscoveryURL: where, Dialect: profile.DialectOAuth},
			func(t *testing.T, p *profile.Profile) {
				if !slices.Equal(p.Needs, []string{profile.NeedTransport}) || p.InitialAccessToken != "" {
					t.Errorf("needs %v token %q", p.Needs, p.InitialAccessToken)
				}
			}, ""},
		{"STET has no discovery", ProfileOptions{DiscoveryURL: where, Dialect: profile.DialectSTET}, nil, "STET banks publish no discovery document"},
		{"http address", ProfileOptions{DiscoveryURL: "http://auth.bank.example/.well-known/openid-configuration", Dialect: profile.DialectUK}, nil, "not an https address"},
		{"unknown kind", ProfileOptions{DiscoveryURL: where, Dialect: "fapi2"}, nil, "unknown kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewProfile(cfg, tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}
