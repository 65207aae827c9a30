package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

func recordsCmd(args []string, env Env) error {
	if len(args) > 0 && args[0] == "show" {
		return recordShowCmd(args[1:], env)
	}
	if len(args) > 0 && args[0] == "export" {
		return recordExportCmd(args[1:], env)
	}
	fs := newFlags("records", env, "records [--json]\n       tppwizard records show ID [--json]\n       tppwizard records export ID [--dir D]")
	asJSON := fs.Bool("json", false, i18n.T("print as JSON"))
	if err := parse(fs, args); err != nil {
		return err
	}
	recs, err := env.NewApp().Records()
	if err != nil {
		return err
	}
	if *asJSON {
		if recs == nil {
			recs = []records.Record{}
		}
		return writeJSON(env.Stdout, recs)
	}
	if len(recs) == 0 {
		fmt.Fprintln(env.Stdout, i18n.T("No registration attempts yet."))
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.T("RECORD\tWHEN (UTC)\tBANK\tENVIRONMENT\tACTION\tOUTCOME\tCLIENT ID"))
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Started.UTC().Format("2006-01-02 15:04"), r.Bank, app.EnvironmentName(r.Environment).In(i18n.Translate),
			app.OperationName(r.Operation).In(i18n.Translate), r.Status.Describe().In(i18n.Translate), dash(r.ClientID))
	}
	return tw.Flush()
}

func recordShowCmd(args []string, env Env) error {
	fs := newFlags("records show", env, "records show ID [--json]")
	asJSON := fs.Bool("json", false, i18n.T("print as JSON"))
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if id == "" {
		return usage(text.F("records show needs a record id (see: tppwizard records)"))
	}
	r, err := env.NewApp().Journal().Get(id)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, r)
	}
	fmt.Fprint(env.Stdout, app.RecordText(r, i18n.Translate))
	return nil
}

func recordExportCmd(args []string, env Env) error {
	fs := newFlags("records export", env, "records export ID [--dir D]")
	dir := fs.String("dir", ".", i18n.T("folder to write the report to"))
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if id == "" {
		return usage(text.F("records export needs a record id (see: tppwizard records)"))
	}
	files, err := env.NewApp().ExportReport(id, *dir)
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, i18n.T("Evidence report (no secrets):\n  %s\n  %s\n", files.HTML, files.JSON))
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
