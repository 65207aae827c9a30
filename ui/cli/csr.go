package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/csr"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// csrCmd makes keys and certificate requests, and pairs the certificates
// that come back with their keys (issue 9): no OpenSSL, no key file.
func csrCmd(args []string, env Env) error {
	if len(args) == 0 {
		return usage(text.F("csr needs a sub-command: frameworks, new, list, complete or delete"))
	}
	switch args[0] {
	case "frameworks":
		return csrFrameworks(args[1:], env)
	case "new":
		return csrNew(args[1:], env)
	case "list":
		return csrList(args[1:], env)
	case "complete":
		return csrComplete(args[1:], env)
	case "delete":
		return csrDelete(args[1:], env)
	}
	return usage(text.F("unknown csr sub-command %q (frameworks, new, list, complete or delete)", args[0]))
}

func csrFrameworks(args []string, env Env) error {
	fs := newFlags("csr frameworks", env, "csr frameworks")
	if err := parse(fs, args); err != nil {
		return err
	}
	list, err := env.NewApp().Frameworks()
	if err != nil {
		return err
	}
	for _, fw := range list {
		fmt.Fprint(env.Stdout, i18n.T("%s  %s (%s)\n", fw.ID, i18n.Data(fw.Name), fw.Version))
		fmt.Fprint(env.Stdout, i18n.T("  keys: %s\n", joinKeyTypes(fw.KeyTypes)))
		for _, in := range fw.Inputs {
			fmt.Fprint(env.Stdout, i18n.T("  --set %s=...   %s (for example %s)\n", in.Name, i18n.Data(in.Label), in.Example))
		}
		if fw.Portal != "" {
			fmt.Fprint(env.Stdout, i18n.T("  portal: %s\n", fw.Portal))
		}
	}
	return nil
}

func joinKeyTypes(l []csr.KeyType) string {
	s := make([]string, len(l))
	for i, k := range l {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func csrNew(args []string, env Env) error {
	fs := newFlags("csr new", env, "csr new --framework ID --name NAME --set INPUT=VALUE ... [--key-type T] [--only transport|signing] [--dir D]")
	var sets, only repeated
	framework := fs.String("framework", "", i18n.T("trust framework id (see: tppwizard csr frameworks)"))
	name := fs.String("name", "", i18n.T("name of the identity the keys become once certified"))
	keyType := fs.String("key-type", "", i18n.T("RSA-2048, RSA-3072, RSA-4096 or EC-P256, as the framework allows (default: its first)"))
	dir := fs.String("dir", ".", i18n.T("folder to write the requests to (they hold no secret)"))
	fs.Var(&sets, "set", i18n.T("a subject value: input=value (repeat; see: tppwizard csr frameworks)"))
	fs.Var(&only, "only", i18n.T("request only this certificate: transport or signing (default: every certificate the framework issues)"))
	if err := parse(fs, args); err != nil {
		return err
	}
	if *framework == "" || *name == "" {
		return usage(text.F("csr new needs --framework and --name"))
	}
	values := map[string]string{}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return usage(text.F("--set %q is not input=value", s))
		}
		values[k] = v
	}
	a := env.NewApp()
	made, err := a.NewCSR(app.CSRRequest{Name: *name, Framework: *framework, KeyType: csr.KeyType(*keyType), Values: values, Uses: only})
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, i18n.T("New keys for %q are in the system keyring; no key was written to a file.\n", *name))
	for _, r := range made.Pending.Requests {
		path := filepath.Join(*dir, app.CSRFileName(*name, r.Use))
		if err := os.WriteFile(path, made.PEM[r.Use], 0o644); err != nil {
			return err
		}
		fmt.Fprint(env.Stdout, i18n.T("  %s certificate request: %s\n", r.Use, path))
	}
	fmt.Fprint(env.Stdout, i18n.T("\nWhat to do with these files (%s):\n%s\n", i18n.Data(made.Framework.Name), i18n.Data(made.Framework.Instructions)))
	if made.Framework.Portal != "" {
		fmt.Fprint(env.Stdout, i18n.T("Portal: %s\n", made.Framework.Portal))
	}
	fmt.Fprintln(env.Stdout, i18n.T("When a certificate comes back: tppwizard csr complete --cert FILE"))
	return nil
}

func csrList(args []string, env Env) error {
	fs := newFlags("csr list", env, "csr list")
	if err := parse(fs, args); err != nil {
		return err
	}
	v := env.NewApp().Vault()
	names, err := v.ListPending()
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintln(env.Stdout, i18n.T("No keys are waiting for certificates."))
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.T("NAME\tFRAMEWORK\tCREATED (UTC)\tWAITING FOR"))
	for _, n := range names {
		p, err := v.LoadPending(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.Framework, p.Created.UTC().Format("2006-01-02 15:04"), p.PendingSummary())
	}
	return tw.Flush()
}

func csrComplete(args []string, env Env) error {
	fs := newFlags("csr complete", env, "csr complete --cert FILE")
	certFile := fs.String("cert", "", i18n.T("the certificate the trust framework issued, PEM (chain allowed)"))
	if err := parse(fs, args); err != nil {
		return err
	}
	if *certFile == "" {
		return usage(text.F("csr complete needs --cert"))
	}
	data, err := app.ReadUserFile("--cert", *certFile)
	if err != nil {
		return err
	}
	done, err := env.NewApp().CompleteCSR(data)
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, i18n.T("The %s certificate %q is paired with its key, for %q.\n", done.Use, done.Leaf.Subject.CommonName, done.Pending))
	if done.Identity != nil {
		fmt.Fprint(env.Stdout, i18n.T("Identity %q is complete and ready to register with (tppwizard identity show --name %q).\n", done.Identity.Name, done.Identity.Name))
	} else {
		fmt.Fprint(env.Stdout, i18n.T("Still waiting for: %s.\n", strings.Join(done.Waiting, ", ")))
	}
	return nil
}

func csrDelete(args []string, env Env) error {
	fs := newFlags("csr delete", env, "csr delete --name NAME")
	name := fs.String("name", "", i18n.T("the waiting keys to discard (see: tppwizard csr list)"))
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usage(text.F("csr delete needs --name"))
	}
	v := env.NewApp().Vault()
	if _, err := v.LoadPending(*name); err != nil {
		return err
	}
	if err := v.DeletePending(*name); err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, i18n.T("Discarded the waiting keys of %q.\n", *name))
	return nil
}
