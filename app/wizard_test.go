package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

func demoApp(t *testing.T) *app.App {
	t.Helper()
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir()})
	if _, err := a.StartSandbox(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.StopSandbox() })
	return a
}

// walk takes a wizard from Bank to Send with the demo identity.
func walk(t *testing.T, w *app.Wizard, profileID string) {
	t.Helper()
	if ok, why := w.CanNext(); ok || why == "" {
		t.Fatalf("Bank step complete with nothing chosen (%q)", why)
	}
	if err := w.ChooseProfile(profileID); err != nil {
		t.Fatal(err)
	}
	mustNext(t, w, app.StepIdentity)
	if ok, _ := w.CanNext(); ok {
		t.Fatal("Identity step complete with no identity chosen")
	}
	if err := w.ChooseIdentity(sandbox.DemoIdentityName); err != nil {
		t.Fatal(err)
	}
	mustNext(t, w, app.StepDetails)
	mustNext(t, w, app.StepReview)
	mustNext(t, w, app.StepSend)
}

func mustNext(t *testing.T, w *app.Wizard, want app.Step) {
	t.Helper()
	if err := w.Next(); err != nil {
		t.Fatalf("Next from %s: %v", w.Step(), err)
	}
	if w.Step() != want {
		t.Fatalf("at %s, want %s", w.Step(), want)
	}
}

func TestWizardRegistersAtEverySandboxBank(t *testing.T) {
	a := demoApp(t)
	for _, id := range sandbox.ProfileIDs() {
		t.Run(id, func(t *testing.T) {
			w := a.NewWizard()
			walk(t, w, id)
			out, err := w.Send(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if out.Result.ClientID == "" {
				t.Fatal("no client id")
			}
		})
	}
}

func TestDetailsArePrefilledFromStatementAndCertificates(t *testing.T) {
	a := demoApp(t)
	w := a.NewWizard()
	_ = w.ChooseProfile("sandbox-stet")
	_ = w.ChooseIdentity(sandbox.DemoIdentityName)
	want := map[string]string{
		"client_name":       "Demo Payments Ltd",
		"software_id":       "Demo Pay (sandbox)",
		"contact.email":     "alex.demo@demo-tpp.example",
		"provider_legal_id": "PSDGB-SBX-000001",
		"scope":             "aisp, pisp, cbpii",
		"redirect_uris":     "https://demo-tpp.example/callback\nhttps://demo-tpp.example/callback/mobile",
	}
	for _, f := range w.Fields() {
		if v, ok := want[f.Name]; ok && f.Value != v {
			t.Errorf("%s = %q, want %q", f.Name, f.Value, v)
		}
		if f.Help == "" || f.Label == "" {
			t.Errorf("%s has no label or help", f.Name)
		}
		if f.Problem != "" {
			t.Errorf("%s has a problem before any edit: %s", f.Name, f.Problem)
		}
	}
}

func TestInlineChecksNameTheFieldAndBlockNext(t *testing.T) {
	a := demoApp(t)
	tests := []struct {
		profile, field, bad, good string
	}{
		{"sandbox-stet", "contact.email", "alex", "alex@demo-tpp.example"},
		{"sandbox-stet", "contact.phone_number", "", "+33102030405"},
		{"sandbox-stet", "scope", "aisp, loans", "aisp"},
		{"sandbox-uk-obie", "redirect_uris", "http://demo-tpp.example/callback", "https://demo-tpp.example/callback"},
		{"sandbox-uk-obie", "scope", "openid mortgages", "openid accounts"},
		{"sandbox-uk-v31", "token_endpoint_auth_method", "tls_client_auth", "private_key_jwt"},
	}
	for _, tt := range tests {
		t.Run(tt.profile+"/"+tt.field, func(t *testing.T) {
			w := a.NewWizard()
			_ = w.ChooseProfile(tt.profile)
			mustNext(t, w, app.StepIdentity)
			_ = w.ChooseIdentity(sandbox.DemoIdentityName)
			mustNext(t, w, app.StepDetails)
			w.SetField(tt.field, tt.bad)
			f := field(t, w, tt.field)
			if f.Problem == "" {
				t.Fatalf("%q accepted", tt.bad)
			}
			ok, why := w.CanNext()
			if ok || !strings.HasPrefix(why, f.Label) {
				t.Errorf("Next allowed = %v, reason %q; want blocked, naming %q", ok, why, f.Label)
			}
			w.SetField(tt.field, tt.good)
			if f := field(t, w, tt.field); f.Problem != "" {
				t.Errorf("%q refused: %s", tt.good, f.Problem)
			}
			if ok, why := w.CanNext(); !ok {
				t.Errorf("still blocked after the fix: %s", why)
			}
		})
	}
}

func field(t *testing.T, w *app.Wizard, name string) app.Field {
	t.Helper()
	for _, f := range w.Fields() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no field %s", name)
	return app.Field{}
}

func TestIdentityWithoutWhatTheBankNeedsCannotGoOn(t *testing.T) {
	a := demoApp(t)
	id, err := a.Vault().Load(sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}
	id.Name, id.SSA = "No statement", ""
	if err := a.Vault().Save(id); err != nil {
		t.Fatal(err)
	}
	w := a.NewWizard()
	_ = w.ChooseProfile("sandbox-uk-obie")
	mustNext(t, w, app.StepIdentity)
	if len(w.Needs()) != 3 {
		t.Errorf("needs: %q", w.Needs())
	}
	_ = w.ChooseIdentity("No statement")
	if ok, why := w.CanNext(); ok || !strings.Contains(why, "software statement") {
		t.Errorf("CanNext = %v, %q", ok, why)
	}
	// The same identity suits a bank that needs no statement.
	w2 := a.NewWizard()
	_ = w2.ChooseProfile("sandbox-altareq")
	mustNext(t, w2, app.StepIdentity)
	_ = w2.ChooseIdentity("No statement")
	mustNext(t, w2, app.StepDetails)
}

func TestRefusalPointsBackToDetailsAndBackClearsIt(t *testing.T) {
	a := demoApp(t)
	w := a.NewWizard()
	_ = w.ChooseProfile("sandbox-uk-v31")
	mustNext(t, w, app.StepIdentity)
	_ = w.ChooseIdentity(sandbox.DemoIdentityName)
	mustNext(t, w, app.StepDetails)
	w.SetField("aud", "another-bank")
	mustNext(t, w, app.StepReview)
	mustNext(t, w, app.StepSend)
	_, err := w.Send(context.Background())
	var be *registration.BankError
	if !errors.As(err, &be) || be.Status != 406 || !strings.Contains(be.Description, "[jwt.aud]") {
		t.Fatalf("send: %v", err)
	}
	if w.FixStep() != app.StepDetails {
		t.Errorf("fix at %s", w.FixStep())
	}
	w.GoTo(w.FixStep())
	if w.Step() != app.StepDetails || w.Err != nil {
		t.Fatalf("at %s with %v", w.Step(), w.Err)
	}
	w.SetField("aud", "")
	mustNext(t, w, app.StepReview)
	mustNext(t, w, app.StepSend)
	if _, err := w.Send(context.Background()); err != nil {
		t.Fatalf("after the fix: %v", err)
	}
}

func TestCancelledSendRegistersNothing(t *testing.T) {
	a := demoApp(t)
	w := a.NewWizard()
	walk(t, w, "sandbox-uk-obie")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, err := w.Send(ctx)
	if err == nil || out == nil || out.Result != nil {
		t.Fatalf("cancelled send: %+v, %v", out, err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error does not say it was cancelled: %v", err)
	}
	if out.Record.Status != records.NotSent || out.Record.ID == "" || out.Record.Started.IsZero() {
		t.Errorf("the cancelled attempt is recorded as %+v", out.Record)
	}
}
