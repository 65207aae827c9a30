package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/ui/cli"
)

func TestRegisterWithManyBanksAtOnce(t *testing.T) {
	sb := newSandboxed(t, sandbox.Options{})
	config, newApp := sb.config, sb.newApp

	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, NewApp: newApp})
		return code, out.String(), errOut.String()
	}
	list := filepath.Join(config, "banks.txt")
	text := "# UK banks\nsandbox-uk-v31\nsandbox-uk-obie   # OBIE v3.3\n\nsandbox-stet\nsandbox-altareq\nno-such-bank\n"
	if err := os.WriteFile(list, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run("register", "--batch", list, "--profile", "sandbox-oauth", "--identity", sandbox.DemoIdentityName, "--parallel", "3")
	if code != cli.ExitInput || !strings.Contains(out, "6 banks: 5 registered, 0 refused, 1 not sent, 0 outcome unknown.") ||
		!strings.Contains(errOut, "[6/6]") || !strings.Contains(out, "no-such-bank") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run("register", "--profile", "sandbox-uk-v31", "--profile", "sandbox-oauth", "--identity", sandbox.DemoIdentityName, "--json")
	var got struct {
		Banks []struct {
			Profile, Status, ClientID, Record string
		}
		Summary app.BatchSummary
	}
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.Summary.Succeeded != 2 || got.Banks[1].Profile != "sandbox-oauth" || got.Banks[1].Record == "" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut = run("register", "--profile", "a", "--profile", "b", "--identity", "x", "--dry-run"); code != cli.ExitInput || !strings.Contains(errOut, "leave out --dry-run") {
		t.Fatalf("a dry run of a batch: exit %d %s", code, errOut)
	}
}
