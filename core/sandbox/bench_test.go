package sandbox_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"testing"

	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/profile"
)

// BenchmarkRegistration is one whole registration through the engine
// against the in-process sandbox over mutual TLS (a new connection each
// time, as a registration makes), beside its floor: a bare net/http POST
// of the identical bytes, with the same client certificate, to the same
// server, also on a new connection. The Al Tareq bank is used because its
// request (seed 004) can be sent twice unchanged; a UK request carries a
// one-time jti the bank would refuse the second time.
func BenchmarkRegistration(b *testing.B) {
	f := getFixture(b)
	parsed := f.demoParsed(b)
	var p *profile.Profile
	for _, q := range f.srv.Profiles() {
		if q.Dialect == profile.DialectAlTareq {
			p = q
		}
	}
	params := engine.Params{Profile: p, Identity: parsed, Endpoint: p.RegistrationEndpoint, Roots: x509.NewCertPool()}
	eng := &engine.Engine{}
	plan, err := eng.Prepare(context.Background(), params, false)
	if err != nil {
		b.Fatal(err)
	}
	req := plan.Request
	roots := x509.NewCertPool()
	roots.AddCert(f.srv.CA().Cert)
	cert := parsed.Transport.TLSCertificate()

	b.Run("wizard", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := eng.Register(context.Background(), params); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
				ForceAttemptHTTP2: true}}
			r, err := http.NewRequest(req.Method, req.URL, bytes.NewReader(req.Body))
			if err != nil {
				b.Fatal(err)
			}
			r.Header = req.Header.Clone()
			resp, err := c.Do(r)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 204 {
				b.Fatalf("HTTP %d", resp.StatusCode)
			}
			c.CloseIdleConnections()
		}
	})
}
