// Package engine runs a registration from start to end: resolve the
// endpoint (discovery), get a token where the dialect needs one, build the
// request with the profile's dialect, check it, send it over mutual TLS and
// read the answer. Both front ends (GUI and command line) drive it.
package engine

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/tppwizard/tppwizard/core/dialect/altareq"
	"github.com/tppwizard/tppwizard/core/dialect/rfc7591"
	"github.com/tppwizard/tppwizard/core/dialect/stet"
	"github.com/tppwizard/tppwizard/core/dialect/uk"
	"github.com/tppwizard/tppwizard/core/discovery"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/oauth"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/core/transport"
)

// DialectFor returns the dialect a profile names.
func DialectFor(name string) (registration.Dialect, error) {
	switch name {
	case profile.DialectUK:
		return uk.Dialect{}, nil
	case profile.DialectSTET:
		return stet.Dialect{}, nil
	case profile.DialectAlTareq:
		return altareq.Dialect{}, nil
	case profile.DialectOAuth:
		return rfc7591.Dialect{}, nil
	}
	return nil, text.Errorf("unknown dialect %q", name)
}

// Params are one registration's inputs.
type Params struct {
	Profile   *profile.Profile
	Identity  *identity.Parsed
	Operation registration.Operation
	ClientID  string
	// ManagementURI is the bank's registration_client_uri, for reading,
	// changing or deleting a registration.
	ManagementURI string
	// Endpoint and DiscoveryURL override the profile's.
	Endpoint     string
	DiscoveryURL string
	// ExtraCAs are trusted for this call only (a sandbox's own CA).
	ExtraCAs []*x509.Certificate
	// Roots replaces the system trust store (tests).
	Roots *x509.CertPool
	// Log receives the exchanges with the bank (the engine sets it).
	Log *slog.Logger
	// Preview prepares a request only to be looked at (offline): checked
	// in full, not signed (registration.Input.Preview).
	Preview        bool
	RedirectURIs   []string
	Fields         map[string]any
	AccessToken    string
	SigningCertURL string
	Timeout        time.Duration
}

// Engine holds what is shared between registrations.
type Engine struct {
	Now   func() time.Time
	NewID func() string
	// Log is the diagnostic log (nil: none). It is given what records
	// keep: masked credentials, never a secret.
	Log *slog.Logger
}

func (e *Engine) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

// Plan is a built request and what is needed to send it.
type Plan struct {
	Input     *registration.Input
	Request   *registration.Request
	Dialect   registration.Dialect
	Discovery *discovery.Config
	// Notes tell the reviewer what will happen at send time.
	Notes  []string
	client *transport.Client
}

// Client returns a transport client with the identity's transport
// certificate and the profile's and call's extra CAs.
func Client(p Params) (*transport.Client, error) {
	cas := append([]*x509.Certificate(nil), p.ExtraCAs...)
	if p.Profile.ExtraCAPEM != "" {
		extra, err := pki.ParseCertificates([]byte(p.Profile.ExtraCAPEM))
		if err != nil {
			return nil, text.Errorf("bank profile %s: extra_ca_pem: %w", p.Profile.ID, err)
		}
		cas = append(cas, extra...)
	}
	return transport.New(transport.Options{Certificate: p.Identity.Transport, Roots: p.Roots, ExtraCAs: cas, Timeout: p.Timeout, Log: p.Log})
}

// Prepare builds the request. Online, it first discovers the endpoint and
// fetches the access token the dialect needs; offline (a dry run) it touches
// no network and says what would be fetched.
func (e *Engine) Prepare(ctx context.Context, p Params, online bool) (*Plan, error) {
	dialect, err := DialectFor(p.Profile.Dialect)
	if err != nil {
		return nil, err
	}
	if p.Operation == "" {
		p.Operation = registration.Create
	}
	if p.Operation.Manages() && !CanManage(p.Profile) {
		return nil, &registration.InputError{Problem: text.F("%s cannot %s a registration through its API", p.Profile.Name, p.Operation),
			Fix: elsewhere(p.Profile)}
	}
	if p.Operation == registration.Update && p.Profile.UpdateMethod == "" {
		return nil, &registration.InputError{Problem: text.F("%s cannot change a registration through its API", p.Profile.Name),
			Fix: text.F("%s, then register again", elsewhere(p.Profile))}
	}
	for _, given := range []struct{ field, url string }{{"endpoint", p.Endpoint}, {"discovery address", p.DiscoveryURL}} {
		if u, err := url.Parse(given.url); given.url != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
			return nil, &registration.InputError{Field: given.field, Problem: text.F("%q is not an https address", given.url),
				Fix: text.F("banks take registrations over https only; copy the address from the bank's documentation")}
		}
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	plan := &Plan{Dialect: dialect}
	if p.Log == nil {
		p.Log = e.log()
	}
	if online {
		if err := e.Check(ctx, p); err != nil {
			return nil, err
		}
		if plan.client, err = Client(p); err != nil {
			return nil, err
		}
	}

	endpoint := p.Endpoint
	discoveryURL := p.DiscoveryURL
	if discoveryURL == "" && p.Endpoint == "" {
		discoveryURL = p.Profile.DiscoveryURL
	}
	switch {
	case endpoint != "":
	case discoveryURL != "" && online:
		cfg, err := discovery.Fetch(ctx, plan.client, discoveryURL)
		if err != nil {
			return nil, err
		}
		plan.Discovery, endpoint = cfg, cfg.RegistrationEndpoint
		p.Log.Debug("discovered", "discovery", discoveryURL, "issuer", cfg.Issuer, "registration_endpoint", endpoint)
	case discoveryURL != "" && p.Profile.RegistrationEndpoint != "":
		endpoint = p.Profile.RegistrationEndpoint
		plan.Notes = append(plan.Notes, "When sending, the registration endpoint is read from the bank's discovery document at "+discoveryURL+"; the profile's endpoint is shown here.")
	case discoveryURL != "":
		return nil, &registration.InputError{Field: "endpoint", Problem: text.F("this bank's registration endpoint comes from its discovery document, which a dry run does not fetch"),
			Fix: text.F("give it with --endpoint, or send without --dry-run")}
	default:
		endpoint = p.Profile.RegistrationEndpoint
	}

	token := p.AccessToken
	if token == "" && online {
		if token, err = e.token(ctx, p, plan); err != nil {
			return nil, err
		}
	} else if token == "" && needsToken(p) {
		from := tokenEndpoint(p, nil)
		if from == "" {
			from = "the token endpoint named in the bank's discovery document"
		}
		plan.Notes = append(plan.Notes, "When sending, an access token is first fetched from "+from+" (client_credentials over mutual TLS).")
	}

	in := &registration.Input{
		Profile: p.Profile, Identity: p.Identity, Operation: p.Operation, Endpoint: endpoint,
		ClientID: p.ClientID, ManagementURI: p.ManagementURI, RedirectURIs: p.RedirectURIs, Fields: p.Fields, AccessToken: token,
		SigningCertURL: p.SigningCertURL, Now: now(), NewID: e.NewID, Preview: p.Preview && !online,
	}
	if plan.Discovery != nil {
		in.Issuer = plan.Discovery.Issuer
	}
	plan.Input = in
	build := dialect.Build
	if p.Operation.Manages() {
		build = registration.ManageRequest
	}
	req, err := build(in)
	if err != nil {
		return nil, err
	}
	req.Findings = append(p.Identity.Check(p.Profile.Needs, in.Now), req.Findings...)
	plan.Request = req
	p.Log.Debug("request built", "profile", p.Profile.ID, "dialect", p.Profile.Dialect, "operation", string(p.Operation), "method", req.Method, "url", req.URL,
		"findings", len(req.Findings), "errors", len(req.Findings.Errors()), "online", online)
	return plan, nil
}

// elsewhere says where a bank's registrations are managed when its API
// does not offer it.
func elsewhere(p *profile.Profile) text.Message {
	switch p.Dialect {
	case profile.DialectAlTareq:
		return text.F("change the application in the trust framework directory")
	case profile.DialectSTET:
		return text.F("STET banks (seed 001) offer only creation and change; ask the bank to remove a registration")
	}
	return text.F("change it where it was created")
}

// Check builds the request offline, unsigned, and says whether it could be
// sent: input the request could never be sent with (an expired
// certificate, a redirect address the statement does not list, a client
// id that would change the address) is an error here. Prepare makes this
// check before a discovery or token call reaches the bank.
func (e *Engine) Check(ctx context.Context, p Params) error {
	if p.Endpoint == "" && p.Profile.RegistrationEndpoint == "" {
		// Discovery will name it; any https address builds the same request.
		p.Endpoint = "https://registration-endpoint.invalid/register"
	}
	p.Preview = true // the checks are wanted, not a signature
	plan, err := e.Prepare(ctx, p, false)
	if err != nil {
		return err
	}
	if errs := plan.Request.Findings.Errors(); len(errs) > 0 {
		return &registration.BlockedError{Findings: errs}
	}
	return nil
}

// CanManage reports whether a bank's registrations can be read and deleted
// through its API: UK banks (OBIE DCR) and RFC 7592 servers.
func CanManage(p *profile.Profile) bool {
	return p.Dialect == profile.DialectUK || p.Dialect == profile.DialectOAuth
}

// needsToken: STET profiles fetch a registration token; UK banks accept a
// client_credentials token to manage a registration. An RFC 7592 server
// takes only the tokens it issued, which are given, never fetched.
func needsToken(p Params) bool {
	return p.Profile.Token != nil || (p.Operation != registration.Create && p.Profile.Dialect == profile.DialectUK)
}

func tokenEndpoint(p Params, d *discovery.Config) string {
	if p.Profile.TokenEndpoint != "" {
		return p.Profile.TokenEndpoint
	}
	if d != nil {
		return d.TokenEndpoint
	}
	return ""
}

func (e *Engine) token(ctx context.Context, p Params, plan *Plan) (string, error) {
	if !needsToken(p) {
		return "", nil
	}
	endpoint := tokenEndpoint(p, plan.Discovery)
	if endpoint == "" {
		return "", &registration.InputError{Field: "token", Problem: text.F("an access token is needed and the bank profile has no token endpoint"),
			Fix: text.F("paste a token with --token")}
	}
	clientID, scope := p.ClientID, ""
	if p.Profile.Token != nil {
		clientID, scope = p.Profile.Token.ClientID, p.Profile.Token.Scope
	}
	t, err := oauth.ClientCredentials(ctx, plan.client, endpoint, clientID, scope)
	if err != nil {
		return "", err
	}
	e.log().Debug("access token obtained", "token_endpoint", endpoint, "scope", t.Scope, "expires_in", t.ExpiresIn)
	return t.AccessToken, nil
}

// ErrNotPrepared is returned by Send for a plan made offline.
var ErrNotPrepared = text.New("this request was prepared for review only (dry run) and cannot be sent")

// Send checks the plan's findings and sends it. Nothing is sent while any
// finding is an error.
func (e *Engine) Send(ctx context.Context, plan *Plan) (*registration.Result, error) {
	if plan.client == nil {
		return nil, ErrNotPrepared
	}
	if errs := plan.Request.Findings.Errors(); len(errs) > 0 {
		return nil, &registration.BlockedError{Findings: errs}
	}
	req := plan.Request
	resp, err := plan.client.Do(ctx, req.Method, req.URL, req.Header, req.Body)
	if err != nil {
		return nil, err
	}
	parse := plan.Dialect.Parse
	if plan.Input.Operation.Manages() {
		parse = registration.ParseManage
	}
	res, err := parse(plan.Input, resp)
	if err != nil {
		var be *registration.BankError
		if errors.As(err, &be) && be.InteractionID == "" {
			be.InteractionID = req.InteractionID
		}
		return nil, err
	}
	if res.InteractionID == "" {
		res.InteractionID = req.InteractionID
	}
	return res, nil
}

// Release lets go of the plan's keys once it has been sent: the transport
// client (which holds the TLS key) and the identity. What was sent stays
// readable; the plan can no longer be sent.
func (p *Plan) Release() {
	if p.client != nil {
		p.client.Close()
		p.client = nil
	}
	if p.Input != nil {
		p.Input.Identity = nil
	}
}

// Register prepares and sends in one go.
func (e *Engine) Register(ctx context.Context, p Params) (*Plan, *registration.Result, error) {
	plan, err := e.Prepare(ctx, p, true)
	if err != nil {
		return nil, nil, err
	}
	res, err := e.Send(ctx, plan)
	return plan, res, err
}

// UploadCertificate sends the identity's signing (QSEAL) certificate to the
// bank's certificate endpoint (seed 000: POST .../tpp/certificates). The
// bank answers 200 and confirms by e-mail to the TPP's representative.
func (e *Engine) UploadCertificate(ctx context.Context, p Params, name string) (*registration.Request, *registration.Response, error) {
	endpoint := p.Endpoint
	if endpoint == "" {
		endpoint = p.Profile.CertificateEndpoint
	}
	cred := p.Identity.SigningOrTransport()
	req, err := uk.CertificateUpload(endpoint, cred.Leaf(), name)
	if err != nil {
		return nil, nil, &registration.InputError{Field: "profile", Problem: text.F("%v", err)}
	}
	client, err := Client(p)
	if err != nil {
		return req, nil, err
	}
	resp, err := client.Do(ctx, req.Method, req.URL, req.Header, req.Body)
	if err != nil {
		return req, nil, err
	}
	if resp.Status != 200 && resp.Status != 201 {
		return req, resp, registration.ParseError(resp)
	}
	return req, resp, nil
}
