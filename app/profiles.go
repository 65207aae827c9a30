package app

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/core/discovery"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/core/transport"
)

// InstallProfiles writes bank profiles to the user's profile folder, where
// every later run finds them; it returns the folder.
func (a *App) InstallProfiles(ps []*profile.Profile) (string, error) {
	if a.ConfigDir == "" {
		return "", text.New("no configuration folder to install profiles in")
	}
	dir := filepath.Join(a.ConfigDir, "profiles")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	for _, p := range ps {
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return "", err
		}
		if _, err := profile.Parse(p.ID+".json", data); err != nil {
			return "", text.Errorf("profile %s would not load: %w", p.ID, err)
		}
		if err := os.WriteFile(filepath.Join(dir, p.ID+".json"), append(data, '\n'), 0o600); err != nil {
			return "", err
		}
		a.Catalog.Put(p)
	}
	return dir, nil
}

// AddProfileFile checks a bank profile file and installs it, so that the
// bank is offered now and in every later run.
func (a *App) AddProfileFile(path string) (*profile.Profile, error) {
	data, err := readCapped("Bank profile", path, profile.MaxFileSize, "bank profiles are a few kilobytes of JSON")
	if err != nil {
		return nil, err
	}
	p, err := profile.Parse(filepath.Base(path), data)
	if err != nil {
		return nil, err
	}
	if _, err := a.InstallProfiles([]*profile.Profile{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// DiscoveredBank is what a person gives to add a bank from its discovery
// document.
type DiscoveredBank struct {
	DiscoveryURL string
	Name         string
	Country      string
	// Kind is one of BankKinds.
	Kind        string
	Environment string
	// CAFile is a CA certificate to trust for this bank only (a sandbox
	// with its own authority); optional.
	CAFile string
	// Statement and InitialToken describe an OAuth server: whether it asks
	// for the software statement, and for an initial access token (one of
	// InitialTokenChoices).
	Statement    bool
	InitialToken string
}

// InitialTokenChoices are the answers to "does the server ask for an
// initial access token", as a person reads them, with the profile value
// each means.
var InitialTokenChoices = []struct{ Label, Value string }{
	{"No", ""},
	{"Yes, it may be given", profile.TokenOptional},
	{"Yes, it is required", profile.TokenRequired},
}

// BankKinds are the kinds of bank that can be added from a discovery
// document, as a person reads them, with the dialect and content type each
// means.
var BankKinds = []struct{ Label, Dialect, ContentType string }{
	{"UK Open Banking, OBIE standard (application/jose)", profile.DialectUK, "application/jose"},
	{"UK Open Banking, signed request as application/jwt", profile.DialectUK, "application/jwt"},
	{"UAE Open Finance (Al Tareq)", profile.DialectAlTareq, ""},
	{"Other OAuth 2.0 server (RFC 7591 dynamic registration)", profile.DialectOAuth, "application/json"},
}

// AddBankFromDiscovery reads a bank's discovery document (from its address,
// or found from the issuer's address) and installs a profile made from it, so that the bank is offered now and in every later
// run. The document is fetched without a client certificate, trusting the
// system's authorities, the CA file given, and the demo bank's own CA when
// the address is the running demo bank's.
func (a *App) AddBankFromDiscovery(ctx context.Context, d DiscoveredBank) (*profile.Profile, error) {
	dialect, contentType := "", ""
	for _, k := range BankKinds {
		if k.Label == d.Kind {
			dialect, contentType = k.Dialect, k.ContentType
		}
	}
	if dialect == "" {
		return nil, text.Errorf("choose what kind of bank this is")
	}
	var extra []*x509.Certificate
	extraPEM := ""
	if d.CAFile != "" {
		data, err := ReadUserFile("The CA file", d.CAFile)
		if err != nil {
			return nil, err
		}
		if extra, err = pki.ParseCertificates(data); err != nil {
			return nil, text.Errorf("the CA file: %w", err)
		}
		extraPEM = string(pki.EncodeCertificates(extra))
	} else if srv := a.runningSandbox(); srv != nil && strings.HasPrefix(d.DiscoveryURL, srv.URL()+"/") {
		extra = []*x509.Certificate{srv.CA().Cert}
		extraPEM = string(srv.CAPEM())
	}
	client, err := transport.New(transport.Options{Roots: a.roots, ExtraCAs: extra, Timeout: 30 * time.Second})
	if err != nil {
		return nil, err
	}
	address := strings.TrimSpace(d.DiscoveryURL)
	cfg, found, err := discovery.FetchAny(ctx, client, address)
	if err != nil {
		return nil, err
	}
	token := ""
	for _, c := range InitialTokenChoices {
		if c.Label == d.InitialToken || c.Value == d.InitialToken {
			token = c.Value
		}
	}
	p, err := discovery.NewProfile(cfg, discovery.ProfileOptions{DiscoveryURL: found, Name: d.Name, Country: d.Country,
		Dialect: dialect, ContentType: contentType, Environment: d.Environment, ExtraCAPEM: extraPEM,
		Statement: d.Statement, InitialToken: token})
	if err != nil {
		return nil, err
	}
	if _, err := a.InstallProfiles([]*profile.Profile{p}); err != nil {
		return nil, err
	}
	return p, nil
}
