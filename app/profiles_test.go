package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// TestBankAddedFromDiscoveryRegisters adds each demo bank that publishes a
// discovery document as a new bank, from its address alone, and registers
// with it.
func TestBankAddedFromDiscoveryRegisters(t *testing.T) {
	a := demoApp(t)
	srv, err := a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, kind string }{
		{"/obie/.well-known/openid-configuration", app.BankKinds[0].Label},
		{"/uk31/.well-known/openid-configuration", app.BankKinds[1].Label},
		{"/altareq/.well-known/openid-configuration", app.BankKinds[2].Label},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := a.AddBankFromDiscovery(context.Background(), app.DiscoveredBank{
				DiscoveryURL: srv.URL() + tt.path, Name: "Added " + tt.path, Country: "Demo", Kind: tt.kind, Environment: "sandbox"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Catalog.Get(p.ID); err != nil {
				t.Fatalf("not offered: %v", err)
			}
			if _, err := os.Stat(filepath.Join(a.ConfigDir, "profiles", p.ID+".json")); err != nil {
				t.Fatalf("not kept for later runs: %v", err)
			}
			out, err := a.Register(context.Background(), app.RegisterRequest{ProfileID: p.ID, IdentityName: sandbox.DemoIdentityName})
			if err != nil {
				t.Fatalf("registering with the added bank: %v", err)
			}
			if out.Result.ClientID == "" {
				t.Fatal("no client id")
			}
		})
	}
}

// TestOAuthServerAddedFromItsIssuer adds the demo OAuth server from its
// issuer address alone (its RFC 8414 metadata is found from it), as a
// server that requires an initial access token, and registers with it.
func TestOAuthServerAddedFromItsIssuer(t *testing.T) {
	a := demoApp(t)
	srv, err := a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.AddBankFromDiscovery(context.Background(), app.DiscoveredBank{DiscoveryURL: srv.URL() + "/oauth", Name: "Some AS",
		Kind: app.BankKinds[3].Label, Environment: "sandbox", Statement: true, InitialToken: app.InitialTokenChoices[2].Label})
	if err != nil {
		t.Fatal(err)
	}
	if p.DiscoveryURL != srv.URL()+"/.well-known/oauth-authorization-server/oauth" || p.InitialAccessToken != "required" {
		t.Fatalf("profile %s %q", p.DiscoveryURL, p.InitialAccessToken)
	}
	req := app.RegisterRequest{ProfileID: p.ID, IdentityName: sandbox.DemoIdentityName}
	out, err := a.Register(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "initial access token") || out.Record.Status != records.NotSent {
		t.Fatalf("without the token: %v (%v)", err, out)
	}
	req.AccessToken = srv.InitialAccessToken()
	out, err = a.Register(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if out.Result.Status != 201 || out.Result.RegistrationClientURI == "" {
		t.Fatalf("%+v", out.Result.Redacted())
	}
	if strings.Contains(out.Record.Request.Header["Authorization"], req.AccessToken) {
		t.Fatal("the initial access token is in the record")
	}
}

func TestBankFromDiscoveryExplainsWhatIsWrong(t *testing.T) {
	a := demoApp(t)
	srv, err := a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, url, kind, want string }{
		{"no kind chosen", srv.URL() + "/obie/.well-known/openid-configuration", "", "choose what kind of bank"},
		{"not a discovery document", srv.URL() + "/nothing/.well-known/openid-configuration", app.BankKinds[0].Label, "answered HTTP 404"},
		{"http address", "http://127.0.0.1:1/.well-known/openid-configuration", app.BankKinds[0].Label, "not an https address"},
		{"issuer with no metadata", srv.URL() + "/nothing", app.BankKinds[3].Label, "no metadata found for the issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.AddBankFromDiscovery(context.Background(), app.DiscoveredBank{DiscoveryURL: tt.url, Kind: tt.kind})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
