package cli_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/testkit"
	"github.com/tppwizard/tppwizard/ui/cli"
)

// childEnv names the command lines a child process runs, one after another,
// through the real command line (cli.Run), separated by a record separator;
// arguments are separated by a unit separator.
const childEnv = "TPPWIZARD_CLI_TEST_CHILD"

func TestMain(m *testing.M) {
	if cmds := os.Getenv(childEnv); cmds != "" {
		os.Exit(runChild(cmds))
	}
	os.Exit(m.Run())
}

// runChild is a tppwizard process with an in-memory keyring (which dies
// with it) and the config dir the parent chose.
func runChild(cmds string) int {
	store := keystore.NewMemory()
	env := cli.Env{Stdin: strings.NewReader(""), Stdout: os.Stdout, Stderr: os.Stderr, NewApp: func() *app.App {
		return app.New(app.Options{Store: store, ConfigDir: os.Getenv("TPPWIZARD_CLI_TEST_CONFIG")})
	}}
	for _, c := range strings.Split(cmds, "\x1e") {
		if code := cli.Run(context.Background(), strings.Split(c, "\x1f"), env); code != 0 {
			return code
		}
	}
	return 0
}

// TestKilledCLIMidSendLeavesAnUnknownRecord runs the real command line in
// a child process against a bank that takes the whole request and never
// answers, kills the child with SIGKILL while it waits, and reads the
// journal from another process: the attempt is there, with what was sent,
// and its outcome reads unknown.
func TestKilledCLIMidSendLeavesAnUnknownRecord(t *testing.T) {
	s := newSession(t)
	got := make(chan string, 1)
	release := make(chan struct{})
	defer close(release)
	bank := s.kit.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- r.Header.Get("X-Fapi-Interaction-Id") + " " + string(body)
		testkit.Hold(r, release) // the bank holds the request: no answer ever leaves
	}))
	ca := filepath.Join(s.dir, "bank-ca.pem")
	if err := os.WriteFile(ca, pki.EncodeCertificates([]*x509.Certificate{s.kit.CA.Cert}), 0o600); err != nil {
		t.Fatal(err)
	}
	profiles := filepath.Join(s.dir, "profiles")
	if err := os.MkdirAll(profiles, 0o700); err != nil {
		t.Fatal(err)
	}
	prof := fmt.Sprintf(`{"id":"stalling-bank","name":"Stalling bank","country":"Test","dialect":"altareq","environment":"sandbox",
		"registration_endpoint":%q,"success_status":[204],"needs":["transport","client_id"]}`, bank.URL+"/tpp-registration")
	if err := os.WriteFile(filepath.Join(profiles, "stalling-bank.json"), []byte(prof), 0o600); err != nil {
		t.Fatal(err)
	}
	f := func(n string) string { return filepath.Join(s.dir, n) }
	cmds := strings.Join([]string{
		strings.Join([]string{"identity", "import", "--name", "Acme", "--transport-cert", f("transport.pem"), "--transport-key", f("transport.key"), "--client-id", "app-1"}, "\x1f"),
		strings.Join([]string{"register", "--profile", "stalling-bank", "--identity", "Acme", "--ca-file", ca, "--timeout", "10m"}, "\x1f"),
	}, "\x1e")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+cmds, "TPPWIZARD_CLI_TEST_CONFIG="+s.dir)
	var childOut strings.Builder
	cmd.Stdout, cmd.Stderr = &childOut, &childOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var sent string
	select {
	case sent = <-got:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the child never reached the bank:\n%s", childOut.String())
	}
	// The child is waiting for the answer: its record is pending.
	code, out, _ := s.run("", "records", "--json")
	var recs []records.Record
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 1 || recs[0].Status != records.Pending {
		t.Fatalf("while the child waits: exit %d %s", code, out)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: nothing runs after it
		t.Fatal(err)
	}
	_ = cmd.Wait()

	code, out, _ = s.run("", "records", "--json")
	recs = nil
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 1 {
		t.Fatalf("after the kill: exit %d %s", code, out)
	}
	rec := recs[0]
	interaction, body, _ := strings.Cut(sent, " ")
	if rec.Status != records.Unknown || rec.ProfileID != "stalling-bank" || rec.InteractionID != interaction ||
		rec.Request == nil || rec.Request.Body != body || rec.Request.Method != "POST" {
		t.Fatalf("the record after the kill: %+v (the bank got %q)", rec, sent)
	}
	code, out, _ = s.run("", "records", "show", rec.ID)
	if code != 0 || !strings.Contains(out, "unknown") {
		t.Fatalf("records show: %d\n%s", code, out)
	}
}
