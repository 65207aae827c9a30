package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"time"

	"github.com/tppwizard/tppwizard/core/text"
)

// Authority is a certificate authority that issues certificates. The sandbox
// bank uses it for its own PKI; tests use it to make certificates of every
// shape a trust framework might hand out.
type Authority struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Chain is the authority's own chain above Cert (empty for a root).
	Chain []*x509.Certificate
}

// NewRootAuthority makes a self-signed root CA with a fresh key.
func NewRootAuthority(name string, bits int, now time.Time) (*Authority, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{name}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	cert, err := createCertificate(tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return &Authority{Cert: cert, Key: key}, nil
}

// Spec describes a certificate to issue.
type Spec struct {
	CommonName   string
	Organization string
	OrgUnit      string
	Country      string
	// OrganizationIdentifier is the eIDAS organizationIdentifier (2.5.4.97).
	OrganizationIdentifier string
	// PSD2Roles adds an ETSI TS 119 495 QCStatement with these roles.
	PSD2Roles []string
	NCAName   string
	NCAID     string
	// Key is the subject's key; when nil an RSA key of KeyBits (default 2048)
	// is generated, or a P-256 key when EC is set.
	Key       crypto.Signer
	KeyBits   int
	EC        bool
	NotBefore time.Time
	NotAfter  time.Time
	// CA makes an intermediate authority.
	CA bool
	// Server adds serverAuth usage and these DNS names / IPs.
	DNSNames []string
	IPs      []net.IP
}

// Issue signs a new certificate for spec and returns it with its key and the
// chain up to (not including) the root.
func (a *Authority) Issue(spec Spec) (*Credential, error) {
	key := spec.Key
	if key == nil {
		var err error
		switch {
		case spec.EC:
			key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		default:
			bits := spec.KeyBits
			if bits == 0 {
				bits = 2048
			}
			key, err = rsa.GenerateKey(rand.Reader, bits)
		}
		if err != nil {
			return nil, text.Errorf("generate key: %w", err)
		}
	}
	subject := pkix.Name{CommonName: spec.CommonName}
	if spec.Country != "" {
		subject.Country = []string{spec.Country}
	}
	if spec.Organization != "" {
		subject.Organization = []string{spec.Organization}
	}
	if spec.OrgUnit != "" {
		subject.OrganizationalUnit = []string{spec.OrgUnit}
	}
	if spec.OrganizationIdentifier != "" {
		subject.ExtraNames = append(subject.ExtraNames, pkix.AttributeTypeAndValue{Type: OIDOrganizationIdentifier, Value: spec.OrganizationIdentifier})
	}
	tmpl := &x509.Certificate{
		Subject:     subject,
		NotBefore:   spec.NotBefore,
		NotAfter:    spec.NotAfter,
		DNSNames:    spec.DNSNames,
		IPAddresses: spec.IPs,
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = tmpl.NotBefore.AddDate(1, 0, 0)
	}
	switch {
	case spec.CA:
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	case len(spec.DNSNames) > 0 || len(spec.IPs) > 0:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	default:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	if len(spec.PSD2Roles) > 0 {
		val, err := MarshalPSD2QCStatements(spec.PSD2Roles, spec.NCAName, spec.NCAID)
		if err != nil {
			return nil, err
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: OIDQCStatements, Value: val})
	}
	cert, err := createCertificate(tmpl, a.Cert, key.Public(), a.Key)
	if err != nil {
		return nil, err
	}
	chain := append([]*x509.Certificate{cert}, a.chainBelowRoot()...)
	return &Credential{Chain: chain, Key: key}, nil
}

// Intermediate issues a subordinate authority.
func (a *Authority) Intermediate(name string) (*Authority, error) {
	cred, err := a.Issue(Spec{CommonName: name, Organization: name, CA: true, NotAfter: a.Cert.NotAfter})
	if err != nil {
		return nil, err
	}
	return &Authority{Cert: cred.Leaf(), Key: cred.Key, Chain: cred.Chain[1:]}, nil
}

// chainBelowRoot is this authority and its parents, without the root.
func (a *Authority) chainBelowRoot() []*x509.Certificate {
	if isSelfSigned(a.Cert) {
		return nil
	}
	return append([]*x509.Certificate{a.Cert}, a.Chain...)
}

func isSelfSigned(c *x509.Certificate) bool {
	return c.CheckSignatureFrom(c) == nil
}

func createCertificate(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, text.Errorf("create certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// SignRequest issues a certificate for a CSR whose signature it has
// checked: the subject exactly as requested (the raw DER, so order and
// attribute types are kept), the requester's key, and the key usages of a
// transport (TLS client) or a signing (seal) certificate.
func (a *Authority) SignRequest(req *x509.CertificateRequest, signing bool, notBefore, notAfter time.Time) ([]*x509.Certificate, error) {
	if err := req.CheckSignature(); err != nil {
		return nil, text.Errorf("the certificate request's signature does not verify: %w", err)
	}
	tmpl := &x509.Certificate{RawSubject: req.RawSubject, NotBefore: notBefore, NotAfter: notAfter}
	if signing {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	cert, err := createCertificate(tmpl, a.Cert, req.PublicKey, a.Key)
	if err != nil {
		return nil, err
	}
	return append([]*x509.Certificate{cert}, a.chainBelowRoot()...), nil
}
