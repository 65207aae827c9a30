package app_test

import (
	"context"
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

func TestBatchRegistersWithEveryBankAndKeepsGoing(t *testing.T) {
	a := demoApp(t)
	// Every sandbox bank, a bank that does not exist, and the STET bank
	// again: it takes one registration per TPP, so one of the two is refused.
	profiles := append(sandbox.ProfileIDs(), "no-such-bank", "sandbox-stet")
	const limit = 2
	var (
		states  = map[int][]app.BatchState{}
		sending int
		most    int
	)
	items := a.RegisterBatch(context.Background(), app.RegisterRequest{IdentityName: sandbox.DemoIdentityName}, profiles, limit, func(it app.BatchItem) {
		states[it.Index] = append(states[it.Index], it.State)
		switch it.State {
		case app.BatchSending:
			sending++
			most = max(most, sending)
		case app.BatchDone:
			if len(states[it.Index]) > 1 && states[it.Index][len(states[it.Index])-2] == app.BatchSending {
				sending--
			}
		}
	})
	if len(items) != len(profiles) {
		t.Fatalf("%d items for %d banks", len(items), len(profiles))
	}
	for i, it := range items {
		want := []app.BatchState{app.BatchWaiting, app.BatchSending, app.BatchDone}
		if got := states[i]; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("%s went through %v", it.ProfileID, got)
		}
		if it.Outcome == nil || it.Outcome.Record.ID == "" || it.Outcome.Record.ProfileID != it.ProfileID {
			t.Errorf("%s has no record of its own: %+v", it.ProfileID, it.Outcome)
		}
	}
	if most > limit || most == 0 {
		t.Errorf("%d banks were sent to at once, limit %d", most, limit)
	}
	sum := app.Summarise(items)
	if sum != (app.BatchSummary{Banks: 7, Succeeded: 5, Refused: 1, NotSent: 1}) {
		t.Fatalf("summary %+v", sum)
	}
	recs, err := a.Records()
	if err != nil || len(recs) != len(profiles) {
		t.Fatalf("%d records for %d banks (%v)", len(recs), len(profiles), err)
	}
	for _, r := range recs {
		if r.Status == records.Pending {
			t.Errorf("record %s left pending", r.ID)
		}
	}
}

func TestCancelledBatchRecordsTheBanksItNeverReached(t *testing.T) {
	a := demoApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	items := a.RegisterBatch(ctx, app.RegisterRequest{IdentityName: sandbox.DemoIdentityName}, sandbox.ProfileIDs(), 1, nil)
	for _, it := range items {
		if it.Status() != records.NotSent || it.Err == nil || it.Outcome == nil || it.Outcome.Record.ID == "" {
			t.Errorf("%s: %v %+v", it.ProfileID, it.Err, it.Outcome)
		}
	}
	srv, err := a.StartSandbox() // the one running
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Received(); n != 0 {
		t.Errorf("a cancelled batch sent %d requests", n)
	}
}

func TestBatchIsCheckedBeforeSending(t *testing.T) {
	a := demoApp(t)
	id, err := a.Identity(sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Received()
	base := app.RegisterRequest{IdentityName: sandbox.DemoIdentityName, RedirectURIs: []string{"http://demo-tpp.example/callback"}}
	checks := a.CheckBatch(base, id, []string{"sandbox-uk-obie", "sandbox-altareq", "no-such-bank"})
	want := []string{
		`Redirect addresses: "http://demo-tpp.example/callback" does not use https (banks accept only https redirect addresses)`,
		"", // Al Tareq registers no redirect address
		`Profile: there is no bank profile "no-such-bank" ("tppwizard profiles" lists them all)`,
	}
	for i, c := range checks {
		if c.Problem != want[i] {
			t.Errorf("%s: %q, want %q", c.ProfileID, c.Problem, want[i])
		}
	}
	if srv.Received() != before {
		t.Error("checking a batch sent something")
	}
}
