package sandbox

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/ssa"
)

// ssaRoles maps PSD2 certificate roles to software statement roles.
var ssaRoles = map[string]string{pki.RoleAI: "AISP", pki.RolePI: "PISP", pki.RoleIC: "CBPII"}

// Enrolment describes a TPP joining the sandbox trust framework.
type Enrolment struct {
	OrgName string
	// OrgIdentifier is the eIDAS organizationIdentifier of its certificates.
	OrgIdentifier string
	// OrgID is its id in the directory (the OU of OBIE certificates).
	OrgID        string
	Country      string
	ClientName   string
	PSD2Roles    []string
	RedirectURIs []string
	Contacts     []ssa.Contact
	// SoftwareID is chosen when empty.
	SoftwareID string
}

// Member is an enrolled TPP: its software in the directory and the
// transport and signing certificates the trust framework issued it.
type Member struct {
	Software   *Software
	Transport  *pki.Credential
	Signing    *pki.Credential
	SigningKID string
}

// Enrol issues a transport and a signing certificate for a TPP's software
// and publishes their keys in the directory.
func (s *Server) Enrol(e Enrolment) (*Member, error) {
	if e.SoftwareID == "" {
		e.SoftwareID = newID(22)
	}
	spec := func(cn string) pki.Spec {
		return pki.Spec{CommonName: cn, OrgUnit: e.OrgID, Organization: e.OrgName, Country: e.Country,
			OrganizationIdentifier: e.OrgIdentifier, PSD2Roles: e.PSD2Roles, NCAName: "Sandbox NCA", NCAID: e.Country + "-SBX",
			NotBefore: s.now().Add(-time.Hour), NotAfter: s.now().AddDate(1, 0, 0)}
	}
	transport, err := s.ca.Issue(spec(e.SoftwareID))
	if err != nil {
		return nil, err
	}
	signing, err := s.ca.Issue(spec(e.SoftwareID + " signing"))
	if err != nil {
		return nil, err
	}
	m := &Member{Transport: transport, Signing: signing, SigningKID: e.SoftwareID + "-sig-1"}
	m.Software, err = s.publish(e, m)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// publish adds a member's software to the directory with its keys.
func (s *Server) publish(e Enrolment, m *Member) (*Software, error) {
	sig, err := pki.CertificateJWK(m.Signing.Leaf(), m.SigningKID, "sig", "PS256", nil)
	if err != nil {
		return nil, err
	}
	tls, err := pki.CertificateJWK(m.Transport.Leaf(), e.SoftwareID+"-tls-1", "tls", "", nil)
	if err != nil {
		return nil, err
	}
	var roles []string
	for _, r := range e.PSD2Roles {
		if role, ok := ssaRoles[r]; ok {
			roles = append(roles, role)
		}
	}
	sw := &Software{ID: e.SoftwareID, ClientName: e.ClientName, OrgID: e.OrgID, OrgName: e.OrgName,
		RedirectURIs: e.RedirectURIs, Roles: roles, Contacts: e.Contacts, Keys: []pki.JWK{sig, tls}, Active: true}
	return sw, s.AddSoftware(sw)
}

// DemoIdentityName is the name the demo identity is imported under.
const DemoIdentityName = "Sandbox demo TPP"

// demoEnrolment is the demo TPP: every PSD2 role, contacts and https
// redirect URIs, so that it can register with every sandbox bank.
func demoEnrolment() Enrolment {
	return Enrolment{
		OrgName: "Demo Payments Ltd", OrgIdentifier: "PSDGB-SBX-000001", OrgID: "0015800001SBXDEMO1", Country: "GB",
		ClientName: "Demo Pay (sandbox)", PSD2Roles: []string{pki.RoleAI, pki.RolePI, pki.RoleIC},
		RedirectURIs: []string{"https://demo-tpp.example/callback", "https://demo-tpp.example/callback/mobile"},
		Contacts:     []ssa.Contact{{Name: "Alex Demo", Email: "alex.demo@demo-tpp.example", Phone: "+442071234567", Type: "business"}},
	}
}

// Demo is the ready demo TPP with a fresh software statement.
type Demo struct {
	Member
	Statement string
}

// Demo files, in the sandbox directory's demo/ folder.
const (
	demoFolder        = "demo"
	demoTransportCert = "transport.pem"
	demoTransportKey  = "transport-key.pem"
	demoSigningCert   = "signing.pem"
	demoSigningKey    = "signing-key.pem"
	demoStatement     = "ssa.jwt"
	demoSoftwareFile  = "software-id"
)

// Demo returns the demo TPP, enrolling it on first use (and keeping it in
// Dir when set), with a statement signed now. The sandbox must be started,
// since the statement names the directory's address.
func (s *Server) Demo() (*Demo, error) {
	if s.base == "" {
		return nil, errors.New("start the sandbox before asking for the demo identity")
	}
	s.mu.Lock()
	cached := s.demo
	s.mu.Unlock()
	m := cached
	if m == nil {
		var err error
		if m, err = s.loadDemo(); err != nil {
			return nil, err
		}
	}
	if m == nil {
		var err error
		if m, err = s.Enrol(demoEnrolment()); err != nil {
			return nil, err
		}
		if err := s.saveDemo(m); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	s.demo = m
	s.mu.Unlock()
	ssa, err := s.IssueStatement(m.Software.ID)
	if err != nil {
		return nil, err
	}
	return &Demo{Member: *m, Statement: ssa}, nil
}

// loadDemo reads the demo TPP from Dir; nil when there is none, or when it
// no longer fits this sandbox (another CA, software gone).
func (s *Server) loadDemo() (*Member, error) {
	if s.opts.Dir == "" {
		return nil, nil
	}
	dir := filepath.Join(s.opts.Dir, demoFolder)
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	id, err := read(demoSoftwareFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sw := s.Software(strings.TrimSpace(string(id)))
	if sw == nil {
		return nil, nil
	}
	load := func(certName, keyName string) (*pki.Credential, error) {
		c, err := read(certName)
		if err != nil {
			return nil, err
		}
		k, err := read(keyName)
		if err != nil {
			return nil, err
		}
		return pki.LoadCredential(c, k, nil)
	}
	transport, err := load(demoTransportCert, demoTransportKey)
	if err != nil {
		return nil, nil
	}
	signing, err := load(demoSigningCert, demoSigningKey)
	if err != nil {
		return nil, nil
	}
	for _, c := range []*pki.Credential{transport, signing} {
		if _, err := c.Leaf().Verify(x509.VerifyOptions{Roots: s.roots, CurrentTime: s.now().AddDate(0, 0, 7), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return nil, nil // another CA, or about to expire: enrol afresh
		}
	}
	if !sw.hasCertificate(transport.Leaf()) || !sw.hasCertificate(signing.Leaf()) {
		return nil, nil
	}
	kid := ""
	for _, k := range sw.Keys {
		if k.Use == "sig" {
			kid = k.Kid
		}
	}
	return &Member{Software: sw, Transport: transport, Signing: signing, SigningKID: kid}, nil
}

func (s *Server) saveDemo(m *Member) error {
	if s.opts.Dir == "" {
		return nil
	}
	_, err := m.write(filepath.Join(s.opts.Dir, demoFolder), "")
	return err
}

// DemoFiles are where a demo identity was written.
type DemoFiles struct {
	Dir                         string
	TransportCert, TransportKey string
	SigningCert, SigningKey     string
	Statement                   string
	CA                          string
}

// write puts the member's certificates and keys (and the statement, when
// given) in dir.
func (m *Member) write(dir, statement string) (DemoFiles, error) {
	f := DemoFiles{Dir: dir}
	files := []struct {
		name string
		data func() ([]byte, error)
		mode os.FileMode
		dst  *string
	}{
		{demoTransportCert, func() ([]byte, error) { return pki.EncodeCertificates(m.Transport.Chain), nil }, 0o644, &f.TransportCert},
		{demoTransportKey, func() ([]byte, error) { return pki.EncodePrivateKey(m.Transport.Key) }, 0o600, &f.TransportKey},
		{demoSigningCert, func() ([]byte, error) { return pki.EncodeCertificates(m.Signing.Chain), nil }, 0o644, &f.SigningCert},
		{demoSigningKey, func() ([]byte, error) { return pki.EncodePrivateKey(m.Signing.Key) }, 0o600, &f.SigningKey},
		{demoSoftwareFile, func() ([]byte, error) { return []byte(m.Software.ID + "\n"), nil }, 0o644, new(string)},
	}
	if statement != "" {
		files = append(files, struct {
			name string
			data func() ([]byte, error)
			mode os.FileMode
			dst  *string
		}{demoStatement, func() ([]byte, error) { return []byte(statement + "\n"), nil }, 0o644, &f.Statement})
	}
	for _, file := range files {
		data, err := file.data()
		if err != nil {
			return f, err
		}
		if err := writeFile(dir, file.name, data, file.mode); err != nil {
			return f, fmt.Errorf("write the demo identity: %w", err)
		}
		*file.dst = filepath.Join(dir, file.name)
	}
	return f, nil
}

// Write puts the demo identity's files and the sandbox CA in dir.
func (s *Server) WriteDemo(d *Demo, dir string) (DemoFiles, error) {
	f, err := d.write(dir, d.Statement)
	if err != nil {
		return f, err
	}
	if err := writeFile(dir, caFile, s.CAPEM(), 0o644); err != nil {
		return f, err
	}
	f.CA = filepath.Join(dir, caFile)
	return f, nil
}

// Identity is the demo TPP as a wizard identity, checked as an import is.
func (d *Demo) Identity(name string, s *Server) (identity.Identity, error) {
	tk, err := pki.EncodePrivateKey(d.Transport.Key)
	if err != nil {
		return identity.Identity{}, err
	}
	sk, err := pki.EncodePrivateKey(d.Signing.Key)
	if err != nil {
		return identity.Identity{}, err
	}
	return identity.FromFiles(identity.Files{Name: name,
		TransportCert: pki.EncodeCertificates(d.Transport.Chain), TransportKey: tk,
		SigningCert: pki.EncodeCertificates(d.Signing.Chain), SigningKey: sk, SigningKID: d.SigningKID,
		SSA: []byte(d.Statement), ClientID: d.Software.ID}, s.now())
}

// ImportArgs are the "tppwizard identity import" arguments for files.
func (d *Demo) ImportArgs(name string, f DemoFiles) []string {
	return []string{"identity", "import", "--name", name,
		"--transport-cert", f.TransportCert, "--transport-key", f.TransportKey,
		"--signing-cert", f.SigningCert, "--signing-key", f.SigningKey, "--signing-kid", d.SigningKID,
		"--ssa", f.Statement, "--client-id", d.Software.ID}
}

// RenewTransport issues a member a new transport certificate with the same
// subject and roles, with a new key, and publishes it beside the old one
// in the directory, as a trust framework does while a certificate is
// being replaced. It returns the member with the new certificate.
func (s *Server) RenewTransport(m *Member) (*Member, error) {
	old := m.Transport.Leaf()
	spec := pki.Spec{CommonName: old.Subject.CommonName, Organization: first(old.Subject.Organization), OrgUnit: first(old.Subject.OrganizationalUnit),
		Country: first(old.Subject.Country), OrganizationIdentifier: pki.OrganizationIdentifier(old),
		NotBefore: s.now().Add(-time.Minute), NotAfter: s.now().AddDate(1, 0, 0)}
	if info, ok := pki.PSD2(old); ok {
		spec.PSD2Roles, spec.NCAName, spec.NCAID = info.Roles, info.NCAName, info.NCAID
	}
	renewed, err := s.ca.Issue(spec)
	if err != nil {
		return nil, err
	}
	sw := s.Software(m.Software.ID)
	if sw == nil {
		return nil, fmt.Errorf("software %s is not in the directory", m.Software.ID)
	}
	jwk, err := pki.CertificateJWK(renewed.Leaf(), fmt.Sprintf("%s-tls-%s", sw.ID, renewed.Leaf().SerialNumber.Text(16)), "tls", "", nil)
	if err != nil {
		return nil, err
	}
	updated := *sw
	updated.Keys = append(slices.Clone(sw.Keys), jwk)
	if err := s.AddSoftware(&updated); err != nil {
		return nil, err
	}
	out := *m
	out.Transport, out.Software = renewed, &updated
	return &out, nil
}

func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}
