package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// register makes a registration at a demo bank and returns its record.
func register(t *testing.T, a *app.App, profileID string) records.Record {
	t.Helper()
	out, err := a.Register(context.Background(), app.RegisterRequest{ProfileID: profileID, IdentityName: sandbox.DemoIdentityName})
	if err != nil {
		t.Fatalf("register at %s: %v", profileID, err)
	}
	return out.Record
}

// sendChange walks a change wizard from Details to Send and sends it.
func sendChange(t *testing.T, w *app.Wizard) *app.Outcome {
	t.Helper()
	mustNext(t, w, app.StepReview)
	mustNext(t, w, app.StepSend)
	out, err := w.Send(context.Background())
	if err != nil {
		t.Fatalf("send the change: %v", err)
	}
	return out
}

// TestChangeFromARecordIsPrefilledFromTheBank changes a registration at
// each demo bank that takes changes, starting from its record: the values
// come from what the bank holds (read, where the bank offers reading),
// one is changed, the whole registration is sent again, and the bank then
// holds the change.
func TestChangeFromARecordIsPrefilledFromTheBank(t *testing.T) {
	a := demoApp(t)
	ctx := context.Background()
	tests := []struct {
		profile, source, field, before, after string
		status                                int
	}{
		{"sandbox-uk-v31", "holds now (read just now", "redirect_uris", "https://demo-tpp.example/callback\nhttps://demo-tpp.example/callback/mobile", "https://demo-tpp.example/callback/mobile", 200},
		{"sandbox-uk-obie", "holds now (read just now", "redirect_uris", "https://demo-tpp.example/callback\nhttps://demo-tpp.example/callback/mobile", "https://demo-tpp.example/callback", 200},
		// Seed 001: "A correct response returns a HTTP 201 status", for PUT too.
		{"sandbox-stet", "offers no way to read a registration", "contact.email", "alex.demo@demo-tpp.example", "registrations@demo-tpp.example", 201},
		{"sandbox-oauth", "holds now (read just now", "client_name", "Demo Pay (sandbox)", "Demo Pay, renamed", 200},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			rec := register(t, a, tt.profile)
			w, err := a.ChangeWizard(ctx, rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if w.Step() != app.StepDetails || w.First() != app.StepDetails || w.Change().ClientID != rec.ClientID {
				t.Fatalf("starts at %s (first %s) for %q", w.Step(), w.First(), w.Change().ClientID)
			}
			if !strings.Contains(w.Change().Source.String(), tt.source) {
				t.Errorf("source: %s", w.Change().Source)
			}
			if got := field(t, w, tt.field).Value; got != tt.before {
				t.Fatalf("%s pre-filled as %q, want %q", tt.field, got, tt.before)
			}
			w.SetField(tt.field, tt.after)
			out := sendChange(t, w)
			if out.Record.Operation != string(registration.Update) || out.Record.ClientID != rec.ClientID || out.Result.Status != tt.status {
				t.Fatalf("change record: %s %s %d", out.Record.Operation, out.Record.ClientID, out.Result.Status)
			}
			// Back at the first step goes nowhere: the bank is fixed.
			w.Back()
			w.Back()
			w.Back()
			if w.Step() != app.StepDetails {
				t.Errorf("back from a change went to %s", w.Step())
			}

			again, err := a.ChangeWizard(ctx, out.Record.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := field(t, again, tt.field).Value; got != tt.after {
				t.Errorf("after the change the bank holds %s %q, want %q", tt.field, got, tt.after)
			}
		})
	}
}

// TestOAuthChangeKeepsUpWithTheRotatedToken: the RFC 7592 server replaces
// the registration access token on each change; later reads, changes and
// the delete use the newest, from the newest record that has one.
func TestOAuthChangeKeepsUpWithTheRotatedToken(t *testing.T) {
	a := demoApp(t)
	ctx := context.Background()
	rec := register(t, a, "sandbox-oauth")
	for i := range 2 {
		w, err := a.ChangeWizard(ctx, rec.ID)
		if err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
		w.SetField("client_name", "Demo Pay v"+string(rune('2'+i)))
		sendChange(t, w)
	}
	read, err := a.Manage(ctx, rec.ID, registration.Read)
	if err != nil || read.Result.Metadata["client_name"] != "Demo Pay v3" {
		t.Fatalf("read from the first record: %v %v", err, read)
	}
	if _, err := a.Manage(ctx, rec.ID, registration.Delete); err != nil {
		t.Fatalf("delete: %v", err)
	}
}

func TestChangeIsRefusedWhereTheBankTakesNone(t *testing.T) {
	a := demoApp(t)
	rec := register(t, a, "sandbox-altareq")
	_, err := a.ChangeWizard(context.Background(), rec.ID)
	if err == nil || !strings.Contains(err.Error(), "register again") {
		t.Fatalf("err = %v", err)
	}
	if manage, change := a.Actions(&rec); manage || change {
		t.Errorf("Al Tareq actions: manage %v change %v", manage, change)
	}
	w, err := a.AgainWizard(rec.ID)
	if err != nil || w.Profile().ID != "sandbox-altareq" || w.IdentityName() != sandbox.DemoIdentityName || w.Step() != app.StepDetails {
		t.Fatalf("register again: %v %v", w, err)
	}
}

// TestCertificateRenewalIsToldToTheBank renews the demo TPP's transport
// certificate in the trust framework, imports it, and follows the guided
// action: the record says the certificate is not the one registered, the
// change sends the registration again over the new certificate (with its
// subject), and afterwards nothing is outstanding.
func TestCertificateRenewalIsToldToTheBank(t *testing.T) {
	a := demoApp(t)
	ctx := context.Background()
	tests := []struct{ profile string }{{"sandbox-uk-obie"}, {"sandbox-oauth"}}
	recs := map[string]records.Record{}
	for _, tt := range tests {
		recs[tt.profile] = register(t, a, tt.profile)
		if r := a.RenewedSince(ptr(recs[tt.profile])); len(r) != 0 {
			t.Fatalf("renewed before renewal: %v", r)
		}
	}

	if err := a.RenewSandboxTransport(); err != nil {
		t.Fatal(err)
	}
	renewed, err := a.Identity(sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			rec := recs[tt.profile]
			notes := a.RenewedSince(&rec)
			if len(notes) != 1 || !strings.Contains(notes[0].String(), "transport certificate is not the one registered") {
				t.Fatalf("renewal not noticed: %v", notes)
			}
			w, err := a.ChangeWizard(ctx, rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(w.Change().Renewed) != 1 {
				t.Fatalf("the change does not say why: %v", w.Change().Renewed)
			}
			out := sendChange(t, w)
			sent := out.Record.Certificates[0]
			if sent.Role != "transport" || sent.Serial != renewed.Transport.Leaf().SerialNumber.Text(16) {
				t.Errorf("the change went with %+v", sent)
			}
			if notes := a.RenewedSince(&rec); len(notes) != 0 {
				t.Errorf("still outstanding after the change: %v", notes)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
