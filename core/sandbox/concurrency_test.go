package sandbox_test

import (
	"context"
	"crypto/x509"
	"sync"
	"testing"

	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/profile"
)

// TestServes200ConcurrentRegistrations sends 200 registrations at once
// through the engine, spread over the banks that take more than one
// registration of the same software (a STET bank takes one per TPP, seed
// 001), and expects every one to succeed with its own client.
func TestServes200ConcurrentRegistrations(t *testing.T) {
	const n = 200
	f := getFixture(t)
	parsed := f.demoParsed(t)
	var banks []*profile.Profile
	for _, p := range f.srv.Profiles() {
		if p.Dialect != profile.DialectSTET {
			banks = append(banks, p)
		}
	}
	before := f.srv.Received()
	eng := &engine.Engine{}
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		errs    = make([]error, n)
		clients = make([]string, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			p := banks[i%len(banks)]
			_, res, err := eng.Register(context.Background(), engine.Params{Profile: p, Identity: parsed, Roots: x509.NewCertPool()})
			if err != nil {
				errs[i] = err
				return
			}
			if !res.ClientIDFromDirectory { // Al Tareq's client id is the directory's
				clients[i] = p.ID + "/" + res.ClientID
			}
		}()
	}
	close(start)
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if failed <= 5 {
				t.Errorf("registration %d at %s: %v", i, banks[i%len(banks)].ID, err)
			}
		}
	}
	seen := map[string]bool{}
	for _, c := range clients {
		if c == "" {
			continue
		}
		if seen[c] {
			t.Errorf("client %s issued twice", c)
		}
		seen[c] = true
	}
	t.Logf("%d concurrent registrations at %d banks: %d failed, %d distinct clients, %d requests served",
		n, len(banks), failed, len(seen), f.srv.Received()-before)
}
