package sandbox_test

import (
	"context"
	"crypto/x509"
	"testing"

	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/registration"
)

// TestEngineRegistersWithEverySandboxProfile is the happy path: the
// wizard's own engine, with the demo identity, registers at each sandbox
// bank and then changes the registration where the bank allows it.
func TestEngineRegistersWithEverySandboxProfile(t *testing.T) {
	f := getFixture(t)
	parsed := f.demoParsed(t)
	profiles := f.srv.Profiles()
	if len(profiles) != 5 {
		t.Fatalf("%d sandbox profiles, want 5", len(profiles))
	}
	eng := &engine.Engine{}
	ctx := context.Background()
	for _, p := range profiles {
		t.Run(p.ID, func(t *testing.T) {
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			params := engine.Params{Profile: p, Identity: parsed, Roots: x509.NewCertPool()}
			plan, res, err := eng.Register(ctx, params)
			if err != nil {
				t.Fatalf("register: %v", err)
			}
			for _, finding := range plan.Request.Findings {
				t.Logf("finding: %s", finding)
			}
			if res.ClientID == "" {
				t.Fatalf("no client id: %+v", res)
			}
			if p.Dialect == profile.DialectAlTareq {
				if res.Status != 204 || !res.ClientIDFromDirectory || res.ClientID != f.demo.Software.ID {
					t.Errorf("Al Tareq: %+v", res.Redacted())
				}
				return
			}
			params.Operation, params.ClientID = registration.Update, res.ClientID
			switch p.ID {
			case "sandbox-uk-v31":
				// A client_secret_basic client: changed with the RFC 7592
				// registration access token the bank returned.
				params.AccessToken = res.RegistrationAccessToken
			case "sandbox-oauth":
				// RFC 7592: only at the address and with the token given.
				params.AccessToken, params.ManagementURI = res.RegistrationAccessToken, res.RegistrationClientURI
			}
			params.RedirectURIs = []string{"https://demo-tpp.example/callback/mobile"}
			_, changed, err := eng.Register(ctx, params)
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			if changed.ClientID != res.ClientID {
				t.Errorf("update answered for client %q, want %q", changed.ClientID, res.ClientID)
			}
			if uris := changed.Metadata["redirect_uris"]; len(uris.([]any)) != 1 {
				t.Errorf("the change is not in the answer: %v", uris)
			}
		})
	}
}
