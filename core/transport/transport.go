// Package transport sends requests to banks over mutual TLS: the TPP's
// transport certificate as client certificate, TLS verification always on,
// an extra trusted CA only where a sandbox needs one, timeouts, a cap on the
// response size, and no redirects followed for anything but GET.
package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
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
)

// Defaults.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 60 * time.Second
	DefaultMaxResponse    = 1 << 20
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
}

// Client sends requests to one bank with one identity.
type Client struct {
	http        *http.Client
	timeout     time.Duration
	maxResponse int64
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
		http:        &http.Client{Transport: tr, CheckRedirect: checkRedirect},
		timeout:     o.Timeout,
		maxResponse: o.MaxResponse,
	}, nil
}

// checkRedirect follows redirects for GET and HEAD only (discovery), at most
// five, and only to https. A POST or PUT that may have registered something
// is never re-sent elsewhere: the redirect is returned as the answer.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if m := via[0].Method; m != http.MethodGet && m != http.MethodHead {
		return http.ErrUseLastResponse
	}
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if req.URL.Scheme != "https" {
		return fmt.Errorf("refused to follow a redirect to %s (not https)", req.URL.Redacted())
	}
	return nil
}

// Do sends one request and reads the whole answer (up to the size cap).
func (c *Client) Do(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*registration.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, &Error{URL: rawURL, Err: errors.New("not an https address"), Hint: "bank addresses must start with https://"}
	}
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
		return nil, &Error{URL: rawURL, Status: resp.StatusCode, Sent: true, Err: fmt.Errorf("the answer is larger than %d bytes", c.maxResponse),
			Hint: "the bank sent far more than a registration answer; reading stopped. The request did reach the bank: check with them whether it was registered"}
	}
	return &registration.Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Error is a failure to talk to the bank at all: nothing came back that
// could be read as the bank's answer.
type Error struct {
	URL    string
	Status int
	Err    error
	Hint   string
	// Sent is true when the request left this computer, at least in part:
	// the bank may have acted on it.
	Sent bool

	handshakeRefused bool
}

func (e *Error) Error() string {
	host := e.URL
	if u, err := url.Parse(e.URL); err == nil && u.Host != "" {
		host = u.Host
	}
	s := fmt.Sprintf("could not complete the exchange with %s: %v", host, e.Err)
	if e.Hint != "" {
		s += ". " + e.Hint
	}
	return s
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
		e.Hint = "the send was cancelled. If the request had already left, the bank may have registered it: check before sending again"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.Hint = "the bank did not answer in time. The request may still have reached it: check with the bank before sending again"
	case errors.As(err, &unknownCA):
		e.Hint = "the bank's server certificate is not issued by an authority this computer trusts. For a sandbox with its own authority, add that CA certificate with --ca-file"
	case errors.As(err, &hostErr):
		e.Hint = "the bank's server certificate is for a different address; check the endpoint in the bank profile"
	case errors.As(err, &invalidCert):
		e.Hint = "the bank's server certificate is not valid (expired or not yet valid); check this computer's clock, or contact the bank"
	case errors.As(err, &tlsAlert) || strings.Contains(msg, "bad certificate") || strings.Contains(msg, "certificate required") || strings.Contains(msg, "unknown certificate authority"):
		e.handshakeRefused = true
		e.Hint = "the bank refused the connection during the TLS handshake, usually because it does not accept your transport certificate. Check that it is the transport certificate issued for this bank's trust framework and environment"
	case errors.As(err, &dnsErr):
		e.Hint = "the bank's address could not be found; check the endpoint and your network"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Hint = "nothing answers at this address; check the endpoint and that the bank's service is up"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		e.Hint = "the connection was cut before the answer was complete. The request may have reached the bank: check with them before sending again"
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
