package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// Change is a registration being changed: which one, and where the values
// it starts from came from.
type Change struct {
	// From is the record the change was started from.
	From     records.Record
	ClientID string
	// Source says where the pre-filled values come from, in a sentence.
	Source text.Message
	// Renewed lists the certificates that are not those the registration
	// was made with, one sentence each; empty when nothing was renewed.
	Renewed []text.Message

	token, uri string
}

// ChangeWizard starts changing the registration a record is about, at the
// Details step, pre-filled from what the bank holds: read from the bank
// where it offers reading (the read is recorded), else what was last sent
// and accepted (STET banks offer no read, seed 001). It reads the identity
// from the keyring and may call the bank: call it off the UI goroutine.
func (a *App) ChangeWizard(ctx context.Context, recordID string) (*Wizard, error) {
	rec, err := a.registrationRecord(recordID)
	if err != nil {
		return nil, err
	}
	if rec.Operation == string(registration.Delete) {
		return nil, text.Errorf("record %s deleted client %s; there is nothing left to change", rec.ID, rec.ClientID)
	}
	p, err := a.Catalog.Get(rec.ProfileID)
	if err != nil {
		return nil, err
	}
	if p.UpdateMethod == "" {
		return nil, text.Errorf("%s does not change registrations through its API; register again instead (for Al Tareq, change the application in the trust framework directory)", p.Name)
	}
	parsed, err := a.Identity(rec.Identity)
	if err != nil {
		return nil, text.Errorf("the identity %q this registration was made with: %w", rec.Identity, err)
	}
	c := &Change{From: *rec, ClientID: rec.ClientID, Renewed: a.renewed(rec, parsed)}
	c.token, c.uri = a.access(rec)

	var held map[string]any
	if engine.CanManage(p) {
		out, err := a.Register(ctx, RegisterRequest{ProfileID: p.ID, IdentityName: rec.Identity, Operation: registration.Read,
			ClientID: rec.ClientID, ManagementURI: c.uri, AccessToken: c.token})
		switch {
		case err == nil:
			held = out.Result.Metadata
			c.Source = text.F("Pre-filled from what %s holds now (read just now, record %s).", p.Name, out.Record.ID)
		case out != nil && out.Record.ID != "":
			c.Source = text.F("%s could not be read (%v, record %s), so this is pre-filled from what was last sent.", p.Name, err, out.Record.ID)
		default:
			return nil, err
		}
	}
	if held == nil {
		last, from := a.lastSent(rec)
		held = last
		if c.Source.IsZero() {
			c.Source = text.F("%s offers no way to read a registration, so this is pre-filled from what was last sent and accepted (record %s).", p.Name, from)
		}
	}

	w := a.NewWizard()
	w.profile, w.idName, w.parsed = p, rec.Identity, parsed
	w.change, w.first, w.step = c, StepDetails, StepDetails
	for _, f := range fieldSpecs[p.Dialect] {
		if f.Secret {
			continue
		}
		if v := lookup(held, f.Name); v != nil {
			w.values[f.Name] = fieldText(v)
		}
	}
	w.refresh()
	return w, nil
}

// lastSent is the body last sent and accepted for the record's client, as
// fields (a JWT's claims), and the record it comes from.
func (a *App) lastSent(rec *records.Record) (map[string]any, string) {
	for _, r := range a.history(rec) {
		if r.Request == nil || r.Request.Body == "" || r.Operation == string(registration.Read) {
			continue
		}
		if m := bodyFields(r.Request.Body); m != nil {
			return m, r.ID
		}
	}
	return nil, rec.ID
}

// bodyFields reads a request body kept in a record: a JSON object, or a
// compact JWS whose claims are one.
func bodyFields(body string) map[string]any {
	var m map[string]any
	if json.Unmarshal([]byte(body), &m) == nil {
		return m
	}
	parts := strings.Split(strings.TrimSpace(body), ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// Renewed compares the certificates a registration was made with to the
// identity's certificates now: one sentence per certificate renewed.
func Renewed(rec *records.Record, id *identity.Parsed) []text.Message {
	now := map[string]*pki.Credential{"transport": id.Transport, "signing": id.Signing}
	var out []text.Message
	for _, c := range rec.Certificates {
		cur := now[c.Role]
		if cur == nil {
			continue
		}
		leaf := cur.Leaf()
		if pki.FingerprintSHA256(leaf) != c.SHA256 {
			out = append(out, text.F("The %s is not the one registered (that one ends %s; the identity now has serial %s, valid until %s).",
				check.FieldName(c.Role+" certificate"), c.Expires.Format("2006-01-02"), leaf.SerialNumber.Text(16), leaf.NotAfter.UTC().Format("2006-01-02")))
		}
	}
	return out
}

// RenewedSince reads the record's identity and says which of its
// certificates are not those the bank was last sent for the client (by
// this record or a later change); nil when none, or when the identity
// cannot be read. It reads the keyring: call it off the UI goroutine.
func (a *App) RenewedSince(rec *records.Record) []text.Message {
	id, err := a.Identity(rec.Identity)
	if err != nil {
		return nil
	}
	return a.renewed(rec, id)
}

// renewed compares the identity, already read, with the certificates the
// bank was last sent for the record's client.
func (a *App) renewed(rec *records.Record, id *identity.Parsed) []text.Message {
	latest := rec
	for _, r := range a.history(rec) {
		if r.Operation == string(registration.Create) || r.Operation == string(registration.Update) {
			latest = &r
			break
		}
	}
	return Renewed(latest, id)
}

// AgainWizard starts a new registration with the bank and identity of a
// record (for banks that register again rather than change, such as Al
// Tareq after a transport certificate renewal). It reads the keyring: call
// it off the UI goroutine.
func (a *App) AgainWizard(recordID string) (*Wizard, error) {
	rec, err := a.Journal().Get(recordID)
	if err != nil {
		return nil, err
	}
	w := a.NewWizard()
	if err := w.ChooseProfile(rec.ProfileID); err != nil {
		return nil, err
	}
	if err := w.ChooseIdentity(rec.Identity); err != nil {
		return nil, err
	}
	w.step = StepDetails
	w.refresh()
	return w, nil
}

// Actions says what can be done at the bank with the registration a
// record is about: read and delete it (UK banks, RFC 7592 servers), change
// it (banks with an update method). Nothing for records that name no
// client or deleted it.
func (a *App) Actions(rec *records.Record) (manage, change bool) {
	if rec.ClientID == "" || rec.Status != records.Succeeded || rec.Operation == string(registration.Delete) {
		return false, false
	}
	p, err := a.Catalog.Get(rec.ProfileID)
	if err != nil {
		return false, false
	}
	return engine.CanManage(p), p.UpdateMethod != ""
}
