package app_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// benchBanks starts a sandbox answering after latency, and an app with
// 100 bank profiles: copies of the sandbox banks that take repeated
// registrations of one TPP (a STET bank takes one per TPP).
func benchBanks(b *testing.B, latency time.Duration) (*app.App, []string) {
	b.Helper()
	srv, err := sandbox.New(sandbox.Options{Latency: latency})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: b.TempDir()})
	var banks []*profile.Profile
	for _, p := range srv.Profiles() {
		if p.Dialect != profile.DialectSTET {
			banks = append(banks, p)
		}
	}
	var ids []string
	for i := range 100 {
		p := *banks[i%len(banks)]
		p.ID = fmt.Sprintf("%s-%03d", p.ID, i)
		a.Catalog.Put(&p)
		ids = append(ids, p.ID)
	}
	demo, err := srv.Demo()
	if err != nil {
		b.Fatal(err)
	}
	id, err := demo.Identity(sandbox.DemoIdentityName, srv)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Vault().Save(id); err != nil {
		b.Fatal(err)
	}
	return a, ids
}

// BenchmarkBatch100 registers one identity with 100 banks at once (8 at a
// time) beside the same 100 one after another, against the in-process
// sandbox as it is and answering after 50 ms (a bank across the internet).
// Each side starts from its own empty records file, so neither pays for
// the other's records.
func BenchmarkBatch100(b *testing.B) {
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		req := app.RegisterRequest{IdentityName: sandbox.DemoIdentityName}
		b.Run(fmt.Sprintf("latency=%s/batch", latency), func(b *testing.B) {
			a, ids := benchBanks(b, latency)
			var cpu time.Duration
			for b.Loop() {
				before := cpuTime()
				items := a.RegisterBatch(context.Background(), req, ids, app.DefaultBatchLimit, nil)
				cpu += cpuTime() - before
				if s := app.Summarise(items); s.Succeeded != len(ids) {
					b.Fatalf("%+v: %v", s, items[0].Err)
				}
			}
			// The batch's floor on this machine: the CPU time it used
			// (the wizard's and the bank's), spread over every core.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(runtime.NumCPU()), "cpufloor-ns/op")
		})
		b.Run(fmt.Sprintf("latency=%s/sequential", latency), func(b *testing.B) {
			a, ids := benchBanks(b, latency)
			for b.Loop() {
				for _, id := range ids {
					r := req
					r.ProfileID = id
					if _, err := a.Register(context.Background(), r); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
