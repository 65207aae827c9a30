// Package transport sends requests to banks over mutual TLS: the TPP's
// transport certificate as client certificate, TLS verification always on,
// an extra trusted CA only where a sandbox needs one, timeouts, a cap on the
// response size, no redirects followed for anything but GET, and retries
// only for requests that are safe to repeat.
package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// Defaults.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 60 * time.Second
	DefaultMaxResponse    = 1 << 20
	// DefaultRetries is how many times a safe request (GET, HEAD) is
	// repeated after a dropped connection or a busy answer.
	DefaultRetries = 2
	// DefaultMaxRetryWait is the longest Retry-After honoured
	// automatically; a bank asking for longer gets its answer reported.
	DefaultMaxRetryWait = 30 * time.Second
)

// Options configure a Client.
type Options struct {
	// Certificate is presented to the bank; nil sends none.
	Certificate *pki.Credential
	// Roots replaces the system trust store (tests); nil uses the system's.
	Roots *x509.CertPool
	// ExtraCAs are trusted in addition to the roots, for this client only.
	ExtraCAs       []*x509.Certificate
	ConnectTimeout time.Duration
	// Timeout bounds one whole exchange, connection to last byte.
	Timeout     time.Duration
	MaxResponse int64
	// Retries for safe requests; negative turns retrying off.
	Retries      int
	MaxRetryWait time.Duration
	// Sleep waits between retries (tests replace it); it returns early
	// with the context's error.
	Sleep func(ctx context.Context, d time.Duration) error
	// Log receives each exchange at debug level, as records keep it:
	// credentials masked, secret fields of bodies masked.
	Log *slog.Logger
}

// Client sends requests to one bank with one identity.
type Client struct {
	http         *http.Client
	timeout      time.Duration
	maxResponse  int64
	retries      int
	maxRetryWait time.Duration
	sleep        func(ctx context.Context, d time.Duration) error
	log          *slog.Logger
}

// New builds a client. It never disables certificate verification.
func New(o Options) (*Client, error) {
	roots := o.Roots
	if roots == nil {
		var err error
		if roots, err = x509.SystemCertPool(); err != nil || roots == nil {
			roots = x509.NewCertPool()
		}
	} else {
		roots = roots.Clone()
	}
	for _, ca := range o.ExtraCAs {
		roots.AddCert(ca)
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
	if o.Certificate != nil {
		cert := o.Certificate.TLSCertificate()
		tlsConf.Certificates = []tls.Certificate{cert}
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxResponse == 0 {
		o.MaxResponse = DefaultMaxResponse
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.MaxRetryWait == 0 {
		o.MaxRetryWait = DefaultMaxRetryWait
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   o.ConnectTimeout,
		ResponseHeaderTimeout: o.Timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   4,
	}
	return &Client{
		http:         &http.Client{Transport: tr, CheckRedirect: checkRedirect},
		timeout:      o.Timeout,
		maxResponse:  o.MaxResponse,
		retries:      o.Retries,
		maxRetryWait: o.MaxRetryWait,
		sleep:        o.Sleep,
		log:          o.Log,
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Close drops the client's idle connections, and with them the last use
// of its TLS certificate; the client can still be used afterwards.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Safe reports whether a request may be repeated without the bank acting
// on it twice (RFC 9110 section 9.2.1). A registration (POST), a change
// (PUT, which may replace the registration access token) and a deletion
// are never repeated automatically: when they may have reached the bank,
// the person decides, after checking.
func Safe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// checkRedirect follows redirects for GET and HEAD only (discovery), at most
// five, and only to https. A POST or PUT that may have registered something
// is never re-sent elsewhere: the redirect is returned as the answer.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if m := via[0].Method; m != http.MethodGet && m != http.MethodHead {
		return http.ErrUseLastResponse
	}
	if len(via) >= 5 {
		return text.New("stopped after 5 redirects")
	}
	if req.URL.Scheme != "https" {
		return text.Errorf("refused to follow a redirect to %s (not https)", req.URL.Redacted())
	}
	return nil
}

// Do sends a request and reads the whole answer (up to the size cap). A
// safe request is repeated, at most c.retries times, after a dropped
// connection or a 429, 502, 503 or 504 answer, waiting as long as the
// bank's Retry-After asks (up to the longest wait allowed). Anything
// else is sent once.
func (c *Client) Do(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*registration.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, &Error{URL: rawURL, Err: text.New("not an https address"), Hint: text.F("bank addresses must start with https://")}
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, method, rawURL, header, body)
		if attempt >= c.retries || !Safe(method) {
			return resp, err
		}
		wait, again := retryAfter(resp, err, attempt, time.Now())
		if !again || wait > c.maxRetryWait {
			return resp, err
		}
		c.log.Info("repeating a safe request", "method", method, "url", rawURL, "attempt", attempt+2, "wait", wait.String(), "after", outcome(resp, err))
		if serr := c.sleep(ctx, wait); serr != nil {
			return resp, err
		}
	}
}

// retryAfter says whether a safe request's outcome is worth another try,
// and after how long: the bank's Retry-After, else 1 s, then 2 s.
func retryAfter(resp *registration.Response, err error, attempt int, now time.Time) (time.Duration, bool) {
	backoff := time.Duration(1<<attempt) * time.Second
	if err != nil {
		var te *Error
		if !errors.As(err, &te) || !te.transient {
			return 0, false
		}
		return backoff, true
	}
	switch resp.Status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return 0, false
	}
	if d, ok := registration.RetryAfter(resp.Header, now); ok {
		return d, true
	}
	return backoff, true
}

func outcome(resp *registration.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("HTTP %d", resp.Status)
}

// once sends the request one time, and logs it as records keep it.
func (c *Client) once(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*registration.Response, error) {
	start := time.Now()
	c.log.Debug("request", "method", method, "url", rawURL, "header", registration.RedactHeader(header), "body", registration.RedactBody(body))
	resp, err := c.exchange(ctx, method, rawURL, header, body)
	if err != nil {
		var te *Error
		sent := errors.As(err, &te) && te.Sent
		c.log.Debug("no answer", "method", method, "url", rawURL, "error", err.Error(), "sent", sent, "after", time.Since(start).String())
		return nil, err
	}
	c.log.Debug("answer", "method", method, "url", rawURL, "status", resp.Status, "header", registration.RedactHeader(resp.Header),
		"body", registration.RedactBody(resp.Body), "after", time.Since(start).String())
	return resp, nil
}

// exchange is one request and its whole answer.
func (c *Client) exchange(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*registration.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, &Error{URL: rawURL, Err: err}
	}
	for k, v := range header {
		req.Header[k] = append([]string(nil), v...)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "tppwizard")
	}
	// Whether the request left matters after a failure: a registration that
	// may have reached the bank must not be re-sent blindly.
	var sent atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { sent.Store(true) },
	}))
	resp, err := c.http.Do(req)
	if err != nil {
		e := classify(rawURL, err)
		// With TLS 1.3 the client may write its request before the bank
		// rejects its certificate; a bank that aborts the handshake never
		// reads the request.
		e.Sent = sent.Load() && !e.handshakeRefused
		if !e.Sent {
			switch {
			case errors.Is(err, context.Canceled):
				e.Hint = text.F("the send was cancelled before the request left; nothing was sent")
			case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
				e.Hint = text.F("the bank did not complete the connection in time; nothing was sent. Check the endpoint and your network, then try again")
			}
		}
		return nil, e
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResponse+1))
	if err != nil {
		e := classify(rawURL, err)
		e.Sent = true
		return nil, e
	}
	if int64(len(data)) > c.maxResponse {
		return nil, &Error{URL: rawURL, Status: resp.StatusCode, Sent: true, Err: text.Errorf("HTTP %d, more than %d bytes", resp.StatusCode, c.maxResponse),
			Hint: text.F("the answer is larger than %d bytes, far more than a registration answer, so reading stopped", c.maxResponse)}
	}
	return &registration.Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Error is a failure to talk to the bank at all: nothing came back that
// could be read as the bank's answer.
type Error struct {
	URL    string
	Status int
	Err    error
	Hint   text.Message
	// Sent is true when the request left this computer, at least in part:
	// the bank may have acted on it.
	Sent bool

	handshakeRefused bool
	// transient: the connection failed in a way another try may not
	// (refused, reset, cut short); never a certificate problem, a timeout
	// or a cancel.
	transient bool
}

func (e *Error) Error() string { return e.In(text.English) }

// In says the error in t.
func (e *Error) In(t text.Translator) string {
	host := e.URL
	if u, err := url.Parse(e.URL); err == nil && u.Host != "" {
		host = u.Host
	}
	// The cause without Go's "Post \"https://...\":" wrapping.
	cause := e.Err
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err
	}
	if e.Hint.IsZero() {
		return text.F("could not complete the exchange with %s: %v", host, cause).In(t)
	}
	return text.F("could not complete the exchange with %s: %s (%v)", host, e.Hint, cause).In(t)
}

func (e *Error) Unwrap() error { return e.Err }

func classify(rawURL string, err error) *Error {
	e := &Error{URL: rawURL, Err: err}
	var (
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		tlsAlert    tls.AlertError
		dnsErr      *net.DNSError
	)
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		e.Hint = text.F("the send was cancelled after the request had left")
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.Hint = text.F("the bank did not answer in time")
	case errors.As(err, &unknownCA):
		e.Hint = text.F("the bank's server certificate is not issued by an authority this computer trusts. For a sandbox with its own authority, add that CA certificate with --ca-file")
	case errors.As(err, &hostErr):
		e.Hint = text.F("the bank's server certificate is for a different address; check the endpoint in the bank profile")
	case errors.As(err, &invalidCert):
		e.Hint = text.F("the bank's server certificate is not valid (expired or not yet valid); check this computer's clock, or contact the bank")
	case errors.As(err, &tlsAlert) || strings.Contains(msg, "bad certificate") || strings.Contains(msg, "certificate required") || strings.Contains(msg, "unknown certificate authority"):
		e.handshakeRefused = true
		e.Hint = text.F("the bank refused the connection during the TLS handshake, usually because it does not accept your transport certificate. Check that it is the transport certificate issued for this bank's trust framework and environment")
	case errors.As(err, &dnsErr):
		e.Hint = text.F("the bank's address could not be found; check the endpoint and your network")
	case errors.Is(err, syscall.ECONNREFUSED):
		e.transient = true
		e.Hint = text.F("nothing answers at this address; check the endpoint and that the bank's service is up")
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		e.transient = true
		e.Hint = text.F("the connection was cut before the answer was complete")
	case strings.Contains(msg, "first record does not look like a TLS handshake") || strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		e.Hint = text.F("the address does not speak TLS (https); check that the endpoint is the bank's https address and port")
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
