package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

func TestSeveralBanksAtOnce(t *testing.T) {
	s := newDemoSession(t)
	s.u.ShowHome()
	s.wait("identities")
	s.wait("records")
	test.Tap(s.u.home.batchB)
	s.wait("batch identities")
	b := s.u.batch
	if !b.start.Disabled() {
		t.Fatal("Register is enabled with no bank chosen")
	}
	b.identity.SetSelected(sandbox.DemoIdentityName)
	s.wait("batch identity")
	test.Type(b.search, "demo")
	var boxes []*widget.Check
	for _, o := range b.checks.Objects {
		if c, ok := o.(*widget.Check); ok {
			boxes = append(boxes, c)
		}
	}
	if len(boxes) != len(sandbox.ProfileIDs()) {
		t.Fatalf("%d demo banks listed, want %d", len(boxes), len(sandbox.ProfileIDs()))
	}
	for _, c := range boxes[:3] {
		test.Tap(c)
	}
	if b.start.Disabled() || b.start.Text != "Register with 3 banks" {
		t.Fatalf("start button: %q, disabled %v", b.start.Text, b.start.Disabled())
	}
	// Before anything is sent, each chosen bank's request is checked.
	s.wait("batch checked")
	if b.status.Text != "Checked: all 3 requests are ready to send." || len(b.rows.Objects) != 3 {
		t.Fatalf("before sending: %q, %d rows", b.status.Text, len(b.rows.Objects))
	}
	test.Tap(b.start)
	if !b.homeB.Disabled() || b.cancelB.Hidden {
		t.Fatal("while sending, Home is enabled or Cancel hidden")
	}
	s.wait("batch")
	if !strings.HasPrefix(b.status.Text, "3 banks: 3 registered, 0 refused, 0 not sent, 0 outcome unknown.") {
		t.Fatalf("summary: %s", b.status.Text)
	}
	for id, l := range b.row {
		if !strings.Contains(l.Text, ": done, client ") {
			t.Errorf("%s: %s", id, l.Text)
		}
	}
	recs, err := s.a.Records()
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.Status != records.Succeeded {
			t.Errorf("%s: %s", r.ProfileID, r.Status)
		}
	}
	s.fits()
}
