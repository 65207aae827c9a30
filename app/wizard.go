package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// Step is one screen of the registration wizard.
type Step int

// The wizard's steps, in order.
const (
	StepBank Step = iota
	StepIdentity
	StepDetails
	StepReview
	StepSend
)

var stepNames = [...]text.Message{text.F("Bank"), text.F("Identity"), text.F("Details"), text.F("Review"), text.F("Send")}

func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return fmt.Sprintf("Step(%d)", int(s))
	}
	return stepNames[s].String()
}

// Name is the step's name, to be said in the user's language.
func (s Step) Name() text.Message {
	if s < 0 || int(s) >= len(stepNames) {
		return text.F("Step(%d)", int(s))
	}
	return stepNames[s]
}

// Wizard is one registration in progress, as a front end walks through it:
// which step it is on, what the user chose, and whether it may go on.
type Wizard struct {
	a       *App
	step    Step
	profile *profile.Profile
	idName  string
	parsed  *identity.Parsed
	// values are the user's edits of Details fields, by field name.
	values map[string]string
	// preview is the request built offline from the current choices.
	preview    *engine.Plan
	previewErr error
	// initialToken is the OAuth server's initial access token, typed in
	// the Details step; it is sent, never recorded.
	initialToken string
	// earlier is an attempt at this bank with this identity whose outcome
	// is unknown; checked is the person's word that they asked the bank.
	earlier *records.Record
	checked bool
	// change is set when the wizard changes an existing registration; its
	// first step is then Details.
	change *Change
	first  Step
	// extra are fields set outside the Details step (the command line's
	// --set), sent as given.
	extra map[string]any
	// redirects, when set, replace the redirect addresses (the command
	// line's --redirect-uri).
	redirects []string
	// Outcome and Err are the result of the last send.
	Outcome *Outcome
	Err     error
}

// InitialTokenField is the Details field of an OAuth server's initial
// access token.
const InitialTokenField = "initial_access_token"

// Change is the registration being changed, or nil for a new registration.
func (w *Wizard) Change() *Change { return w.change }

// Override sets fields as the command line gives them: redirect
// addresses, and any field by name (dotted names reach into objects; nil
// leaves a field out). They win over the Details values.
func (w *Wizard) Override(redirects []string, fields map[string]any) {
	if len(redirects) > 0 {
		w.redirects = redirects
	}
	if len(fields) > 0 {
		if w.extra == nil {
			w.extra = map[string]any{}
		}
		for k, v := range fields {
			w.extra[k] = v
		}
	}
	w.refresh()
}

// First is the wizard's first step: Bank, or Details when changing a
// registration (its bank and identity are fixed).
func (w *Wizard) First() Step { return w.first }

// NewWizard starts a registration at the Bank step.
func (a *App) NewWizard() *Wizard { return &Wizard{a: a, values: map[string]string{}} }

// Step is the current step.
func (w *Wizard) Step() Step { return w.step }

// Profile is the chosen bank, or nil.
func (w *Wizard) Profile() *profile.Profile { return w.profile }

// IdentityName is the chosen identity, or "".
func (w *Wizard) IdentityName() string { return w.idName }

// Identity is the chosen identity decoded, or nil.
func (w *Wizard) Identity() *identity.Parsed { return w.parsed }

// ChooseProfile picks the bank. Choosing another bank forgets the details
// typed for the previous one.
func (w *Wizard) ChooseProfile(id string) error {
	p, err := w.a.Catalog.Get(id)
	if err != nil {
		return err
	}
	if w.profile == nil || w.profile.ID != p.ID {
		w.values, w.initialToken = map[string]string{}, ""
	}
	w.profile = p
	w.refresh()
	return nil
}

// ChooseIdentity picks a saved identity, reading it from the keyring.
func (w *Wizard) ChooseIdentity(name string) error {
	parsed, err := w.a.Identity(name)
	if err != nil {
		return err
	}
	w.UseIdentity(name, parsed)
	return nil
}

// UseIdentity picks an identity already read (with App.Identity, off the UI
// goroutine: the keyring may be slow or ask to be unlocked).
func (w *Wizard) UseIdentity(name string, parsed *identity.Parsed) {
	w.idName, w.parsed = name, parsed
	w.LookBack()
	w.refresh()
}

// LookBack finds an earlier attempt at the chosen bank with the chosen
// identity whose outcome is unknown (it reads the journal: call it off
// the UI goroutine, or after a send).
func (w *Wizard) LookBack() {
	w.earlier, w.checked = nil, false
	if w.profile == nil || w.idName == "" || w.change != nil {
		return
	}
	if earlier, err := w.a.Unresolved(w.profile.ID, w.idName); err == nil && len(earlier) > 0 {
		w.earlier = &earlier[0]
	}
}

// Earlier is an attempt at this bank with this identity whose outcome is
// unknown, or nil: sending again may register the software twice.
func (w *Wizard) Earlier() *records.Record { return w.earlier }

// SetChecked records that the person checked with the bank about the
// earlier attempt and wants to send anyway.
func (w *Wizard) SetChecked(checked bool) { w.checked = checked }

// CanNext says whether the current step is complete, and if not, why, in a
// sentence the user can act on.
func (w *Wizard) CanNext() (bool, string) {
	switch w.step {
	case StepBank:
		if w.profile == nil {
			return false, w.a.T("Choose the bank to register with.")
		}
	case StepIdentity:
		if w.parsed == nil {
			return false, w.a.T("Choose a saved identity, or import your certificate files.")
		}
		if missing := w.missingCredentials(); len(missing) > 0 {
			return false, w.a.T("This bank also needs %s; import them into this identity.", strings.Join(missing, w.a.T(" and ")))
		}
		if errs := w.parsed.Check(w.profile.Needs, w.a.now()).Errors(); len(errs) > 0 {
			return false, Sentence(errs[0].In(w.a.text))
		}
	case StepDetails:
		if w.previewErr != nil {
			return false, w.a.Say(w.previewErr)
		}
		for _, f := range w.Fields() {
			if f.Problem != "" {
				return false, w.a.T("%s: %s", f.Label, f.Problem)
			}
		}
	case StepReview:
		if w.previewErr != nil {
			return false, w.a.Say(w.previewErr)
		}
		if w.earlier != nil && !w.checked {
			return false, w.a.T("An earlier attempt at this bank may have registered your software (record %s). Check with the bank, then tick \"I checked with the bank\" to send again.", w.earlier.ID)
		}
		if errs := w.preview.Request.Findings.Errors(); len(errs) > 0 {
			return false, w.a.T("%d problem(s) must be fixed before sending: %s", len(errs), errs[0].In(w.a.text))
		}
	case StepSend:
		return false, w.a.T("This is the last step.")
	}
	return true, ""
}

// Next moves on when the step is complete.
func (w *Wizard) Next() error {
	if ok, why := w.CanNext(); !ok {
		return errors.New(why) // already in the user's language
	}
	w.step++
	w.refresh()
	return nil
}

// Back returns to the previous step; from Send it clears the last result.
func (w *Wizard) Back() {
	if w.step == w.first {
		return
	}
	if w.step == StepSend {
		w.Outcome, w.Err = nil, nil
	}
	w.step--
}

// GoTo returns to an earlier step (to fix what a refusal points at).
func (w *Wizard) GoTo(s Step) {
	if s < w.first {
		s = w.first
	}
	if s < w.step {
		w.step = s
		w.Outcome, w.Err = nil, nil
	}
}

// Needs says, one sentence each, which credentials the chosen bank uses
// and why.
func (w *Wizard) Needs() []string {
	if w.profile == nil {
		return nil
	}
	var out []string
	for _, n := range w.profile.Needs {
		switch n {
		case profile.NeedTransport:
			out = append(out, w.a.T("Transport certificate and key (QWAC): the bank sees it when your computer connects, and knows it is you."))
		case profile.NeedSigning:
			out = append(out, w.a.T("Signing certificate and key (QSEAL): your registration is signed with it, so the bank knows nobody changed it on the way."))
		case profile.NeedSSA:
			out = append(out, w.a.T("Software statement (SSA): your trust framework's signed description of your application."))
		case profile.NeedClientID:
			out = append(out, w.a.T("Application id from your trust framework directory: this bank uses it as your client id."))
		}
	}
	return out
}

func (w *Wizard) missingCredentials() []string {
	var out []string
	for _, n := range w.profile.Needs {
		switch {
		case n == profile.NeedSigning && w.parsed.Signing == nil:
			out = append(out, w.a.T("a signing certificate and key"))
		case n == profile.NeedSSA && w.parsed.Statement == nil:
			out = append(out, w.a.T("a software statement"))
		}
	}
	return out
}

// request is what the wizard's choices ask the app for.
func (w *Wizard) request() RegisterRequest {
	r := RegisterRequest{ProfileID: w.profile.ID, IdentityName: w.idName, Fields: map[string]any{}, Checked: w.checked}
	if c := w.change; c != nil {
		r.Operation, r.ClientID, r.ManagementURI, r.AccessToken = registration.Update, c.ClientID, c.uri, c.token
	} else if w.initialToken != "" {
		r.AccessToken = w.initialToken
	}
	specs := fieldSpecs[w.profile.Dialect]
	for name, v := range w.values {
		if name == "redirect_uris" {
			r.RedirectURIs = splitLines(v)
			continue
		}
		if i := slices.IndexFunc(specs, func(f fieldSpec) bool { return f.Name == name }); i >= 0 && specs[i].Multi && strings.TrimSpace(v) != "" {
			r.Fields[name] = splitLines(v)
			continue
		}
		if strings.TrimSpace(v) == "" {
			r.Fields[name] = nil // an emptied field is left out, not sent empty
		} else {
			r.Fields[name] = strings.TrimSpace(v)
		}
	}
	if len(w.redirects) > 0 {
		r.RedirectURIs = w.redirects
	}
	for k, v := range w.extra {
		r.Fields[k] = v
	}
	return r
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ' ' || r == ',' }) {
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

// refresh rebuilds the offline preview once a bank and an identity are chosen.
func (w *Wizard) refresh() {
	w.preview, w.previewErr = nil, nil
	if w.profile == nil || w.parsed == nil {
		return
	}
	// The identity was read from the keyring once, when chosen: a preview
	// runs on every keystroke and must not go back to the keyring.
	params, err := w.a.paramsWith(w.request(), w.parsed)
	if err != nil {
		w.previewErr = err
		return
	}
	// Not signed: this runs on every keystroke, on the UI goroutine. The
	// request is signed when sent, or by Signed for copying and saving.
	params.Preview = true
	w.preview, w.previewErr = w.a.Engine.Prepare(context.Background(), params, false)
}

// Signed returns a function that prepares the request as it would be sent
// now, signed (fresh ids aside), for copying or saving: call it off the UI
// goroutine, since signing takes a few milliseconds of RSA.
func (w *Wizard) Signed() func() (*engine.Plan, error) {
	a, parsed := w.a, w.parsed
	if w.profile == nil || parsed == nil {
		return func() (*engine.Plan, error) { return nil, text.New("choose a bank and an identity first") }
	}
	req := w.request()
	return func() (*engine.Plan, error) {
		params, err := a.paramsWith(req, parsed)
		if err != nil {
			return nil, err
		}
		return a.Engine.Prepare(context.Background(), params, false)
	}
}

// Preview is the request as it would be sent now (Bearer token and fresh
// ids aside), with the preflight findings; nil before a bank and an
// identity are chosen.
func (w *Wizard) Preview() (*engine.Plan, error) { return w.preview, w.previewErr }

// Field is one value of the Details step.
type Field struct {
	// Name is the claim or body field ("contact.email" reaches into objects).
	Name  string
	Label string
	// Help is one line for someone who has never read the bank's spec.
	Help string
	// Value is the current value: one entry per line for lists.
	Value    string
	Choices  []string
	Multi    bool
	Advanced bool
	// Secret is typed hidden and never shown back.
	Secret bool
	// Problem is the inline check's verdict; empty when the value is fine.
	Problem string
}

// fieldSpec is a Details field before it is said in the user's language.
type fieldSpec struct {
	Name                    string
	Label, Help             text.Message
	Choices                 []string
	Multi, Advanced, Secret bool
}

// fieldSpecs are the Details fields of each dialect.
var fieldSpecs = map[string][]fieldSpec{
	profile.DialectUK: {
		{Name: "redirect_uris", Label: text.F("Redirect addresses"), Multi: true,
			Help: text.F("Where the bank sends your customers back after they approve: https addresses from your software statement, one per line.")},
		{Name: "scope", Label: text.F("Access asked for"),
			Help: text.F("Space-separated: openid, plus accounts (AISP), payments (PISP), fundsconfirmations (CBPII) as your roles allow.")},
		{Name: "token_endpoint_auth_method", Label: text.F("How your software signs in to the bank"),
			Help: text.F("tls_client_auth uses your transport certificate; private_key_jwt your signing key; client_secret_basic a password the bank gives you.")},
		{Name: "aud", Label: text.F("Bank identifier (aud)"), Advanced: true,
			Help: text.F("The bank's id from your trust framework; the profile's value is right unless the bank says otherwise.")},
		{Name: "application_type", Label: text.F("Application type"), Choices: []string{"web", "mobile"}, Advanced: true,
			Help: text.F("web for a website or server, mobile for an app on a phone.")},
	},
	profile.DialectSTET: {
		{Name: "redirect_uris", Label: text.F("Redirect addresses"), Multi: true,
			Help: text.F("Where the bank sends your customers back: https addresses, one per line. Addresses not listed here are refused later.")},
		{Name: "client_name", Label: text.F("Legal name"), Help: text.F("Your firm's legal name, as on your authorisation.")},
		{Name: "software_id", Label: text.F("Name shown to customers"), Help: text.F("The application or brand name customers see when they approve access.")},
		{Name: "scope", Label: text.F("Roles"), Help: text.F("Comma-separated: aisp (account information), pisp (payment initiation), cbpii (funds confirmation).")},
		{Name: "contact.contact_name", Label: text.F("Contact name"), Help: text.F("Who the bank contacts about this registration.")},
		{Name: "contact.email", Label: text.F("Contact e-mail"), Help: text.F("An address someone reads.")},
		{Name: "contact.phone_number", Label: text.F("Contact phone"), Help: text.F("With the country code, for example +33 1 23 45 67 89.")},
		{Name: "provider_legal_id", Label: text.F("Authorisation number"), Advanced: true,
			Help: text.F("Read from your certificate (PSDFR-ACPR-12345 form); change it only if the bank tells you to.")},
		{Name: "client_legal_id", Label: text.F("Agent id"), Advanced: true,
			Help: text.F("Only when registering an agent: AGT form, for example AGTFR-ACPR-12345001. Leave empty otherwise.")},
	},
	profile.DialectOAuth: {
		{Name: "redirect_uris", Label: text.F("Redirect addresses"), Multi: true,
			Help: text.F("Where the server sends people back after they approve: https addresses, one per line.")},
		{Name: "client_name", Label: text.F("Application name"), Help: text.F("The name the server shows to people asked to approve access.")},
		{Name: "scope", Label: text.F("Access asked for"), Help: text.F("Space-separated scopes; leave empty to get the server's default.")},
		{Name: "token_endpoint_auth_method", Label: text.F("How your software signs in to the server"),
			Help: text.F("tls_client_auth uses your transport certificate; private_key_jwt your signing key; client_secret_basic a password the server gives you.")},
		{Name: InitialTokenField, Label: text.F("Initial access token"), Secret: true,
			Help: text.F("Only if the server's operator gave you one: it is sent with this registration and kept nowhere.")},
		{Name: "grant_types", Label: text.F("Grant types"), Multi: true, Advanced: true,
			Help: text.F("One per line: authorization_code (people approve access), refresh_token, client_credentials (your software alone).")},
	},
}

// Fields are the Details fields of the chosen bank, pre-filled from the
// software statement and certificates (through the request the dialect
// builds), with any edits and their inline checks.
func (w *Wizard) Fields() []Field {
	if w.profile == nil {
		return nil
	}
	specs := fieldSpecs[w.profile.Dialect]
	out := make([]Field, 0, len(specs))
	var built map[string]any
	var findings check.List
	if w.preview != nil {
		built, findings = w.preview.Request.Fields, w.preview.Request.Findings
	}
	for _, spec := range specs {
		if spec.Secret && (w.change != nil || w.profile.InitialAccessToken == "") {
			continue // asked only of a server that takes one, when registering
		}
		f := Field{Name: spec.Name, Label: spec.Label.In(w.a.text), Help: spec.Help.In(w.a.text),
			Choices: spec.Choices, Multi: spec.Multi, Advanced: spec.Advanced, Secret: spec.Secret}
		if f.Name == "token_endpoint_auth_method" {
			f.Choices = w.profile.AuthMethods
		}
		if f.Name == "scope" && w.profile.Dialect == profile.DialectOAuth && len(w.profile.Scopes) > 0 {
			f.Help = w.a.T("%s This server offers: %s.", f.Help, strings.Join(w.profile.Scopes, " "))
		}
		if f.Secret {
			f.Value = w.initialToken
		} else if v, edited := w.values[f.Name]; edited {
			f.Value = v
		} else {
			f.Value = fieldText(lookup(built, f.Name))
		}
		if f.Name == "redirect_uris" && strings.TrimSpace(f.Value) == "" {
			// Emptied: nothing the user picked would be sent, and the
			// bank would get every address in the statement instead.
			f.Problem = w.a.T("enter at least one address your application receives the bank's answers at")
			if w.parsed != nil && w.parsed.Statement != nil && len(w.parsed.Statement.Claims.SoftwareRedirectURI) > 0 {
				f.Problem = w.a.T("%s (choose from: %s)", f.Problem, strings.Join(w.parsed.Statement.Claims.SoftwareRedirectURI, ", "))
			}
		}
		for _, fd := range findings {
			if f.Problem != "" {
				break
			}
			if fd.Severity == check.Error && (fd.Field == f.Name || strings.HasPrefix(fd.Field, f.Name+".")) {
				f.Problem = fd.Message.In(w.a.text)
				if fix := fd.Fix.In(w.a.text); fix != "" && !strings.Contains(fix, "--") {
					f.Problem = w.a.T("%s (%s)", f.Problem, fix)
				}
				break
			}
		}
		out = append(out, f)
	}
	return out
}

// SetField changes a Details value and re-checks the request; the field's
// Problem says at once what is wrong with it. An emptied field is left out
// of the request, except an advanced one, which returns to its default.
func (w *Wizard) SetField(name, value string) {
	if w.profile == nil {
		return
	}
	specs := fieldSpecs[w.profile.Dialect]
	i := slices.IndexFunc(specs, func(f fieldSpec) bool { return f.Name == name })
	if i < 0 {
		return
	}
	if specs[i].Secret {
		w.initialToken = strings.TrimSpace(value)
	} else if specs[i].Advanced && strings.TrimSpace(value) == "" {
		// An emptied advanced field goes back to what the bank profile,
		// statement and certificates give.
		delete(w.values, name)
	} else {
		w.values[name] = value
	}
	w.refresh()
}

func lookup(m map[string]any, dotted string) any {
	var cur any = m
	for _, part := range strings.Split(dotted, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[part]
	}
	return cur
}

func fieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		return strings.Join(x, "\n")
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, fmt.Sprint(e))
		}
		return strings.Join(parts, "\n")
	}
	return fmt.Sprint(v)
}

// Send registers with the bank (the request is prepared afresh, with new
// ids and a fresh token) and saves the returned secrets in the keyring.
func (w *Wizard) Send(ctx context.Context) (*Outcome, error) {
	send, err := w.Sender()
	if err != nil {
		return nil, err
	}
	out, err := send(ctx)
	w.Record(out, err)
	return out, err
}

// Sender takes the wizard's choices as they are now and returns the send
// itself, which may run on another goroutine and be cancelled through its
// context; hand its result back with Record. Front ends call Sender on
// their UI goroutine and the send off it.
func (w *Wizard) Sender() (func(context.Context) (*Outcome, error), error) {
	if w.step != StepSend {
		return nil, text.Errorf("the wizard is at %s, not Send", w.step)
	}
	// The identity read when it was chosen is used: sending never goes
	// back to the keyring (which may ask to be unlocked again).
	a, req, parsed := w.a, w.request(), w.parsed
	return func(ctx context.Context) (*Outcome, error) {
		params, err := a.paramsWith(req, parsed)
		return a.register(ctx, req, params, err)
	}, nil
}

// Record keeps the result of a send. After an unknown outcome, sending
// again needs the person's word that they checked with the bank.
func (w *Wizard) Record(out *Outcome, err error) {
	w.Outcome, w.Err = out, err
	if out != nil && out.Record.Status == records.Unknown && w.change == nil {
		rec := out.Record
		w.earlier, w.checked = &rec, false
	}
}

// FixStep is the step where what a refusal points at can be corrected.
func (w *Wizard) FixStep() Step {
	var be *registration.BankError
	var ie *registration.InputError
	field := ""
	switch {
	case errors.As(w.Err, &be):
		field = be.Field
	case errors.As(w.Err, &ie):
		field = ie.Field
	}
	switch field {
	case "transport", "ssa", "signing certificate", "identity":
		return StepIdentity
	case "endpoint", "profile":
		return StepBank
	}
	return StepDetails
}
