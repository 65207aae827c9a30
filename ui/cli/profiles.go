package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/tppwizard/tppwizard/ui/i18n"
)

func profilesCmd(args []string, env Env) error {
	fs := newFlags("profiles", env, "profiles [--json]")
	asJSON := fs.Bool("json", false, i18n.T("print as JSON"))
	if err := parse(fs, args); err != nil {
		return err
	}
	a := env.NewApp()
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(a.Catalog.Profiles)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.T("ID\tBANK\tCOUNTRY\tDIALECT\tENVIRONMENT"))
	for _, p := range a.Catalog.Profiles {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Country, p.Dialect, p.Environment)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, problem := range a.Catalog.Problems {
		fmt.Fprintln(env.Stderr, i18n.T("warning: %s", i18n.Err(problem)))
	}
	return nil
}
