package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// TestDemoProfilesWorkWithNoSetUp is the GUI's first run: start the built-in
// sandbox, and register the demo identity with every sandbox bank.
func TestDemoProfilesWorkWithNoSetUp(t *testing.T) {
	store := keystore.NewMemory()
	config := t.TempDir()
	a := app.New(app.Options{Store: store, ConfigDir: config})
	srv, err := a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.StopSandbox() })
	ctx := context.Background()
	for _, id := range sandbox.ProfileIDs() {
		if _, err := a.Catalog.Get(id); err != nil {
			t.Fatalf("catalog: %v", err)
		}
		out, err := a.Register(ctx, app.RegisterRequest{ProfileID: id, IdentityName: sandbox.DemoIdentityName, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if out.Result.ClientID == "" {
			t.Errorf("%s: no client id", id)
		}
		for _, key := range out.SecretKeys {
			if v, err := store.Get(key); err != nil || v == "" {
				t.Errorf("%s: secret %s not in the keyring: %v", id, key, err)
			}
		}
	}

	// A second start reuses the running sandbox and renews the statement.
	before, _ := a.Vault().Load(sandbox.DemoIdentityName)
	time.Sleep(1100 * time.Millisecond) // iat has one-second resolution
	again, err := a.StartSandbox()
	if err != nil || again != srv {
		t.Fatalf("second start: %v (same server: %v)", err, again == srv)
	}
	after, _ := a.Vault().Load(sandbox.DemoIdentityName)
	if after.SSA == before.SSA {
		t.Error("the demo statement was not renewed")
	}

	st, err := a.RenewSandboxStatement(ctx, sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}
	if saved, _ := a.Vault().Load(sandbox.DemoIdentityName); saved.SSA != st.Raw {
		t.Error("the renewed statement was not saved in the identity")
	}
}

func TestSandboxKeepsItsStateInTheConfigFolder(t *testing.T) {
	config := t.TempDir()
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: config})
	srv, err := a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	demo, err := srv.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.StopSandbox(); err != nil {
		t.Fatal(err)
	}
	b := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: config})
	srv2, err := b.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.StopSandbox() })
	demo2, err := srv2.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if demo2.Software.ID != demo.Software.ID || !demo2.Transport.Leaf().Equal(demo.Transport.Leaf()) {
		t.Errorf("the demo TPP changed across restarts: %s -> %s", demo.Software.ID, demo2.Software.ID)
	}
	if !srv2.CA().Cert.Equal(srv.CA().Cert) {
		t.Error("the sandbox CA changed across restarts")
	}
}
