package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/core/transport"
)

// Journal is the record of every registration attempt, in the config dir.
func (a *App) Journal() *records.Journal {
	a.journalOnce.Do(func() {
		a.journal = records.Open(filepath.Join(a.ConfigDir, records.FileName), a.now)
	})
	return a.journal
}

// Records lists every attempt, newest first.
func (a *App) Records() ([]records.Record, error) { return a.Journal().List() }

// newRecord starts the record of an attempt: who, where and with what.
func newRecord(r RegisterRequest, p engine.Params) records.Record {
	op := r.Operation
	if op == "" {
		op = registration.Create
	}
	rec := records.Record{Operation: string(op), ProfileID: r.ProfileID, Identity: r.IdentityName, ClientID: r.ClientID}
	if p.Profile != nil {
		rec.Bank, rec.Environment, rec.Dialect = p.Profile.Name, p.Profile.Environment, p.Profile.Dialect
	}
	if p.Identity != nil {
		add := func(role string, c *pki.Credential) {
			if c == nil {
				return
			}
			leaf := c.Leaf()
			subject, err := pki.SubjectDN(leaf)
			if err != nil {
				subject = leaf.Subject.String()
			}
			rec.Certificates = append(rec.Certificates, records.Certificate{Role: role, Subject: subject,
				Serial: leaf.SerialNumber.Text(16), SHA256: pki.FingerprintSHA256(leaf), Expires: leaf.NotAfter.UTC()})
		}
		add("transport", p.Identity.Transport)
		if p.Identity.Signing != nil && p.Identity.Signing != p.Identity.Transport {
			add("signing", p.Identity.Signing)
		}
	}
	return rec
}

// sentExchange is the request as the record keeps it: credentials masked.
func sentExchange(req *registration.Request) *records.Exchange {
	return &records.Exchange{Method: req.Method, URL: req.URL, Header: registration.RedactHeader(req.Header), Body: registration.RedactBody(req.Body)}
}

// settle fills in a record's outcome from what the send returned.
func settle(rec *records.Record, res *registration.Result, err error) {
	var (
		be      *registration.BankError
		blocked *registration.BlockedError
		te      *transport.Error
	)
	switch {
	case err == nil:
		rec.Status = records.Succeeded
		rec.ClientID = res.ClientID
		rec.RegistrationClientURI = res.RegistrationClientURI
		rec.Response = &records.Exchange{Status: res.Status, Body: registration.RedactBody(res.Body)}
		if res.InteractionID != "" {
			rec.InteractionID = res.InteractionID
		}
		return
	case errors.As(err, &be) && be.Status >= 200 && be.Status < 300:
		// The bank said yes but its answer cannot be read: it may well
		// have registered the client.
		rec.Status = records.Unknown
		rec.Response = &records.Exchange{Status: be.Status, Body: registration.RedactBody(be.Body)}
		rec.Error = Sentence(err.Error()) + " " + HowToCheck(rec).String()
		return
	case errors.As(err, &be):
		rec.Status = records.Refused
		rec.Refusal = &records.Refusal{Code: be.Code, Description: be.Description}
		rec.Response = &records.Exchange{Status: be.Status, Body: registration.RedactBody(be.Body)}
	case errors.As(err, &blocked):
		rec.Status = records.NotSent
	case errors.As(err, &te) && te.Sent:
		rec.Status = records.Unknown
		rec.Error = Sentence(err.Error()) + ". " + HowToCheck(rec).String()
		return
	default:
		rec.Status = records.NotSent
	}
	rec.Error = Sentence(err.Error())
}

// EnvironmentName is a profile's environment in the user's language
// ("sandbox", "live").
func EnvironmentName(env string) text.Message {
	switch env {
	case "sandbox":
		return text.F("sandbox")
	case "live":
		return text.F("live")
	}
	return text.F("%s", env)
}

// OperationName is what a record's operation is called in the user's
// language ("create", "read", "update", "delete").
func OperationName(op string) text.Message {
	switch registration.Operation(op) {
	case registration.Create:
		return text.F("create")
	case registration.Read:
		return text.F("read")
	case registration.Update:
		return text.F("update")
	case registration.Delete:
		return text.F("delete")
	}
	return text.F("%s", op)
}

// HowToCheck tells the person what to do about an attempt whose outcome is
// unknown: it was never re-sent automatically, so they find out first.
func HowToCheck(rec *records.Record) text.Message {
	var quote any = ""
	if rec.InteractionID != "" {
		quote = text.F(" (quote interaction id %s)", rec.InteractionID)
	}
	switch {
	case rec.Operation == string(registration.Create) && rec.Dialect == profile.DialectAlTareq:
		return text.F("It is not known whether the bank registered it, and it was not sent again. Look for this bank under your application in the trust framework directory, or ask the bank%s, before sending it again.", quote)
	case rec.Operation == string(registration.Create):
		return text.F("It is not known whether the bank registered it, and it was not sent again. Ask the bank%s whether a client was created; if so, they can give you its client id. Sending again without checking may register your software twice.", quote)
	case rec.Operation == string(registration.Update):
		return text.F("It is not known whether the bank made the change, and it was not sent again. Read the registration from this record to see what the bank holds, then decide.")
	default:
		return text.F("It is not known whether the bank acted on it, and it was not sent again. Read the registration from this record to see what the bank holds%s.", quote)
	}
}

// Unresolved are the attempts to create a registration at a bank with an
// identity whose outcome is not known (or that are still being sent): a
// new attempt may register the software twice.
func (a *App) Unresolved(profileID, identityName string) ([]records.Record, error) {
	all, err := a.Records()
	if err != nil {
		return nil, err
	}
	var out []records.Record
	for _, r := range all {
		if r.ProfileID != profileID || r.Identity != identityName || r.Operation != string(registration.Create) {
			continue
		}
		switch r.Status {
		case records.Succeeded, records.Refused:
			return out, nil // a later attempt settled the question
		case records.Unknown, records.Pending:
			out = append(out, r)
		}
	}
	return out, nil
}

// ErrOutcomeUnknown stops a registration while an earlier attempt at the
// same bank with the same identity has an unknown outcome; the person
// confirms they checked (RegisterRequest.Checked) to send anyway.
type ErrOutcomeUnknown struct{ Earlier records.Record }

func (e *ErrOutcomeUnknown) Error() string { return e.In(text.English) }

// In says the error in t.
func (e *ErrOutcomeUnknown) In(t text.Translator) string {
	when := e.Earlier.Started.Local().Format("2 Jan 2006 15:04")
	return text.F("an earlier registration with %s at %s (record %s) may have reached the bank, and its outcome is not known; "+
		"sending again may register your software twice. Check with the bank first, then confirm that you checked to send again", e.Earlier.Bank, when, e.Earlier.ID).In(t)
}

// notSent records an attempt that stopped before its request was sent.
func notSent(rec *records.Record, err error) {
	rec.Status, rec.Error = records.NotSent, Sentence(err.Error())
	var be *registration.BankError
	if errors.As(err, &be) {
		rec.Refusal = &records.Refusal{Code: be.Code, Description: be.Description}
	}
}

// Sentence starts an error text with a capital, for showing it on its own.
func Sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// saveSecrets puts what the bank returned that is secret in the keyring,
// under the record, and names the keys in the record.
func (a *App) saveSecrets(rec *records.Record, res *registration.Result) error {
	secrets := []struct{ name, value string }{
		{"client_secret", res.ClientSecret},
		{"registration_access_token", res.RegistrationAccessToken},
	}
	for _, s := range secrets {
		if s.value == "" {
			continue
		}
		key := records.SecretKey(rec.ID, s.name)
		if err := a.Vault().Store().Set(key, s.value); err != nil {
			return text.Errorf("the bank registered client %s, but its %s could not be saved in the keyring: %w. "+
				"It is shown once now; copy it somewhere safe", res.ClientID, strings.ReplaceAll(s.name, "_", " "), err)
		}
		rec.Secrets = append(rec.Secrets, key)
		a.log.Debug("secret saved in the keyring", "record", rec.ID, "name", s.name)
	}
	return nil
}

// Secret reads a secret a record keeps in the keyring ("client_secret",
// "registration_access_token").
func (a *App) Secret(rec *records.Record, name string) (string, error) {
	key := records.SecretKey(rec.ID, name)
	for _, k := range rec.Secrets {
		if k == key {
			v, err := a.Vault().Store().Get(key)
			if errors.Is(err, keystore.ErrNotFound) {
				return "", text.Errorf("the %s of record %s is no longer in the keyring: it is removed when the registration is deleted", strings.ReplaceAll(name, "_", " "), rec.ID)
			}
			return v, err
		}
	}
	return "", text.Errorf("record %s holds no %s", rec.ID, strings.ReplaceAll(name, "_", " "))
}

// RecordText is a record as a person reads it: the outcome, who and where,
// the checks, then what was sent and received. It holds no secret.
func RecordText(r *records.Record, t text.Translator) string {
	var w strings.Builder
	line := func(name text.Message, value string) {
		if value != "" {
			fmt.Fprintf(&w, "%-16s %s\n", name.In(t)+":", value)
		}
	}
	line(text.F("Record"), r.ID)
	line(text.F("Outcome"), r.Status.Describe().In(t))
	line(text.F("Bank"), text.F("%s (%s, profile %s)", r.Bank, r.Environment, r.ProfileID).In(t))
	line(text.F("Action"), r.Operation)
	line(text.F("Identity"), r.Identity)
	line(text.F("Started"), r.Started.UTC().Format(time.RFC3339))
	if r.Finished != nil {
		line(text.F("Finished"), r.Finished.UTC().Format(time.RFC3339))
	}
	line(text.F("Client id"), r.ClientID)
	line(text.F("Interaction id"), r.InteractionID)
	line(text.F("What happened"), r.Error)
	if r.Refusal != nil {
		line(text.F("The bank says"), strings.TrimSpace(r.Refusal.Code+" "+r.Refusal.Description))
	}
	for _, k := range r.Secrets {
		line(text.F("Saved in the keyring"), k)
	}
	for _, c := range r.Certificates {
		line(text.F("%s cert", c.Role), text.F("%s (SHA-256 %s, until %s)", c.Subject, c.SHA256, c.Expires.Format("2006-01-02")).In(t))
	}
	for _, f := range r.Preflight {
		line(text.F("Check"), f.In(t))
	}
	if q := r.Request; q != nil {
		fmt.Fprintf(&w, "\n%s\n%s %s\n", text.F("Sent:").In(t), q.Method, q.URL)
		for _, k := range sortedKeys(q.Header) {
			fmt.Fprintf(&w, "%s: %s\n", k, q.Header[k])
		}
		if q.Body != "" {
			fmt.Fprintf(&w, "\n%s\n", q.Body)
		}
	}
	if p := r.Response; p != nil {
		fmt.Fprintf(&w, "\n%s\n", text.F("Received: HTTP %d", p.Status).In(t))
		if p.Body != "" {
			fmt.Fprintf(&w, "%s\n", p.Body)
		}
	}
	return w.String()
}

// ReportFiles are the two forms of a record's evidence report.
type ReportFiles struct{ HTML, JSON string }

// ExportReport writes a record's evidence report, as HTML and JSON, into
// dir (created if needed). The report holds no secret.
func (a *App) ExportReport(id, dir string) (ReportFiles, error) {
	rec, err := a.Journal().Get(id)
	if err != nil {
		return ReportFiles{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ReportFiles{}, err
	}
	rep := records.NewReport(*rec, "tppwizard "+Version, a.now())
	base := filepath.Join(dir, "tppwizard-record-"+rec.ID)
	files := ReportFiles{HTML: base + ".html", JSON: base + ".json"}
	for path, write := range map[string]func(io.Writer) error{files.HTML: rep.WriteHTML, files.JSON: rep.WriteJSON} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return ReportFiles{}, err
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			return ReportFiles{}, err
		}
	}
	return files, nil
}

// ReportsDir is where reports opened from the GUI are written.
func (a *App) ReportsDir() string { return filepath.Join(a.ConfigDir, "reports") }

// Manage reads or deletes the registration a record is about, with the
// token the bank expects: the latest registration access token it returned
// for the client (kept in the keyring under that record), else a
// client_credentials token fetched for the client. The action is itself
// recorded.
func (a *App) Manage(ctx context.Context, recordID string, op registration.Operation) (*Outcome, error) {
	if !op.Manages() {
		return nil, text.Errorf("%s is not reading or deleting a registration", op)
	}
	rec, err := a.registrationRecord(recordID)
	if err != nil {
		return nil, err
	}
	req := RegisterRequest{ProfileID: rec.ProfileID, IdentityName: rec.Identity, Operation: op, ClientID: rec.ClientID}
	req.AccessToken, req.ManagementURI = a.access(rec)
	out, err := a.Register(ctx, req)
	if err == nil && op == registration.Delete {
		// The client is gone at the bank: its secrets open nothing any
		// more, so they do not stay in the keyring.
		if out.Forgotten, err = a.forgetSecrets(rec); err != nil {
			err = text.Errorf("the bank deleted client %s, but its secrets could not all be removed from the keyring: %w", rec.ClientID, err)
		}
	}
	return out, err
}

// forgetSecrets removes from the keyring every secret kept for the
// record's client at its bank, and says how many there were.
func (a *App) forgetSecrets(rec *records.Record) (int, error) {
	n := 0
	for _, r := range a.history(rec) {
		for _, key := range r.Secrets {
			if err := a.Vault().Store().Delete(key); err != nil { // one already gone is no error
				return n, err
			}
			a.log.Debug("secret removed from the keyring", "record", r.ID, "key", key)
			n++
		}
	}
	return n, nil
}

// registrationRecord is a record that names a client: the registration to
// read, change or delete.
func (a *App) registrationRecord(recordID string) (*records.Record, error) {
	rec, err := a.Journal().Get(recordID)
	if err != nil {
		return nil, err
	}
	if rec.ClientID == "" {
		return nil, text.Errorf("record %s names no client (its outcome: %s); choose the record of a successful registration", rec.ID, rec.Status.Describe())
	}
	return rec, nil
}

// history is every successful attempt about the record's client at its
// bank, newest first.
func (a *App) history(rec *records.Record) []records.Record {
	all, err := a.Records()
	if err != nil {
		return []records.Record{*rec}
	}
	var out []records.Record
	for _, r := range all {
		if r.Status == records.Succeeded && r.ProfileID == rec.ProfileID && r.ClientID == rec.ClientID {
			out = append(out, r)
		}
	}
	return out
}

// access is how the bank lets the client's registration be managed: the
// newest registration access token it returned (an RFC 7592 server may
// replace it on each change) and the newest registration_client_uri.
// Either may be empty.
func (a *App) access(rec *records.Record) (token, uri string) {
	for _, r := range a.history(rec) {
		if token == "" {
			if t, err := a.Secret(&r, "registration_access_token"); err == nil {
				token = t
			}
		}
		if uri == "" {
			uri = r.RegistrationClientURI
		}
	}
	return token, uri
}
