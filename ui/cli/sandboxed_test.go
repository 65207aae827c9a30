package cli_test

import (
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// sandboxed is a sandbox bank running in the test, and an app set up as a
// newcomer's would be after following it: its bank profiles installed and
// the demo identity in the keyring.
type sandboxed struct {
	srv    *sandbox.Server
	store  *keystore.Memory
	config string
	id     identity.Identity
}

func newSandboxed(t *testing.T, opts sandbox.Options) *sandboxed {
	t.Helper()
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	s := &sandboxed{srv: srv, store: keystore.NewMemory(), config: t.TempDir()}
	a := s.newApp()
	if _, err := a.InstallProfiles(srv.Profiles()); err != nil {
		t.Fatal(err)
	}
	demo, err := srv.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if s.id, err = demo.Identity(sandbox.DemoIdentityName, srv); err != nil {
		t.Fatal(err)
	}
	if err := a.Vault().Save(s.id); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *sandboxed) newApp() *app.App {
	return app.New(app.Options{Store: s.store, ConfigDir: s.config})
}
