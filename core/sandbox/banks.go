package sandbox

import (
	"net/http"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/profile"
)

// bank is one sandbox bank: where it lives and what it accepts.
type bank struct {
	ID        string // first path segment, and Client.Bank
	ProfileID string
	Name      string
	Ecosystem string
	Dialect   string
	Style     Style
	Notes     string

	RegisterPath    string
	TokenPath       string
	CertificatePath string

	// UK banks.
	ContentType   string
	CreateStatus  int
	AuthMethods   []string
	DefaultAuth   string
	Algs          []string
	Scopes        []string
	GrantTypes    []string
	ResponseTypes []string
	RequireJTI    bool
	// Audience is the bank's id as the directory issues it; the issuer URL
	// is accepted too.
	Audience string
	// Required are the claims that must be present.
	Required []string
}

var seed000Scopes = []string{"openid", "accounts", "payments", "fundsconfirmations"}

// banks are the sandbox's banks, one per dialect shape.
var banks = []*bank{
	{
		// Seed 000: a UK v3.1 dedicated interface. application/jwt, 200, its
		// error classes, client_secret_basic or private_key_jwt, and the
		// QSEAL certificate upload.
		ID: "uk31", ProfileID: "sandbox-uk-v31", Name: "Demo UK bank, v3.1 style", Ecosystem: "UK Open Banking",
		Dialect: profile.DialectUK, Style: StyleSaltEdge,
		Notes:        "A UK bank that registers from a signed request (application/jwt), answers 200 with a client secret, and writes errors as classes. Runs on this computer, for practice.",
		RegisterPath: "/api/open-banking/v3.1/tpp/register", CertificatePath: "/api/open-banking/v3.1/tpp/certificates", TokenPath: "/token",
		ContentType: "application/jwt", CreateStatus: 200,
		AuthMethods: []string{"client_secret_basic", "private_key_jwt"}, DefaultAuth: "client_secret_basic",
		Algs: []string{"PS256", "RS256"}, Scopes: seed000Scopes,
		GrantTypes:    []string{"client_credentials", "authorization_code", "refresh_token"},
		ResponseTypes: []string{"code"},
		Audience:      "sandbox-aspsp-uk31",
		Required:      []string{"iss", "iat", "exp", "aud", "grant_types", "software_statement", "redirect_uris"},
	},
	{
		// OBIE DCR v3.3: application/jose, 201, RFC 7591 errors, FAPI auth
		// methods, jti required.
		ID: "obie", ProfileID: "sandbox-uk-obie", Name: "Demo UK bank, OBIE v3.3", Ecosystem: "UK Open Banking",
		Dialect: profile.DialectUK, Style: StyleRFC7591,
		Notes:        "A UK bank as the Open Banking standard v3.3 describes it: signed request (application/jose), 201 Created, addresses found through its discovery document. Runs on this computer, for practice.",
		RegisterPath: "/dynamic-client-registration/v3.3/register", TokenPath: "/token",
		ContentType: "application/jose", CreateStatus: 201,
		AuthMethods: []string{"tls_client_auth", "private_key_jwt"}, Algs: []string{"PS256"}, Scopes: seed000Scopes,
		GrantTypes:    []string{"client_credentials", "authorization_code", "refresh_token"},
		ResponseTypes: []string{"code", "code id_token"},
		RequireJTI:    true, Audience: "sandbox-aspsp-obie",
		Required: []string{"iss", "iat", "exp", "aud", "jti", "token_endpoint_auth_method", "grant_types", "software_statement", "redirect_uris"},
	},
	{
		// Seed 001: BPCE's STET registration.
		ID: "bpce", ProfileID: "sandbox-stet", Name: "Demo French bank, BPCE style", Ecosystem: "STET (France)",
		Dialect: profile.DialectSTET, Style: StyleSTET,
		Notes:        "A French bank that registers as BPCE does: your QSEAL certificate in the request, which is sealed with an HTTP signature, after a registration token is fetched. Runs on this computer, for practice.",
		RegisterPath: "/stet/setting/v1/register", TokenPath: "/stet/psd2/oauth/token",
		Scopes: []string{"aisp", "pisp", "cbpii"},
	},
	{
		// Seed 004: an Al Tareq bank found through discovery.
		ID: "altareq", ProfileID: "sandbox-altareq", Name: "Demo UAE bank", Ecosystem: "Al Tareq (UAE)",
		Dialect: profile.DialectAlTareq, Style: StyleAlTareq,
		Notes:        "A UAE bank on the Al Tareq trust framework: found through its discovery document, registers your application from your transport certificate alone, and answers 204 with no body. Runs on this computer, for practice.",
		RegisterPath: "/tpp-registration", TokenPath: "/token",
	},
	{
		// A plain OAuth 2.0 authorisation server: RFC 7591 registration,
		// RFC 7592 management at an address it hands out, RFC 8414
		// metadata.
		ID: "oauth", ProfileID: "sandbox-oauth", Name: "Demo OAuth server, RFC 7591", Ecosystem: "OAuth 2.0 (RFC 7591)",
		Dialect: profile.DialectOAuth, Style: StyleRFC7591,
		Notes:        "An authorisation server that follows the OAuth 2.0 dynamic registration standards (RFC 7591 and 7592): your application's details as JSON, then read, changed or deleted at the address it returns. Runs on this computer, for practice.",
		RegisterPath: "/register", TokenPath: "/token",
		AuthMethods: []string{"tls_client_auth", "private_key_jwt", "client_secret_basic"}, DefaultAuth: "tls_client_auth",
		Algs: []string{"PS256", "ES256"}, Scopes: []string{"openid", "accounts", "payments"},
		GrantTypes:    []string{"authorization_code", "refresh_token", "client_credentials"},
		ResponseTypes: []string{"code"},
	},
}

func (s *Server) issuer(b *bank) string      { return s.base + "/" + b.ID }
func (s *Server) registerURL(b *bank) string { return s.issuer(b) + b.RegisterPath }
func (s *Server) tokenURL(b *bank) string    { return s.issuer(b) + b.TokenPath }
func (s *Server) discoveryURL(b *bank) string {
	return s.issuer(b) + "/.well-known/openid-configuration"
}
func (s *Server) certificateURL(b *bank) string { return s.issuer(b) + b.CertificatePath }

// Handler routes every sandbox endpoint. Methods are dispatched by each
// endpoint, so that a wrong method is refused in the bank's own format.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	s.directoryRoutes(mux)
	s.issueRoutes(mux)
	for _, b := range banks {
		b := b
		mux.HandleFunc("GET /"+b.ID+"/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) { s.discovery(w, r, b) })
		mux.HandleFunc("/"+b.ID+b.TokenPath, func(w http.ResponseWriter, r *http.Request) { s.token(w, r, b) })
		switch b.Dialect {
		case profile.DialectUK:
			mux.HandleFunc("/"+b.ID+b.RegisterPath, func(w http.ResponseWriter, r *http.Request) { s.ukRegister(w, r, b) })
			mux.HandleFunc("/"+b.ID+b.RegisterPath+"/{client_id}", func(w http.ResponseWriter, r *http.Request) { s.ukManage(w, r, b) })
			if b.CertificatePath != "" {
				mux.HandleFunc("/"+b.ID+b.CertificatePath, func(w http.ResponseWriter, r *http.Request) { s.certificateUpload(w, r, b) })
			}
		case profile.DialectSTET:
			mux.HandleFunc("/"+b.ID+b.RegisterPath, func(w http.ResponseWriter, r *http.Request) { s.stetRegister(w, r, b, "") })
			mux.HandleFunc("/"+b.ID+b.RegisterPath+"/{client_id}", func(w http.ResponseWriter, r *http.Request) {
				s.stetRegister(w, r, b, r.PathValue("client_id"))
			})
		case profile.DialectAlTareq:
			mux.HandleFunc("/"+b.ID+b.RegisterPath, func(w http.ResponseWriter, r *http.Request) { s.altareqRegister(w, r, b) })
		case profile.DialectOAuth:
			mux.HandleFunc("/"+b.ID+b.RegisterPath, func(w http.ResponseWriter, r *http.Request) { s.oauthRegister(w, r, b) })
			mux.HandleFunc("/"+b.ID+"/clients/{handle}", func(w http.ResponseWriter, r *http.Request) { s.oauthManage(w, r, b) })
			// RFC 8414 section 3: the well-known part goes between the
			// host and the issuer's path.
			mux.HandleFunc("GET /.well-known/oauth-authorization-server/"+b.ID, func(w http.ResponseWriter, r *http.Request) { s.discovery(w, r, b) })
		}
	}
	return mux
}

// discovery serves the bank's OpenID Provider metadata.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request, b *bank) {
	doc := map[string]any{
		"issuer":                s.issuer(b),
		"registration_endpoint": s.registerURL(b),
		"token_endpoint":        s.tokenURL(b),
		"grant_types_supported": []string{"client_credentials"},
		"tls_client_certificate_bound_access_tokens": true,
	}
	switch b.Dialect {
	case profile.DialectUK:
		doc["token_endpoint_auth_methods_supported"] = b.AuthMethods
		doc["token_endpoint_auth_signing_alg_values_supported"] = b.Algs
		doc["request_object_signing_alg_values_supported"] = b.Algs
		doc["id_token_signing_alg_values_supported"] = b.Algs
		doc["scopes_supported"] = b.Scopes
		doc["grant_types_supported"] = b.GrantTypes
		doc["response_types_supported"] = b.ResponseTypes
	case profile.DialectSTET:
		doc["token_endpoint_auth_methods_supported"] = []string{"tls_client_auth"}
		doc["scopes_supported"] = append(slices.Clone(b.Scopes), "manageRegistration")
	case profile.DialectAlTareq:
		doc["token_endpoint_auth_methods_supported"] = []string{"tls_client_auth", "private_key_jwt"}
	case profile.DialectOAuth:
		doc["token_endpoint_auth_methods_supported"] = b.AuthMethods
		doc["token_endpoint_auth_signing_alg_values_supported"] = b.Algs
		doc["scopes_supported"] = b.Scopes
		doc["grant_types_supported"] = b.GrantTypes
		doc["response_types_supported"] = b.ResponseTypes
	}
	writeJSON(w, http.StatusOK, doc)
	s.log(r, http.StatusOK, "", "")
}

// index lists where everything is.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	list := []map[string]string{}
	for _, b := range banks {
		list = append(list, map[string]string{"profile": b.ProfileID, "name": b.Name,
			"discovery": s.discoveryURL(b), "registration_endpoint": s.registerURL(b)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"sandbox": "TPP Wizard sandbox bank", "banks": list,
		"directory_keys": s.base + directoryKeysPath})
}

// Profiles are the bank profiles of this sandbox, pointing at its address
// and trusting its CA. They exist only once the sandbox is started.
func (s *Server) Profiles() []*profile.Profile {
	ca := string(s.CAPEM())
	var out []*profile.Profile
	for _, b := range banks {
		p := &profile.Profile{
			ID: b.ProfileID, Name: b.Name, Country: "Demo", Ecosystem: b.Ecosystem, Dialect: b.Dialect,
			Environment: "sandbox", Version: "sandbox", Notes: b.Notes, ExtraCAPEM: ca,
			RegistrationEndpoint: s.registerURL(b), TokenEndpoint: s.tokenURL(b), Source: "sandbox " + s.base,
		}
		switch b.Dialect {
		case profile.DialectUK:
			p.ContentType, p.SuccessStatus, p.ErrorStyle = b.ContentType, []int{b.CreateStatus}, string(b.Style)
			p.SigningAlg, p.AuthMethods, p.DefaultAuthMethod = b.Algs[0], b.AuthMethods, b.DefaultAuth
			p.Scopes, p.GrantTypes, p.Audience = b.Scopes, b.GrantTypes, b.Audience
			p.Needs, p.UpdateMethod = []string{profile.NeedTransport, profile.NeedSigning, profile.NeedSSA}, "PUT"
			if b.CertificatePath != "" {
				p.CertificateEndpoint = s.certificateURL(b)
			}
			if b.ID == "obie" {
				p.DiscoveryURL = s.discoveryURL(b)
			}
		case profile.DialectSTET:
			p.ContentType, p.SuccessStatus, p.ErrorStyle = "application/json", []int{201}, "stet"
			p.Scopes, p.ScopeSeparator, p.GrantTypes = b.Scopes, ", ", []string{"client_credentials"}
			p.Needs, p.UpdateMethod = []string{profile.NeedTransport, profile.NeedSigning}, "PUT"
			p.Token = &profile.TokenSettings{ClientID: stetTokenClientID, Scope: stetTokenScope}
			p.Signature = &profile.SignatureSettings{Algorithm: "rsa-sha256", Headers: []string{"(request-target)", "digest", "x-request-id"}, KeyID: "kid"}
		case profile.DialectAlTareq:
			p.ContentType, p.SuccessStatus, p.ErrorStyle = "application/json", []int{200, 201, 204}, "altareq"
			p.DiscoveryURL, p.TokenEndpoint = s.discoveryURL(b), ""
			p.Needs = []string{profile.NeedTransport, profile.NeedClientID}
		case profile.DialectOAuth:
			p.ContentType, p.SuccessStatus, p.ErrorStyle = "application/json", []int{201}, "rfc7591"
			p.AuthMethods, p.DefaultAuthMethod, p.Scopes = b.AuthMethods, b.DefaultAuth, b.Scopes
			p.GrantTypes = []string{"authorization_code", "refresh_token"}
			p.DiscoveryURL, p.TokenEndpoint = s.discoveryURL(b), ""
			// The statement is sent, so that the server checks the
			// redirect addresses against it.
			p.Needs, p.UpdateMethod = []string{profile.NeedTransport, profile.NeedSSA}, "PUT"
			p.InitialAccessToken = profile.TokenOptional
		}
		out = append(out, p)
	}
	return out
}

// ProfileIDs are the ids of the sandbox's bank profiles.
func ProfileIDs() []string {
	ids := make([]string, len(banks))
	for i, b := range banks {
		ids[i] = b.ProfileID
	}
	return ids
}

// IsSandboxProfile reports whether a profile id is one of the sandbox's.
func IsSandboxProfile(id string) bool {
	return strings.HasPrefix(id, "sandbox-") && slices.Contains(ProfileIDs(), id)
}
