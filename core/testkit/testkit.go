// Package testkit makes the things tests across the project need: a trust
// framework PKI, a TPP identity with certificates and a signed software
// statement, and a bank-side TLS server that demands client certificates.
// Key generation is slow, so a kit is built once per test binary.
package testkit

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/assets"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
)

// Constants of the test identity.
const (
	SoftwareID   = "beKuxC1RniVsTeLYwfpgNP"
	SigningKID   = "signing-kid-1"
	OrgID        = "PSDFR-ACPR-12345"
	OrgName      = "Exemple Paiements SAS"
	RedirectURI  = "https://tpp.example.com/callback"
	RedirectURI2 = "https://tpp.example.com/cb2"
	DirectoryKID = "directory-kid"
	ClientID     = "directory-app-42"
)

// Kit is a trust framework and one TPP identity in it.
type Kit struct {
	// CA issues every certificate (TPP and bank servers).
	CA *pki.Authority
	// Directory signs software statements.
	DirectoryKey *rsa.PrivateKey
	Transport    *pki.Credential
	Signing      *pki.Credential
	Identity     identity.Identity
	Now          time.Time
}

var (
	once   sync.Once
	shared *Kit
	err    error
)

// Get returns the shared kit, building it on first use.
func Get(t testing.TB) *Kit {
	t.Helper()
	once.Do(func() { shared, err = build(time.Now()) })
	if err != nil {
		t.Fatal(err)
	}
	return shared
}

func build(now time.Time) (*Kit, error) {
	ca, err := pki.NewRootAuthority("Test Trust Framework CA", 2048, now)
	if err != nil {
		return nil, err
	}
	k := &Kit{CA: ca, Now: now}
	roles := []string{pki.RoleAI, pki.RolePI}
	if k.Transport, err = ca.Issue(pki.Spec{CommonName: "tpp-transport", Organization: OrgName, Country: "FR",
		OrganizationIdentifier: OrgID, PSD2Roles: roles, NCAName: "ACPR", NCAID: "FR-ACPR"}); err != nil {
		return nil, err
	}
	if k.Signing, err = ca.Issue(pki.Spec{CommonName: "tpp-qseal", Organization: OrgName, Country: "FR",
		OrganizationIdentifier: OrgID, PSD2Roles: roles, NCAName: "ACPR", NCAID: "FR-ACPR"}); err != nil {
		return nil, err
	}
	if k.DirectoryKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, err
	}
	ssa, err := k.SignSSA(map[string]any{})
	if err != nil {
		return nil, err
	}
	tc, tk := encode(k.Transport)
	sc, sk := encode(k.Signing)
	k.Identity = identity.Identity{Name: "Test TPP", TransportCert: tc, TransportKey: tk, SigningCert: sc, SigningKey: sk,
		SigningKID: SigningKID, SSA: ssa, ClientID: ClientID, Created: now}
	return k, nil
}

func encode(c *pki.Credential) (string, string) {
	key, err := pki.EncodePrivateKey(c.Key)
	if err != nil {
		panic(err)
	}
	return string(pki.EncodeCertificates(c.Chain)), string(key)
}

// SSAClaims are the default statement claims; SignSSA's overrides replace them.
func (k *Kit) SSAClaims() map[string]any {
	return map[string]any{
		"iss":                    "Test Directory",
		"iat":                    time.Now().Unix(),
		"jti":                    "ssa-jti-1",
		"software_id":            SoftwareID,
		"software_client_name":   "Exemple Pay",
		"software_redirect_uris": []string{RedirectURI, RedirectURI2},
		"software_roles":         []string{"AISP", "PISP"},
		"software_jwks_endpoint": "https://keystore.directory.test/org/" + SoftwareID + ".jwks",
		"org_id":                 "org-1",
		"org_name":               OrgName,
		"org_contacts": []map[string]any{
			{"name": "Claire Martin", "email": "claire.martin@exemple.fr", "phone": "+33102030405", "type": "business"},
		},
	}
}

// SignSSA signs a software statement with the directory key (PS256).
func (k *Kit) SignSSA(overrides map[string]any) (string, error) {
	claims := k.SSAClaims()
	for n, v := range overrides {
		if v == nil {
			delete(claims, n)
		} else {
			claims[n] = v
		}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.PS256, Key: k.DirectoryKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", DirectoryKID))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// Parsed returns the identity with its credentials decoded.
func (k *Kit) Parsed(t testing.TB) *identity.Parsed {
	t.Helper()
	p, err := k.Identity.Parse()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Roots is a pool holding the test CA, for clients talking to test servers.
func (k *Kit) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(k.CA.Cert)
	return pool
}

// Bank starts an HTTPS server on 127.0.0.1 with a certificate from the test
// CA that requires and verifies a client certificate from the same CA.
func (k *Kit) Bank(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	server, err := k.CA.Issue(pki.Spec{CommonName: "bank.test", DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{server.TLSCertificate()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    k.Roots(),
		MinVersion:   tls.VersionTLS12,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// Profile returns a copy of a built-in bank profile, safe to change in a test.
func Profile(t testing.TB, id string) *profile.Profile {
	t.Helper()
	p, err := profile.Load(assets.Profiles(), "").Get(id)
	if err != nil {
		t.Fatal(err)
	}
	cp := *p
	if p.Signature != nil {
		sig := *p.Signature
		cp.Signature = &sig
	}
	return &cp
}

// CutConnection writes partial (raw HTTP, possibly empty) on the
// connection of a request being answered, then resets it (TCP RST): a bank
// whose connection drops mid-answer.
func CutConnection(w http.ResponseWriter, partial string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = buf.WriteString(partial)
	_ = buf.Flush()
	if tc, ok := conn.(*tls.Conn); ok {
		if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // close with RST
		}
	}
	_ = conn.Close()
}

// Hold keeps a request unanswered until release is closed, and reports
// true then. If the client gives up first, the bank hangs up without a
// word: returning normally would send an empty 200, which a dialect that
// takes an empty answer (Al Tareq) would rightly read as a registration.
func Hold[T any](r *http.Request, release <-chan T) bool {
	select {
	case <-release:
		return true
	case <-r.Context().Done():
		panic(http.ErrAbortHandler)
	}
}
