package identity

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/core/csr"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
)

// windowsLimit is the largest value Windows' Credential Manager stores.
const windowsLimit = 2560

// bigIdentity is an identity with a 4096-bit transport key and a
// three-certificate chain (leaf, two intermediates), as QTSPs issue them.
func bigIdentity(t testing.TB) (Identity, *pki.Credential) {
	t.Helper()
	now := time.Now()
	root, err := pki.NewRootAuthority("Root", 2048, now)
	if err != nil {
		t.Fatal(err)
	}
	inter1, err := root.Intermediate("Intermediate 1")
	if err != nil {
		t.Fatal(err)
	}
	inter2, err := inter1.Intermediate("Intermediate 2")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter2.Issue(pki.Spec{CommonName: "tpp", OrganizationIdentifier: "PSDFR-ACPR-12345", KeyBits: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if len(leaf.Chain) != 3 {
		t.Fatalf("chain has %d certificates, want 3", len(leaf.Chain))
	}
	keyPEM, err := pki.EncodePrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	id, err := FromFiles(Files{
		Name:          "Big TPP",
		TransportCert: pki.EncodeCertificates(leaf.Chain),
		TransportKey:  keyPEM,
		SigningCert:   pki.EncodeCertificates(leaf.Chain),
		SigningKey:    keyPEM,
		SigningKID:    "kid-1",
		ClientID:      "app-123",
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return id, leaf
}

func TestIdentityLargerThanWindowsLimitIsSplitAndReassembled(t *testing.T) {
	id, leaf := bigIdentity(t)
	if len(id.TransportKey)+len(id.TransportCert) <= windowsLimit {
		t.Fatalf("test identity too small to prove anything")
	}
	store := &keystore.Memory{MaxValue: windowsLimit}
	v := NewVault(store)
	if err := v.Save(id); err != nil {
		t.Fatal(err)
	}
	for _, k := range store.Keys() {
		if v, _ := store.Get(k); len(v) > windowsLimit {
			t.Errorf("key %s holds %d bytes, over the limit", k, len(v))
		}
	}
	got, err := v.Load("Big TPP")
	if err != nil {
		t.Fatal(err)
	}
	if got != id {
		t.Fatal("loaded identity differs from the saved one")
	}
	parsed, err := got.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Transport.Chain) != 3 || !parsed.Transport.Leaf().Equal(leaf.Leaf()) || !parsed.Transport.KeyMatches() {
		t.Fatal("reassembled credential differs")
	}
}

func TestVaultListsAndDeletesIdentities(t *testing.T) {
	id, _ := bigIdentity(t)
	store := keystore.NewMemory()
	v := NewVault(store)
	for _, name := range []string{"Zeta", "Alpha"} {
		id.Name = name
		if err := v.Save(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Save(id); err != nil { // saving again does not duplicate
		t.Fatal(err)
	}
	names, err := v.List()
	if err != nil || strings.Join(names, ",") != "Alpha,Zeta" {
		t.Fatalf("List = %v, %v", names, err)
	}
	if err := v.Delete("Zeta"); err != nil {
		t.Fatal(err)
	}
	names, _ = v.List()
	if strings.Join(names, ",") != "Alpha" {
		t.Fatalf("after delete: %v", names)
	}
	if _, err := v.Load("Zeta"); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("load deleted: %v", err)
	}
	for _, k := range store.Keys() {
		if strings.Contains(k, "Zeta") {
			t.Errorf("deleted identity left %s behind", k)
		}
	}
}

func TestFromFilesRefusesMismatchedOrBadInput(t *testing.T) {
	now := time.Now()
	root, err := pki.NewRootAuthority("Root", 2048, now)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := root.Issue(pki.Spec{CommonName: "a"})
	b, _ := root.Issue(pki.Spec{CommonName: "b"})
	aKey, _ := pki.EncodePrivateKey(a.Key)
	bKey, _ := pki.EncodePrivateKey(b.Key)
	aCert := pki.EncodeCertificates(a.Chain)
	tests := []struct {
		name  string
		files Files
		want  string
	}{
		{"bad name", Files{Name: "../etc", TransportCert: aCert, TransportKey: aKey}, "is not usable"},
		{"key of another certificate", Files{Name: "x", TransportCert: aCert, TransportKey: bKey}, "does not belong to the transport certificate"},
		{"key where certificate belongs", Files{Name: "x", TransportCert: aKey, TransportKey: aKey}, "holds a private key, not a certificate"},
		{"signing key without certificate", Files{Name: "x", TransportCert: aCert, TransportKey: aKey, SigningKey: aKey}, "without its signing certificate"},
		{"unsigned SSA", Files{Name: "x", TransportCert: aCert, TransportKey: aKey, SSA: []byte("eyJhbGciOiJub25lIn0.eyJzb2Z0d2FyZV9pZCI6IngifQ.")}, "unsigned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromFiles(tt.files, now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestOSKeyringStoresLargeIdentity runs against the real OS keyring. `make
// test` starts a private D-Bus session with GNOME Keyring and sets
// TPPWIZARD_KEYRING_TEST=1; elsewhere the test is skipped.
func TestOSKeyringStoresLargeIdentity(t *testing.T) {
	if os.Getenv("TPPWIZARD_KEYRING_TEST") != "1" {
		t.Skip("set TPPWIZARD_KEYRING_TEST=1 with a Secret Service running (make test does)")
	}
	store := keystore.OSKeyring{Service: "tppwizard-test"}
	if err := keystore.Probe(store); err != nil {
		t.Fatal(err)
	}
	id, _ := bigIdentity(t)
	v := NewVault(store)
	if err := v.Save(id); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Delete(id.Name) })
	got, err := v.Load(id.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got != id {
		t.Fatal("identity read back from the OS keyring differs")
	}
}

// TestOSKeyringHoldsWaitingKeys: two RSA 4096 keys waiting for their
// certificates go into the real Secret Service (chunked past Windows'
// limit), come back, and become an identity when their certificates are
// imported.
func TestOSKeyringHoldsWaitingKeys(t *testing.T) {
	if os.Getenv("TPPWIZARD_KEYRING_TEST") != "1" {
		t.Skip("set TPPWIZARD_KEYRING_TEST=1 with a Secret Service running (make test does)")
	}
	store := keystore.OSKeyring{Service: "tppwizard-test"}
	if err := keystore.Probe(store); err != nil {
		t.Fatal(err)
	}
	v := NewVault(store)
	ca, err := pki.NewRootAuthority("Test QTSP", 2048, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	subject, err := asn1.Marshal(pkix.Name{Country: []string{"FR"}, CommonName: "Waiting keys"}.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	p := Pending{Name: "Waiting keys test", Framework: "eidas", Created: time.Now()}
	var certs [][]byte
	for _, use := range []string{"transport", "signing"} {
		key, err := csr.NewKey(csr.RSA4096, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := csr.CreateFor(subject, key)
		if err != nil {
			t.Fatal(err)
		}
		keyPEM, _ := pki.EncodePrivateKey(key)
		if len(keyPEM) < windowsLimit {
			t.Fatalf("a 4096-bit key is %d bytes: the test no longer crosses the chunk limit", len(keyPEM))
		}
		p.Requests = append(p.Requests, Request{Use: use, KeyType: string(csr.RSA4096), Key: string(keyPEM), CSR: string(csr.EncodePEM(der))})
		req, _ := x509.ParseCertificateRequest(der)
		chain, err := ca.SignRequest(req, use == "signing", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, pki.EncodeCertificates(chain))
	}
	if err := v.SavePending(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.DeletePending(p.Name); _ = v.Delete(p.Name) })
	back, err := v.LoadPending(p.Name)
	if err != nil || back.Requests[1].Key != p.Requests[1].Key {
		t.Fatalf("waiting keys read back differ: %v", err)
	}
	var done *Completed
	for _, c := range certs {
		if done, err = v.Complete(c); err != nil {
			t.Fatal(err)
		}
	}
	if done.Identity == nil {
		t.Fatalf("still waiting for %v", done.Waiting)
	}
	id, err := v.Load(p.Name)
	if err != nil || id.TransportKey != p.Requests[0].Key {
		t.Fatalf("the identity in the keyring: %v", err)
	}
}
