package sandbox_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tppwizard/tppwizard/core/discovery"
	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/transport"
)

func (f *fixture) oauthProfile(t *testing.T) *profile.Profile {
	t.Helper()
	for _, p := range f.srv.Profiles() {
		if p.ID == "sandbox-oauth" {
			return p
		}
	}
	t.Fatal("no sandbox-oauth profile")
	return nil
}

func (f *fixture) demoParsed(t testing.TB) *identity.Parsed {
	t.Helper()
	id, err := f.demo.Identity(sandbox.DemoIdentityName, f.srv)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := id.Parse()
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

// TestOAuthServerLifecycleWithTheEngine registers, reads, changes and
// deletes a client at the RFC 7591/7592 server with the wizard's engine,
// following only the registration_client_uri and the registration access
// token the server returns, the latter replaced on each change.
func TestOAuthServerLifecycleWithTheEngine(t *testing.T) {
	f := getFixture(t)
	eng := &engine.Engine{}
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(*engine.Params)
	}{
		{"with statement", func(*engine.Params) {}},
		{"with initial access token", func(p *engine.Params) { p.AccessToken = f.srv.InitialAccessToken() }},
		{"without statement", func(p *engine.Params) {
			pr := *p.Profile
			pr.Needs = []string{profile.NeedTransport}
			p.Profile = &pr
			p.RedirectURIs = []string{"https://any-app.example/cb"}
		}},
		{"private_key_jwt", func(p *engine.Params) {
			p.Fields = map[string]any{"token_endpoint_auth_method": "private_key_jwt"}
		}},
		{"client_secret_basic", func(p *engine.Params) {
			p.Fields = map[string]any{"token_endpoint_auth_method": "client_secret_basic"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := engine.Params{Profile: f.oauthProfile(t), Identity: f.demoParsed(t), Roots: x509.NewCertPool()}
			tt.setup(&params)
			_, created, err := eng.Register(ctx, params)
			if err != nil {
				t.Fatalf("register: %v", err)
			}
			if created.Status != 201 || created.ClientID == "" || created.RegistrationAccessToken == "" || created.RegistrationClientURI == "" {
				t.Fatalf("created %+v", created.Redacted())
			}
			built := params.Profile.RegistrationEndpoint + "/" + created.ClientID
			if created.RegistrationClientURI == built {
				t.Fatalf("the server's address is the guessable %s", built)
			}
			manage := func(op registration.Operation, token string, fields map[string]any) (*registration.Result, error) {
				p := params
				p.Operation, p.ClientID, p.ManagementURI, p.AccessToken, p.Fields = op, created.ClientID, created.RegistrationClientURI, token, fields
				if op == registration.Update {
					p.RedirectURIs = []string{"https://demo-tpp.example/callback/mobile"}
					if params.RedirectURIs != nil {
						p.RedirectURIs = []string{"https://any-app.example/cb2"}
					}
					p.Fields = params.Fields
				}
				_, res, err := eng.Register(ctx, p)
				return res, err
			}

			read, err := manage(registration.Read, created.RegistrationAccessToken, nil)
			if err != nil || read.ClientID != created.ClientID || read.Metadata["client_secret"] != nil {
				t.Fatalf("read: %v %+v", err, read)
			}
			changed, err := manage(registration.Update, created.RegistrationAccessToken, nil)
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			if uris := registration.StringList(changed.Metadata["redirect_uris"]); len(uris) != 1 || changed.Status != 200 {
				t.Fatalf("update answer %+v", changed.Redacted())
			}
			if changed.RegistrationAccessToken == "" || changed.RegistrationAccessToken == created.RegistrationAccessToken {
				t.Fatal("the change did not replace the registration access token")
			}
			// The replaced token no longer works; the new one does.
			_, err = manage(registration.Read, created.RegistrationAccessToken, nil)
			var be *registration.BankError
			if !errors.As(err, &be) || be.Status != 401 || be.Code != "invalid_token" {
				t.Fatalf("read with the old token: %v", err)
			}
			if _, err := manage(registration.Delete, changed.RegistrationAccessToken, nil); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if _, err := manage(registration.Read, changed.RegistrationAccessToken, nil); !errors.As(err, &be) || be.Status != 401 {
				t.Fatalf("read after delete: %v", err)
			}
		})
	}
}

func TestOAuthServerRefusals(t *testing.T) {
	f := getFixture(t)
	reg := f.url("/oauth/register")
	subject, _ := pki.SubjectDN(f.demo.Transport.Leaf())
	valid := func() map[string]any {
		return map[string]any{"redirect_uris": []string{"https://demo-tpp.example/callback"}, "token_endpoint_auth_method": "tls_client_auth",
			"tls_client_auth_subject_dn": subject, "grant_types": []string{"authorization_code"}}
	}
	json := func(m map[string]any) []byte { b, _ := json.Marshal(m); return b }
	ctJSON := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name   string
		cred   *pki.Credential
		header map[string]string
		body   []byte
		status int
		code   string
		rule   string
	}{
		{"valid", f.demo.Transport, ctJSON, json(valid()), 201, "", ""},
		{"no certificate", nil, ctJSON, json(valid()), 401, "unauthorized_client", "mtls.certificate-missing"},
		{"bad initial token", f.demo.Transport, map[string]string{"Content-Type": "application/json", "Authorization": "Bearer guess"}, json(valid()), 401, "invalid_token", "token.initial"},
		{"form body", f.demo.Transport, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, []byte("a=b"), 415, "invalid_request", "request.content-type"},
		{"not an object", f.demo.Transport, ctJSON, []byte(`[1]`), 400, "invalid_client_metadata", "body.json"},
		{"http redirect", f.demo.Transport, ctJSON, json(with(valid(), "redirect_uris", []string{"http://demo-tpp.example/cb"})), 400, "invalid_redirect_uri", "redirect.https"},
		{"no redirect for code", f.demo.Transport, ctJSON, json(with(valid(), "redirect_uris", nil)), 400, "invalid_client_metadata", "redirect.required"},
		{"implicit grant", f.demo.Transport, ctJSON, json(with(valid(), "grant_types", []string{"implicit"})), 400, "invalid_client_metadata", "metadata.grant-types"},
		{"wrong subject", f.demo.Transport, ctJSON, json(with(valid(), "tls_client_auth_subject_dn", "CN=someone else")), 400, "invalid_client_metadata", "metadata.subject-dn"},
		{"default method not offered", f.demo.Transport, ctJSON, json(with(with(valid(), "token_endpoint_auth_method", "client_secret_post"), "tls_client_auth_subject_dn", nil)), 400, "invalid_client_metadata", "metadata.auth-method"},
		{"private_key_jwt without keys", f.demo.Transport, ctJSON, json(with(with(valid(), "token_endpoint_auth_method", "private_key_jwt"), "tls_client_auth_subject_dn", nil)), 400, "invalid_client_metadata", "metadata.jwks"},
		{"unknown scope", f.demo.Transport, ctJSON, json(with(valid(), "scope", "openid admin")), 400, "invalid_client_metadata", "metadata.scope"},
		{"forged statement", f.demo.Transport, ctJSON, json(with(valid(), "software_statement", "e30.e30.c2ln")), 400, "invalid_software_statement", "ssa.alg"},
		{"statement of other software", f.aispOnly.Transport, ctJSON, json(with(valid(), "software_statement", f.demo.Statement)), 401, "unauthorized_client", "mtls.not-software-certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.do(t, tt.cred, "POST", reg, tt.header, tt.body)
			if a.Status != tt.status || a.Code != tt.code || a.Rule != tt.rule {
				t.Fatalf("%d %s [%s]: %s", a.Status, a.Code, a.Rule, a.Raw)
			}
		})
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	if v == nil {
		delete(m, k)
	} else {
		m[k] = v
	}
	return m
}

func TestOAuthServerUpdateRules(t *testing.T) {
	f := getFixture(t)
	subject, _ := pki.SubjectDN(f.demo.Transport.Leaf())
	meta := map[string]any{"redirect_uris": []string{"https://demo-tpp.example/callback"}, "token_endpoint_auth_method": "tls_client_auth",
		"tls_client_auth_subject_dn": subject}
	body, _ := json.Marshal(meta)
	a := f.do(t, f.demo.Transport, "POST", f.url("/oauth/register"), map[string]string{"Content-Type": "application/json"}, body)
	if a.Status != 201 {
		t.Fatalf("register: %d %s", a.Status, a.Raw)
	}
	id, uri, rat := a.Body["client_id"].(string), a.Body["registration_client_uri"].(string), a.Body["registration_access_token"].(string)
	auth := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + rat}
	tests := []struct {
		name   string
		change map[string]any
		rule   string
	}{
		{"no client_id", map[string]any{}, "metadata.client-id"},
		{"another client_id", map[string]any{"client_id": "other"}, "metadata.client-id"},
		{"read-only member", map[string]any{"client_id": id, "registration_client_uri": uri}, "metadata.read-only"},
		{"wrong client secret", map[string]any{"client_id": id, "client_secret": "guess"}, "metadata.client-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]any{}
			for k, v := range meta {
				m[k] = v
			}
			for k, v := range tt.change {
				m[k] = v
			}
			b, _ := json.Marshal(m)
			if a := f.do(t, f.demo.Transport, "PUT", uri, auth, b); a.Status != 400 || a.Rule != tt.rule {
				t.Fatalf("%d [%s] %s", a.Status, a.Rule, a.Raw)
			}
		})
	}
	// The address a client might build from its id is not the server's.
	if a := f.do(t, f.demo.Transport, "GET", f.url("/oauth/register/"+id), auth, nil); a.Status != 404 {
		t.Errorf("GET {register}/{client_id}: %d", a.Status)
	}
}

func TestOAuthServerMetadataAtBothWellKnownAddresses(t *testing.T) {
	f := getFixture(t)
	client, err := transport.New(transport.Options{ExtraCAs: []*x509.Certificate{f.srv.CA().Cert}, Roots: x509.NewCertPool()})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{f.url("/.well-known/oauth-authorization-server/oauth"), f.url("/oauth/.well-known/openid-configuration")} {
		cfg, err := discovery.Fetch(context.Background(), client, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if cfg.Issuer != f.url("/oauth") || cfg.RegistrationEndpoint != f.url("/oauth/register") || len(cfg.TokenEndpointAuthMethodsSupported) != 3 {
			t.Errorf("%s: %+v", u, cfg)
		}
	}
}
