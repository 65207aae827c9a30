package app_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/core/testkit"
	"github.com/tppwizard/tppwizard/core/text"
)

func TestEveryAttemptIsRecordedWithoutItsSecrets(t *testing.T) {
	a := demoApp(t)
	ctx := context.Background()
	out, err := a.Register(ctx, app.RegisterRequest{ProfileID: "sandbox-uk-v31", IdentityName: sandbox.DemoIdentityName})
	if err != nil {
		t.Fatal(err)
	}
	rec := out.Record
	if rec.Status != records.Succeeded || rec.ClientID != out.Result.ClientID || rec.Bank == "" || rec.Identity != sandbox.DemoIdentityName ||
		rec.InteractionID == "" || rec.Request == nil || rec.Request.Method != "POST" || rec.Response == nil || rec.Response.Status != 200 ||
		rec.Finished == nil || len(rec.Certificates) != 2 || rec.Certificates[0].SHA256 == "" {
		t.Fatalf("success recorded as %+v", rec)
	}
	secret, err := a.Secret(&rec, "client_secret")
	if err != nil || secret != out.Result.ClientSecret || secret == "" {
		t.Fatalf("client secret under the record: %q, %v", secret, err)
	}
	token, err := a.Secret(&rec, "registration_access_token")
	if err != nil || token == "" {
		t.Fatalf("registration access token under the record: %v", err)
	}

	// A refusal: the STET bank refuses a second registration of one TPP.
	for range 2 {
		out, err = a.Register(ctx, app.RegisterRequest{ProfileID: "sandbox-stet", IdentityName: sandbox.DemoIdentityName})
	}
	if err == nil || out.Record.Status != records.Refused || out.Record.Refusal == nil || out.Record.Response.Status != 400 {
		t.Fatalf("refusal recorded as %+v (%v)", out.Record, err)
	}

	// Not sent: an unknown identity.
	out, err = a.Register(ctx, app.RegisterRequest{ProfileID: "sandbox-stet", IdentityName: "nobody"})
	if err == nil || out.Record.Status != records.NotSent || !strings.Contains(out.Record.Error, "nobody") {
		t.Fatalf("unknown identity recorded as %+v (%v)", out.Record, err)
	}

	// The whole life of an RFC 7591 registration: created with an initial
	// access token and a client secret, changed (the server replaces the
	// registration access token), deleted.
	srv, err := a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	initial := srv.InitialAccessToken()
	out, err = a.Register(ctx, app.RegisterRequest{ProfileID: "sandbox-oauth", IdentityName: sandbox.DemoIdentityName, AccessToken: initial,
		Fields: map[string]any{"token_endpoint_auth_method": "client_secret_basic"}})
	if err != nil || out.Result.ClientSecret == "" {
		t.Fatalf("oauth registration: %v", err)
	}
	w, err := a.ChangeWizard(ctx, out.Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.SetField("client_name", "Changed")
	for w.Step() < app.StepSend {
		if err := w.Next(); err != nil {
			t.Fatal(err)
		}
	}
	changed, err := w.Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Manage(ctx, changed.Record.ID, registration.Delete); err != nil {
		t.Fatal(err)
	}
	oauthSecrets := map[string]string{"initial access token": initial, "oauth client secret": out.Result.ClientSecret,
		"first registration access token": out.Result.RegistrationAccessToken, "replaced registration access token": changed.Result.RegistrationAccessToken}

	recs, err := a.Records()
	if err != nil || len(recs) != 8 {
		t.Fatalf("%d records, %v; want 8", len(recs), err)
	}
	// The journal's files, and every record's text as the CLI and the GUI
	// show it.
	var journal []byte
	for _, f := range a.Journal().Files() {
		data, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		journal = append(journal, data...)
	}
	if len(journal) == 0 {
		t.Fatal("the journal wrote no file")
	}
	for _, r := range recs {
		journal = append(journal, app.RecordText(&r, text.English)...)
	}
	demo, err := a.Vault().Load(sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"client secret": secret, "registration access token": token,
		"transport key": keyBody(demo.TransportKey), "signing key": keyBody(demo.SigningKey)}
	for name, v := range oauthSecrets {
		if v == "" {
			t.Fatalf("no %s to look for", name)
		}
		secrets[name] = v
	}
	files := map[string]string{"records file": string(journal)}
	for _, r := range recs {
		rep, err := a.ExportReport(r.ID, filepath.Join(t.TempDir(), "reports"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{rep.HTML, rep.JSON} {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), r.ID) {
				t.Errorf("%s is not the report of %s", path, r.ID)
			}
			files[filepath.Base(path)] = string(data)
		}
	}
	for file, content := range files {
		for name, s := range secrets {
			if strings.Contains(content, s) {
				t.Errorf("%s holds the %s", file, name)
			}
		}
	}
}

// keyBody is a long run of a PEM private key's base64, enough to spot it.
func keyBody(pemText string) string {
	lines := strings.Split(strings.TrimSpace(pemText), "\n")
	if len(lines) < 3 {
		return pemText
	}
	return lines[1]
}

// TestAttemptIsJournalledBeforeTheBankAnswers holds the bank's answer and
// reads the journal meanwhile: a crash at that moment would leave this
// record, which reads as outcome unknown once the process is gone.
func TestAttemptIsJournalledBeforeTheBankAnswers(t *testing.T) {
	k := testkit.Get(t)
	// holding is a bank that answers only when released.
	holding := func() (url string, arrived, release chan struct{}) {
		arrived, release = make(chan struct{}), make(chan struct{})
		bank := k.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			close(arrived)
			if testkit.Hold(r, release) {
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, `{"client_id":"c-9"}`)
			}
		}))
		return bank.URL, arrived, release
	}
	url, arrived, release := holding()
	a := app.New(app.Options{Store: keystore.NewMemory(), ConfigDir: t.TempDir(), Roots: k.Roots()})
	if err := a.Vault().Save(k.Identity); err != nil {
		t.Fatal(err)
	}
	req := app.RegisterRequest{ProfileID: "ae-altareq-modelbank-sandbox", IdentityName: k.Identity.Name, Endpoint: url}

	done := make(chan *app.Outcome)
	go func() {
		out, err := a.Register(context.Background(), req)
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	<-arrived
	recs, err := a.Records()
	if err != nil || len(recs) != 1 || recs[0].Status != records.Pending || recs[0].Request == nil || recs[0].InteractionID == "" {
		t.Fatalf("while the bank holds the request, the journal has %+v, %v", recs, err)
	}
	close(release)
	out := <-done
	if got, err := a.Journal().Get(out.Record.ID); err != nil || got.Status != records.Succeeded || got.ClientID != "c-9" {
		t.Fatalf("after the answer: %+v, %v", got, err)
	}

	// Cancelled after the request left: the outcome is unknown, and said so.
	req.Endpoint, arrived, release = holding()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	out, err = a.Register(ctx, req)
	close(release)
	if !errors.Is(err, context.Canceled) || out.Record.Status != records.Unknown || !strings.Contains(out.Record.Error, "not known whether the bank registered it") {
		t.Fatalf("cancel after sending recorded as %+v (%v)", out.Record, err)
	}
}

// TestRegistrationIsReadAndDeletedFromItsRecord: the UK banks manage
// registrations (uk31 with the registration access token it returned, OBIE
// with a client_credentials token over mutual TLS); STET and Al Tareq do
// not, and say so before anything is sent.
func TestRegistrationIsReadAndDeletedFromItsRecord(t *testing.T) {
	a := demoApp(t)
	ctx := context.Background()
	for _, id := range []string{"sandbox-uk-v31", "sandbox-uk-obie"} {
		t.Run(id, func(t *testing.T) {
			created, err := a.Register(ctx, app.RegisterRequest{ProfileID: id, IdentityName: sandbox.DemoIdentityName})
			if err != nil {
				t.Fatal(err)
			}
			read, err := a.Manage(ctx, created.Record.ID, registration.Read)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if read.Record.Operation != "read" || read.Record.Status != records.Succeeded || read.Result.ClientID != created.Result.ClientID ||
				read.Record.Request.Method != "GET" {
				t.Fatalf("read recorded as %+v", read.Record)
			}
			if read.Result.Metadata["software_id"] == nil {
				t.Errorf("the bank's copy of the registration is not read: %v", read.Result.Metadata)
			}
			deleted, err := a.Manage(ctx, read.Record.ID, registration.Delete) // from the read's record: the token is found through the creation
			if err != nil {
				t.Fatalf("delete: %v", err)
			}
			if deleted.Record.Request.Method != "DELETE" || deleted.Record.Response.Status != 204 {
				t.Fatalf("delete recorded as %+v", deleted.Record)
			}
			// The deleted client's secrets leave the keyring; its records
			// say where they were, and asking for one says why it is gone.
			if deleted.Forgotten != len(created.Record.Secrets) || len(created.Record.Secrets) == 0 {
				t.Errorf("%d secrets removed, the creation kept %d", deleted.Forgotten, len(created.Record.Secrets))
			}
			for _, key := range created.Record.Secrets {
				if _, err := a.Vault().Store().Get(key); !errors.Is(err, keystore.ErrNotFound) {
					t.Errorf("%s is still in the keyring (%v)", key, err)
				}
			}
			if _, err := a.Secret(&created.Record, "registration_access_token"); err == nil || !strings.Contains(err.Error(), "no longer in the keyring") {
				t.Errorf("asking for a removed secret: %v", err)
			}
			// Refused: by the registration endpoint, or (the token gone
			// with the client) by the token endpoint before it.
			again, err := a.Manage(ctx, created.Record.ID, registration.Read)
			if err == nil || (again.Record.Status != records.Refused && again.Record.Status != records.NotSent) || !strings.Contains(err.Error(), "refused") {
				t.Fatalf("reading a deleted registration: %v, %+v", err, again.Record)
			}
		})
	}
	for _, id := range []string{"sandbox-stet", "sandbox-altareq"} {
		t.Run(id, func(t *testing.T) {
			created, err := a.Register(ctx, app.RegisterRequest{ProfileID: id, IdentityName: sandbox.DemoIdentityName})
			if err != nil {
				t.Fatal(err)
			}
			out, err := a.Manage(ctx, created.Record.ID, registration.Read)
			if err == nil || out.Record.Status != records.NotSent || !strings.Contains(err.Error(), "cannot read a registration") {
				t.Fatalf("read at %s: %v, %+v", id, err, out)
			}
		})
	}
}

// TestKeysAreLetGoOnceSent: the outcome a front end keeps shows what was
// sent, but holds neither the identity's keys nor a client that could use
// them.
func TestKeysAreLetGoOnceSent(t *testing.T) {
	a := demoApp(t)
	out, err := a.Register(context.Background(), app.RegisterRequest{ProfileID: "sandbox-stet", IdentityName: sandbox.DemoIdentityName})
	if err != nil {
		t.Fatal(err)
	}
	if out.Plan.Input.Identity != nil {
		t.Error("the outcome still holds the identity and its keys")
	}
	if out.Plan.Request == nil || out.Plan.Request.Method != "POST" {
		t.Error("what was sent is no longer readable")
	}
	if _, err := a.Engine.Send(context.Background(), out.Plan); !errors.Is(err, engine.ErrNotPrepared) {
		t.Errorf("a sent plan could be sent again: %v", err)
	}
}
