package app_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/csr"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/testkit"
)

// TestNewcomerGetsCertificatesWithoutAKeyFile is issue 9's loop: keys and
// CSRs made in the wizard, the demo trust framework issues both
// certificates, they are imported and paired with their keys, and the new
// identity registers with a demo bank. Afterwards the user's home and
// temporary folders are read file by file: the new private keys are in
// none of them, in any encoding.
func TestNewcomerGetsCertificatesWithoutAKeyFile(t *testing.T) {
	home, tmp := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", tmp)
	store := keystore.NewMemory()
	a := app.New(app.Options{Store: store, ConfigDir: filepath.Join(home, ".config", "tppwizard")})
	if _, err := a.StartSandbox(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.StopSandbox() })
	values, err := a.SandboxValues()
	if err != nil {
		t.Fatal(err)
	}
	made, err := a.NewCSR(app.CSRRequest{Name: "Acme new", Framework: "sandbox", KeyType: csr.ECP256, Values: values})
	if err != nil {
		t.Fatal(err)
	}
	if len(made.PEM) != 2 {
		t.Fatalf("%d requests made, want transport and signing", len(made.PEM))
	}
	for use, p := range made.PEM {
		if _, err := csr.ParsePEM(p); err != nil {
			t.Errorf("%s CSR: %v", use, err)
		}
	}
	if _, err := a.Vault().Load("Acme new"); err == nil {
		t.Fatal("the identity is usable before its certificates are in")
	}

	done, err := a.IssueInSandbox(context.Background(), "Acme new")
	if err != nil {
		t.Fatal(err)
	}
	if done.Identity == nil || len(done.Waiting) > 0 {
		t.Fatalf("not complete: waiting for %v", done.Waiting)
	}
	parsed, err := done.Identity.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if !parsed.Transport.KeyMatches() || parsed.Signing == nil || !parsed.Signing.KeyMatches() {
		t.Fatal("the certificates are not paired with their keys")
	}
	if cn := parsed.Signing.Leaf().Subject.CommonName; cn != values["software_id"]+" signing" {
		t.Errorf("signing certificate CN %q", cn)
	}
	if names, _ := a.Vault().ListPending(); len(names) != 0 {
		t.Errorf("keys still waiting after completion: %v", names)
	}

	out, err := a.Register(context.Background(), app.RegisterRequest{ProfileID: "sandbox-altareq", IdentityName: "Acme new", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("register with the new identity: %v", err)
	}
	if out.Result.Status/100 != 2 {
		t.Fatalf("the demo bank answered HTTP %d", out.Result.Status)
	}

	// The new keys, in any encoding, must be in no file.
	var keys []string
	for _, r := range made.Pending.Requests {
		keys = append(keys, r.Key)
	}
	if leaks := testkit.FilesHoldingKeys(t, []string{home, tmp, os.TempDir()}, keys...); len(leaks) > 0 {
		t.Errorf("a new private key is on disk: %v", leaks)
	}
}

func TestCertificateForNoWaitingKeyIsRefused(t *testing.T) {
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir()})
	kit := testkit.Get(t)
	_, err := a.CompleteCSR([]byte(kit.Identity.TransportCert))
	if !errors.Is(err, identity.ErrNoPendingKey) {
		t.Fatalf("got %v, want ErrNoPendingKey", err)
	}
	if !strings.Contains(err.Error(), "does not belong to any key waiting for one") {
		t.Errorf("message: %v", err)
	}
}

func TestCSRRequestsAreCheckedFirst(t *testing.T) {
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir()})
	cases := []struct {
		name string
		req  app.CSRRequest
		want string
	}{
		{"EC where the framework takes RSA only", app.CSRRequest{Name: "A", Framework: "obie", KeyType: csr.ECP256}, "does not accept EC-P256 keys"},
		{"unknown framework", app.CSRRequest{Name: "A", Framework: "nowhere"}, `there is no trust framework "nowhere"`},
		{"bad name", app.CSRRequest{Name: "../x", Framework: "obie"}, "is not usable"},
		{"missing inputs", app.CSRRequest{Name: "A", Framework: "obie"}, "Organisation id is needed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := a.NewCSR(c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if names, _ := a.Vault().ListPending(); len(names) != 0 {
				t.Errorf("keys kept after a refusal: %v", names)
			}
		})
	}
}

// TestRenewalKeepsTheSubjectAndTellsWhichRegistrationsToUpdate: the demo
// identity registers, renews (new keys, the same subjects), the demo trust
// framework issues, and the identity switches to the new certificates
// while keeping its statement; the registration made with the old ones is
// then reported as needing an update.
func TestRenewalKeepsTheSubjectAndTellsWhichRegistrationsToUpdate(t *testing.T) {
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir()})
	if _, err := a.StartSandbox(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.StopSandbox() })
	ctx := context.Background()
	out, err := a.Register(ctx, app.RegisterRequest{ProfileID: "sandbox-uk-v31", IdentityName: sandbox.DemoIdentityName, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	before, err := a.Identity(sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}
	made, err := a.RenewCSR(sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}
	for use, p := range made.PEM {
		req, err := csr.ParsePEM(p)
		if err != nil {
			t.Fatal(err)
		}
		old := before.Transport.Leaf()
		if use == "signing" {
			old = before.Signing.Leaf()
		}
		if !bytes.Equal(req.RawSubject, old.RawSubject) {
			t.Errorf("%s: the renewal asks for %q, the certificate it replaces is %q", use, req.Subject, old.Subject)
		}
		if kt, _ := csr.KeyTypeOf(req.PublicKey); kt != csr.RSA2048 {
			t.Errorf("%s: renewal key %s, want the old key's type", use, kt)
		}
	}
	if _, err := a.IssueInSandbox(ctx, sandbox.DemoIdentityName); err != nil {
		t.Fatal(err)
	}
	after, err := a.Identity(sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}
	if after.Transport.Leaf().Equal(before.Transport.Leaf()) || after.Signing.Leaf().Equal(before.Signing.Leaf()) {
		t.Fatal("the identity still has its old certificates")
	}
	if after.SSA != before.SSA || after.SigningKID != before.SigningKID {
		t.Error("the renewal lost the identity's statement or key id")
	}
	if renewed := a.RenewedSince(&out.Record); len(renewed) != 2 {
		t.Errorf("the registration made with the old certificates: %q, want both certificates reported", renewed)
	}
	if n := a.RegistrationsToTell(sandbox.DemoIdentityName); n != 1 {
		t.Errorf("%d registrations to tell, want 1", n)
	}
}

// TestHomeOffersRenewalThirtyDaysAhead: a certificate is listed once it
// ends within 30 days, not before.
func TestHomeOffersRenewalThirtyDaysAhead(t *testing.T) {
	kit := testkit.Get(t)
	leaf, err := pki.ParseCertificates([]byte(kit.Identity.TransportCert))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		daysBefore int
		listed     bool
	}{{31, false}, {29, true}, {0, true}} {
		at := leaf[0].NotAfter.Add(-time.Duration(c.daysBefore) * 24 * time.Hour)
		a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir(), Now: func() time.Time { return at }})
		id := kit.Identity
		id.Name = "Acme"
		if err := a.Vault().Save(id); err != nil {
			t.Fatal(err)
		}
		list, err := a.ExpiringSoon()
		if err != nil {
			t.Fatal(err)
		}
		got := slices.ContainsFunc(list, func(e app.Expiring) bool { return e.Identity == "Acme" && e.Use == "transport" })
		if got != c.listed {
			t.Errorf("%d days before the end: listed %v, want %v (%v)", c.daysBefore, got, c.listed, list)
		}
	}
}
