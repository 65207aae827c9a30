package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// readBatchFile reads bank profile ids, one per line; blank lines and
// text after # are ignored.
func readBatchFile(path string) ([]string, error) {
	data, err := app.ReadUserFile("--batch", path)
	if err != nil {
		return nil, err
	}
	var ids []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			ids = append(ids, line)
		}
	}
	if len(ids) == 0 {
		return nil, usage(text.F("--batch %s lists no bank profile", path))
	}
	return ids, nil
}

// batchCmd registers one identity with many banks at once, saying on
// standard error how each bank goes, and ends with a summary.
func batchCmd(ctx context.Context, env Env, req app.RegisterRequest, profiles []string, parallel int, asJSON bool) error {
	a := env.NewApp()
	warnKeyring(a, env)
	done := 0
	items := a.RegisterBatch(ctx, req, profiles, parallel, func(it app.BatchItem) {
		switch it.State {
		case app.BatchSending:
			fmt.Fprint(env.Stderr, i18n.T("sending  %s\n", it.ProfileID))
		case app.BatchDone:
			done++
			fmt.Fprintf(env.Stderr, "[%d/%d]    %s: %s\n", done, len(profiles), it.ProfileID, batchLine(it))
		}
	})
	sum := app.Summarise(items)
	if asJSON {
		type row struct {
			Profile  string `json:"profile"`
			Status   string `json:"status"`
			ClientID string `json:"client_id,omitempty"`
			Record   string `json:"record,omitempty"`
			Error    string `json:"error,omitempty"`
		}
		rows := make([]row, len(items))
		for i, it := range items {
			rows[i] = row{Profile: it.ProfileID, Status: string(it.Status())}
			if it.Outcome != nil {
				rows[i].ClientID, rows[i].Record = it.Outcome.Record.ClientID, it.Outcome.Record.ID
			}
			if it.Err != nil {
				rows[i].Error = it.Err.Error()
			}
		}
		if err := writeJSON(env.Stdout, map[string]any{"banks": rows, "summary": sum}); err != nil {
			return err
		}
	} else {
		printBatch(env.Stdout, items, sum)
	}
	switch {
	case sum.Unknown > 0:
		return &exitError{code: ExitUnknown}
	case sum.Refused > 0:
		return &exitError{code: ExitRefused}
	case sum.NotSent > 0:
		return &exitError{code: ExitInput}
	}
	return nil
}

func batchLine(it app.BatchItem) string {
	st := it.Status()
	s := st.Describe().In(i18n.Translate)
	if it.Outcome != nil && it.Outcome.Record.ClientID != "" && st == records.Succeeded {
		s = i18n.T("%s, client %s", s, it.Outcome.Record.ClientID)
	}
	if it.Err != nil {
		msg := app.Sentence(i18n.Err(it.Err))
		if i := strings.IndexAny(msg, "\n"); i > 0 {
			msg = msg[:i]
		}
		s = i18n.T("%s: %s", s, msg)
	}
	return s
}

func printBatch(w io.Writer, items []app.BatchItem, sum app.BatchSummary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.T("BANK\tOUTCOME\tCLIENT ID\tRECORD"))
	for _, it := range items {
		client, rec := "", ""
		if it.Outcome != nil {
			client, rec = it.Outcome.Record.ClientID, it.Outcome.Record.ID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.ProfileID, it.Status().Describe().In(i18n.Translate), client, rec)
	}
	_ = tw.Flush()
	fmt.Fprint(w, i18n.T("\n%d banks: %d registered, %d refused, %d not sent, %d outcome unknown.\n", sum.Banks, sum.Succeeded, sum.Refused, sum.NotSent, sum.Unknown))
	if sum.Unknown > 0 {
		fmt.Fprintln(w, i18n.T("For each \"outcome unknown\", check with the bank before sending again: tppwizard records show RECORD."))
	}
}
