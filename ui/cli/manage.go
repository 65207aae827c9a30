package cli

import (
	"context"
	"fmt"

	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// manageCmd reads or deletes the registration a record created.
func manageCmd(ctx context.Context, args []string, env Env, op registration.Operation) error {
	name := string(op)
	help := name + " --record ID [--json]"
	if op == registration.Delete {
		help = "delete --record ID --yes [--json]"
	}
	fs := newFlags(name, env, help)
	id := fs.String("record", "", i18n.T("the record of the registration (see: tppwizard records)"))
	asJSON := fs.Bool("json", false, i18n.T("print as JSON"))
	yes := false
	if op == registration.Delete {
		fs.BoolVar(&yes, "yes", false, i18n.T("confirm: the bank removes the registration, and the client stops working"))
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" {
		return usage(text.F("%s needs --record (see: tppwizard records)", name))
	}
	a := env.NewApp()
	if op == registration.Delete && !yes {
		rec, err := a.Journal().Get(*id)
		if err != nil {
			return err
		}
		return usage(text.F("this deletes client %s at %s (%s); the client stops working there. Add --yes to go ahead", rec.ClientID, rec.Bank, rec.Environment))
	}
	warnKeyring(a, env)
	out, err := a.Manage(ctx, *id, op)
	if err != nil {
		if out != nil && out.Record.ID != "" {
			return &recordedError{err: err, record: out.Record}
		}
		return err
	}
	red := out.Result.Redacted()
	if *asJSON {
		return writeJSON(env.Stdout, map[string]any{"result": red, "record": out.Record.ID})
	}
	if op == registration.Delete {
		fmt.Fprint(env.Stdout, i18n.T("Deleted client %s at %s (HTTP %d).\n", red.ClientID, out.Record.Bank, red.Status))
		if out.Forgotten > 0 {
			fmt.Fprint(env.Stdout, i18n.T("Its secrets were removed from the keyring (%d).\n", out.Forgotten))
		}
	} else {
		fmt.Fprint(env.Stdout, i18n.T("What %s holds for client %s (HTTP %d):\n", out.Record.Bank, red.ClientID, red.Status))
		if err := writeJSON(env.Stdout, red.Metadata); err != nil {
			return err
		}
	}
	fmt.Fprint(env.Stdout, i18n.T("Recorded as %s (tppwizard records show %s)\n", out.Record.ID, out.Record.ID))
	return nil
}
