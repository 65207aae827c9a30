package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

func identityCmd(args []string, env Env) error {
	if len(args) == 0 {
		return usage(text.F("identity needs a sub-command: import, list, show or delete"))
	}
	switch args[0] {
	case "import":
		return identityImport(args[1:], env)
	case "list":
		return identityList(args[1:], env)
	case "show":
		return identityShow(args[1:], env)
	case "delete":
		return identityDelete(args[1:], env)
	}
	return usage(text.F("unknown identity sub-command %q (import, list, show or delete)", args[0]))
}

func readInput(flagName, path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	return app.ReadUserFile("--"+flagName, path)
}

func identityImport(args []string, env Env) error {
	fs := newFlags("identity import", env, "identity import --name N --transport-cert F --transport-key F [--signing-cert F --signing-key F --signing-kid K] [--ssa F] [--client-id ID]")
	var (
		name      = fs.String("name", "", i18n.T("name for the identity (required)"))
		tCert     = fs.String("transport-cert", "", i18n.T("transport (QWAC) certificate file, PEM, chain allowed (required)"))
		tKey      = fs.String("transport-key", "", i18n.T("transport private key file (PKCS#1, PKCS#8 or SEC1)"))
		sCert     = fs.String("signing-cert", "", i18n.T("signing (QSEAL) certificate file"))
		sKey      = fs.String("signing-key", "", i18n.T("signing private key file"))
		kid       = fs.String("signing-kid", "", i18n.T("key id of the signing key as published in the directory"))
		ssaFile   = fs.String("ssa", "", i18n.T("software statement (SSA) file"))
		clientID  = fs.String("client-id", "", i18n.T("the application's client id in the trust framework directory"))
		passStdin = fs.Bool("passphrase-stdin", false, i18n.T("read the passphrase of encrypted keys from the first line of standard input"))
	)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" || *tCert == "" {
		return usage(text.F("identity import needs --name and --transport-cert (and --transport-key unless the key is in the same file)"))
	}
	files := identity.Files{Name: *name, SigningKID: *kid, ClientID: *clientID}
	var err error
	for _, in := range []struct {
		flag, path string
		dst        *[]byte
	}{{"transport-cert", *tCert, &files.TransportCert}, {"transport-key", *tKey, &files.TransportKey},
		{"signing-cert", *sCert, &files.SigningCert}, {"signing-key", *sKey, &files.SigningKey}, {"ssa", *ssaFile, &files.SSA}} {
		if *in.dst, err = readInput(in.flag, in.path); err != nil {
			return err
		}
	}
	if *passStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		files.Passphrase = []byte(strings.TrimRight(line, "\r\n"))
	}
	a := env.NewApp()
	// A command ends with its process: an identity held in memory would be
	// lost at once, so the command line needs the real keyring.
	if err := a.KeyringProblem(); err != nil {
		return err
	}
	id, err := a.ImportIdentity(files)
	if errors.Is(err, pki.ErrEncryptedKey) {
		return text.Errorf("%w: give its passphrase with --passphrase-stdin (for example: printf '%%s\\n' \"$PASS\" | tppwizard identity import ... --passphrase-stdin)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, i18n.T("Saved identity %q in the system keyring.\n", id.Name))
	parsed, err := id.Parse()
	if err != nil {
		return err
	}
	printIdentity(env.Stdout, parsed, time.Now())
	return nil
}

func identityList(args []string, env Env) error {
	fs := newFlags("identity list", env, "identity list [--json]")
	asJSON := fs.Bool("json", false, i18n.T("print as JSON"))
	if err := parse(fs, args); err != nil {
		return err
	}
	a := env.NewApp()
	warnKeyring(a, env)
	names, err := a.Vault().List()
	if err != nil {
		return err
	}
	if *asJSON {
		if names == nil {
			names = []string{}
		}
		return json.NewEncoder(env.Stdout).Encode(names)
	}
	if len(names) == 0 {
		fmt.Fprintln(env.Stdout, i18n.T("No identities yet. Import one with: tppwizard identity import --name N --transport-cert F --transport-key F ..."))
	}
	for _, n := range names {
		fmt.Fprintln(env.Stdout, n)
	}
	return nil
}

func identityShow(args []string, env Env) error {
	fs := newFlags("identity show", env, "identity show --name N [--json]")
	name := fs.String("name", "", i18n.T("identity name"))
	asJSON := fs.Bool("json", false, i18n.T("print as JSON"))
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usage(text.F("identity show needs --name"))
	}
	a := env.NewApp()
	warnKeyring(a, env)
	p, err := a.Identity(*name)
	if err != nil {
		return err
	}
	now := time.Now()
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(describe(p, now))
	}
	printIdentity(env.Stdout, p, now)
	return nil
}

func identityDelete(args []string, env Env) error {
	fs := newFlags("identity delete", env, "identity delete --name N")
	name := fs.String("name", "", i18n.T("identity name"))
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usage(text.F("identity delete needs --name"))
	}
	a := env.NewApp()
	if _, err := a.Vault().Load(*name); err != nil {
		return err
	}
	if err := a.Vault().Delete(*name); err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, i18n.T("Deleted identity %q from the system keyring.\n", *name))
	return nil
}

func warnKeyring(a *app.App, env Env) {
	if err := a.KeyringProblem(); err != nil {
		fmt.Fprintln(env.Stderr, i18n.T("warning: %s", i18n.Err(err)))
	}
}

// description is an identity as shown: never any key material.
type description struct {
	Name       string         `json:"name"`
	Transport  pki.Summary    `json:"transport"`
	Signing    *pki.Summary   `json:"signing,omitempty"`
	SigningKID string         `json:"signing_kid,omitempty"`
	ClientID   string         `json:"client_id,omitempty"`
	SSA        map[string]any `json:"software_statement,omitempty"`
	Findings   []string       `json:"findings"`
	// findings are the same, to print in the user's language.
	findings []check.Finding
}

func describe(p *identity.Parsed, now time.Time) description {
	d := description{Name: p.Name, Transport: p.Transport.Summarise(now), SigningKID: p.SigningKID, ClientID: p.ClientID, Findings: []string{}}
	if p.Signing != nil {
		s := p.Signing.Summarise(now)
		d.Signing = &s
	}
	if st := p.Statement; st != nil {
		c := st.Claims
		d.SSA = map[string]any{"software_id": c.SoftwareID, "software_client_name": c.SoftwareClientName,
			"software_roles": c.SoftwareRoles, "software_redirect_uris": c.SoftwareRedirectURI, "org_name": c.OrgName,
			"issuer": c.Issuer, "issued_at": st.IssuedAt().UTC().Format(time.RFC3339)}
	}
	for _, f := range p.Check(identity.AllCredentials, now) {
		d.Findings = append(d.Findings, f.String())
		d.findings = append(d.findings, f)
	}
	return d
}

func printIdentity(w io.Writer, p *identity.Parsed, now time.Time) {
	d := describe(p, now)
	fmt.Fprint(w, i18n.T("Identity: %s\n", d.Name))
	printSummary(w, i18n.T("Transport certificate"), d.Transport)
	if d.Signing != nil {
		printSummary(w, i18n.T("Signing certificate"), *d.Signing)
		if d.SigningKID != "" {
			fmt.Fprint(w, i18n.T("  key id (kid):      %s\n", d.SigningKID))
		}
	}
	if d.SSA != nil {
		fmt.Fprint(w, i18n.T("Software statement:\n  software id:       %v\n  name:              %v\n  roles:             %v\n  redirect URIs:     %v\n  issued:            %v\n", d.SSA["software_id"], d.SSA["software_client_name"], d.SSA["software_roles"], d.SSA["software_redirect_uris"], d.SSA["issued_at"]))
	}
	if d.ClientID != "" {
		fmt.Fprint(w, i18n.T("Directory client id: %s\n", d.ClientID))
	}
	for _, f := range d.findings {
		fmt.Fprintf(w, "  ! %s\n", f.In(i18n.Translate))
	}
}

func printSummary(w io.Writer, title string, s pki.Summary) {
	yesNo := map[bool]string{true: i18n.T("yes"), false: i18n.T("NO")}
	fmt.Fprintf(w, "%s:\n", title)
	fmt.Fprint(w, i18n.T("  organisation:      %s\n", s.Organisation))
	if s.AuthorisationNumber != "" {
		fmt.Fprint(w, i18n.T("  authorisation no.: %s\n", s.AuthorisationNumber))
	}
	fmt.Fprint(w, i18n.T("  subject:           %s\n", s.Subject))
	fmt.Fprint(w, i18n.T("  valid until:       %s (%d days left)\n", s.NotAfter.UTC().Format("2 Jan 2006"), s.DaysLeft))
	fmt.Fprint(w, i18n.T("  key:               %s, matches the certificate: %s\n", s.KeyType, yesNo[s.KeyMatches]))
	if len(s.Roles) > 0 {
		fmt.Fprint(w, i18n.T("  PSD2 roles:        %s\n", strings.Join(s.Roles, ", ")))
	}
	fmt.Fprint(w, i18n.T("  SHA-256:           %s\n", s.FingerprintSHA256))
}
