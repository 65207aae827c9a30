package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

func registerCmd(ctx context.Context, args []string, env Env, op registration.Operation) error {
	name := "register"
	help := "register --profile ID --identity NAME [--endpoint URL] [--discovery URL] [--ca-file F] [--redirect-uri U]... [--set name=value]... [--token T] [--dry-run] [--json]\n" +
		"       tppwizard register --profile ID --profile ID... | --batch FILE --identity NAME [--parallel N] [--json]   (many banks at once)"
	if op == registration.Update {
		name = "update"
		help = "update --record ID [--redirect-uri U]... [--set name=value]... [--dry-run] [--json]\n" +
			"       tppwizard update --profile ID --identity NAME --client-id C [same options as register]"
	}
	fs := newFlags(name, env, help)
	var (
		req             app.RegisterRequest
		redirects, sets repeated
		dryRun, asJSON  bool
		timeout         time.Duration
	)
	var (
		profiles  repeated
		batchFile string
		parallel  int
	)
	if op == registration.Create {
		fs.Var(&profiles, "profile", i18n.T("bank profile id (see: tppwizard profiles); repeat it to register with several banks at once"))
		fs.StringVar(&batchFile, "batch", "", i18n.T("file listing bank profile ids, one per line (# starts a comment): register with all of them"))
		fs.IntVar(&parallel, "parallel", app.DefaultBatchLimit, i18n.T("with several banks: how many to talk to at once"))
	} else {
		fs.StringVar(&req.ProfileID, "profile", "", i18n.T("bank profile id (see: tppwizard profiles)"))
	}
	fs.StringVar(&req.IdentityName, "identity", "", i18n.T("identity name (see: tppwizard identity list)"))
	fs.StringVar(&req.Endpoint, "endpoint", "", i18n.T("registration endpoint, overriding the profile and discovery"))
	fs.StringVar(&req.DiscoveryURL, "discovery", "", i18n.T("the bank's .well-known/openid-configuration URL, overriding the profile"))
	fs.StringVar(&req.CAFile, "ca-file", "", i18n.T("extra CA certificate to trust for this bank only (a sandbox's own CA)"))
	fs.Var(&redirects, "redirect-uri", i18n.T("redirect URI to register (repeat for several; default: those in the software statement)"))
	fs.Var(&sets, "set", i18n.T("set a claim or body field: name=text or name:=json; dotted names reach into objects (contact.email=...)"))
	fs.StringVar(&req.AccessToken, "token", "", i18n.T("Bearer token to send: a registration token to use instead of fetching one, or an OAuth server's initial access token (RFC 7591)"))
	fs.StringVar(&req.SigningCertURL, "signing-cert-url", "", i18n.T("where the bank can fetch your QSEAL certificate (profiles whose signature keyId is a URL)"))
	fs.BoolVar(&dryRun, "dry-run", false, i18n.T("print the exact request and send nothing"))
	if op == registration.Create {
		fs.BoolVar(&req.Checked, "checked", false, i18n.T("send although an earlier attempt at this bank with this identity has an unknown outcome: you checked with the bank that it registered nothing"))
	}
	fs.BoolVar(&asJSON, "json", false, i18n.T("print as JSON"))
	fs.DurationVar(&timeout, "timeout", 60*time.Second, i18n.T("give up on the bank after this long"))
	var recordID string
	if op == registration.Update {
		fs.StringVar(&req.ClientID, "client-id", "", i18n.T("client id of the registration to change"))
		fs.StringVar(&recordID, "record", "", i18n.T("the record of the registration to change (see: tppwizard records); the change starts from what the bank holds"))
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	fields, err := setFields(sets)
	if err != nil {
		return err
	}
	if recordID != "" {
		if req.ProfileID != "" || req.IdentityName != "" || req.ClientID != "" {
			return usage(text.F("update --record takes the bank, identity and client from the record; leave out --profile, --identity and --client-id"))
		}
		return updateFromRecord(ctx, env, recordID, redirects, fields, dryRun, asJSON, timeout)
	}
	if batchFile != "" {
		listed, err := readBatchFile(batchFile)
		if err != nil {
			return err
		}
		profiles = append(profiles, listed...)
	}
	if len(profiles) == 1 {
		req.ProfileID = profiles[0]
	}
	if len(profiles) > 1 {
		if req.IdentityName == "" {
			return usage(text.F("%s needs --identity", name))
		}
		if dryRun || req.Endpoint != "" || req.DiscoveryURL != "" || req.AccessToken != "" {
			return usage(text.F("with several banks, leave out --dry-run, --endpoint, --discovery and --token: each bank's profile gives them"))
		}
		req.RedirectURIs, req.Timeout, req.Fields = redirects, timeout, fields
		return batchCmd(ctx, env, req, profiles, parallel, asJSON)
	}
	if req.ProfileID == "" || req.IdentityName == "" {
		return usage(text.F("%s needs --profile and --identity", name))
	}
	if op == registration.Update && req.ClientID == "" {
		return usage(text.F("update needs --client-id"))
	}
	req.Operation, req.RedirectURIs, req.Timeout, req.Fields = op, redirects, timeout, fields

	a := env.NewApp()
	warnKeyring(a, env)
	if dryRun {
		plan, err := a.Preview(ctx, req)
		if err != nil {
			return err
		}
		return showPlan(env, plan, asJSON)
	}
	out, err := a.Register(ctx, req)
	return sent(env, out, err, asJSON)
}

// setFields reads the --set arguments.
func setFields(sets []string) (map[string]any, error) {
	if len(sets) == 0 {
		return nil, nil
	}
	fields := map[string]any{}
	for _, s := range sets {
		k, v, err := registration.ParseField(s)
		if err != nil {
			return nil, err
		}
		fields[k] = v
	}
	return fields, nil
}

// showPlan prints a dry run; it fails when anything blocks sending.
func showPlan(env Env, plan *engine.Plan, asJSON bool) error {
	if asJSON {
		if err := writeJSON(env.Stdout, planJSON(plan)); err != nil {
			return err
		}
	} else {
		printPlan(env.Stdout, plan)
	}
	if len(plan.Request.Findings.Errors()) > 0 {
		return &exitError{code: ExitInput}
	}
	return nil
}

// updateFromRecord changes the registration a record is about, starting
// from what the bank holds, with the command line's changes on top.
func updateFromRecord(ctx context.Context, env Env, recordID string, redirects []string, fields map[string]any, dryRun, asJSON bool, timeout time.Duration) error {
	a := env.NewApp()
	warnKeyring(a, env)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	w, err := a.ChangeWizard(ctx, recordID)
	if err != nil {
		return err
	}
	c := w.Change()
	fmt.Fprint(env.Stderr, i18n.T("Changing client %s at %s. %s\n", c.ClientID, w.Profile().Name, c.Source))
	for _, r := range c.Renewed {
		fmt.Fprintln(env.Stderr, r.In(i18n.Translate))
	}
	w.Override(redirects, fields)
	if dryRun {
		plan, err := w.Preview()
		if err != nil {
			return err
		}
		return showPlan(env, plan, asJSON)
	}
	for w.Step() < app.StepSend {
		if err := w.Next(); err != nil {
			return &registration.InputError{Problem: text.F("nothing was sent: %v", err), Fix: text.F("see the whole request with --dry-run")}
		}
	}
	out, err := w.Send(ctx)
	return sent(env, out, err, asJSON)
}

// sent reports an attempt: the result, or the error with where it is
// recorded.
func sent(env Env, out *app.Outcome, err error, asJSON bool) error {
	if err != nil {
		if out != nil && out.Result != nil {
			printResult(env.Stdout, out, asJSON)
		}
		if out != nil && out.Record.ID != "" {
			return &recordedError{err: err, record: out.Record}
		}
		return err
	}
	printResult(env.Stdout, out, asJSON)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func planJSON(p *engine.Plan) map[string]any {
	r := p.Request
	m := map[string]any{
		"method":   r.Method,
		"url":      r.URL,
		"headers":  app.ShownHeaders(r.Header),
		"body":     string(r.Body),
		"findings": nonNil(r.Findings),
		"notes":    p.Notes,
	}
	if r.JWT != nil {
		m["jwt"] = r.JWT
	}
	return m
}

func nonNil(l check.List) check.List {
	if l == nil {
		return check.List{}
	}
	return l
}

func printPlan(w io.Writer, p *engine.Plan) {
	fmt.Fprint(w, app.RequestText(p))
	fmt.Fprintln(w, i18n.T("\nChecks before sending:"))
	if len(p.Request.Findings) == 0 {
		fmt.Fprintln(w, i18n.T("  ok: nothing to fix"))
	}
	for _, f := range p.Request.Findings {
		fmt.Fprintf(w, "  %s\n", f.In(i18n.Translate))
	}
	fmt.Fprintln(w, i18n.T("\n(dry run: nothing was sent)"))
}

func printResult(w io.Writer, out *app.Outcome, asJSON bool) {
	red := out.Result.Redacted()
	if asJSON {
		_ = writeJSON(w, map[string]any{"result": red, "secrets_saved_as": out.SecretKeys, "record": out.Record.ID})
		return
	}
	said := "Registered"
	if out.Record.Operation == string(registration.Update) {
		said = "Changed"
	}
	fmt.Fprint(w, i18n.T("%s: HTTP %d\n", said, red.Status))
	fmt.Fprint(w, i18n.T("  client id:         %s\n", red.ClientID))
	if red.ClientIDFromDirectory {
		fmt.Fprintln(w, i18n.T("                     (the bank returned none; this is your application id from the trust framework directory)"))
	}
	if red.ClientSecret != "" {
		fmt.Fprint(w, i18n.T("  client secret:     %s\n", red.ClientSecret))
	}
	if red.RegistrationAccessToken != "" {
		fmt.Fprint(w, i18n.T("  registration token: %s\n", red.RegistrationAccessToken))
	}
	if red.RegistrationClientURI != "" {
		fmt.Fprint(w, i18n.T("  management URI:    %s\n", red.RegistrationClientURI))
	}
	if red.InteractionID != "" {
		fmt.Fprint(w, i18n.T("  interaction id:    %s\n", red.InteractionID))
	}
	for _, k := range out.SecretKeys {
		fmt.Fprint(w, i18n.T("  saved in the system keyring (service %q) as %s\n", app.KeyringService, k))
	}
	if out.Record.ID != "" {
		fmt.Fprint(w, i18n.T("  recorded as:       %s (tppwizard records show %s)\n", out.Record.ID, out.Record.ID))
	}
}

func printBankError(w io.Writer, e *registration.BankError) {
	fmt.Fprint(w, i18n.T("The bank refused (HTTP %d).\n", e.Status))
	fmt.Fprint(w, i18n.T("  What happened: %s\n", e.Explanation))
	fmt.Fprint(w, i18n.T("  What to do:    %s\n", e.NextStep))
	if e.Code != "" || e.Description != "" {
		fmt.Fprint(w, i18n.T("  The bank says: %s %s\n", e.Code, e.Description))
	}
	if e.InteractionID != "" {
		fmt.Fprint(w, i18n.T("  Interaction id (quote it to the bank): %s\n", e.InteractionID))
	}
}

// recordedError is a failed attempt that was recorded: after the error, the
// user learns where to find the record.
type recordedError struct {
	err    error
	record records.Record
}

func (e *recordedError) Error() string               { return e.err.Error() }
func (e *recordedError) Unwrap() error               { return e.err }
func (e *recordedError) In(t text.Translator) string { return text.In(e.err, t) }

func (e *recordedError) note(w io.Writer) {
	if e.record.Status == records.Unknown {
		fmt.Fprintln(w, app.HowToCheck(&e.record).In(i18n.Translate))
	}
	fmt.Fprint(w, i18n.T("Recorded as %s (%s): tppwizard records show %s\n", e.record.ID, e.record.Status.Describe().In(i18n.Translate), e.record.ID))
}
