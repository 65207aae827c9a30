package gui

import (
	"crypto"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// gatedStore is a keyring that answers nothing until its gate opens: a
// keyring waiting for the user to unlock it.
type gatedStore struct {
	keystore.Store
	gate    chan struct{}
	waiting atomic.Int64
}

func (g *gatedStore) Get(key string) (string, error) {
	g.waiting.Add(1)
	<-g.gate
	return g.Store.Get(key)
}

// gatedSigner is a signing key that signs only when released, and counts
// how often it was asked: a slow hardware token, or a large RSA key.
type gatedSigner struct {
	crypto.Signer
	asked   chan struct{}
	release chan struct{}
	calls   atomic.Int64
	// sending is set once the test has pressed Send: a signature asked for
	// before then is refused at once (it would be on the UI goroutine).
	sending atomic.Bool
}

func (g *gatedSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	g.calls.Add(1)
	if !g.sending.Load() {
		return nil, errors.New("asked to sign outside a send")
	}
	g.asked <- struct{}{}
	<-g.release
	return g.Signer.Sign(r, digest, opts)
}

// TestUIGoroutineNeverWaitsOnKeyringOrSigning drives the window (the test
// goroutine is its UI goroutine) while the keyring will not answer and
// while the signing key will not sign: every tap and keystroke still
// returns, because neither is ever waited on there. (A bank that never
// answers is TestCancelAfterTheRequestLeftSaysTheOutcomeIsUnknown.)
func TestUIGoroutineNeverWaitsOnKeyringOrSigning(t *testing.T) {
	// A keyring that does not answer: home, the wizard's first steps and
	// the identity list all still respond.
	s := newDemoSession(t)
	gated := &gatedStore{Store: keystore.NewMemory(), gate: make(chan struct{})}
	locked := New(app.New(app.Options{Store: gated, ConfigDir: t.TempDir()}), test.NewTempWindow(t, nil))
	locked.post = func(func()) {} // what the blocked work would show is not needed
	locked.ShowHome()
	test.Tap(locked.home.newButton)
	test.Type(locked.wizard.bank.search, "bpce")
	if len(locked.wizard.bank.shown) != 1 {
		t.Fatalf("typing into the bank search while the keyring is locked: %d banks shown", len(locked.wizard.bank.shown))
	}
	locked.ShowHome()
	if gated.waiting.Load() == 0 {
		t.Fatal("the keyring was never asked: the test proves nothing")
	}
	close(gated.gate)

	// A signing key that will not sign: editing and reviewing the request
	// never sign (a preview is unsigned); sending signs off the UI
	// goroutine while the window keeps answering.
	s.u.StartWizard()
	s.chooseBank("sandbox-stet")
	s.next(app.StepIdentity)
	s.chooseIdentity(sandbox.DemoIdentityName)
	parsed := *s.u.wizard.w.Identity()
	signing := *parsed.Signing
	signer := &gatedSigner{Signer: signing.Key, asked: make(chan struct{}, 1), release: make(chan struct{})}
	signing.Key = signer
	parsed.Signing = &signing
	s.u.wizard.w.UseIdentity(sandbox.DemoIdentityName, &parsed)
	s.next(app.StepDetails)
	for _, email := range []string{"a", "a@", "alex@demo-tpp.exa", "alex@demo-tpp.example"} {
		s.u.wizard.w.SetField("contact.email", email)
		s.u.wizard.update()
	}
	s.next(app.StepReview)
	if plan, err := s.u.wizard.w.Preview(); err != nil || !strings.Contains(plan.Request.Header.Get("Signature"), base64.StdEncoding.EncodeToString([]byte(registration.PreviewSignature))) {
		t.Fatalf("the reviewed request is not a preview: %v", err)
	}
	if n := signer.calls.Load(); n != 0 {
		t.Fatalf("the key was asked to sign %d times while the request was edited and reviewed", n)
	}
	s.next(app.StepSend)
	send := s.u.wizard.send
	signer.sending.Store(true)
	test.Tap(send.sendB)
	<-signer.asked // the send is signing, off the UI goroutine
	s.u.wizard.typedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if send.cancelB.Hidden || !send.sendB.Disabled() || send.status.Text == "" {
		t.Fatal("the window does not show the send under way")
	}
	close(signer.release)
	s.wait("sent")
	if send.s.w.Err != nil || signer.calls.Load() != 1 {
		t.Fatalf("after the key signed: %v (%d signatures)", send.s.w.Err, signer.calls.Load())
	}
}
