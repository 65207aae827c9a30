// Package app is the application both front ends drive: it owns the bank
// profiles, the identity vault and the registration engine, and turns user
// intent (import these files, register with that bank) into core calls. It
// never imports Fyne.
package app

import (
	"context"
	"crypto/x509"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tppwizard/tppwizard/assets"
	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/text"
)

// Version is set at build time (-ldflags "-X ...app.Version=...").
var Version = "0.1.0-dev"

// KeyringService is the service name under which everything is stored in
// the OS keyring.
const KeyringService = "tppwizard"

// Options configure an App; the zero value is the real desktop set-up.
type Options struct {
	// ConfigDir holds user profiles (ConfigDir/profiles/*.json); default is
	// the OS user config dir + "/tppwizard".
	ConfigDir string
	// Store replaces the OS keyring (tests).
	Store keystore.Store
	// Profiles replaces the built-in profiles (tests).
	Profiles fs.FS
	// Roots replaces the system trust store (tests).
	Roots *x509.CertPool
	Now   func() time.Time
	// Log is the diagnostic log; nil writes none.
	Log *slog.Logger
	// Text translates what the app says to the user (the wizard's reasons,
	// labels and help); nil is English. Errors stay in English and are
	// translated by the front end with text.In.
	Text text.Translator
}

// App is one running application.
type App struct {
	Catalog   *profile.Catalog
	Engine    *engine.Engine
	ConfigDir string
	roots     *x509.CertPool
	now       func() time.Time
	log       *slog.Logger
	text      text.Translator

	// The keyring is opened on first use, so commands that never touch it
	// (listing profiles, say) do not write a probe entry into it.
	keyringOnce    sync.Once
	store          keystore.Store
	vault          *identity.Vault
	keyringProblem error

	journalOnce sync.Once
	journal     *records.Journal

	sandboxMu sync.Mutex
	sandbox   *sandbox.Server
}

// New opens the application: loads profiles and connects to the keyring,
// falling back to memory (never to disk) when the keyring is unavailable.
func New(o Options) *App {
	a := &App{ConfigDir: o.ConfigDir, roots: o.Roots, now: o.Now, store: o.Store, text: o.Text}
	if a.now == nil {
		a.now = time.Now
	}
	if a.ConfigDir == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			dir = "." // no home directory: the working directory holds the config
		}
		a.ConfigDir = filepath.Join(dir, "tppwizard")
	}
	builtin := o.Profiles
	if builtin == nil {
		builtin = assets.Profiles()
	}
	userProfiles := ""
	if a.ConfigDir != "" {
		userProfiles = filepath.Join(a.ConfigDir, "profiles")
	}
	a.Catalog = profile.Load(builtin, userProfiles)

	a.Engine = &engine.Engine{Now: a.now}
	a.SetLog(o.Log)
	return a
}

// T says a message in the user's language: the format is the English
// text and the translation key (see core/text).
func (a *App) T(format string, args ...any) string {
	return text.F(format, args...).In(a.text)
}

// Say says an error in the user's language.
func (a *App) Say(err error) string { return text.In(err, a.text) }

func (a *App) openKeyring() {
	a.keyringOnce.Do(func() {
		if a.store == nil {
			osKeyring := keystore.OSKeyring{Service: KeyringService}
			if err := keystore.Probe(osKeyring); err != nil {
				a.keyringProblem = err
				a.store = keystore.NewMemory()
			} else {
				a.store = osKeyring
			}
		}
		a.vault = identity.NewVault(a.store)
	})
}

// Vault is where identities and returned secrets are kept: the OS keyring,
// or memory for this session when the keyring is unavailable.
func (a *App) Vault() *identity.Vault {
	a.openKeyring()
	return a.vault
}

// KeyringProblem says why the OS keyring could not be used (identities then
// live in memory for this session only); nil when it works.
func (a *App) KeyringProblem() error {
	a.openKeyring()
	return a.keyringProblem
}

// ImportIdentity checks the files and saves them as one identity.
func (a *App) ImportIdentity(f identity.Files) (identity.Identity, error) {
	id, err := identity.FromFiles(f, a.now())
	if err != nil {
		return identity.Identity{}, err
	}
	if err := a.Vault().Save(id); err != nil {
		return identity.Identity{}, err
	}
	return id, nil
}

// Identity loads and decodes a saved identity.
func (a *App) Identity(name string) (*identity.Parsed, error) {
	id, err := a.Vault().Load(name)
	if err != nil {
		return nil, err
	}
	return id.Parse()
}

// RegisterRequest is what a user asks for: which bank, which identity, and
// the values they chose.
type RegisterRequest struct {
	ProfileID      string
	IdentityName   string
	Operation      registration.Operation
	ClientID       string
	ManagementURI  string
	Endpoint       string
	DiscoveryURL   string
	CAFile         string
	RedirectURIs   []string
	Fields         map[string]any
	AccessToken    string
	SigningCertURL string
	Timeout        time.Duration
	// Checked confirms the person has checked with the bank after an
	// earlier attempt whose outcome is unknown, and wants to send again.
	Checked bool
}

func (a *App) params(r RegisterRequest) (engine.Params, error) {
	id, err := a.Identity(r.IdentityName)
	if err != nil {
		return engine.Params{}, &registration.InputError{Field: "identity", Problem: text.F("%v", err)}
	}
	return a.paramsWith(r, id)
}

// paramsWith builds the engine's parameters for an identity already read
// from the keyring.
func (a *App) paramsWith(r RegisterRequest, id *identity.Parsed) (engine.Params, error) {
	p, err := a.Catalog.Get(r.ProfileID)
	if err != nil {
		return engine.Params{}, &registration.InputError{Field: "profile", Problem: text.F("%v", err)}
	}
	if id != nil && id.Transport != nil && sandbox.IsDemoCertificate(id.Transport.Leaf()) && !onThisComputer(p, r) {
		return engine.Params{}, &registration.InputError{Field: "identity",
			Problem: text.F("this identity's certificates come from the built-in demo bank's trust framework, so only the demo banks accept them"),
			Fix:     text.F("choose a demo bank, or an identity with the certificates your trust framework issued")}
	}
	params := engine.Params{
		Profile: p, Identity: id, Operation: r.Operation, ClientID: r.ClientID, ManagementURI: r.ManagementURI, Endpoint: r.Endpoint,
		DiscoveryURL: r.DiscoveryURL, RedirectURIs: r.RedirectURIs, Fields: r.Fields, AccessToken: r.AccessToken,
		SigningCertURL: r.SigningCertURL, Roots: a.roots, Timeout: r.Timeout,
	}
	if r.CAFile != "" {
		data, err := ReadUserFile("CA file", r.CAFile)
		if err != nil {
			return engine.Params{}, &registration.InputError{Field: "ca-file", Problem: text.F("%v", err)}
		}
		cas, err := pki.ParseCertificates(data)
		if err != nil {
			return engine.Params{}, &registration.InputError{Field: "ca-file", Problem: text.F("%v", err)}
		}
		params.ExtraCAs = cas
	}
	return params, nil
}

// onThisComputer reports whether every address a registration would use
// is on this computer (loopback), as the demo banks' are.
func onThisComputer(p *profile.Profile, r RegisterRequest) bool {
	for _, a := range []string{p.RegistrationEndpoint, p.DiscoveryURL, p.TokenEndpoint, r.Endpoint, r.DiscoveryURL} {
		if a == "" {
			continue
		}
		u, err := url.Parse(a)
		if err != nil {
			return false
		}
		if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return false
		}
	}
	return true
}

// Preview builds the exact request without sending anything.
func (a *App) Preview(ctx context.Context, r RegisterRequest) (*engine.Plan, error) {
	params, err := a.params(r)
	if err != nil {
		return nil, err
	}
	return a.Engine.Prepare(ctx, params, false)
}

// Outcome is an attempt: its record, and on success the result with its
// secrets (saved in the keyring before the outcome is returned).
type Outcome struct {
	Plan   *engine.Plan
	Result *registration.Result
	Record records.Record
	// SecretKeys are the keyring keys the returned secrets were saved under.
	SecretKeys []string
	// Forgotten counts the secrets of a deleted client removed from the
	// keyring.
	Forgotten int
}

// Register prepares and sends a registration. The attempt is journalled
// before its request leaves and completed after the answer; the secrets the
// bank returns are in the keyring before success is reported. The outcome
// is returned with the error whenever the attempt was recorded.
func (a *App) Register(ctx context.Context, r RegisterRequest) (*Outcome, error) {
	params, err := a.params(r)
	return a.register(ctx, r, params, err)
}

// register is Register with the parameters built (or failed to build).
func (a *App) register(ctx context.Context, r RegisterRequest, params engine.Params, err error) (*Outcome, error) {
	rec := newRecord(r, params)
	out := &Outcome{}
	// Before the registration request is built and journalled, nothing of
	// it has left: a failure here (a discovery or token call included) is
	// recorded as not sent.
	fail := func(err error) (*Outcome, error) {
		notSent(&rec, err)
		if jerr := a.Journal().Complete(&rec); jerr != nil {
			return nil, text.Errorf("%w (and the attempt could not be recorded: %v)", err, jerr)
		}
		out.Record = rec
		return out, err
	}
	if err != nil {
		return fail(err)
	}
	if rec.Operation == string(registration.Create) && !r.Checked {
		earlier, err := a.Unresolved(r.ProfileID, r.IdentityName)
		if err != nil {
			return fail(err)
		}
		if len(earlier) > 0 {
			return fail(&ErrOutcomeUnknown{Earlier: earlier[0]})
		}
	}
	plan, err := a.Engine.Prepare(ctx, params, true)
	if err != nil {
		return fail(err)
	}
	out.Plan = plan
	rec.Request = sentExchange(plan.Request)
	rec.InteractionID = plan.Request.InteractionID
	rec.Preflight = plan.Request.Findings
	if err := a.Journal().Begin(&rec); err != nil {
		return nil, text.Errorf("nothing was sent: the attempt could not be recorded first (%w)", err)
	}
	a.log.Info("attempt recorded before sending", "record", rec.ID, "bank", rec.Bank, "operation", rec.Operation, "identity", rec.Identity)
	res, err := a.Engine.Send(ctx, plan)
	// The keys are not needed once the request has gone (or failed).
	plan.Release()
	settle(&rec, res, err)
	a.log.Info("attempt settled", "record", rec.ID, "status", string(rec.Status), "client_id", rec.ClientID)
	if err == nil {
		out.Result = res
		err = a.saveSecrets(&rec, res)
		out.SecretKeys = rec.Secrets
	}
	if jerr := a.Journal().Complete(&rec); jerr != nil && err == nil {
		err = text.Errorf("the bank answered (client id %q) but the record of this attempt could not be completed: %w", rec.ClientID, jerr)
	}
	out.Record = rec
	return out, err
}

// UploadCertificate sends the identity's QSEAL certificate to the bank
// (profiles with a certificate endpoint, seed 000).
func (a *App) UploadCertificate(ctx context.Context, r RegisterRequest, name string) (int, error) {
	params, err := a.params(r)
	if err != nil {
		return 0, err
	}
	_, resp, err := a.Engine.UploadCertificate(ctx, params, name)
	if err != nil {
		return 0, err
	}
	return resp.Status, nil
}

// Now is the application's clock.
func (a *App) Now() time.Time { return a.now() }
