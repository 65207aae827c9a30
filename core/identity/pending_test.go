package identity

import (
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/keystore"
)

// TestWaitingKeysInTheKeyring: what the keyring holds for keys waiting for
// certificates, and what a damaged or missing entry says.
func TestWaitingKeysInTheKeyring(t *testing.T) {
	store := keystore.NewMemory()
	v := NewVault(store)
	p := Pending{Name: "Acme", Framework: "obie", Requests: []Request{{Use: "transport", KeyType: "RSA-2048", Key: "k", CSR: "c"}}}
	if err := v.SavePending(p); err != nil {
		t.Fatal(err)
	}
	if err := v.SavePending(p); err != nil { // saved twice, listed once
		t.Fatal(err)
	}
	if names, err := v.ListPending(); err != nil || len(names) != 1 || names[0] != "Acme" {
		t.Fatalf("listed %v, %v", names, err)
	}
	if ids, _ := v.List(); len(ids) != 0 {
		t.Errorf("waiting keys are listed as identities: %v", ids)
	}
	if got, err := v.LoadPending("Acme"); err != nil || got.Waiting()[0] != "transport" {
		t.Fatalf("load: %+v, %v", got, err)
	}
	if err := v.DeletePending("Acme"); err != nil {
		t.Fatal(err)
	}
	if names, _ := v.ListPending(); len(names) != 0 {
		t.Errorf("still listed after deletion: %v", names)
	}
	cases := []struct {
		name string
		do   func() error
		want string
	}{
		{"no such keys", func() error { _, err := v.LoadPending("Nobody"); return err }, `no keys are waiting for certificates under the name "Nobody"`},
		{"damaged index", func() error {
			_ = store.Set("index/pending", "{not json")
			_, err := v.ListPending()
			return err
		}, "the index of new keys in the keyring is damaged"},
		{"damaged entry", func() error {
			_ = store.Set("pending/Acme", "{not json")
			_, err := v.LoadPending("Acme")
			return err
		}, `the new keys of "Acme" in the keyring are damaged`},
		{"a name that cannot be an identity", func() error { return v.SavePending(Pending{Name: "../x"}) }, "is not usable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.do(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}
