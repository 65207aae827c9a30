package app_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/testkit"
)

// faultApp is the app with the test identity, trusting the test CA, so
// that any fault server the kit starts is a bank it would register with.
func faultApp(t *testing.T) (*app.App, *testkit.Kit) {
	t.Helper()
	k := testkit.Get(t)
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir(), Roots: k.Roots()})
	if err := a.Vault().Save(k.Identity); err != nil {
		t.Fatal(err)
	}
	return a, k
}

// bankCounting wraps a handler and counts the registration POSTs that reach it.
type bankCounting struct {
	posts atomic.Int64
	gets  atomic.Int64
	h     http.HandlerFunc
}

func (b *bankCounting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		b.posts.Add(1)
	} else {
		b.gets.Add(1)
	}
	b.h(w, r)
}

// resetAfter writes part of an answer, then resets the TCP connection.
func resetAfter(partial string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		testkit.CutConnection(w, partial)
	}
}

func TestHostileAndBrokenBanks(t *testing.T) {
	a, k := faultApp(t)
	now := time.Now()
	otherCA, err := pki.NewRootAuthority("Another trust framework", 2048, now)
	if err != nil {
		t.Fatal(err)
	}

	// Servers whose fault is in TLS or TCP, not in what they answer.
	untrusted := httptest.NewTLSServer(http.NotFoundHandler()) // Go's own test CA
	t.Cleanup(untrusted.Close)
	expired := k.Bank(t, http.NotFoundHandler())
	expiredCert, err := k.CA.Issue(pki.Spec{CommonName: "bank.test", IPs: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	expired.TLS.Certificates = []tls.Certificate{expiredCert.TLSCertificate()}
	otherClientCA := k.Bank(t, http.NotFoundHandler())
	otherClientCA.TLS.ClientCAs = x509.NewCertPool()
	otherClientCA.TLS.ClientCAs.AddCert(otherCA.Cert)
	plainHTTP := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plainHTTP.Close)
	closed := k.Bank(t, http.NotFoundHandler())
	refusedURL := closed.URL
	closed.Close()
	// Accepts the connection and says nothing: the TLS handshake stalls.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()

	stall := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		testkit.Hold(r, time.After(30*time.Second)) // the 30-second stall; the test never waits for it
	}
	answer := func(status int, header map[string]string, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			for k, v := range header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	gigabyte := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(1<<30))
		w.WriteHeader(201)
		chunk := make([]byte, 64<<10)
		for sent := 0; sent < 1<<30; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading
			}
		}
	}
	retryDate := now.Add(3 * time.Minute).UTC().Format(http.TimeFormat)

	type fault struct {
		name string
		// url is the bank's address; empty starts a bank with handler h.
		url     string
		h       http.HandlerFunc
		timeout time.Duration
		cancel  time.Duration
		status  records.Status
		says    string
		posts   int64 // registration POSTs the bank saw (when it is ours)
	}
	faults := []fault{
		{name: "connection refused", url: refusedURL, status: records.NotSent, says: "nothing answers at this address"},
		{name: "handshake never completes", url: "https://" + silent.Addr().String(), timeout: 300 * time.Millisecond, status: records.NotSent,
			says: "did not complete the connection in time; nothing was sent"},
		{name: "untrusted server certificate", url: untrusted.URL, status: records.NotSent, says: "not issued by an authority this computer trusts"},
		{name: "expired server certificate", url: expired.URL, status: records.NotSent, says: "server certificate is not valid (expired or not yet valid)"},
		{name: "bank demands another client CA", url: otherClientCA.URL, status: records.NotSent, says: "does not accept your transport certificate"},
		{name: "plain HTTP on the https port", url: "https://" + strings.TrimPrefix(plainHTTP.URL, "http://"), status: records.NotSent, says: "does not speak TLS"},
		{name: "reset before any answer", h: resetAfter(""), status: records.Unknown, says: "the connection was cut before the answer was complete", posts: 1},
		{name: "reset mid-response", h: resetAfter("HTTP/1.1 201 Created\r\nContent-Length: 500\r\n\r\n{\"client_id\":"), status: records.Unknown,
			says: "the connection was cut before the answer was complete", posts: 1},
		{name: "30-second stall, timeout", h: stall, timeout: 300 * time.Millisecond, status: records.Unknown, says: "did not answer in time", posts: 1},
		{name: "30-second stall, cancelled", h: stall, cancel: 200 * time.Millisecond, status: records.Unknown, says: "cancelled", posts: 1},
		{name: "1 GB answer", h: gigabyte, status: records.Unknown, says: "larger than 1048576 bytes", posts: 1},
		{name: "HTML error page", h: answer(502, map[string]string{"Content-Type": "text/html"}, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
			status: records.Refused, says: "web page instead of an API error", posts: 1},
		{name: "200 with invalid JSON", h: answer(200, map[string]string{"Content-Type": "application/json"}, `{"client_id": "abc", `),
			status: records.Unknown, says: "its reply is not the JSON record it should be", posts: 1},
		{name: "redirect after the POST", h: answer(307, map[string]string{"Location": "https://elsewhere.example/register"}, ""),
			status: records.Refused, says: "redirect (HTTP 307) to https://elsewhere.example/register", posts: 1},
		{name: "429 with Retry-After seconds", h: answer(429, map[string]string{"Retry-After": "120"}, `{"error":"rate_limited"}`),
			status: records.Refused, says: "wait 2 minutes before sending again; it did not take this request", posts: 1},
		{name: "503 with Retry-After date", h: answer(503, map[string]string{"Retry-After": retryDate}, "down for maintenance"),
			status: records.Refused, says: "wait 3 minutes before sending again", posts: 1},
		{name: "503 without Retry-After", h: answer(503, nil, ""), status: records.Refused, says: "unavailable for now", posts: 1},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			bank := &bankCounting{h: f.h}
			url := f.url
			if url == "" {
				url = k.Bank(t, bank).URL + "/tpp-registration"
			}
			ctx := context.Background()
			if f.cancel > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				time.AfterFunc(f.cancel, cancel)
			}
			out, err := a.Register(ctx, app.RegisterRequest{ProfileID: "ae-altareq-modelbank-sandbox", IdentityName: k.Identity.Name,
				Endpoint: url, Timeout: f.timeout, Checked: true})
			if err == nil {
				t.Fatal("registered")
			}
			if !strings.Contains(err.Error(), f.says) {
				t.Errorf("the user is told:\n\t%v\nwhich does not say %q", err, f.says)
			}
			if out == nil || out.Record.Status != f.status || out.Record.Finished == nil || out.Record.Error == "" {
				t.Fatalf("recorded as %+v, want %s", out, f.status)
			}
			if f.status == records.Unknown && !strings.Contains(out.Record.Error, "was not sent again") {
				t.Errorf("an unknown outcome does not say how to check: %s", out.Record.Error)
			}
			if got := bank.posts.Load(); got != f.posts {
				t.Errorf("the bank received %d registration(s), want %d: nothing is re-sent", got, f.posts)
			}
			// The record reads back as it was written, and the app still works.
			recs, err := a.Records()
			if err != nil || recs[0].ID != out.Record.ID || recs[0].Status != f.status {
				t.Fatalf("journal: %v, %+v", err, recs)
			}
		})
	}
	t.Logf("%d faults survived", len(faults))
}

// TestOnlySafeRequestsAreRepeated: discovery (a GET) is tried again after
// a busy answer and a dropped connection; the registration POST is sent once
// whatever happens; after an unknown outcome nothing is sent again until the
// person confirms they checked.
func TestOnlySafeRequestsAreRepeated(t *testing.T) {
	a, k := faultApp(t)
	var discoveries atomic.Int64
	bank := &bankCounting{}
	srv := k.Bank(t, bank)
	bank.h = func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/.well-known/openid-configuration":
			switch discoveries.Add(1) {
			case 1:
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(503)
			case 2:
				resetAfter("")(w, r)
			default:
				fmt.Fprintf(w, `{"issuer":%q,"registration_endpoint":%q,"token_endpoint":%q}`, srv.URL, srv.URL+"/tpp-registration", srv.URL+"/token")
			}
		case r.Method == http.MethodPost:
			resetAfter("")(w, r)
		}
	}
	req := app.RegisterRequest{ProfileID: "ae-altareq-modelbank-sandbox", IdentityName: k.Identity.Name, DiscoveryURL: srv.URL + "/.well-known/openid-configuration"}
	out, err := a.Register(context.Background(), req)
	if discoveries.Load() != 3 {
		t.Fatalf("discovery was fetched %d times, want 3 (busy, reset, answer)", discoveries.Load())
	}
	if err == nil || out.Record.Status != records.Unknown || bank.posts.Load() != 1 {
		t.Fatalf("a POST cut off was re-sent or not reported as unknown: %d POSTs, %v, %+v", bank.posts.Load(), err, out)
	}

	// The wizard stops at Review until the person says they checked.
	w := a.NewWizard()
	if err := w.ChooseProfile(req.ProfileID); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{w.Next, func() error { return w.ChooseIdentity(k.Identity.Name) }, w.Next, w.Next} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if ok, why := w.CanNext(); ok || w.Earlier() == nil || !strings.Contains(why, out.Record.ID) {
		t.Fatalf("the wizard would send again at once (%v, %q)", ok, why)
	}
	w.SetChecked(true)
	if ok, why := w.CanNext(); !ok {
		t.Fatalf("still blocked after the person checked: %s", why)
	}

	// So does the app (the command line) until the request says so.
	out, err = a.Register(context.Background(), req)
	var again *app.ErrOutcomeUnknown
	if !errors.As(err, &again) || again.Earlier.ID == "" || bank.posts.Load() != 1 || out.Record.Status != records.NotSent {
		t.Fatalf("a second send went ahead: %d POSTs, %v", bank.posts.Load(), err)
	}
	req.Checked = true
	if _, err = a.Register(context.Background(), req); errors.As(err, &again) || bank.posts.Load() != 2 {
		t.Fatalf("after checking, the send did not go: %d POSTs, %v", bank.posts.Load(), err)
	}
}
