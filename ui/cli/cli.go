// Package cli is the command-line front end: the same engine as the wizard,
// for scripts and engineers.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/core/transport"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitRefused = 1 // the bank refused
	ExitInput   = 2 // bad input or usage
	ExitNetwork = 3 // network or TLS failure
	ExitUnknown = 4 // the request may have reached the bank; its outcome is unknown
)

// Env is what a command runs with; tests replace every part.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// NewApp opens the application (lazily: "version" needs none).
	NewApp func() *app.App
}

// Main runs the command line with the real environment.
func Main(args []string) int {
	if err := i18n.Load(); err != nil {
		fmt.Fprintln(os.Stderr, "tppwizard: the translations could not be loaded; speaking English:", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, args, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		NewApp: func() *app.App { return app.New(app.Options{Text: i18n.Translate}) }})
}

// help is the command line's own help, in the user's language.
func help() string {
	return i18n.T(`tppwizard: register a TPP's application with open banking banks.

Usage:
  tppwizard                      open the wizard
  tppwizard --debug COMMAND ...  also write a diagnostic log (no secrets) to standard error
  tppwizard profiles [--json]    list bank profiles
  tppwizard identity import|list|show|delete ...
  tppwizard register --profile ID --identity NAME [options]
  tppwizard update   --record ID [options]   change a registration, starting from what the bank holds
  tppwizard update   --profile ID --identity NAME --client-id C [options]
  tppwizard read   --record ID   what the bank holds for a registration (UK banks, RFC 7592 servers)
  tppwizard delete --record ID --yes   remove a registration at the bank (UK banks, RFC 7592 servers)
  tppwizard records [--json]     list every registration attempt, newest first
  tppwizard records show ID      one attempt: what was sent and received (no secrets)
  tppwizard records export ID [--dir D]   its evidence report, HTML and JSON (no secrets)
  tppwizard certificate upload --profile ID --identity NAME [--name LABEL]
  tppwizard csr frameworks|new|list|complete|delete ...   keys and certificate requests, no OpenSSL
  tppwizard sandbox [--addr 127.0.0.1:8443] [--dir D]   run the built-in sandbox bank
  tppwizard sandbox ssa [--identity NAME]                renew a sandbox software statement
  tppwizard version

Run "tppwizard COMMAND -h" for a command's options.
Exit codes: 0 success, 1 the bank refused, 2 bad input or usage, 3 network or TLS failure,
4 the request may have reached the bank but its outcome is unknown (check before sending again).
`)
}

// Run runs one command and returns its exit code. A leading --debug (or
// TPPWIZARD_LOG=debug) writes the diagnostic log to standard error.
func Run(ctx context.Context, args []string, env Env) int {
	level := os.Getenv(app.LogEnv)
	for len(args) > 0 && (args[0] == "--debug" || args[0] == "-debug") {
		level, args = "debug", args[1:]
	}
	if logger := app.NewLogger(env.Stderr, level); level != "" && env.NewApp != nil {
		newApp := env.NewApp
		env.NewApp = func() *app.App {
			a := newApp()
			a.SetLog(logger)
			return a
		}
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, help())
		return ExitInput
	}
	var err error
	switch args[0] {
	case "profiles":
		err = profilesCmd(args[1:], env)
	case "identity":
		err = identityCmd(args[1:], env)
	case "register":
		err = registerCmd(ctx, args[1:], env, registration.Create)
	case "update":
		err = registerCmd(ctx, args[1:], env, registration.Update)
	case "certificate":
		err = certificateCmd(ctx, args[1:], env)
	case "sandbox":
		err = sandboxCmd(ctx, args[1:], env)
	case "records":
		err = recordsCmd(args[1:], env)
	case "csr":
		err = csrCmd(args[1:], env)
	case "read":
		err = manageCmd(ctx, args[1:], env, registration.Read)
	case "delete":
		err = manageCmd(ctx, args[1:], env, registration.Delete)
	case "version", "--version", "-version":
		fmt.Fprintln(env.Stdout, "tppwizard", app.Version)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, help())
	default:
		fmt.Fprint(env.Stderr, i18n.T("tppwizard: unknown command %q\n\n%s", args[0], help()))
		return ExitInput
	}
	return report(err, env)
}

// usageError is a mistake in how a command was called.
type usageError struct{ msg text.Message }

func (e *usageError) Error() string               { return e.msg.String() }
func (e *usageError) In(t text.Translator) string { return e.msg.In(t) }

func usage(m text.Message) error { return &usageError{m} }

func report(err error, env Env) int {
	if err == nil {
		return ExitOK
	}
	var rec *recordedError
	if errors.As(err, &rec) {
		defer rec.note(env.Stderr)
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	var (
		bank    *registration.BankError
		network *transport.Error
		silent  *exitError
		again   *app.ErrOutcomeUnknown
	)
	switch {
	case errors.As(err, &silent):
		return silent.code
	case errors.As(err, &again):
		fmt.Fprint(env.Stderr, i18n.T("tppwizard: %s (add --checked).\n", i18n.Err(err)))
		return ExitInput
	case rec != nil && rec.record.Status == records.Unknown:
		fmt.Fprintln(env.Stderr, i18n.T("tppwizard: %s", i18n.Err(err)))
		return ExitUnknown
	case errors.As(err, &bank):
		printBankError(env.Stderr, bank)
		return ExitRefused
	case errors.As(err, &network):
		fmt.Fprintln(env.Stderr, i18n.T("tppwizard: %s", i18n.Err(err)))
		return ExitNetwork
	}
	fmt.Fprintln(env.Stderr, i18n.T("tppwizard: %s", i18n.Err(err)))
	return ExitInput
}

// exitError ends a command with a code after it printed its own output.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func newFlags(name string, env Env, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprint(env.Stderr, i18n.T("Usage: tppwizard %s\n\n", help))
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: ExitInput}
	}
	if fs.NArg() > 0 {
		return usage(text.F("unexpected argument %q (options start with --)", fs.Arg(0)))
	}
	return nil
}
