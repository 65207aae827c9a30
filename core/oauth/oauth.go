// Package oauth gets the access tokens registration calls need: a
// client_credentials grant over mutual TLS (STET's manageRegistration token,
// OBIE's token for managing a registration).
package oauth

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/core/transport"
)

// Token is an access token answer (RFC 6749 section 5.1).
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// ClientCredentials asks tokenURL for a token with the given client id and
// scope; the client is identified by its TLS certificate (RFC 8705).
func ClientCredentials(ctx context.Context, c *transport.Client, tokenURL, clientID, scope string) (*Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	if clientID != "" {
		form.Set("client_id", clientID)
	}
	resp, err := c.Do(ctx, "POST", tokenURL, map[string][]string{
		"Content-Type": {"application/x-www-form-urlencoded"},
		"Accept":       {"application/json"},
	}, []byte(form.Encode()))
	if err != nil {
		return nil, text.Errorf("get an access token: %w", err)
	}
	return ParseToken(resp)
}

// ParseToken reads a token endpoint's answer: a 200 with a Bearer access
// token, or the bank's refusal explained.
func ParseToken(resp *registration.Response) (*Token, error) {
	if resp.Status != 200 {
		be := registration.ParseError(resp)
		be.Explanation = text.F("The bank did not give an access token for registration. %s", be.Explanation)
		be.Field = "token"
		return nil, be
	}
	var t Token
	if err := json.Unmarshal(resp.Body, &t); err != nil || t.AccessToken == "" {
		return nil, &registration.BankError{Status: resp.Status, Body: resp.Body, Field: "token",
			Explanation: text.F("The bank's token answer holds no access token."),
			NextStep:    text.F("Check the token endpoint in the bank profile.")}
	}
	if t.TokenType != "" && !strings.EqualFold(t.TokenType, "bearer") {
		return nil, text.Errorf("the bank gave a %q token; only Bearer tokens are supported", t.TokenType)
	}
	return &t, nil
}
