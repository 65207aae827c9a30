package transport

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/core/testkit"
)

// busyThenFine answers the first `bad` requests with the given behaviour
// and then 200.
func busyThenFine(bad int64, behave func(w http.ResponseWriter)) (http.HandlerFunc, *atomic.Int64) {
	var hits atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= bad {
			behave(w)
			return
		}
		w.WriteHeader(200)
	}, &hits
}

func status(code int, retryAfter string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
	}
}

func reset(w http.ResponseWriter) { testkit.CutConnection(w, "") }

func TestOnlySafeRequestsAreRetried(t *testing.T) {
	tests := []struct {
		name   string
		method string
		bad    int64
		behave func(w http.ResponseWriter)
		// hits is how many requests the server sees; final the last status
		// (0: an error).
		hits  int64
		final int
		waits []time.Duration
	}{
		{"GET after 503 Retry-After 0", "GET", 1, status(503, "0"), 2, 200, []time.Duration{0}},
		{"GET after 429 Retry-After 5", "GET", 1, status(429, "5"), 2, 200, []time.Duration{5 * time.Second}},
		{"GET after two 502s backs off 1 s then 2 s", "GET", 2, status(502, ""), 3, 200, []time.Duration{time.Second, 2 * time.Second}},
		{"GET gives up after two retries", "GET", 5, status(504, ""), 3, 504, []time.Duration{time.Second, 2 * time.Second}},
		{"GET asked to wait longer than allowed", "GET", 1, status(503, "3600"), 1, 503, nil},
		{"GET after a reset", "GET", 1, reset, 2, 200, []time.Duration{time.Second}},
		{"GET 500 is an answer, not retried", "GET", 1, status(500, ""), 1, 500, nil},
		{"POST after 503 is not retried", "POST", 1, status(503, "0"), 1, 503, nil},
		{"POST after a reset is not retried", "POST", 1, reset, 1, 0, nil},
		{"PUT after 429 is not retried", "PUT", 1, status(429, "0"), 1, 429, nil},
		{"DELETE after a reset is not retried", "DELETE", 1, reset, 1, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, hits := busyThenFine(tt.bad, tt.behave)
			srv := httptest.NewTLSServer(h)
			defer srv.Close()
			roots := x509.NewCertPool()
			roots.AddCert(srv.Certificate())
			var waits []time.Duration
			c, err := New(Options{Roots: roots, Sleep: func(ctx context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(context.Background(), tt.method, srv.URL, nil, []byte("{}"))
			got := 0
			if err == nil {
				got = resp.Status
			}
			if got != tt.final || hits.Load() != tt.hits {
				t.Fatalf("final %d (err %v) after %d requests, want %d after %d", got, err, hits.Load(), tt.final, tt.hits)
			}
			if len(waits) != len(tt.waits) {
				t.Fatalf("waited %v, want %v", waits, tt.waits)
			}
			for i := range waits {
				if waits[i] != tt.waits[i] {
					t.Fatalf("waited %v, want %v", waits, tt.waits)
				}
			}
		})
	}
}

func TestCancelDuringARetryWaitStops(t *testing.T) {
	h, hits := busyThenFine(10, status(503, "20"))
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c, err := New(Options{Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	resp, err := c.Do(ctx, "GET", srv.URL, nil, nil)
	if err != nil || resp.Status != 503 || hits.Load() != 1 {
		t.Fatalf("after a cancel in the wait: %v, %v, %d requests", resp, err, hits.Load())
	}
}

func TestRedirectsAreFollowedOnlyForGETAndOnlyToHTTPS(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, srv.URL+"/loop", http.StatusFound)
		case "/plain":
			http.Redirect(w, r, "http://"+r.Host+"/ok", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, srv.URL+"/ok", http.StatusTemporaryRedirect)
		default:
			w.WriteHeader(200)
		}
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c, err := New(Options{Roots: roots, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		status       int
		err          string
	}{
		{"GET", "/moved", 200, ""},
		{"POST", "/moved", 307, ""},
		{"GET", "/loop", 0, "stopped after 5 redirects"},
		{"GET", "/plain", 0, "not https"},
	}
	for _, tt := range tests {
		resp, err := c.Do(context.Background(), tt.method, srv.URL+tt.path, nil, nil)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s %s: %v, want an error saying %q", tt.method, tt.path, err, tt.err)
		case tt.err == "" && (err != nil || resp.Status != tt.status):
			t.Errorf("%s %s: %v %v, want %d", tt.method, tt.path, resp, err, tt.status)
		}
	}
}
