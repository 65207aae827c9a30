package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/text"
)

// MinRSABits is the smallest RSA key banks accept (OBIE, STET and FAPI all
// require 2048 bits or more).
const MinRSABits = 2048

// ExpiryWarning is how long before expiry a certificate is flagged.
const ExpiryWarning = 30 * 24 * time.Hour

// Credential is a certificate chain (leaf first) and the leaf's private key.
type Credential struct {
	Chain []*x509.Certificate
	Key   crypto.Signer
}

// LoadCredential parses a certificate file and a key file. The key may also
// sit in the certificate file (a combined PEM); keyPEM may then be empty.
func LoadCredential(certPEM, keyPEM, passphrase []byte) (*Credential, error) {
	chain, err := ParseCertificates(certPEM)
	if err != nil {
		return nil, text.Errorf("certificate: %w", err)
	}
	combined := len(bytes.TrimSpace(keyPEM)) == 0
	if combined {
		keyPEM = certPEM
	}
	key, err := ParsePrivateKey(keyPEM, passphrase)
	if err != nil && combined && !errors.Is(err, ErrEncryptedKey) && !errors.Is(err, ErrWrongPassphrase) {
		return nil, text.New("private key: no key file was chosen, and the certificate file holds no key; choose the key file created with this certificate")
	}
	if err != nil {
		return nil, text.Errorf("private key: %w", err)
	}
	return &Credential{Chain: chain, Key: key}, nil
}

// Leaf is the certificate the key belongs to.
func (c *Credential) Leaf() *x509.Certificate { return c.Chain[0] }

// KeyMatches reports whether the private key belongs to the leaf certificate.
func (c *Credential) KeyMatches() bool { return KeyMatches(c.Leaf(), c.Key) }

// TLSCertificate is the credential as a TLS client certificate, chain included.
func (c *Credential) TLSCertificate() tls.Certificate {
	der := make([][]byte, len(c.Chain))
	for i, cert := range c.Chain {
		der[i] = cert.Raw
	}
	return tls.Certificate{Certificate: der, PrivateKey: c.Key, Leaf: c.Leaf()}
}

// KeyMatches reports whether key is the private half of cert's public key.
func KeyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	return ok && pub.Equal(cert.PublicKey)
}

// Summary is a certificate as a person reads it.
type Summary struct {
	Subject             string    `json:"subject"`
	Organisation        string    `json:"organisation,omitempty"`
	AuthorisationNumber string    `json:"authorisation_number,omitempty"`
	CommonName          string    `json:"common_name,omitempty"`
	Issuer              string    `json:"issuer"`
	NotBefore           time.Time `json:"not_before"`
	NotAfter            time.Time `json:"not_after"`
	DaysLeft            int       `json:"days_left"`
	KeyMatches          bool      `json:"key_matches"`
	KeyType             string    `json:"key_type"`
	Roles               []string  `json:"psd2_roles,omitempty"`
	ChainLength         int       `json:"chain_length"`
	FingerprintSHA256   string    `json:"fingerprint_sha256"`
	ThumbprintS256      string    `json:"x5t#S256"`
}

// Summarise describes the credential at time now.
func (c *Credential) Summarise(now time.Time) Summary {
	leaf := c.Leaf()
	dn, err := SubjectDN(leaf)
	if err != nil {
		dn = leaf.Subject.String()
	}
	issuer, err := FormatDN(leaf.RawIssuer)
	if err != nil {
		issuer = leaf.Issuer.String()
	}
	s := Summary{
		Subject:             dn,
		AuthorisationNumber: OrganizationIdentifier(leaf),
		CommonName:          leaf.Subject.CommonName,
		Issuer:              issuer,
		NotBefore:           leaf.NotBefore,
		NotAfter:            leaf.NotAfter,
		DaysLeft:            int(leaf.NotAfter.Sub(now).Hours() / 24),
		KeyMatches:          c.KeyMatches(),
		KeyType:             KeyDescription(leaf.PublicKey),
		ChainLength:         len(c.Chain),
		FingerprintSHA256:   FingerprintSHA256(leaf),
		ThumbprintS256:      ThumbprintS256(leaf),
	}
	if len(leaf.Subject.Organization) > 0 {
		s.Organisation = leaf.Subject.Organization[0]
	}
	if info, ok := PSD2(leaf); ok {
		s.Roles = info.Roles
	}
	return s
}

// KeyDescription names a public key the way people talk about it ("RSA 2048").
func KeyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// Check lists what is wrong with a credential for the given purpose
// ("transport certificate", "signing certificate"). It never contacts anyone.
func (c *Credential) Check(purpose string, now time.Time) check.List {
	var out check.List
	add := func(sev check.Severity, msg, fix text.Message) {
		out = append(out, check.Finding{Severity: sev, Field: purpose, Message: msg, Fix: fix})
	}
	leaf := c.Leaf()
	if !c.KeyMatches() {
		add(check.Error, text.F("the private key does not belong to this certificate"),
			text.F("choose the key file that was created together with this certificate"))
	}
	switch {
	case now.Before(leaf.NotBefore):
		add(check.Error, text.F("the certificate is not valid yet: it starts on %s", leaf.NotBefore.UTC().Format("2 Jan 2006 15:04 MST")),
			text.F("wait until then, or check this computer's clock"))
	case now.After(leaf.NotAfter):
		add(check.Error, text.F("the certificate expired on %s", leaf.NotAfter.UTC().Format("2 Jan 2006")),
			text.F("ask your trust framework or certificate provider for a new certificate"))
	case leaf.NotAfter.Sub(now) < ExpiryWarning:
		add(check.Warning, text.F("the certificate expires in %d days (%s)", int(leaf.NotAfter.Sub(now).Hours()/24), leaf.NotAfter.UTC().Format("2 Jan 2006")),
			text.F("plan its renewal now; registrations made with it stop working when it expires"))
	}
	if rsaKey, ok := leaf.PublicKey.(*rsa.PublicKey); ok && rsaKey.N.BitLen() < MinRSABits {
		add(check.Error, text.F("the key is RSA %d bits; banks require at least %d", rsaKey.N.BitLen(), MinRSABits),
			text.F("request a new certificate with an RSA key of 2048 bits or more"))
	}
	for i := 1; i < len(c.Chain); i++ {
		if err := c.Chain[i-1].CheckSignatureFrom(c.Chain[i]); err != nil {
			add(check.Warning, text.F("certificate %d in the file was not issued by certificate %d, so the chain is out of order or incomplete", i, i+1),
				text.F("put the certificate first, then the authority that issued it, and so on"))
			break
		}
	}
	return out
}
