package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/ssa"
)

// Files in the sandbox directory. The keys are the sandbox's own (its CA,
// its directory): demo material, never a real TPP's.
const (
	caFile           = "ca.pem"
	caKeyFile        = "ca-key.pem"
	directoryKeyFile = "directory-key.pem"
	stateFile        = "state.json"
)

// state is what the sandbox remembers between runs: the directory's
// software and the banks' registered clients. Secrets it hands out (client
// secrets, registration access tokens) are kept only as SHA-256 hashes.
type state struct {
	Software map[string]*Software `json:"software"`
	Clients  map[string]*Client   `json:"clients"`
	// Certificates uploaded through seed 000's certificate endpoint.
	Certificates []UploadedCertificate `json:"certificates,omitempty"`
}

// Software is one application in the demo trust framework directory.
type Software struct {
	ID           string        `json:"software_id"`
	ClientName   string        `json:"software_client_name"`
	OrgID        string        `json:"org_id"`
	OrgName      string        `json:"org_name"`
	RedirectURIs []string      `json:"software_redirect_uris"`
	Roles        []string      `json:"software_roles"`
	Contacts     []ssa.Contact `json:"org_contacts"`
	// Keys are the software's published keys: the signing key (use "sig")
	// and the transport key (use "tls"), each with its certificate in x5c.
	Keys   []pki.JWK `json:"keys"`
	Active bool      `json:"active"`
}

// Client is a registration a sandbox bank accepted.
type Client struct {
	Bank     string `json:"bank"`
	ClientID string `json:"client_id"`
	// Handle names the client in its registration_client_uri (RFC 7591
	// server); it is not the client id.
	Handle     string `json:"handle,omitempty"`
	SoftwareID string `json:"software_id,omitempty"`
	// OrgIdentifier is the organizationIdentifier of the certificate that
	// registered the client (STET: the owner of the registration).
	OrgIdentifier string `json:"org_identifier,omitempty"`
	AuthMethod    string `json:"token_endpoint_auth_method,omitempty"`
	AuthAlg       string `json:"token_endpoint_auth_signing_alg,omitempty"`
	SubjectDN     string `json:"tls_client_auth_subject_dn,omitempty"`
	// JWKSURI is the software_jwks_endpoint of the statement it registered
	// with, where private_key_jwt assertions are checked.
	JWKSURI    string         `json:"jwks_uri,omitempty"`
	Metadata   map[string]any `json:"metadata"`
	SecretHash string         `json:"client_secret_sha256,omitempty"`
	RATHash    string         `json:"registration_access_token_sha256,omitempty"`
	Created    time.Time      `json:"created"`
	Updated    time.Time      `json:"updated"`
}

// UploadedCertificate is a QSEAL certificate received through seed 000's
// POST .../tpp/certificates.
type UploadedCertificate struct {
	Bank        string    `json:"bank"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Subject     string    `json:"subject"`
	Fingerprint string    `json:"sha256"`
	Received    time.Time `json:"received"`
}

// change applies a change to the state under the lock and saves it; a
// failed save is the sandbox's own fault (500), named as such.
func (s *Server) change(apply func(st *state)) *Refusal {
	s.mu.Lock()
	defer s.mu.Unlock()
	apply(s.st)
	if err := saveState(s.opts.Dir, s.st); err != nil {
		return refuse("sandbox.storage", KindInternal, "the sandbox could not save its state in %s: %v", s.opts.Dir, err)
	}
	return nil
}

func clientKey(bank, id string) string { return bank + "/" + id }

// issueCredentials gives a new client its registration access token, the
// address where it is managed and, for the client_secret methods, its
// secret, in the answer; the client keeps only their hashes.
func (s *Server) issueCredentials(c *Client, answer map[string]any, manageURI string) {
	rat := s.newSecret()
	c.RATHash = hashSecret(rat)
	answer["registration_access_token"] = rat
	answer["registration_client_uri"] = manageURI
	if c.AuthMethod == "client_secret_basic" || c.AuthMethod == "client_secret_post" {
		secret := s.newSecret()
		c.SecretHash = hashSecret(secret)
		answer["client_secret"] = secret
		answer["client_secret_expires_at"] = 0
	}
}

// created keeps a new client and answers with its record.
func (s *Server) created(w http.ResponseWriter, r *http.Request, b *bank, c *Client, status int, answer map[string]any) {
	if ref := s.change(func(st *state) { st.Clients[clientKey(b.ID, c.ClientID)] = c }); ref != nil {
		s.fail(w, r, b.Style, ref)
		return
	}
	echoInteraction(w, r)
	writeJSON(w, status, answer)
	s.log(r, status, "", c.ClientID)
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func secretMatches(hash, s string) bool {
	return hash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(hashSecret(s))) == 1
}

// newSecret returns 32 random bytes, base64url.
// newSecret makes a secret the sandbox hands out (a token, a client
// secret) and shows it to the witness, if any.
func (s *Server) newSecret() string {
	v := newSecret()
	if s.opts.Witness != nil {
		s.opts.Witness(v)
	}
	return v
}

// CAName is the common name of every sandbox trust framework's CA.
const CAName = "TPP Wizard Sandbox Trust Framework CA"

// IsDemoCertificate reports whether a certificate was issued by a sandbox
// trust framework: only the sandbox's banks accept it.
func IsDemoCertificate(c *x509.Certificate) bool { return c != nil && c.Issuer.CommonName == CAName }

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// base62 alphabet for client and software ids, in the shape OBIE uses.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = base62[int(b[i])%len(base62)]
	}
	return string(b)
}

// loadOrCreateAuthority reads the CA from dir, or makes one (and saves it
// when dir is set).
func loadOrCreateAuthority(dir string, now time.Time) (*pki.Authority, error) {
	if dir != "" {
		certPEM, errC := os.ReadFile(filepath.Join(dir, caFile))
		keyPEM, errK := os.ReadFile(filepath.Join(dir, caKeyFile))
		if errC == nil && errK == nil {
			cred, err := pki.LoadCredential(certPEM, keyPEM, nil)
			if err != nil {
				return nil, fmt.Errorf("sandbox CA in %s: %w (delete %s and %s to start afresh)", dir, err, caFile, caKeyFile)
			}
			if now.After(cred.Leaf().NotAfter) {
				return nil, fmt.Errorf("sandbox CA in %s expired on %s; delete the directory to start afresh", dir, cred.Leaf().NotAfter.Format(time.DateOnly))
			}
			return &pki.Authority{Cert: cred.Leaf(), Key: cred.Key}, nil
		}
		if !errors.Is(errC, fs.ErrNotExist) && errC != nil {
			return nil, errC
		}
	}
	ca, err := pki.NewRootAuthority(CAName, 2048, now)
	if err != nil {
		return nil, err
	}
	if dir != "" {
		key, err := pki.EncodePrivateKey(ca.Key)
		if err != nil {
			return nil, err
		}
		if err := writeFile(dir, caFile, pki.EncodeCertificates([]*x509.Certificate{ca.Cert}), 0o644); err != nil {
			return nil, err
		}
		if err := writeFile(dir, caKeyFile, key, 0o600); err != nil {
			return nil, err
		}
	}
	return ca, nil
}

func loadOrCreateRSAKey(dir, name string) (*rsa.PrivateKey, error) {
	if dir != "" {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			key, err := pki.ParsePrivateKey(data, nil)
			if err != nil {
				return nil, fmt.Errorf("%s in %s: %w", name, dir, err)
			}
			rsaKey, ok := key.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("%s in %s is not an RSA key", name, dir)
			}
			return rsaKey, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if dir != "" {
		data, err := pki.EncodePrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := writeFile(dir, name, data, 0o600); err != nil {
			return nil, err
		}
	}
	return key, nil
}

func loadState(dir string) (*state, error) {
	st := &state{Software: map[string]*Software{}, Clients: map[string]*Client{}}
	if dir == "" {
		return st, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("sandbox state %s: %w (delete it to start afresh)", filepath.Join(dir, stateFile), err)
	}
	if st.Software == nil {
		st.Software = map[string]*Software{}
	}
	if st.Clients == nil {
		st.Clients = map[string]*Client{}
	}
	return st, nil
}

func saveState(dir string, st *state) error {
	if dir == "" {
		return nil
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(dir, stateFile, data, 0o600)
}

// writeFile writes atomically: a temporary file renamed into place.
func writeFile(dir, name string, data []byte, mode os.FileMode) error {
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
