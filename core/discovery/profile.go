package discovery

import (
	"net/url"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/text"
)

// ProfileOptions are what a person tells about a bank found through its
// discovery document: the document says where and how, not who.
type ProfileOptions struct {
	DiscoveryURL string
	Name         string
	Country      string
	// Dialect is profile.DialectUK, profile.DialectAlTareq or
	// profile.DialectOAuth; STET banks publish no discovery document.
	Dialect string
	// ContentType of a UK registration: application/jose (the OBIE
	// standard, the default) or application/jwt (seed 000's banks).
	ContentType string
	Environment string
	// ExtraCAPEM is trusted for this bank only (a sandbox's own CA).
	ExtraCAPEM string
	// Statement: an OAuth server (profile.DialectOAuth) asks for the
	// software statement.
	Statement bool
	// InitialToken: whether an OAuth server asks for an initial access
	// token ("", profile.TokenOptional or profile.TokenRequired).
	InitialToken string
}

// ukScopes are the scopes a UK registration may ask for.
var ukScopes = []string{"openid", "accounts", "payments", "fundsconfirmations"}

// NewProfile makes a bank profile from a bank's discovery document. The
// registration endpoint stays tied to the document: each send reads it
// again, so a bank that moves its endpoint is followed.
func NewProfile(cfg *Config, o ProfileOptions) (*profile.Profile, error) {
	u, err := url.Parse(o.DiscoveryURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, text.Errorf("the discovery address %q is not an https address", o.DiscoveryURL)
	}
	name := strings.TrimSpace(o.Name)
	if name == "" {
		name = u.Hostname()
	}
	country := strings.TrimSpace(o.Country)
	if country == "" {
		country = "Other"
	}
	env := o.Environment
	if env == "" {
		env = "live"
	}
	p := &profile.Profile{
		ID: profileID(u), Name: name, Country: country, Dialect: o.Dialect, Environment: env, Version: "discovered",
		DiscoveryURL: o.DiscoveryURL, RegistrationEndpoint: cfg.RegistrationEndpoint, TokenEndpoint: cfg.TokenEndpoint,
		ExtraCAPEM: o.ExtraCAPEM,
		Notes:      "Added from its discovery document at " + o.DiscoveryURL + "; check the settings against the bank's documentation.",
	}
	switch o.Dialect {
	case profile.DialectUK:
		p.Ecosystem = "UK Open Banking"
		p.ContentType = o.ContentType
		if p.ContentType == "" {
			p.ContentType = "application/jose"
		}
		p.SuccessStatus = []int{201, 200}
		p.ErrorStyle = "rfc7591"
		p.Audience = cfg.Issuer
		p.UpdateMethod = "PUT"
		p.Needs = []string{profile.NeedTransport, profile.NeedSigning, profile.NeedSSA}
		p.SigningAlg = firstOf(cfg.RequestObjectSigningAlgs, []string{"PS256", "ES256", "RS256"}, "PS256")
		for _, m := range cfg.TokenEndpointAuthMethodsSupported {
			if slices.Contains([]string{"tls_client_auth", "private_key_jwt", "client_secret_basic", "client_secret_post"}, m) {
				p.AuthMethods = append(p.AuthMethods, m)
			}
		}
		p.DefaultAuthMethod = firstOf(p.AuthMethods, []string{"tls_client_auth", "private_key_jwt", "client_secret_basic", "client_secret_post"}, "")
		for _, s := range cfg.ScopesSupported {
			if slices.Contains(ukScopes, s) {
				p.Scopes = append(p.Scopes, s)
			}
		}
		if len(p.Scopes) == 0 {
			p.Scopes = []string{"openid", "accounts"}
		}
	case profile.DialectAlTareq:
		p.Ecosystem = "Al Tareq (UAE)"
		p.SuccessStatus = []int{200, 201, 204}
		p.ErrorStyle = "altareq"
		p.Needs = []string{profile.NeedTransport, profile.NeedClientID}
	case profile.DialectOAuth:
		oauthProfile(p, cfg, o)
	case profile.DialectSTET:
		return nil, text.Errorf("STET banks publish no discovery document; add a STET bank from a profile file")
	default:
		return nil, text.Errorf("unknown kind of registration %q", o.Dialect)
	}
	if err := p.Validate(); err != nil {
		return nil, text.Errorf("the bank's discovery document does not make a usable profile: %w", err)
	}
	return p, nil
}

// oauthProfile fills in a plain OAuth 2.0 server (RFC 7591) from its
// metadata (RFC 8414 section 2).
func oauthProfile(p *profile.Profile, cfg *Config, o ProfileOptions) {
	p.Ecosystem = "OAuth 2.0 (RFC 7591)"
	p.ContentType = "application/json"
	p.SuccessStatus = []int{201}
	p.ErrorStyle = "rfc7591"
	p.UpdateMethod = "PUT"
	p.InitialAccessToken = o.InitialToken
	p.Needs = []string{profile.NeedTransport}
	if o.Statement {
		p.Needs = append(p.Needs, profile.NeedSSA)
	}
	for _, m := range cfg.TokenEndpointAuthMethodsSupported {
		if slices.Contains(profile.OAuthAuthMethods, m) {
			p.AuthMethods = append(p.AuthMethods, m)
		}
	}
	// RFC 8414: absent means client_secret_basic only.
	if len(cfg.TokenEndpointAuthMethodsSupported) == 0 {
		p.AuthMethods = []string{"client_secret_basic"}
	}
	p.DefaultAuthMethod = firstOf(p.AuthMethods, []string{"tls_client_auth", "private_key_jwt", "self_signed_tls_client_auth", "client_secret_basic", "client_secret_post"}, "")
	if slices.Contains(p.AuthMethods, "private_key_jwt") {
		p.SigningAlg = firstOf(cfg.TokenEndpointAuthSigningAlgs, []string{"PS256", "ES256", "RS256"}, "")
		if !slices.Contains([]string{"PS256", "ES256", "RS256"}, p.SigningAlg) {
			p.SigningAlg = ""
		}
	}
	p.Scopes = cfg.ScopesSupported
	// RFC 8414: absent grant_types_supported means authorization_code and
	// implicit; implicit is never asked for.
	offered := cfg.GrantTypesSupported
	if len(offered) == 0 {
		offered = []string{"authorization_code"}
	}
	for _, g := range []string{"authorization_code", "refresh_token"} {
		if slices.Contains(offered, g) {
			p.GrantTypes = append(p.GrantTypes, g)
		}
	}
	if !slices.Contains(p.GrantTypes, "authorization_code") {
		p.GrantTypes = []string{"client_credentials"}
	}
}

// firstOf returns the first of preferred that offered holds, else the
// first offered, else fallback.
func firstOf(offered, preferred []string, fallback string) string {
	for _, p := range preferred {
		if slices.Contains(offered, p) {
			return p
		}
	}
	if len(offered) > 0 {
		return offered[0]
	}
	return fallback
}

// profileID names a discovered bank after its address:
// https://auth.bank.example/obie/.well-known/openid-configuration becomes
// "discovered-auth.bank.example-obie".
func profileID(u *url.URL) string {
	path := strings.TrimSuffix(u.EscapedPath(), OpenIDConfiguration)
	path = strings.TrimPrefix(path, OAuthServerMetadata)
	raw := strings.ToLower(u.Host + "-" + strings.Trim(path, "/"))
	var b strings.Builder
	dash := false
	for _, r := range raw {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.'
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return "discovered-" + strings.Trim(b.String(), "-.")
}
