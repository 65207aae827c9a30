// Package sandbox is a strict local bank for every dialect the wizard
// speaks, with its own trust framework: a CA, a directory that signs
// software statements and publishes software keys, and four banks (seed
// 000's UK v3.1 interface, an OBIE v3.3 bank, BPCE's STET registration and
// an Al Tareq bank). It checks what a real bank checks and says which rule a
// refused request broke, in the bank's own error format. It listens on
// loopback only.
package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tppwizard/tppwizard/core/pki"
)

// Options configure a sandbox.
type Options struct {
	// Dir keeps the CA, the directory key, the directory's software, the
	// registered clients and the demo identity between runs. Empty keeps
	// everything in memory.
	Dir string
	// Now replaces the clock (tests).
	Now func() time.Time
	// Log receives one event per request answered; nil discards them.
	Log func(Event)
	// Latency delays every answer by this much, like a bank across the
	// internet (benchmarks, demos of many banks at once).
	Latency time.Duration
	// Witness is shown every secret the sandbox hands out (access tokens,
	// client secrets, registration access tokens, the initial access
	// token), so that a test can prove none of them leaks.
	Witness func(secret string)
}

// Event is one answered request, for the operator's console. It never
// holds a secret.
type Event struct {
	Time   time.Time
	Method string
	Path   string
	Status int
	// Rule is the rule a refusal broke; empty on success.
	Rule     string
	ClientID string
	// Detail is a connection problem (a failed TLS handshake), when the
	// event is not an answered request.
	Detail string
}

// Server is a running sandbox: trust framework and banks.
type Server struct {
	opts      Options
	ca        *pki.Authority
	directory *rsa.PrivateKey
	roots     *x509.CertPool

	mu     sync.Mutex
	st     *state
	tokens map[string]*accessToken
	jtis   map[string]time.Time
	demo   *Member
	// initialToken is the RFC 7591 server's initial access token.
	initialToken string

	// keys caches fetched JWKS (see fetchKeys).
	keysMu sync.Mutex
	keys   map[string]cachedKeys

	// received counts the requests that reached the banks.
	received atomic.Int64

	base     string
	http     *http.Server
	listener net.Listener
	fetcher  *http.Client
}

// New loads the sandbox from opts.Dir, or makes a fresh one.
func New(opts Options) (*Server, error) {
	s := &Server{opts: opts, tokens: map[string]*accessToken{}, jtis: map[string]time.Time{}}
	s.initialToken = s.newSecret()
	var err error
	if s.ca, err = loadOrCreateAuthority(opts.Dir, s.now()); err != nil {
		return nil, err
	}
	if s.directory, err = loadOrCreateRSAKey(opts.Dir, directoryKeyFile); err != nil {
		return nil, err
	}
	if s.st, err = loadState(opts.Dir); err != nil {
		return nil, err
	}
	s.roots = x509.NewCertPool()
	s.roots.AddCert(s.ca.Cert)
	s.fetcher = &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12},
			DialContext:     loopbackOnly,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s, nil
}

// loopbackOnly dials loopback addresses only: the sandbox never reaches
// another machine, whatever a statement says.
func loopbackOnly(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("the sandbox only connects to loopback addresses, not %s", host)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// CA is the sandbox trust framework's certificate authority.
func (s *Server) CA() *pki.Authority { return s.ca }

// CAPEM is the CA certificate, PEM, for clients to trust.
func (s *Server) CAPEM() []byte { return pki.EncodeCertificates([]*x509.Certificate{s.ca.Cert}) }

// InitialAccessToken is what the demo OAuth server accepts as an initial
// access token (RFC 7591 section 3); it registers without one too. It is
// made afresh for each run.
func (s *Server) InitialAccessToken() string { return s.initialToken }

// Received is how many requests have reached the sandbox since it started:
// a test's proof that something was, or was not, sent.
func (s *Server) Received() int64 { return s.received.Load() }

// URL is the sandbox's base address, "https://127.0.0.1:port", once started.
func (s *Server) URL() string { return s.base }

// Start listens on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port), and serves in the background.
func (s *Server) Start(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("the sandbox listens on loopback only (127.0.0.1, ::1 or localhost), not %s", host)
	}
	cert, err := s.serverCertificate()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("sandbox: %s is in use (another sandbox may be running); pick another address, or port 0 for any free one: --addr 127.0.0.1:0", addr)
		}
		return fmt.Errorf("sandbox: %w", err)
	}
	s.listener = l
	s.base = "https://" + l.Addr().String()
	handler := s.Handler()
	s.http = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.received.Add(1)
			if s.opts.Latency > 0 {
				time.Sleep(s.opts.Latency)
			}
			handler.ServeHTTP(w, r)
		}),
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			// The client certificate is asked for but checked by each
			// endpoint, so that a refusal can say why in the bank's words
			// rather than end the handshake.
			ClientAuth: tls.RequestClientCert,
			MinVersion: tls.VersionTLS12,
			// FAPI 1.0 Advanced section 8.5: only these suites under TLS 1.2.
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
		},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(eventWriter{s}, "", 0),
	}
	go func() { _ = s.http.ServeTLS(l, "", "") }()
	return nil
}

// serverCertificate issues a short-lived certificate for 127.0.0.1, ::1
// and localhost from the sandbox CA.
func (s *Server) serverCertificate() (tls.Certificate, error) {
	// RSA, so that the TLS 1.2 suites FAPI allows (ECDHE_RSA with AES-GCM)
	// can be negotiated.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := s.now()
	cred, err := s.ca.Issue(pki.Spec{CommonName: "TPP Wizard sandbox bank", Organization: "TPP Wizard Sandbox", Key: key,
		DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 1, 0)})
	if err != nil {
		return tls.Certificate{}, err
	}
	return cred.TLSCertificate(), nil
}

// Close stops the server.
func (s *Server) Close() error {
	if s.http == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.http.Close()
	}
	return err
}

// eventWriter turns the HTTP server's own messages (TLS handshake errors,
// which say why a client could not connect) into events.
type eventWriter struct{ s *Server }

func (e eventWriter) Write(p []byte) (int, error) {
	if e.s.opts.Log != nil {
		e.s.opts.Log(Event{Time: e.s.now(), Detail: strings.TrimSpace(string(p))})
	}
	return len(p), nil
}

// caller returns the verified client certificate of a request: present,
// issued by the sandbox CA, valid now, and meant for client authentication.
func (s *Server) caller(r *http.Request) (*x509.Certificate, *Refusal) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, refuse("mtls.certificate-missing", KindCaller,
			"no client certificate was presented; registration needs mutual TLS with the transport certificate")
	}
	leaf := r.TLS.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: s.roots, Intermediates: inter, CurrentTime: s.now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return nil, refuse("mtls.certificate-untrusted", KindCaller,
			"the client certificate %q is not one the sandbox trust framework issued, or it is expired or not for client authentication: %v. "+
				"If it is a sandbox demo identity from an earlier run, import the demo identity this sandbox printed again",
			leaf.Subject.CommonName, err)
	}
	return leaf, nil
}

// fail writes a refusal and logs it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, style Style, ref *Refusal) {
	switch style {
	case StyleSTET:
		if id := r.Header.Get("X-Request-Id"); id != "" {
			w.Header().Set("X-Request-Id", id)
		}
	case StyleOAuth:
	default:
		echoInteraction(w, r)
	}
	ref.Write(w, style)
	status, _ := ref.Answer(style)
	s.log(r, status, ref.Rule, "")
}

func (s *Server) log(r *http.Request, status int, rule, clientID string) {
	if s.opts.Log == nil {
		return
	}
	s.opts.Log(Event{Time: s.now(), Method: r.Method, Path: r.URL.Path, Status: status, Rule: rule, ClientID: clientID})
}

// bearer returns the Bearer token of a request, or "".
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
