package gui

import (
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/testkit"
	"github.com/tppwizard/tppwizard/core/text"
)

// session is a window on a test app, with the background work's events.
type session struct {
	t   *testing.T
	u   *UI
	a   *app.App
	win fyne.Window
	// posted are results of background work, run by wait on the test
	// goroutine, which is the UI thread here; seen are the events they gave.
	posted chan func()
	seen   []string
}

func newSession(t *testing.T) *session { t.Helper(); return newSessionIn(t, nil) }

// newSessionIn is a session whose app speaks through tr (nil: English).
func newSessionIn(t *testing.T, tr text.Translator) *session {
	t.Helper()
	test.NewTempApp(t)
	return newSessionFor(t, app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir(), Text: tr}))
}

// newSessionFor is a session on an app the test made (a test app must be
// current).
func newSessionFor(t *testing.T, a *app.App) *session {
	t.Helper()
	t.Cleanup(func() { _ = a.StopSandbox() })
	win := test.NewTempWindow(t, nil)
	win.Resize(fyne.NewSize(800, 600))
	s := &session{t: t, a: a, win: win, posted: make(chan func(), 64), u: New(a, win)}
	s.u.settled = func(e string) { s.seen = append(s.seen, e) }
	s.u.post = func(f func()) { s.posted <- f }
	s.u.ShowHome()
	s.wait("identities")
	s.wait("records")
	s.fits()
	return s
}

// newDemoSession is a session that has pressed "Try it with the demo bank".
func newDemoSession(t *testing.T) *session {
	t.Helper()
	s := newSession(t)
	test.Tap(s.u.home.demoButton)
	s.wait("sandbox")
	return s
}

// wait blocks until the background work named has finished.
func (s *session) wait(event string) {
	s.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		if i := slices.Index(s.seen, event); i >= 0 {
			s.seen = slices.Delete(s.seen, i, i+1)
			return
		}
		select {
		case apply := <-s.posted:
			apply()
		case <-timeout:
			s.t.Fatalf("no %q event within 30s", event)
		}
	}
}

func (s *session) next(want app.Step) {
	s.t.Helper()
	if s.u.wizard.next.Disabled() {
		s.t.Fatalf("Next is disabled at %s: %s", s.u.wizard.w.Step(), s.u.wizard.reason.Text)
	}
	test.Tap(s.u.wizard.next)
	if got := s.u.wizard.w.Step(); got != want {
		s.t.Fatalf("at %s, want %s (%s)", got, want, s.u.wizard.reason.Text)
	}
	s.fits()
}

// fits checks that the screen shown needs no more than the smallest window
// the wizard supports, 800x600.
func (s *session) fits() {
	s.t.Helper()
	min := s.win.Content().MinSize()
	if min.Width > 800 || min.Height > 600 {
		where := "home"
		if s.u.wizard != nil {
			where = s.u.wizard.w.Step().String()
		}
		s.t.Errorf("%s needs %.0fx%.0f, more than 800x600", where, min.Width, min.Height)
	}
}

// chooseBank picks a bank in the list, as a click on its row does.
func (s *session) chooseBank(id string) {
	s.t.Helper()
	b := s.u.wizard.bank
	for i, p := range b.shown {
		if p.ID == id {
			b.list.Select(i)
			return
		}
	}
	s.t.Fatalf("bank %s not listed", id)
}

// send walks a registration with the demo identity at a demo bank, from
// the Bank step to the answer.
func (s *session) send(profileID string) {
	s.t.Helper()
	s.chooseBank(profileID)
	s.next(app.StepIdentity)
	s.chooseIdentity(sandbox.DemoIdentityName)
	s.next(app.StepDetails)
	s.next(app.StepReview)
	s.next(app.StepSend)
	test.Tap(s.u.wizard.send.sendB)
	s.wait("sent")
}

func (s *session) chooseIdentity(name string) {
	s.t.Helper()
	s.wait("names")
	sel := s.u.wizard.identity.choose
	if !slices.Contains(sel.Options, name) {
		s.t.Fatalf("identity %q not offered: %v", name, sel.Options)
	}
	if sel.Selected != name {
		sel.SetSelected(name)
	}
	for s.u.wizard.w.IdentityName() != name {
		s.wait("identity")
	}
}

func TestDemoBankRegistrationForEveryDialect(t *testing.T) {
	s := newDemoSession(t)
	for i, id := range []string{"sandbox-uk-v31", "sandbox-stet", "sandbox-altareq", "sandbox-uk-obie", "sandbox-oauth"} {
		t.Run(id, func(t *testing.T) {
			s.t = t
			if i > 0 {
				s.u.StartWizard()
				test.Type(s.u.wizard.bank.search, "demo")
			}
			if !s.u.wizard.next.Disabled() {
				t.Fatal("Next enabled before a bank is chosen")
			}
			if s.u.wizard.reason.Text == "" {
				t.Error("no reason shown for the disabled Next")
			}
			s.chooseBank(id)
			s.next(app.StepIdentity)
			s.chooseIdentity(sandbox.DemoIdentityName)
			s.next(app.StepDetails)
			s.next(app.StepReview)
			if text := s.u.wizard.review.request.Text; !strings.Contains(text, "POST https://127.0.0.1:") {
				t.Errorf("review does not show the request:\n%s", text)
			}
			s.next(app.StepSend)
			test.Tap(s.u.wizard.send.sendB)
			s.wait("sent")
			if s.u.wizard.send.clientID == nil || s.u.wizard.send.clientID.Text == "" {
				t.Fatalf("no client id shown: %s", s.u.wizard.send.status.Text)
			}
			s.fits()
		})
	}
}

func TestSecretIsMaskedUntilRevealed(t *testing.T) {
	s := newDemoSession(t)
	s.send("sandbox-uk-v31")
	send := s.u.wizard.send
	if send.secret == nil || !strings.Contains(send.secret.Text, "hidden") {
		t.Fatalf("secret not masked: %v", send.secret)
	}
	secret := s.u.wizard.w.Outcome.Result.ClientSecret
	test.Tap(send.reveal)
	if send.secret.Text != secret {
		t.Error("Reveal does not show the secret")
	}
	test.Tap(send.reveal)
	if strings.Contains(send.secret.Text, secret) {
		t.Error("Hide does not mask the secret again")
	}
}

func TestRefusalShowsTheBanksWordsAndLeadsBackToTheField(t *testing.T) {
	s := newDemoSession(t)
	s.chooseBank("sandbox-uk-v31")
	s.next(app.StepIdentity)
	s.chooseIdentity(sandbox.DemoIdentityName)
	s.next(app.StepDetails)
	aud, ok := s.u.wizard.details.inputs["aud"].(interface{ SetText(string) })
	if !ok {
		t.Fatal("no aud input")
	}
	aud.SetText("another-bank")
	s.next(app.StepReview)
	s.next(app.StepSend)
	test.Tap(s.u.wizard.send.sendB)
	s.wait("sent")
	var shown []string
	for _, o := range s.u.wizard.send.result.Objects {
		if l, ok := o.(*widget.Label); ok {
			shown = append(shown, l.Text)
		}
	}
	all := strings.Join(shown, "\n")
	for _, want := range []string{"What happened", "The bank's own words", "[jwt.aud]"} {
		if !strings.Contains(all, want) {
			t.Errorf("refusal screen lacks %q:\n%s", want, all)
		}
	}
	if !strings.Contains(s.u.wizard.send.status.Text, "refused") {
		t.Fatalf("status: %s", s.u.wizard.send.status.Text)
	}
	if s.u.wizard.send.fix == nil {
		t.Fatal("no way back to fix it")
	}
	test.Tap(s.u.wizard.send.fix)
	if s.u.wizard.w.Step() != app.StepDetails {
		t.Fatalf("fix led to %s", s.u.wizard.w.Step())
	}
}

// press sends keys as the desktop driver does: Tab moves the focus, other
// keys go to the focused control, or to the window when none is; text goes
// rune by rune to the focused control.
func (s *session) press(keys ...any) {
	s.t.Helper()
	c := s.win.Canvas()
	for _, k := range keys {
		switch k := k.(type) {
		case fyne.KeyName:
			if k == fyne.KeyTab {
				c.FocusNext()
				continue
			}
			if f := c.Focused(); f != nil {
				f.TypedKey(&fyne.KeyEvent{Name: k})
			} else if h := c.OnTypedKey(); h != nil {
				h(&fyne.KeyEvent{Name: k})
			}
		case string:
			f := c.Focused()
			if f == nil {
				s.t.Fatalf("typing %q with nothing focused", k)
			}
			for _, r := range k {
				f.TypedRune(r)
			}
		}
	}
}

func (s *session) at(want app.Step) {
	s.t.Helper()
	if s.u.wizard == nil {
		s.t.Fatalf("at home, want %s", want)
	}
	if got := s.u.wizard.w.Step(); got != want {
		s.t.Fatalf("at %s, want %s (%s)", got, want, s.u.wizard.reason.Text)
	}
}

// TestKeyboardAloneRegistersAtEveryDialect: Tab, typing, Enter and Escape,
// no pointer.
func TestKeyboardAloneRegistersAtEveryDialect(t *testing.T) {
	s := newSession(t)
	if s.win.Canvas().Focused() != s.u.home.newButton {
		t.Fatal("home does not start at New registration")
	}
	s.press(fyne.KeyTab, fyne.KeyReturn) // Try it with the demo bank
	s.wait("sandbox")
	for i, c := range []struct{ search, id string }{
		{" tareq", "sandbox-altareq"}, {" stet", "sandbox-stet"}, {" v3.1", "sandbox-uk-v31"}, {" obie", "sandbox-uk-obie"},
	} {
		t.Run(c.id, func(t *testing.T) {
			s.t = t
			if i > 0 {
				s.press(fyne.KeyTab, fyne.KeyReturn) // New registration is focused on home: Tab to the demo bank
				s.wait("sandbox")
			}
			s.at(app.StepBank)
			s.press(c.search, fyne.KeyReturn) // the only match is chosen
			s.at(app.StepIdentity)
			s.wait("names")
			for s.u.wizard.w.IdentityName() != sandbox.DemoIdentityName {
				s.wait("identity")
			}
			s.press(fyne.KeyReturn)
			s.at(app.StepDetails)
			s.press(fyne.KeyReturn)
			s.at(app.StepReview)
			s.press(fyne.KeyReturn)
			s.at(app.StepSend)
			s.press(fyne.KeyReturn)
			s.wait("sent")
			if s.u.wizard.w.Err != nil || s.u.wizard.w.Outcome.Result.ClientID == "" {
				t.Fatalf("send: %v", s.u.wizard.w.Err)
			}
			s.press(fyne.KeyReturn) // Done
			if s.u.wizard != nil {
				t.Fatal("Done did not go home")
			}
			s.wait("identities")
			s.wait("records")
		})
	}
	s.t = t
	if n := len(s.u.home.past.recs); n != 4 {
		t.Fatalf("home lists %d registrations, want 4", n)
	}
}

func TestEscapeGoesBackFromAnyControl(t *testing.T) {
	s := newDemoSession(t)
	s.chooseBank("sandbox-altareq")
	s.next(app.StepIdentity)
	s.wait("names")
	if s.win.Canvas().Focused() != s.u.wizard.identity.choose {
		t.Fatalf("the identity choice is not focused: %T", s.win.Canvas().Focused())
	}
	s.press(fyne.KeyEscape) // from the identity choice
	s.at(app.StepBank)
	s.press(fyne.KeyTab, fyne.KeyEscape) // from the bank list
	if s.u.wizard != nil {
		t.Fatal("Escape at the first step does not go home")
	}
	s.u.StartWizard()
	s.win.Canvas().Unfocus()
	s.press(fyne.KeyEscape) // nothing focused: the window hears it
	if s.u.wizard != nil {
		t.Fatal("Escape with nothing focused does not go back")
	}
}

func TestPastRegistrationsAreListedOnHomeAndOpen(t *testing.T) {
	s := newSession(t)
	if len(s.u.home.past.recs) != 0 || !strings.Contains(s.u.home.past.status.Text, "None yet") {
		t.Fatalf("a first run lists %d records: %s", len(s.u.home.past.recs), s.u.home.past.status.Text)
	}
	test.Tap(s.u.home.demoButton)
	s.wait("sandbox")
	s.send("sandbox-altareq")

	s.u.ShowHome()
	s.wait("records")
	past := s.u.home.past
	if len(past.recs) != 1 || past.recs[0].Status != records.Succeeded || past.recs[0].ProfileID != "sandbox-altareq" {
		t.Fatalf("home lists %+v", past.recs)
	}
	past.list.Select(0)
	overlay := s.win.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("opening a record shows nothing")
	}
	var texts []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			texts = append(texts, x.Text)
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(overlay)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Outcome:         done", "POST https://127.0.0.1:", "/tpp-registration", "transport cert:"} {
		if !strings.Contains(all, want) {
			t.Errorf("the record dialog lacks %q:\n%s", want, all)
		}
	}
	overlay.Hide()

	// The evidence report opens in the browser.
	var opened string
	s.u.openFile = func(path string) error { opened = path; return nil }
	v := past.show(past.recs[0])
	test.Tap(v.open)
	s.wait("report")
	data, err := os.ReadFile(opened)
	if err != nil {
		t.Fatalf("no report opened (%s): %v", v.status.Text, err)
	}
	if !strings.Contains(string(data), past.recs[0].ID) || !strings.HasPrefix(string(data), "<!DOCTYPE html>") {
		t.Fatalf("the opened file is not the record's report:\n%.300s", data)
	}
}

// TestCancelAfterTheRequestLeftSaysTheOutcomeIsUnknown sends to a bank that
// holds the request, cancels, and checks what the user is told.
func TestCancelAfterTheRequestLeftSaysTheOutcomeIsUnknown(t *testing.T) {
	s := newSession(t)
	k := testkit.Get(t)
	arrived := make(chan struct{})
	bank := k.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		close(arrived)
		testkit.Hold[struct{}](r, nil)
	}))
	p := testkit.Profile(t, "ae-altareq-modelbank-sandbox")
	p.ID, p.Name, p.DiscoveryURL, p.RegistrationEndpoint = "stalling-bank", "Stalling bank", "", bank.URL
	p.ExtraCAPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.CA.Cert.Raw}))
	s.a.Catalog.Put(p)
	if err := s.a.Vault().Save(k.Identity); err != nil {
		t.Fatal(err)
	}

	s.u.StartWizard()
	s.chooseBank("stalling-bank")
	s.next(app.StepIdentity)
	s.chooseIdentity(k.Identity.Name)
	s.next(app.StepDetails)
	s.next(app.StepReview)
	s.next(app.StepSend)
	send := s.u.wizard.send
	test.Tap(send.sendB)
	<-arrived
	if send.cancelB.Hidden || !s.u.wizard.back.Disabled() || !send.sendB.Disabled() {
		t.Fatal("while sending, Cancel is not offered or Back and Send are still enabled")
	}
	test.Tap(send.cancelB)
	s.wait("sent")
	if !strings.HasPrefix(send.status.Text, "Cancelled after the request had left. It is not known whether the bank registered it, and it was not sent again.") {
		t.Fatalf("after cancelling: %s", send.status.Text)
	}
	recs, err := s.a.Records()
	if err != nil || len(recs) != 1 || recs[0].Status != records.Unknown {
		t.Fatalf("the cancelled attempt is recorded as %+v, %v", recs, err)
	}
	// Never re-sent by itself: Send waits for the person's word that they
	// checked with the bank.
	if !send.sendB.Disabled() || s.u.wizard.back.Disabled() {
		t.Fatal("after an unknown outcome, Send is enabled at once, or Back is disabled")
	}
	var checked *widget.Check
	for _, o := range send.result.Objects {
		if c, ok := o.(*widget.Check); ok {
			checked = c
		}
	}
	if checked == nil {
		t.Fatal("no way to say the bank was asked")
	}
	test.Tap(checked)
	if send.sendB.Disabled() {
		t.Fatal("Send stays disabled after the person says they checked")
	}
}

func TestBankAddedFromItsDiscoveryAddressIsChosen(t *testing.T) {
	s := newDemoSession(t)
	srv, err := s.a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	f := showAddFromDiscovery(s.u.wizard)
	test.Type(f.url, "http://bank.example/.well-known/openid-configuration")
	if f.url.Validate() == nil {
		t.Error("an http address passes the form's check")
	}
	f.url.SetText(srv.URL() + "/altareq/.well-known/openid-configuration")
	test.Type(f.name, "Emirates Test Bank")
	f.kind.SetSelected(app.BankKinds[2].Label)
	f.dialog.Hide()
	f.submit(s.u.wizard)
	s.wait("bank added")
	p := s.u.wizard.w.Profile()
	if p == nil || p.Name != "Emirates Test Bank" || p.Environment != "sandbox" {
		t.Fatalf("chosen bank: %+v (%s)", p, s.u.wizard.bank.status.Text)
	}
	if s.u.wizard.next.Disabled() {
		t.Fatalf("Next disabled after adding: %s", s.u.wizard.reason.Text)
	}
	s.next(app.StepIdentity)
}

func TestEscapeClosesADialog(t *testing.T) {
	s := newSession(t)
	s.u.StartWizard()
	showAddFromDiscovery(s.u.wizard)
	if s.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog shown")
	}
	s.win.Canvas().Unfocus()
	s.press(fyne.KeyEscape)
	if s.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape left the dialog open")
	}
	if s.u.wizard == nil || s.u.wizard.w.Step() != app.StepBank {
		t.Fatal("Escape on a dialog also moved the wizard")
	}
}

func TestRegistrationIsReadAndDeletedFromHome(t *testing.T) {
	s := newDemoSession(t)
	s.send("sandbox-uk-obie")
	s.u.ShowHome()
	s.wait("records")
	past := s.u.home.past
	v := past.show(past.recs[0])
	if v.read == nil || v.remove == nil {
		t.Fatal("a UK registration offers no read or delete")
	}
	test.Tap(v.read)
	s.wait("managed")
	s.wait("records")
	if !strings.Contains(v.status.Text, "The bank holds client") {
		t.Fatalf("after reading: %s", v.status.Text)
	}
	v.dialog.Hide()
	v = past.show(past.recs[1]) // the creation; the read is now the newest
	test.Tap(v.remove)
	confirm := s.win.Canvas().Overlays().Top()
	if confirm == nil {
		t.Fatal("delete asks for no confirmation")
	}
	past.manage(v, past.recs[1], "delete") // what the confirmation's Yes does
	s.wait("managed")
	s.wait("records")
	if !strings.Contains(v.status.Text, "Deleted") || !strings.Contains(v.status.Text, "Its secrets were removed from the keyring") {
		t.Fatalf("after deleting: %s", v.status.Text)
	}
	if ops := []string{past.recs[0].Operation, past.recs[1].Operation, past.recs[2].Operation}; strings.Join(ops, ",") != "delete,read,create" {
		t.Fatalf("records after read and delete: %v", ops)
	}
}
