// Package discovery reads a bank's OpenID Provider metadata from its
// .well-known/openid-configuration document (seed 004's first step), or an
// OAuth 2.0 server's metadata found from its issuer (RFC 8414).
package discovery

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/core/transport"
)

// Config is the part of the metadata registration needs.
type Config struct {
	Issuer                            string   `json:"issuer"`
	RegistrationEndpoint              string   `json:"registration_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgs      []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	RequestObjectSigningAlgs          []string `json:"request_object_signing_alg_values_supported"`
	IDTokenSigningAlgs                []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	MTLSEndpointAliases               struct {
		RegistrationEndpoint string `json:"registration_endpoint"`
		TokenEndpoint        string `json:"token_endpoint"`
	} `json:"mtls_endpoint_aliases"`
}

// Parse reads and checks a metadata document.
func Parse(data []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		body := strings.TrimSpace(string(data))
		if strings.HasPrefix(body, "<") {
			return nil, text.Errorf("the discovery address returned a web page, not the bank's JSON metadata; check the address")
		}
		return nil, text.Errorf("the bank's metadata is not valid JSON: %w", err)
	}
	// RFC 8705 section 5: where mTLS aliases exist, they are the ones to call
	// with a client certificate.
	if a := c.MTLSEndpointAliases.RegistrationEndpoint; a != "" {
		c.RegistrationEndpoint = a
	}
	if a := c.MTLSEndpointAliases.TokenEndpoint; a != "" {
		c.TokenEndpoint = a
	}
	for name, u := range map[string]string{"registration_endpoint": c.RegistrationEndpoint, "token_endpoint": c.TokenEndpoint} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || p.Scheme != "https" || p.Host == "" {
			return nil, text.Errorf("the bank's metadata gives %s %q, which is not an https address", name, u)
		}
	}
	if c.RegistrationEndpoint == "" {
		return nil, text.Errorf("the bank's metadata has no registration_endpoint; this bank may not offer dynamic registration, or the discovery address is for another environment")
	}
	return &c, nil
}

// Fetch gets and parses the metadata at rawURL.
func Fetch(ctx context.Context, c *transport.Client, rawURL string) (*Config, error) {
	resp, err := c.Do(ctx, "GET", rawURL, map[string][]string{"Accept": {"application/json"}}, nil)
	if err != nil {
		return nil, text.Errorf("discovery: %w", err)
	}
	if resp.Status != 200 {
		return nil, text.Errorf("discovery: %s answered HTTP %d instead of the bank's metadata; check the discovery address", rawURL, resp.Status)
	}
	cfg, err := Parse(resp.Body)
	if err != nil {
		return nil, text.Errorf("discovery at %s: %w", rawURL, err)
	}
	return cfg, nil
}

// Well-known document names.
const (
	OpenIDConfiguration = "/.well-known/openid-configuration"
	OAuthServerMetadata = "/.well-known/oauth-authorization-server"
)

// MetadataURLs are where an issuer's metadata may be, in the order tried:
// RFC 8414 section 3.1 (the well-known part between the host and the
// issuer's path), then OpenID Connect Discovery 1.0 section 4 (appended to
// the issuer).
func MetadataURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, text.Errorf("the issuer %q is not an https address without query or fragment", issuer)
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	base := u.Scheme + "://" + u.Host
	return []string{base + OAuthServerMetadata + path, base + path + OpenIDConfiguration}, nil
}

// FetchAny reads a server's metadata from a discovery address, or from an
// issuer address by trying MetadataURLs in turn. The document found from
// an issuer must name that issuer (RFC 8414 section 3.3), or it is not
// used. It returns the metadata and the address it was read from.
func FetchAny(ctx context.Context, c *transport.Client, address string) (*Config, string, error) {
	if strings.Contains(address, "/.well-known/") {
		cfg, err := Fetch(ctx, c, address)
		return cfg, address, err
	}
	urls, err := MetadataURLs(address)
	if err != nil {
		return nil, "", err
	}
	issuer := strings.TrimSuffix(address, "/")
	var tried []string
	for _, u := range urls {
		cfg, err := Fetch(ctx, c, u)
		if err != nil {
			var te *transport.Error
			if errors.As(err, &te) {
				return nil, "", err // the server cannot be reached at all
			}
			tried = append(tried, err.Error())
			continue
		}
		if strings.TrimSuffix(cfg.Issuer, "/") != issuer {
			return nil, "", text.Errorf("the metadata at %s names the issuer %q, not %q; RFC 8414 forbids using it (check the issuer address)", u, cfg.Issuer, address)
		}
		return cfg, u, nil
	}
	return nil, "", text.Errorf("no metadata found for the issuer %s: %s", address, strings.Join(tried, "; "))
}
