package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

func sandboxCmd(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && args[0] == "ssa" {
		return sandboxSSA(ctx, args[1:], env)
	}
	fs := newFlags("sandbox", env, "sandbox [--addr 127.0.0.1:8443] [--dir D]\n       tppwizard sandbox ssa --identity NAME")
	addr := fs.String("addr", "127.0.0.1:8443", i18n.T("loopback address to listen on (port 0 picks a free one)"))
	dir := fs.String("dir", "", i18n.T("keep the sandbox's CA, directory, registered clients and demo identity here between runs (default: in memory, files in a temporary folder)"))
	if err := parse(fs, args); err != nil {
		return err
	}
	a := env.NewApp()
	var mu sync.Mutex // events arrive from the server's goroutines
	srv, err := sandbox.New(sandbox.Options{Dir: *dir, Log: func(e sandbox.Event) {
		mu.Lock()
		defer mu.Unlock()
		printEvent(env.Stdout, e)
	}})
	if err != nil {
		return err
	}
	if err := srv.Start(*addr); err != nil {
		return err
	}
	defer srv.Close()

	demoDir := ""
	if *dir != "" {
		demoDir = filepath.Join(*dir, "demo")
	} else {
		tmp, err := os.MkdirTemp("", "tppwizard-sandbox-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		demoDir = tmp
	}
	demo, err := srv.Demo()
	if err != nil {
		return err
	}
	files, err := srv.WriteDemo(demo, demoDir)
	if err != nil {
		return err
	}
	profilesDir, err := a.InstallProfiles(srv.Profiles())
	if err != nil {
		return text.Errorf("install the sandbox bank profiles: %w", err)
	}

	mu.Lock()
	printSandbox(env.Stdout, srv, demo, files, profilesDir, *dir)
	mu.Unlock()
	<-ctx.Done()
	fmt.Fprintln(env.Stdout, i18n.T("\nSandbox stopped."))
	return nil
}

func printEvent(w io.Writer, e sandbox.Event) {
	if e.Detail != "" {
		fmt.Fprintf(w, "%s  %s\n", e.Time.Format("15:04:05"), e.Detail)
		return
	}
	line := fmt.Sprintf("%s  %-6s %-55s %d", e.Time.Format("15:04:05"), e.Method, e.Path, e.Status)
	if e.Rule != "" {
		line += "  refused: " + e.Rule
	}
	if e.ClientID != "" {
		line += "  client " + e.ClientID
	}
	fmt.Fprintln(w, line)
}

func printSandbox(w io.Writer, srv *sandbox.Server, demo *sandbox.Demo, f sandbox.DemoFiles, profilesDir, dir string) {
	fmt.Fprint(w, i18n.T("TPP Wizard sandbox bank is running at %s (stop it with Ctrl+C).\n\n", srv.URL()))
	if dir != "" {
		fmt.Fprint(w, i18n.T("State (CA, directory, registered clients) is kept in %s.\n", dir))
	} else {
		fmt.Fprintln(w, i18n.T("State is kept in memory only: registrations and the CA end with this process (use --dir to keep them)."))
	}
	fmt.Fprint(w, i18n.T("Trust framework CA:  %s\n", f.CA))
	fmt.Fprint(w, i18n.T("Directory keys:      %s/directory/keys.jwks\n\n", srv.URL()))
	fmt.Fprint(w, i18n.T("Banks (profiles written to %s):\n", profilesDir))
	for _, p := range srv.Profiles() {
		where := p.RegistrationEndpoint
		if p.DiscoveryURL != "" {
			where = p.DiscoveryURL
		}
		fmt.Fprintf(w, "  %-17s %s\n  %-17s %s\n", p.ID, p.Name, "", where)
	}
	fmt.Fprint(w, i18n.T("\nDemo TPP identity (Demo Payments Ltd, organizationIdentifier PSDGB-SBX-000001, software %s) in %s:\n", demo.Software.ID, f.Dir))
	fmt.Fprint(w, i18n.T("  transport certificate and key: %s, %s\n", filepath.Base(f.TransportCert), filepath.Base(f.TransportKey)))
	fmt.Fprint(w, i18n.T("  signing certificate and key:   %s, %s (kid %s)\n", filepath.Base(f.SigningCert), filepath.Base(f.SigningKey), demo.SigningKID))
	fmt.Fprint(w, i18n.T("  software statement:            %s (banks accept it for %d minutes)\n\n", filepath.Base(f.Statement), int(sandbox.StatementMaxAge.Minutes())))
	fmt.Fprintln(w, i18n.T("1. Import it (once), in another terminal:"))
	fmt.Fprint(w, i18n.T("   tppwizard %s\n\n", shellJoin(demo.ImportArgs(sandbox.DemoIdentityName, f))))
	fmt.Fprintln(w, i18n.T("2. Register with each sandbox bank:"))
	for _, p := range srv.Profiles() {
		fmt.Fprint(w, i18n.T("   tppwizard %s\n", shellJoin([]string{"register", "--profile", p.ID, "--identity", sandbox.DemoIdentityName})))
	}
	fmt.Fprint(w, i18n.T("   (the OAuth server registers without an initial access token too; to try one, add --token %s, valid while this sandbox runs)\n", srv.InitialAccessToken()))
	fmt.Fprintln(w, i18n.T("\nWhen the statement is older than 30 minutes, get a fresh one:"))
	fmt.Fprint(w, i18n.T("   tppwizard %s\n\n", shellJoin([]string{"sandbox", "ssa", "--identity", sandbox.DemoIdentityName})))
	fmt.Fprintln(w, i18n.T("Requests:"))
}

// shellJoin quotes arguments for a POSIX shell, so printed commands can be
// pasted as they are.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@+,") == "" {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// sandboxSSA renews an identity's software statement from the sandbox
// directory.
func sandboxSSA(ctx context.Context, args []string, env Env) error {
	fs := newFlags("sandbox ssa", env, "sandbox ssa --identity NAME")
	name := fs.String("identity", sandbox.DemoIdentityName, i18n.T("identity whose statement to renew"))
	if err := parse(fs, args); err != nil {
		return err
	}
	a := env.NewApp()
	warnKeyring(a, env)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := a.RenewSandboxStatement(ctx, *name)
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, i18n.T("Identity %q has a fresh software statement for software %s, issued %s; banks accept it for %d minutes.\n", *name, st.Claims.SoftwareID, st.IssuedAt().Format("15:04:05"), int(sandbox.StatementMaxAge.Minutes())))
	return nil
}
