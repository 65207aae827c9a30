package cli_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/ui/cli"
)

// TestDebugLogAndEveryOutputHoldNoSecret registers with every sandbox bank
// with the diagnostic log at debug level, then reads, changes, deletes and
// exports, and looks for every secret involved in everything written: the
// log, the command line's output, the journal and the evidence reports.
// The sandbox shows the test each secret it hands out.
func TestDebugLogAndEveryOutputHoldNoSecret(t *testing.T) {
	var (
		mu      sync.Mutex
		handed  []string
		written bytes.Buffer // everything any command wrote, log included
	)
	sb := newSandboxed(t, sandbox.Options{Witness: func(s string) {
		mu.Lock()
		defer mu.Unlock()
		handed = append(handed, s)
	}})
	srv, store, config, newApp, id := sb.srv, sb.store, sb.config, sb.newApp, sb.id
	reports := t.TempDir()

	run := func(want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), append([]string{"--debug"}, args...),
			cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, NewApp: newApp})
		written.Write(out.Bytes())
		written.Write(errOut.Bytes())
		if code != want {
			t.Fatalf("tppwizard %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errOut.String())
		}
		return out.String()
	}
	for _, p := range sandbox.ProfileIDs() {
		args := []string{"register", "--profile", p, "--identity", sandbox.DemoIdentityName}
		if p == "sandbox-oauth" {
			args = append(args, "--token", srv.InitialAccessToken())
		}
		run(0, args...)
	}
	var recs []records.Record
	if err := json.Unmarshal([]byte(run(0, "records", "--json")), &recs); err != nil {
		t.Fatal(err)
	}
	created := map[string]string{}
	for _, r := range recs {
		created[r.ProfileID] = r.ID
	}
	for _, rec := range []string{created["sandbox-uk-v31"], created["sandbox-oauth"]} {
		run(0, "read", "--record", rec)
		run(0, "update", "--record", rec, "--redirect-uri", "https://demo-tpp.example/callback/mobile")
		run(0, "delete", "--record", rec, "--yes")
	}
	run(0, "update", "--record", created["sandbox-stet"], "--set", "contact.email=registrations@demo-tpp.example")
	if err := json.Unmarshal([]byte(run(0, "records", "--json")), &recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		run(0, "records", "show", r.ID)
		run(0, "records", "export", r.ID, "--dir", reports)
	}

	// What must never be written: every secret the banks handed out, what
	// the keyring holds for the records, and the private keys.
	mu.Lock()
	secrets := append([]string(nil), handed...)
	mu.Unlock()
	for _, k := range store.Keys() {
		if strings.HasPrefix(k, "record/") {
			v, _ := store.Get(k)
			secrets = append(secrets, v)
		}
	}
	for _, key := range []string{id.TransportKey, id.SigningKey} {
		secrets = append(secrets, privateParts(t, key)...)
	}
	secrets = append(secrets, "PRIVATE KEY")
	if len(handed) < 6 {
		t.Fatalf("the sandbox handed out %d secrets; the flow should have made at least 6", len(handed))
	}

	places := map[string]string{"command output and debug log": written.String()}
	// Every file in the config folder: the records' snapshot and log,
	// profiles, anything else written there.
	journalFiles := 0
	err := filepath.WalkDir(config, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		places["config file "+filepath.Base(path)] = string(data)
		if strings.HasPrefix(d.Name(), "records.") {
			journalFiles++
		}
		return nil
	})
	if err != nil || journalFiles == 0 {
		t.Fatalf("no records file among the config files (%v)", err)
	}
	files, _ := filepath.Glob(filepath.Join(reports, "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		places[filepath.Base(f)] = string(data)
	}
	for where, text := range places {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds a secret (%.12s…)", where, s)
			}
		}
	}

	// The log did say what happened, at debug level.
	log := written.String()
	for _, want := range []string{"level=DEBUG msg=request", "level=DEBUG msg=answer", "msg=\"access token obtained\"",
		"msg=\"secret saved in the keyring\"", "msg=\"attempt settled\"", "Authorization:Bearer"} {
		if !strings.Contains(log, want) {
			t.Errorf("the debug log lacks %q", want)
		}
	}
	t.Logf("%d secrets looked for in %d places (%d bytes of output and log, %d records, %d report files): none found",
		len(secrets), len(places), len(log), len(recs), len(files))
}

// privateParts are pieces of a key's private numbers (RSA d, p and q) as
// base64, base64url and hex would write them at any byte alignment. Whole
// lines of the key file are no good: PKCS#8 holds the public modulus too,
// which certificates and JWKS rightly publish.
func privateParts(t *testing.T, keyPEM string) []string {
	t.Helper()
	key, err := pki.ParsePrivateKey([]byte(keyPEM), nil)
	if err != nil {
		t.Fatal(err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("%T", key)
	}
	var out []string
	for _, n := range []*big.Int{rk.D, rk.Primes[0], rk.Primes[1]} {
		b := n.Bytes()
		out = append(out, hex.EncodeToString(b)[8:40])
		for off := 0; off < 3; off++ {
			out = append(out, base64.StdEncoding.EncodeToString(b[off:])[8:40], base64.RawURLEncoding.EncodeToString(b[off:])[8:40])
		}
	}
	return out
}
