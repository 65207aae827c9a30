package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/ui/cli"
)

// syncBuffer is written by the sandbox's goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// shellWords splits a printed command line as a POSIX shell would for the
// quoting the sandbox prints (single quotes).
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var (
		words []string
		cur   strings.Builder
		inQ   bool
		has   bool
	)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQ && c == '\'':
			inQ = false
		case inQ:
			cur.WriteByte(c)
		case c == '\'':
			inQ, has = true, true
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			has = true
		case c == ' ':
			if has || cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteByte(c)
		}
	}
	if inQ {
		t.Fatalf("unterminated quote in %q", line)
	}
	if has || cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

// TestNewcomerRegistersWithEverySandboxBank follows what the sandbox prints:
// start it, paste the import command, paste each register command.
func TestNewcomerRegistersWithEverySandboxBank(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config with space")
	sandboxDir := t.TempDir()
	store := keystore.NewMemory()
	newApp := func() *app.App { return app.New(app.Options{Store: store, ConfigDir: config}) }
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, NewApp: newApp})
		return code, out.String() + errOut.String()
	}

	ctx, stop := context.WithCancel(context.Background())
	var sbOut, sbErr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0", "--dir", sandboxDir}, cli.Env{Stdout: &sbOut, Stderr: &sbErr, NewApp: newApp})
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(sbOut.String(), "Requests:") {
		select {
		case code := <-done:
			t.Fatalf("sandbox exited %d: %s%s", code, sbOut.String(), sbErr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox did not start: %s", sbOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	printed := sbOut.String()
	var commands [][]string
	for _, line := range strings.Split(printed, "\n") {
		if strings.HasPrefix(line, "   tppwizard ") {
			commands = append(commands, shellWords(t, strings.TrimPrefix(line, "   tppwizard ")))
		}
	}
	if len(commands) != 7 || commands[0][1] != "import" || commands[6][0] != "sandbox" {
		t.Fatalf("printed commands: %q\n%s", commands, printed)
	}
	for _, args := range commands {
		code, out := run(args...)
		if code != 0 {
			t.Fatalf("tppwizard %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		if args[0] == "register" && !strings.Contains(out, "client") {
			t.Errorf("register output names no client:\n%s", out)
		}
		secretsIn(t, out)
	}

	// Each registration is read, changed and deleted from its record,
	// where its bank allows.
	code, out := run("records", "--json")
	var recs []records.Record
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil {
		t.Fatalf("records --json: exit %d\n%s", code, out)
	}
	created := map[string]string{}
	for _, r := range recs {
		if r.Status == records.Succeeded {
			created[r.ProfileID] = r.ID
		}
	}
	uk, oauth, stet, altareq := created["sandbox-uk-v31"], created["sandbox-oauth"], created["sandbox-stet"], created["sandbox-altareq"]
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"read", "--record", uk}, 0, `"software_id"`},
		{[]string{"update", "--record", uk, "--redirect-uri", "https://demo-tpp.example/callback/mobile"}, 0, "Changed: HTTP 200"},
		{[]string{"read", "--record", uk}, 0, "\"redirect_uris\": [\n    \"https://demo-tpp.example/callback/mobile\"\n  ]"},
		{[]string{"delete", "--record", uk}, cli.ExitInput, "Add --yes to go ahead"},
		{[]string{"delete", "--record", uk, "--yes"}, 0, "Its secrets were removed from the keyring"},
		{[]string{"read", "--record", uk}, cli.ExitRefused, "Recorded as"},

		{[]string{"update", "--record", oauth, "--set", "client_name=Demo Pay, renamed", "--dry-run"}, 0, "(dry run: nothing was sent)"},
		{[]string{"update", "--record", oauth, "--set", "client_name=Demo Pay, renamed"}, 0, "Changed: HTTP 200"},
		{[]string{"read", "--record", oauth}, 0, `"client_name": "Demo Pay, renamed"`},
		{[]string{"delete", "--record", oauth, "--yes"}, 0, "Its secrets were removed from the keyring"},
		{[]string{"read", "--record", oauth}, cli.ExitRefused, "invalid_token"},

		{[]string{"update", "--record", stet, "--set", "contact.email=registrations@demo-tpp.example"}, 0, "Changed: HTTP 201"},
		{[]string{"read", "--record", stet}, cli.ExitInput, "cannot read a registration"},
		{[]string{"update", "--record", altareq}, cli.ExitInput, "register again"},
	}
	for _, st := range steps {
		code, out := run(st.args...)
		if code != st.code || !strings.Contains(out, st.want) {
			t.Fatalf("tppwizard %s: exit %d, want %d and %q\n%s", strings.Join(st.args, " "), code, st.code, st.want, out)
		}
		secretsIn(t, out)
	}
	stop()
	if code := <-done; code != 0 {
		t.Fatalf("sandbox exit %d: %s", code, sbErr.String())
	}
	log := sbOut.String()
	for _, want := range []string{"POST   /uk31/api/open-banking/v3.1/tpp/register", "POST   /bpce/stet/setting/v1/register", "Sandbox stopped."} {
		if !strings.Contains(log, want) {
			t.Errorf("the sandbox's request log lacks %q:\n%s", want, log)
		}
	}
	secretsIn(t, log)
	if _, err := os.Stat(filepath.Join(sandboxDir, "demo", "ssa.jwt")); err != nil {
		t.Errorf("demo statement not in --dir: %v", err)
	}
}

func TestSandboxRefusesANonLoopbackAddress(t *testing.T) {
	s := newSession(t)
	code, _, errOut := s.run("", "sandbox", "--addr", "0.0.0.0:0")
	if code != cli.ExitInput || !strings.Contains(errOut, "loopback only") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestSandboxSaysWhenItsPortIsTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s := newSession(t)
	code, _, errOut := s.run("", "sandbox", "--addr", l.Addr().String())
	if code != cli.ExitInput || !strings.Contains(errOut, "--addr 127.0.0.1:0") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
