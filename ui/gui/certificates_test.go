package gui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/csr"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/testkit"
)

// nopCloser lets a bytes.Buffer stand for the file a save dialog opens.
type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// chooseFrameworkID picks a trust framework by id, as the select does.
func (c *certScreen) chooseFrameworkID(t *testing.T, id string) {
	t.Helper()
	for i, fw := range c.list {
		if fw.ID == id {
			c.framework.SetSelectedIndex(i)
			return
		}
	}
	t.Fatalf("framework %s not offered", id)
}

// buttons are the buttons in a container, by label.
func buttons(o *fyne.Container) map[string]*button {
	out := map[string]*button{}
	for _, b := range test.LaidOutObjects(o) {
		if b, ok := b.(*button); ok {
			out[b.Text] = b
		}
	}
	return out
}

// TestNewcomerRequestsCertificatesInTheWizard: the demo trust framework
// chosen, its values filled in, keys and requests made; a request is
// copied and saved; the demo framework issues both certificates and the
// identity is complete, with no key file anywhere.
func TestNewcomerRequestsCertificatesInTheWizard(t *testing.T) {
	s := newSession(t)
	test.Tap(s.u.home.certsB)
	s.wait("waiting")
	c := s.u.certs
	if c == nil || !c.make.Disabled() {
		t.Fatal("the certificates screen did not open, or lets keys be made with nothing chosen")
	}
	c.chooseFrameworkID(t, "sandbox")
	if c.demo.Hidden {
		t.Fatal("no way to fill in the demo's values")
	}
	test.Tap(c.demo)
	s.wait("cert demo")
	if c.make.Disabled() {
		t.Fatalf("the demo's values leave the button disabled: %s", c.status.Text)
	}
	c.keyType.SetSelected(string(csr.ECP256))
	test.Tap(c.make)
	s.wait("csr")
	s.wait("waiting")
	if c.made == nil || len(c.made.PEM) != 2 {
		t.Fatalf("requests not made: %s", c.status.Text)
	}
	if !strings.Contains(c.waiting.Text, "waiting for transport certificate, signing certificate") {
		t.Errorf("waiting list: %q", c.waiting.Text)
	}
	b := buttons(c.results)
	test.Tap(b["Copy"])
	if clip := fyne.CurrentApp().Clipboard().Content(); !strings.HasPrefix(clip, "-----BEGIN CERTIFICATE REQUEST-----") {
		t.Errorf("clipboard holds %q", clip)
	}
	var saved bytes.Buffer
	c.writeCSR(nopCloser{&saved}, "transport", c.made.PEM["transport"])
	if _, err := csr.ParsePEM(saved.Bytes()); err != nil || bytes.Contains(saved.Bytes(), []byte("PRIVATE")) {
		t.Errorf("saved request: %v", err)
	}
	var opened []string
	s.u.openURL = func(u string) error { opened = append(opened, u); return nil }
	issue := b["Have the demo trust framework issue them"]
	if issue == nil {
		t.Fatalf("no way to have the demo framework issue: %v", b)
	}
	test.Tap(issue)
	s.wait("certificate")
	if !strings.Contains(c.status.Text, "is complete") || !strings.Contains(c.status.Text, "Key matches the certificate: yes") {
		t.Fatalf("after issuing: %s", c.status.Text)
	}
	if _, err := s.a.Identity("Demo TPP own keys"); err != nil {
		t.Fatal(err)
	}
}

// TestCertificateInputsAreCheckedAsTyped: a wrong organisation identifier
// says what is wrong under its field and keeps the button disabled.
func TestCertificateInputsAreCheckedAsTyped(t *testing.T) {
	s := newSession(t)
	c := s.u.ShowCertificates()
	c.chooseFrameworkID(t, "eidas")
	c.name.SetText("Acme")
	for name, v := range map[string]string{"country": "FR", "org_name": "Acme SAS", "org_identifier": "PSDDE-BAFIN-1", "domain": "api.acme.fr"} {
		c.inputs[name].SetText(v)
	}
	p := c.problems["org_identifier"]
	if p.Hidden || !strings.Contains(p.Text, "it says country DE, but the certificate's country is FR") {
		t.Errorf("problem under the field: hidden %v, %q", p.Hidden, p.Text)
	}
	if !c.make.Disabled() {
		t.Error("the button is enabled with a wrong field")
	}
	c.inputs["org_identifier"].SetText("PSDFR-ACPR-12345")
	if !p.Hidden || c.make.Disabled() {
		t.Errorf("fixed: problem hidden %v, button disabled %v", p.Hidden, c.make.Disabled())
	}
	// Made, the requests come with the QTSP paragraph and the link to the
	// EU trusted lists, opened in the browser.
	var opened []string
	s.u.openURL = func(u string) error { opened = append(opened, u); return nil }
	test.Tap(c.make)
	s.wait("csr")
	portal := buttons(c.results)["Open the portal"]
	if portal == nil || !strings.Contains(c.results.Objects[2].(*widget.Label).Text, "qualified trust service provider") {
		t.Fatalf("no portal link or paragraph: %s", c.status.Text)
	}
	test.Tap(portal)
	if len(opened) != 1 || opened[0] != c.fw.Portal {
		t.Errorf("opened %v, want %s", opened, c.fw.Portal)
	}
}

// TestHomeOffersToRenewWhatEndsWithinThirtyDays: an identity whose
// certificate ends in 20 days is listed on home with Renew, which makes
// the renewal requests.
func TestHomeOffersToRenewWhatEndsWithinThirtyDays(t *testing.T) {
	kit := testkit.Get(t)
	store := keystore.NewMemory()
	id := kit.Identity
	id.Name = "Acme"
	test.NewTempApp(t)
	parsed, err := id.Parse()
	if err != nil {
		t.Fatal(err)
	}
	at := parsed.Transport.Leaf().NotAfter.Add(-20 * 24 * time.Hour)
	a := app.New(app.Options{Store: store, ConfigDir: t.TempDir(), Now: func() time.Time { return at }})
	if err := a.Vault().Save(id); err != nil {
		t.Fatal(err)
	}
	s := newSessionFor(t, a)
	if len(s.u.home.expiring.Objects) != 1 {
		t.Fatalf("%d renewal offers on home, want 1", len(s.u.home.expiring.Objects))
	}
	row := s.u.home.expiring.Objects[0].(*fyne.Container)
	var label *widget.Label
	var renew *button
	for _, o := range row.Objects {
		switch o := o.(type) {
		case *widget.Label:
			label = o
		case *button:
			renew = o
		}
	}
	if !strings.Contains(label.Text, "Acme: the transport certificate ends in 19 days") && !strings.Contains(label.Text, "Acme: the transport certificate ends in 20 days") {
		t.Errorf("home says %q", label.Text)
	}
	test.Tap(renew)
	s.wait("csr")
	if s.u.certs == nil || s.u.certs.made == nil || s.u.certs.made.Pending.Renews != "Acme" {
		t.Fatalf("Renew did not make renewal requests: %s", s.u.certs.status.Text)
	}
}

// TestCertificatesByKeyboardAlone is issue 9's newcomer, and the
// screenshot script's walk: from home, Tab five times reaches "Request or
// renew certificates…"; with the demo bank running, Enter fills in the
// demo's values, makes the keys and requests, and has them issued. The new
// identity then registers with the demo UAE bank, and its keys are in no
// file under the home or temporary folders.
func TestCertificatesByKeyboardAlone(t *testing.T) {
	home, tmp := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", tmp)
	s := newDemoSession(t)
	s.u.ShowHome()
	s.wait("identities")
	s.wait("records")
	for range 5 {
		s.press(fyne.KeyTab)
	}
	if s.win.Canvas().Focused() != s.u.home.certsB {
		t.Fatalf("five Tabs from home reach %T, not the certificates button (scripts/screenshots.sh counts on it)", s.win.Canvas().Focused())
	}
	s.press(fyne.KeyReturn)
	s.wait("waiting")
	c := s.u.certs
	if c.fw == nil || !c.fw.Sandbox {
		t.Fatal("with the demo bank running, the demo trust framework is not chosen")
	}
	s.press(fyne.KeyReturn)
	s.wait("cert demo")
	s.press(fyne.KeyReturn)
	s.wait("csr")
	s.wait("waiting")
	s.press(fyne.KeyReturn)
	s.wait("certificate")
	id, err := s.a.Identity("Demo TPP own keys")
	if err != nil {
		t.Fatalf("after four Enters: %v (%s)", err, c.status.Text)
	}

	s.u.StartWizard()
	s.chooseBank("sandbox-altareq")
	s.next(app.StepIdentity)
	s.chooseIdentity("Demo TPP own keys")
	s.next(app.StepDetails)
	s.next(app.StepReview)
	s.next(app.StepSend)
	test.Tap(s.u.wizard.send.sendB)
	s.wait("sent")
	if got := s.u.wizard.send.status.Text; !strings.HasPrefix(got, "Registered with") {
		t.Fatalf("the new identity's registration: %s", got)
	}
	if leaks := testkit.FilesHoldingKeys(t, []string{home, tmp, s.a.ConfigDir}, id.TransportKey, id.SigningKey); len(leaks) > 0 {
		t.Errorf("a new private key is on disk: %v", leaks)
	}
}
