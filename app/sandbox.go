package app

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/ssa"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/core/transport"
)

// SandboxDir is where the built-in sandbox bank keeps its CA, directory,
// registered clients and demo identity between runs.
func (a *App) SandboxDir() string {
	if a.ConfigDir == "" {
		return ""
	}
	return filepath.Join(a.ConfigDir, "sandbox")
}

// StartSandbox starts the built-in sandbox bank in this process on a free
// loopback port, adds its bank profiles to the catalog and saves the demo
// identity (named sandbox.DemoIdentityName) with a fresh software
// statement, so that the demo profiles work with no set-up. Calling it
// again returns the running sandbox with a renewed statement.
func (a *App) StartSandbox() (*sandbox.Server, error) {
	a.sandboxMu.Lock()
	defer a.sandboxMu.Unlock()
	if a.sandbox == nil {
		srv, err := sandbox.New(sandbox.Options{Dir: a.SandboxDir(), Now: a.now})
		if err != nil {
			return nil, text.Errorf("start the sandbox bank: %w", err)
		}
		if err := srv.Start("127.0.0.1:0"); err != nil {
			return nil, text.Errorf("start the sandbox bank: %w", err)
		}
		a.sandbox = srv
		for _, p := range srv.Profiles() {
			a.Catalog.Put(p)
		}
	}
	demo, err := a.sandbox.Demo()
	if err != nil {
		return nil, err
	}
	id, err := demo.Identity(sandbox.DemoIdentityName, a.sandbox)
	if err != nil {
		return nil, err
	}
	if err := a.Vault().Save(id); err != nil {
		return nil, text.Errorf("save the sandbox demo identity: %w", err)
	}
	return a.sandbox, nil
}

// StopSandbox stops the in-process sandbox, if running.
func (a *App) StopSandbox() error {
	a.sandboxMu.Lock()
	defer a.sandboxMu.Unlock()
	if a.sandbox == nil {
		return nil
	}
	err := a.sandbox.Close()
	a.sandbox = nil
	return err
}

// RenewSandboxTransport has the running sandbox's trust framework issue
// the demo identity a new transport certificate (published beside the old
// one) and saves it in the demo identity: a certificate renewal to
// practise telling banks about.
func (a *App) RenewSandboxTransport() error {
	srv := a.runningSandbox()
	if srv == nil {
		return text.Errorf("the demo bank is not running")
	}
	demo, err := srv.Demo()
	if err != nil {
		return err
	}
	renewed, err := srv.RenewTransport(&demo.Member)
	if err != nil {
		return err
	}
	id, err := (&sandbox.Demo{Member: *renewed, Statement: demo.Statement}).Identity(sandbox.DemoIdentityName, srv)
	if err != nil {
		return err
	}
	return a.Vault().Save(id)
}

// RenewSandboxStatement asks the sandbox directory for a fresh software
// statement for an identity's software (over mutual TLS with its transport
// certificate) and saves it in the identity. The sandbox is found through
// its bank profiles in the catalog.
func (a *App) RenewSandboxStatement(ctx context.Context, name string) (*ssa.Statement, error) {
	id, err := a.Vault().Load(name)
	if err != nil {
		return nil, err
	}
	parsed, err := id.Parse()
	if err != nil {
		return nil, err
	}
	if parsed.Statement == nil || parsed.Statement.Claims.SoftwareID == "" {
		return nil, text.Errorf("identity %q has no software statement to renew", name)
	}
	var sp *profile.Profile
	for _, p := range a.Catalog.Profiles {
		if sandbox.IsSandboxProfile(p.ID) {
			sp = p
			break
		}
	}
	if sp == nil {
		return nil, text.New("no sandbox bank profiles are installed: start the sandbox first (tppwizard sandbox)")
	}
	u, err := url.Parse(sp.RegistrationEndpoint)
	if err != nil {
		return nil, err
	}
	cas, err := pki.ParseCertificates([]byte(sp.ExtraCAPEM))
	if err != nil {
		return nil, text.Errorf("sandbox profile %s: %w", sp.ID, err)
	}
	client, err := transport.New(transport.Options{Certificate: parsed.Transport, Roots: a.roots, ExtraCAs: cas})
	if err != nil {
		return nil, err
	}
	endpoint := u.Scheme + "://" + u.Host + sandbox.StatementPath(parsed.Statement.Claims.SoftwareID)
	resp, err := client.Do(ctx, "POST", endpoint, map[string][]string{"Accept": {"application/jwt"}}, nil)
	if err != nil {
		return nil, text.Errorf("ask the sandbox directory for a statement (is the sandbox running?): %w", err)
	}
	if resp.Status != 200 {
		return nil, text.Errorf("the sandbox directory refused a new statement (HTTP %d): %s", resp.Status, strings.TrimSpace(string(resp.Body)))
	}
	st, err := ssa.Parse(string(resp.Body))
	if err != nil {
		return nil, err
	}
	id.SSA = st.Raw
	if err := a.Vault().Save(id); err != nil {
		return nil, err
	}
	return st, nil
}

// runningSandbox is the in-process demo bank, or nil.
func (a *App) runningSandbox() *sandbox.Server {
	a.sandboxMu.Lock()
	defer a.sandboxMu.Unlock()
	return a.sandbox
}
