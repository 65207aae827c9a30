package gui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// openNewest opens the newest record on Home.
func (s *session) openNewest() *recordView {
	s.t.Helper()
	s.u.ShowHome()
	s.wait("records")
	past := s.u.home.past
	return past.show(past.recs[0])
}

func TestOAuthServerTakesATypedInitialAccessToken(t *testing.T) {
	s := newDemoSession(t)
	srv, err := s.a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	s.chooseBank("sandbox-oauth")
	s.next(app.StepIdentity)
	s.chooseIdentity(sandbox.DemoIdentityName)
	s.next(app.StepDetails)
	in, ok := s.u.wizard.details.inputs[app.InitialTokenField].(*entry)
	if !ok || !in.Password {
		t.Fatalf("the initial access token is not asked for hidden: %T", s.u.wizard.details.inputs[app.InitialTokenField])
	}
	test.Type(in, srv.InitialAccessToken())
	s.next(app.StepReview)
	if strings.Contains(s.u.wizard.review.request.Text, srv.InitialAccessToken()) {
		t.Fatal("the review shows the initial access token")
	}
	s.next(app.StepSend)
	test.Tap(s.u.wizard.send.sendB)
	s.wait("sent")
	if !strings.HasPrefix(s.u.wizard.send.status.Text, "Registered with Demo OAuth server") {
		t.Fatalf("send: %s", s.u.wizard.send.status.Text)
	}
	v := s.openNewest()
	if v.read == nil || v.remove == nil || v.change == nil {
		t.Fatal("an RFC 7591 registration offers no read, change or delete")
	}
}

// TestRegistrationIsChangedFromItsRecord opens a registration's record,
// changes it (the wizard starts at Details, pre-filled from the bank), and
// sends the change.
func TestRegistrationIsChangedFromItsRecord(t *testing.T) {
	s := newDemoSession(t)
	s.send("sandbox-uk-obie")
	v := s.openNewest()
	if v.change == nil {
		t.Fatal("a UK registration offers no change")
	}
	test.Tap(v.change)
	s.wait("change")
	if s.u.wizard == nil || s.u.wizard.w.Step() != app.StepDetails {
		t.Fatalf("the change does not open at Details: %s", v.status.Text)
	}
	if !strings.Contains(s.u.wizard.progress.Text, "Changing client") || !strings.Contains(s.u.wizard.hint.Text, "read just now") {
		t.Errorf("the change does not say what it is: %q / %q", s.u.wizard.progress.Text, s.u.wizard.hint.Text)
	}
	s.fits()
	redirects := s.u.wizard.details.inputs["redirect_uris"].(*entry)
	if redirects.Text != "https://demo-tpp.example/callback\nhttps://demo-tpp.example/callback/mobile" {
		t.Fatalf("redirects pre-filled as %q", redirects.Text)
	}
	redirects.SetText("https://demo-tpp.example/callback")
	s.next(app.StepReview)
	if !strings.Contains(s.u.wizard.review.request.Text, "PUT https://127.0.0.1:") {
		t.Errorf("review does not show a PUT:\n%s", s.u.wizard.review.request.Text)
	}
	s.next(app.StepSend)
	test.Tap(s.u.wizard.send.sendB)
	s.wait("sent")
	if !strings.HasPrefix(s.u.wizard.send.status.Text, "Changed at") {
		t.Fatalf("send: %s", s.u.wizard.send.status.Text)
	}
	// Escape from Details goes home, not to a bank that cannot change.
	s.u.wizard.goTo(app.StepDetails)
	s.u.wizard.goBack()
	if s.u.wizard != nil {
		t.Fatalf("back from the first step of a change stayed at %s", s.u.wizard.w.Step())
	}
}

// TestRenewedCertificateLeadsToTellingTheBank renews the demo transport
// certificate: a registration's record says so and offers the change (or,
// at Al Tareq, registering again), which opens with the reason.
func TestRenewedCertificateLeadsToTellingTheBank(t *testing.T) {
	s := newDemoSession(t)
	s.send("sandbox-oauth")
	s.u.StartWizard()
	s.send("sandbox-altareq")
	if err := s.a.RenewSandboxTransport(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		button, event string
		profile, hint string
		changing      bool
	}{
		{"Register again with the new certificates…", "again", "sandbox-altareq", "", false},
		{"Update the registration with the new certificates…", "change", "sandbox-oauth", "not the one registered", true},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			s.t = t
			s.u.ShowHome()
			s.wait("records")
			past := s.u.home.past
			i := slices.IndexFunc(past.recs, func(r records.Record) bool { return r.ProfileID == tt.profile })
			v := past.show(past.recs[i])
			s.wait("renewal")
			if len(v.renewal.Objects) != 2 {
				t.Fatalf("no renewal notice for %s", past.recs[i].Bank)
			}
			act := v.renewal.Objects[1].(*button)
			if act.Text != tt.button {
				t.Fatalf("offered %q", act.Text)
			}
			test.Tap(act)
			s.wait(tt.event)
			w := s.u.wizard.w
			if w.Profile().ID != tt.profile || w.Step() != app.StepDetails || (w.Change() != nil) != tt.changing {
				t.Fatalf("opened %s at %s (change %v)", w.Profile().ID, w.Step(), w.Change() != nil)
			}
			if !strings.Contains(s.u.wizard.hint.Text, tt.hint) {
				t.Errorf("hint: %s", s.u.wizard.hint.Text)
			}
			s.fits()
			s.next(app.StepReview)
			s.next(app.StepSend)
			test.Tap(s.u.wizard.send.sendB)
			s.wait("sent")
			if s.u.wizard.w.Err != nil {
				t.Fatalf("telling the bank: %v", s.u.wizard.w.Err)
			}
		})
	}
}
