package identity

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/text"
)

// Pending is an identity whose keys exist but whose certificates the trust
// framework has not issued yet. Its private keys were generated in memory
// and live only here, in the keyring: never in a file.
type Pending struct {
	// Name is the identity it becomes once every certificate is in.
	Name      string `json:"name"`
	Framework string `json:"framework"`
	// Values are what the user typed for the subject, kept for renewal.
	Values   map[string]string `json:"values"`
	Requests []Request         `json:"requests"`
	Created  time.Time         `json:"created"`
	// Renews names the identity this one replaces the certificates of;
	// empty for a new identity.
	Renews string `json:"renews,omitempty"`
}

// Request is one key pair waiting for its certificate.
type Request struct {
	Use     string `json:"use"` // transport or signing
	KeyType string `json:"key_type"`
	// Key is the private key, PKCS #8 PEM: a secret.
	Key string `json:"key"`
	CSR string `json:"csr"`
	// Cert is the issued certificate chain, once imported.
	Cert string `json:"cert,omitempty"`
}

func pendingKey(name string) string { return "pending/" + name }

var pendingIndex = index{"index/pending", text.F("the index of new keys")}

// SavePending stores a pending identity whole.
func (v *Vault) SavePending(p Pending) error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := v.store.Set(pendingKey(p.Name), string(raw)); err != nil {
		return text.Errorf("save the new keys of %q: %w", p.Name, err)
	}
	return v.addName(pendingIndex, p.Name)
}

// LoadPending reads a pending identity.
func (v *Vault) LoadPending(name string) (Pending, error) {
	raw, err := v.store.Get(pendingKey(name))
	if errors.Is(err, keystore.ErrNotFound) {
		return Pending{}, text.Errorf("no keys are waiting for certificates under the name %q", name)
	}
	if err != nil {
		return Pending{}, err
	}
	var p Pending
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Pending{}, text.Errorf("the new keys of %q in the keyring are damaged: %w", name, err)
	}
	return p, nil
}

// ListPending returns the names of the pending identities, sorted.
func (v *Vault) ListPending() ([]string, error) { return v.readNames(pendingIndex) }

// DeletePending removes a pending identity and its keys.
func (v *Vault) DeletePending(name string) error {
	if err := v.store.Delete(pendingKey(name)); err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return err
	}
	return v.removeName(pendingIndex, name)
}

// Completed says what an imported certificate completed.
type Completed struct {
	Pending string
	Use     string
	Leaf    *x509.Certificate
	// Identity is set once every certificate is in: the identity, saved
	// and usable. Waiting lists the uses still without a certificate.
	Identity *Identity
	Waiting  []string
}

// ErrNoPendingKey is the answer for a certificate no waiting key matches.
var ErrNoPendingKey = errors.New("no waiting key")

type noMatch struct{ subject string }

func (e noMatch) Error() string { return e.In(text.English) }
func (e noMatch) In(t text.Translator) string {
	return text.F("the certificate %q does not belong to any key waiting for one: its public key matches none of the keys this wizard made. Check that it is the certificate issued for the request you sent, not an older one", e.subject).In(t)
}
func (e noMatch) Unwrap() error { return ErrNoPendingKey }

// Complete pairs an issued certificate chain (PEM) with the pending key
// whose public key it certifies. When that was the last certificate
// missing, the identity is saved (a renewal keeps the old identity's
// statement, client id and key id) and the pending keys are removed.
func (v *Vault) Complete(certPEM []byte) (*Completed, error) {
	chain, err := pki.ParseCertificates(certPEM)
	if err != nil {
		return nil, err
	}
	leaf := chain[0]
	names, err := v.ListPending()
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		p, err := v.LoadPending(name)
		if err != nil {
			return nil, err
		}
		for i, r := range p.Requests {
			key, err := pki.ParsePrivateKey([]byte(r.Key), nil)
			if err != nil {
				return nil, text.Errorf("the new %s key of %q: %w", r.Use, name, err)
			}
			if !samePublicKey(leaf.PublicKey, key.Public()) {
				continue
			}
			p.Requests[i].Cert = string(pki.EncodeCertificates(chain))
			return v.finish(p, r.Use, leaf)
		}
	}
	return nil, noMatch{leaf.Subject.CommonName}
}

func samePublicKey(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

func (v *Vault) finish(p Pending, use string, leaf *x509.Certificate) (*Completed, error) {
	done := &Completed{Pending: p.Name, Use: use, Leaf: leaf}
	for _, r := range p.Requests {
		if r.Cert == "" {
			done.Waiting = append(done.Waiting, r.Use)
		}
	}
	if len(done.Waiting) > 0 {
		return done, v.SavePending(p)
	}
	id := Identity{Name: p.Name, Created: time.Now().UTC()}
	if p.Renews != "" {
		old, err := v.Load(p.Renews)
		if err != nil {
			return nil, err
		}
		id = old
	}
	for _, r := range p.Requests {
		switch r.Use {
		case "transport":
			id.TransportCert, id.TransportKey = r.Cert, r.Key
		case "signing":
			id.SigningCert, id.SigningKey = r.Cert, r.Key
		}
	}
	if _, err := id.Parse(); err != nil {
		return nil, err
	}
	if err := v.Save(id); err != nil {
		return nil, err
	}
	done.Identity = &id
	return done, v.DeletePending(p.Name)
}

// Waiting lists the uses still without a certificate.
func (p Pending) Waiting() []string {
	var waiting []string
	for _, r := range p.Requests {
		if r.Cert == "" {
			waiting = append(waiting, r.Use)
		}
	}
	return waiting
}

// PendingSummary is Waiting as a line: "transport, signing".
func (p Pending) PendingSummary() string { return strings.Join(p.Waiting(), ", ") }
