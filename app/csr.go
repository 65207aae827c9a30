package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tppwizard/tppwizard/assets"
	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/csr"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

var (
	frameworksOnce sync.Once
	frameworks     []*csr.Framework
	frameworksErr  error
)

// Frameworks are the trust frameworks whose certificates the wizard can
// request (assets/frameworks).
func (a *App) Frameworks() ([]*csr.Framework, error) {
	frameworksOnce.Do(func() { frameworks, frameworksErr = csr.Load(assets.Frameworks()) })
	return frameworks, frameworksErr
}

// CSRRequest is what the user asks for: new keys and their certificate
// requests, for a new identity or to renew one.
type CSRRequest struct {
	// Name is the identity the keys become once certified.
	Name      string
	Framework string
	KeyType   csr.KeyType // empty: the framework's first
	Values    map[string]string
	// Uses are the certificates to request (default: all the framework's).
	Uses []string
	// Renews names an identity whose certificates these replace.
	Renews string
}

// CSRProblems are the checks a request failed, before any key was made.
type CSRProblems struct{ Findings check.List }

func (e *CSRProblems) Error() string { return e.In(text.English) }

// In says the problems in t, one per line.
func (e *CSRProblems) In(t text.Translator) string {
	out := text.F("the certificate request cannot be made yet:").In(t)
	for _, f := range e.Findings {
		out += "\n  - " + f.In(t)
	}
	return out
}

// NewCSRs are the requests made: the pending identity (its keys are in
// the keyring) and each CSR in PEM, by use.
type NewCSRs struct {
	Framework *csr.Framework
	Pending   identity.Pending
	PEM       map[string][]byte
}

// NewCSR generates a key pair per certificate in memory, makes each CSR
// and keeps the keys in the keyring under a pending identity. No key is
// ever written to a file; when there is no keyring (memory only), it
// refuses, since the keys would be gone when the wizard closes.
func (a *App) NewCSR(r CSRRequest) (*NewCSRs, error) {
	list, err := a.Frameworks()
	if err != nil {
		return nil, err
	}
	fw, err := csr.Find(list, r.Framework)
	if err != nil {
		return nil, err
	}
	if r.KeyType == "" {
		r.KeyType = fw.KeyTypes[0]
	}
	if !slices.Contains(fw.KeyTypes, r.KeyType) {
		return nil, text.Errorf("%s does not accept %s keys; it accepts %v", text.Data(fw.Name), string(r.KeyType), fw.KeyTypes)
	}
	if err := identity.ValidateName(r.Name); err != nil {
		return nil, err
	}
	if problems := fw.Check(r.Values); len(problems) > 0 {
		return nil, &CSRProblems{problems}
	}
	if p := a.KeyringProblem(); p != nil {
		return nil, text.Errorf("new keys are kept only in the system keyring, and it cannot be used: %w", p)
	}
	v := a.Vault()
	if r.Renews == "" {
		if _, err := v.Load(r.Name); err == nil {
			return nil, text.Errorf("an identity named %q exists; choose another name, or renew it", r.Name)
		} else if !errors.Is(err, keystore.ErrNotFound) {
			return nil, err
		}
	}
	if names, err := v.ListPending(); err != nil {
		return nil, err
	} else if slices.Contains(names, r.Name) {
		return nil, text.Errorf("keys named %q are already waiting for their certificates; import those, or delete them first", r.Name)
	}
	uses := r.Uses
	if len(uses) == 0 {
		for _, c := range fw.Certificates {
			uses = append(uses, c.Use)
		}
	}
	p := identity.Pending{Name: r.Name, Framework: fw.ID, Values: r.Values, Created: a.now().UTC(), Renews: r.Renews}
	out := &NewCSRs{Framework: fw, PEM: map[string][]byte{}}
	for _, use := range uses {
		tmpl, ok := fw.Template(use)
		if !ok {
			return nil, text.Errorf("%s issues no %s certificate", text.Data(fw.Name), use)
		}
		key, err := csr.NewKey(r.KeyType, rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := csr.Create(tmpl, r.Values, key)
		if err != nil {
			return nil, err
		}
		keyPEM, err := pki.EncodePrivateKey(key)
		if err != nil {
			return nil, err
		}
		out.PEM[use] = csr.EncodePEM(der)
		p.Requests = append(p.Requests, identity.Request{Use: use, KeyType: string(r.KeyType), Key: string(keyPEM), CSR: string(out.PEM[use])})
	}
	if err := v.SavePending(p); err != nil {
		return nil, err
	}
	out.Pending = p
	a.log.Info("new keys and certificate requests", "identity", r.Name, "framework", fw.ID, "uses", uses, "key_type", r.KeyType)
	return out, nil
}

// CompleteCSR imports a certificate the trust framework issued: it is
// paired with the waiting key it certifies.
func (a *App) CompleteCSR(certPEM []byte) (*identity.Completed, error) {
	done, err := a.Vault().Complete(certPEM)
	if err != nil {
		return nil, err
	}
	a.log.Info("certificate paired with its key", "identity", done.Pending, "use", done.Use, "complete", done.Identity != nil)
	return done, nil
}

// IssueInSandbox has the running sandbox's trust framework issue every
// certificate a pending identity waits for, and imports them: the demo's
// stand-in for uploading the CSR to a portal.
func (a *App) IssueInSandbox(ctx context.Context, name string) (*identity.Completed, error) {
	srv := a.runningSandbox()
	if srv == nil {
		return nil, text.Errorf("the demo bank is not running")
	}
	p, err := a.Vault().LoadPending(name)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.CA().Cert)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	var done *identity.Completed
	for _, r := range p.Requests {
		if r.Cert != "" {
			continue
		}
		// The demo directory's certificates name the application in their
		// CN (the signing one with " signing" after it), renewals included.
		parsed, err := csr.ParsePEM([]byte(r.CSR))
		if err != nil {
			return nil, err
		}
		software := strings.TrimSuffix(parsed.Subject.CommonName, " signing")
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.CertificatesURL(software, r.Use), bytes.NewReader([]byte(r.CSR)))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/pkcs10")
		resp, err := client.Do(req)
		if err != nil {
			return nil, text.Errorf("send the %s request to the demo trust framework: %w", r.Use, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusCreated {
			return nil, text.Errorf("the demo trust framework refused the %s request (HTTP %d): %s", r.Use, resp.StatusCode, string(bytes.TrimSpace(body)))
		}
		if done, err = a.CompleteCSR(body); err != nil {
			return nil, err
		}
	}
	if done == nil {
		return nil, text.Errorf("%q waits for no certificate", name)
	}
	return done, nil
}

// SandboxValues are the demo trust framework's subject values for the demo
// TPP's application, to request its certificates in a demo.
func (a *App) SandboxValues() (map[string]string, error) {
	srv := a.runningSandbox()
	if srv == nil {
		return nil, text.Errorf("the demo bank is not running")
	}
	demo, err := srv.Demo()
	if err != nil {
		return nil, err
	}
	leaf := demo.Transport.Leaf()
	country := ""
	if len(leaf.Subject.Country) > 0 {
		country = leaf.Subject.Country[0]
	}
	return map[string]string{"country": country, "org_name": demo.Software.OrgName, "org_id": demo.Software.OrgID,
		"org_identifier": pki.OrganizationIdentifier(leaf), "software_id": demo.Software.ID}, nil
}

// RenewalFramework is the framework a renewal is recorded under: it asks
// for the subjects of the certificates it replaces, whatever their
// framework.
const RenewalFramework = "renewal"

// RenewalWindow is how long before a certificate ends that home offers to
// renew it.
const RenewalWindow = 30 * 24 * time.Hour

// Expiring is a certificate of a saved identity that ends within the
// renewal window (or has ended).
type Expiring struct {
	Identity string
	Use      string
	NotAfter time.Time
	DaysLeft int
}

// ExpiringSoon lists the saved identities' certificates that end within
// RenewalWindow, soonest first. It reads the keyring: call it off the UI
// goroutine.
func (a *App) ExpiringSoon() ([]Expiring, error) {
	names, err := a.Vault().List()
	if err != nil {
		return nil, err
	}
	now := a.now()
	var out []Expiring
	for _, n := range names {
		id, err := a.Identity(n)
		if err != nil {
			continue // a damaged identity is reported where it is opened
		}
		for use, c := range map[string]*pki.Credential{"transport": id.Transport, "signing": id.Signing} {
			if c == nil || c.Leaf().NotAfter.Sub(now) > RenewalWindow {
				continue
			}
			out = append(out, Expiring{Identity: n, Use: use, NotAfter: c.Leaf().NotAfter, DaysLeft: int(c.Leaf().NotAfter.Sub(now).Hours() / 24)})
		}
	}
	slices.SortFunc(out, func(x, y Expiring) int { return x.NotAfter.Compare(y.NotAfter) })
	return out, nil
}

// RenewCSR makes, for each certificate of an identity, a new key of the
// same type and a CSR with exactly the old certificate's subject, kept as
// keys waiting under the identity's name. When the new certificates are
// imported they replace the old ones in the identity (its statement and
// client id stay); the registrations made with the old ones then need
// telling (see RenewedSince).
func (a *App) RenewCSR(name string) (*NewCSRs, error) {
	if p := a.KeyringProblem(); p != nil {
		return nil, text.Errorf("new keys are kept only in the system keyring, and it cannot be used: %w", p)
	}
	id, err := a.Identity(name)
	if err != nil {
		return nil, err
	}
	v := a.Vault()
	if names, err := v.ListPending(); err != nil {
		return nil, err
	} else if slices.Contains(names, name) {
		return nil, text.Errorf("keys named %q are already waiting for their certificates; import those, or delete them first", name)
	}
	p := identity.Pending{Name: name, Framework: RenewalFramework, Created: a.now().UTC(), Renews: name}
	out := &NewCSRs{Framework: &csr.Framework{ID: RenewalFramework, Name: a.T("Renewal of %s", name),
		Instructions: a.T("Send each file to whoever issued the certificate it replaces (your trust framework's directory or your QTSP), as you did for the first one. The new certificate has the same subject; import it here when it comes back, and the identity switches to it.")},
		PEM: map[string][]byte{}}
	for _, c := range []struct {
		use  string
		cred *pki.Credential
	}{{"transport", id.Transport}, {"signing", id.Signing}} {
		if c.cred == nil {
			continue
		}
		kt, ok := csr.KeyTypeOf(c.cred.Leaf().PublicKey)
		if !ok {
			kt = csr.RSA2048
		}
		key, err := csr.NewKey(kt, rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := csr.CreateFor(c.cred.Leaf().RawSubject, key)
		if err != nil {
			return nil, err
		}
		keyPEM, err := pki.EncodePrivateKey(key)
		if err != nil {
			return nil, err
		}
		out.PEM[c.use] = csr.EncodePEM(der)
		p.Requests = append(p.Requests, identity.Request{Use: c.use, KeyType: string(kt), Key: string(keyPEM), CSR: string(out.PEM[c.use])})
	}
	if err := v.SavePending(p); err != nil {
		return nil, err
	}
	out.Pending = p
	a.log.Info("renewal keys and certificate requests", "identity", name, "certificates", len(p.Requests))
	return out, nil
}

// SandboxRunning reports whether the demo bank runs in this process.
func (a *App) SandboxRunning() bool { return a.runningSandbox() != nil }

// RegistrationsToTell counts the clients registered with an identity whose
// bank was last sent other certificates than the identity has now: after a
// renewal, each needs the lifecycle update. It reads the journal and the
// keyring: call it off the UI goroutine.
func (a *App) RegistrationsToTell(name string) int {
	id, err := a.Identity(name)
	if err != nil {
		return 0
	}
	recs, err := a.Records()
	if err != nil {
		return 0
	}
	seen := map[string]bool{}
	n := 0
	for _, r := range recs {
		// Newest first: the client's latest change says what the bank
		// holds; a deleted client needs nothing.
		client := r.ProfileID + "\x00" + r.ClientID
		if r.Identity != name || r.ClientID == "" || r.Status != records.Succeeded || seen[client] ||
			r.Operation == string(registration.Read) {
			continue
		}
		seen[client] = true
		if r.Operation != string(registration.Delete) && len(a.renewed(&r, id)) > 0 {
			n++
		}
	}
	return n
}

// CSRFileName is the file a request is saved as: the identity's name made
// safe for every file system, then the certificate's use.
func CSRFileName(name, use string) string {
	safe := strings.Map(func(r rune) rune {
		if strings.ContainsRune(` /\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, name)
	return safe + "-" + use + ".csr"
}
