// Package identity is a TPP's registration identity: its transport
// credential for mutual TLS, its signing credential, its software statement
// and trust-framework client id, saved and loaded whole through a keystore.
package identity

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"sort"
	"time"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/ssa"
	"github.com/tppwizard/tppwizard/core/text"
)

// Identity is everything a TPP presents to a bank. The PEM fields hold
// private keys: an Identity lives only in the keyring and in memory.
type Identity struct {
	Name string `json:"name"`
	// TransportCert is the QWAC / OB transport certificate chain, leaf first.
	TransportCert string `json:"transport_cert"`
	TransportKey  string `json:"transport_key"`
	// SigningCert is the QSEALC / OB signing certificate chain.
	SigningCert string `json:"signing_cert,omitempty"`
	SigningKey  string `json:"signing_key,omitempty"`
	// SigningKID is the key id under which the signing key is published
	// (the software statement's JWKS for UK banks).
	SigningKID string `json:"signing_kid,omitempty"`
	// SSA is the software statement assertion, a JWS.
	SSA string `json:"ssa,omitempty"`
	// ClientID is the client id the trust framework's directory gave the
	// application (Al Tareq uses it as the bank-side client id).
	ClientID string    `json:"client_id,omitempty"`
	Created  time.Time `json:"created"`
}

var namePattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$`)

// ValidateName checks that a name can label an identity.
func ValidateName(name string) error {
	if !namePattern.MatchString(name) {
		return text.Errorf("identity name %q is not usable: use 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit", name)
	}
	return nil
}

// Parsed is an identity with its credentials decoded.
type Parsed struct {
	Identity
	Transport *pki.Credential
	Signing   *pki.Credential // nil when the identity has no signing credential
	Statement *ssa.Statement  // nil when the identity has no SSA
}

// Parse decodes the identity's certificates, keys and SSA.
func (id Identity) Parse() (*Parsed, error) {
	p := &Parsed{Identity: id}
	var err error
	if p.Transport, err = pki.LoadCredential([]byte(id.TransportCert), []byte(id.TransportKey), nil); err != nil {
		return nil, text.Errorf("identity %q, transport %w", id.Name, err)
	}
	if id.SigningCert != "" {
		if p.Signing, err = pki.LoadCredential([]byte(id.SigningCert), []byte(id.SigningKey), nil); err != nil {
			return nil, text.Errorf("identity %q, signing %w", id.Name, err)
		}
	}
	if id.SSA != "" {
		if p.Statement, err = ssa.Parse(id.SSA); err != nil {
			return nil, text.Errorf("identity %q: %w", id.Name, err)
		}
	}
	return p, nil
}

// SigningOrTransport returns the signing credential, or the transport one
// for banks that accept one certificate for both.
func (p *Parsed) SigningOrTransport() *pki.Credential {
	if p.Signing != nil {
		return p.Signing
	}
	return p.Transport
}

// AllCredentials checks every credential the identity holds, for showing
// the identity on its own rather than for one bank.
var AllCredentials = []string{profile.NeedTransport, profile.NeedSigning, profile.NeedSSA}

// Check lists problems, at time now, with the credentials a bank uses (the
// profile's needs): a stale statement or an expired signing certificate
// must not block a bank that never sees them.
func (p *Parsed) Check(needs []string, now time.Time) check.List {
	out := p.Transport.Check("transport certificate", now)
	if p.Signing != nil && slices.Contains(needs, profile.NeedSigning) {
		out = append(out, p.Signing.Check("signing certificate", now)...)
	}
	if p.Statement != nil && slices.Contains(needs, profile.NeedSSA) {
		out = append(out, p.Statement.Check(now)...)
	}
	return out
}

// Files are the raw files a user imports; keys are decrypted on import so
// the keyring holds them ready for use.
type Files struct {
	Name                        string
	TransportCert, TransportKey []byte
	SigningCert, SigningKey     []byte
	SigningKID                  string
	SSA                         []byte
	ClientID                    string
	// Passphrase opens encrypted key files.
	Passphrase []byte
}

// FromFiles checks and converts imported files into an Identity. Keys are
// stored as unencrypted PKCS#8 inside the keyring, which is itself encrypted.
func FromFiles(f Files, now time.Time) (Identity, error) {
	if err := ValidateName(f.Name); err != nil {
		return Identity{}, err
	}
	id := Identity{Name: f.Name, SigningKID: f.SigningKID, ClientID: f.ClientID, Created: now.UTC()}
	var err error
	if id.TransportCert, id.TransportKey, err = importPair("transport", f.TransportCert, f.TransportKey, f.Passphrase); err != nil {
		return Identity{}, err
	}
	if len(f.SigningCert) > 0 {
		if id.SigningCert, id.SigningKey, err = importPair("signing", f.SigningCert, f.SigningKey, f.Passphrase); err != nil {
			return Identity{}, err
		}
	} else if len(f.SigningKey) > 0 {
		return Identity{}, text.New("a signing key was given without its signing certificate")
	}
	if len(f.SSA) > 0 {
		st, err := ssa.Parse(string(f.SSA))
		if err != nil {
			return Identity{}, err
		}
		id.SSA = st.Raw
	}
	return id, nil
}

// importPair reads a certificate and its key, checks they belong together,
// and returns them as the PEM kept in the keyring.
func importPair(role string, certFile, keyFile, passphrase []byte) (certPEM, keyPEM string, err error) {
	if certFile == nil {
		return "", "", text.Errorf("no %[1]s certificate was chosen: choose the %[1]s certificate file your trust framework issued", role)
	}
	c, err := pki.LoadCredential(certFile, keyFile, passphrase)
	if err != nil {
		return "", "", text.Errorf("%s %w", role, err)
	}
	if !c.KeyMatches() {
		return "", "", text.Errorf("the %[1]s key does not belong to the %[1]s certificate: choose the key file created with that certificate", role)
	}
	key, err := pki.EncodePrivateKey(c.Key)
	if err != nil {
		return "", "", err
	}
	return string(pki.EncodeCertificates(c.Chain)), string(key), nil
}

// Vault saves identities in a keystore: one value per identity (split into
// parts by keystore.Chunked when large) and an index of names.
type Vault struct{ store keystore.Store }

// NewVault returns a vault over s, splitting large values.
func NewVault(s keystore.Store) *Vault { return &Vault{store: keystore.NewChunked(s)} }

func identityKey(name string) string { return "identity/" + name }

// Save stores an identity whole, replacing one of the same name.
func (v *Vault) Save(id Identity) error {
	if err := ValidateName(id.Name); err != nil {
		return err
	}
	raw, err := json.Marshal(id)
	if err != nil {
		return err
	}
	if err := v.store.Set(identityKey(id.Name), string(raw)); err != nil {
		return text.Errorf("save identity %q: %w", id.Name, err)
	}
	return v.addName(identityIndex, id.Name)
}

// notSaved is the answer for an identity name the keyring does not hold;
// it is a keystore.ErrNotFound.
type notSaved string

func (n notSaved) Error() string { return n.In(text.English) }

// In says the error in t.
func (n notSaved) In(t text.Translator) string {
	return text.F("no identity named %q is saved in the keyring; import it first, or choose a saved one", string(n)).In(t)
}

func (n notSaved) Unwrap() error { return keystore.ErrNotFound }

// Load reads an identity.
func (v *Vault) Load(name string) (Identity, error) {
	raw, err := v.store.Get(identityKey(name))
	if errors.Is(err, keystore.ErrNotFound) {
		return Identity{}, notSaved(name)
	}
	if err != nil {
		return Identity{}, err
	}
	var id Identity
	if err := json.Unmarshal([]byte(raw), &id); err != nil {
		return Identity{}, text.Errorf("identity %q in the keyring is damaged: %w", name, err)
	}
	return id, nil
}

// List returns the saved identity names, sorted.
func (v *Vault) List() ([]string, error) { return v.readNames(identityIndex) }

// Delete removes an identity.
func (v *Vault) Delete(name string) error {
	if err := v.store.Delete(identityKey(name)); err != nil {
		return err
	}
	return v.removeName(identityIndex, name)
}

// index is a sorted list of names kept in the keyring.
type index struct {
	key  string
	what text.Message // what it is called when it is damaged
}

var identityIndex = index{"index/identities", text.F("the identity index")}

// readNames reads an index, sorted.
func (v *Vault) readNames(ix index) ([]string, error) {
	raw, err := v.store.Get(ix.key)
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal([]byte(raw), &names); err != nil {
		return nil, text.Errorf("%s in the keyring is damaged: %w", ix.what, err)
	}
	sort.Strings(names)
	return names, nil
}

func (v *Vault) writeNames(ix index, names []string) error {
	sort.Strings(names)
	raw, err := json.Marshal(names)
	if err != nil {
		return err
	}
	return v.store.Set(ix.key, string(raw))
}

// addName puts a name in an index, once.
func (v *Vault) addName(ix index, name string) error {
	names, err := v.readNames(ix)
	if err != nil || slices.Contains(names, name) {
		return err
	}
	return v.writeNames(ix, append(names, name))
}

// removeName takes a name out of an index.
func (v *Vault) removeName(ix index, name string) error {
	names, err := v.readNames(ix)
	if err != nil {
		return err
	}
	return v.writeNames(ix, slices.DeleteFunc(names, func(n string) bool { return n == name }))
}

// Store is the vault's underlying (chunking) store, for other secrets such
// as client secrets returned by banks.
func (v *Vault) Store() keystore.Store { return v.store }
