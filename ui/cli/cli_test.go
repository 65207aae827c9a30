package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/keystore"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/testkit"
	"github.com/tppwizard/tppwizard/ui/cli"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

type session struct {
	t     *testing.T
	store *keystore.Memory
	kit   *testkit.Kit
	dir   string
}

func newSession(t *testing.T) *session {
	s := &session{t: t, store: keystore.NewMemory(), kit: testkit.Get(t), dir: t.TempDir()}
	id := s.kit.Identity
	for name, data := range map[string]string{
		"transport.pem": id.TransportCert, "transport.key": id.TransportKey,
		"signing.pem": id.SigningCert, "signing.key": id.SigningKey, "ssa.jwt": id.SSA,
	} {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *session) run(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	env := cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, NewApp: func() *app.App {
		return app.New(app.Options{Store: s.store, ConfigDir: s.dir, Roots: s.kit.Roots(), Text: i18n.Translate})
	}}
	code = cli.Run(context.Background(), args, env)
	return code, out.String(), errOut.String()
}

func (s *session) importIdentity() {
	s.t.Helper()
	f := func(n string) string { return filepath.Join(s.dir, n) }
	code, out, errOut := s.run("", "identity", "import", "--name", "Acme", "--transport-cert", f("transport.pem"), "--transport-key", f("transport.key"),
		"--signing-cert", f("signing.pem"), "--signing-key", f("signing.key"), "--signing-kid", testkit.SigningKID,
		"--ssa", f("ssa.jwt"), "--client-id", testkit.ClientID)
	if code != 0 {
		s.t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
}

// secretsIn fails the test when output holds key material or a secret.
func secretsIn(t *testing.T, output string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, "PRIVATE KEY") {
		if strings.Contains(output, s) {
			t.Fatalf("output contains %q", s)
		}
	}
}

func TestProfilesListsEveryShippedBank(t *testing.T) {
	s := newSession(t)
	code, out, _ := s.run("", "profiles")
	for _, id := range []string{"uk-saltedge-v31", "uk-obie-v33-modelbank", "fr-bpce-17515-sandbox", "ae-altareq-modelbank-sandbox"} {
		if !strings.Contains(out, id) {
			t.Errorf("profiles output lacks %s", id)
		}
	}
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	code, out, _ = s.run("", "profiles", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 4 || code != 0 {
		t.Fatalf("--json: %v, %d profiles, exit %d", err, len(list), code)
	}
}

func TestIdentityImportShowListDelete(t *testing.T) {
	s := newSession(t)
	s.importIdentity()
	code, out, _ := s.run("", "identity", "list")
	if code != 0 || strings.TrimSpace(out) != "Acme" {
		t.Fatalf("list: %d %q", code, out)
	}
	code, out, _ = s.run("", "identity", "show", "--name", "Acme")
	if code != 0 || !strings.Contains(out, "authorisation no.: "+testkit.OrgID) || !strings.Contains(out, "matches the certificate: yes") {
		t.Fatalf("show: %d\n%s", code, out)
	}
	secretsIn(t, out)
	code, out, _ = s.run("", "identity", "show", "--name", "Acme", "--json")
	secretsIn(t, out)
	if code != 0 || !strings.Contains(out, `"authorisation_number":"`+testkit.OrgID+`"`) {
		t.Fatalf("show --json: %s", out)
	}
	if code, _, _ = s.run("", "identity", "delete", "--name", "Acme"); code != 0 {
		t.Fatal("delete failed")
	}
	if code, _, errOut := s.run("", "identity", "show", "--name", "Acme"); code != 2 || !strings.Contains(errOut, `no identity named "Acme"`) {
		t.Fatalf("show deleted: %d %s", code, errOut)
	}
}

func TestDryRunPrintsTheRequestForEveryProfile(t *testing.T) {
	s := newSession(t)
	s.importIdentity()
	tests := []struct {
		profile string
		want    []string
	}{
		{"uk-saltedge-v31", []string{"POST https://priora.saltedge.com/api/open-banking/v3.1/tpp/register", "Content-Type: application/jwt", `"software_statement"`, `"kid": "` + testkit.SigningKID}},
		{"uk-obie-v33-modelbank", []string{"Content-Type: application/jose", `"alg": "PS256"`, "discovery document"}},
		{"fr-bpce-17515-sandbox", []string{"POST https://www.17515.sandbox.api.89C3.com/stet/setting/v1/register", "Digest: SHA-256=", `Signature: keyId="` + testkit.SigningKID, `"x5t#S256"`, "access token is first fetched"}},
		{"ae-altareq-modelbank-sandbox", []string{"POST https://rs1.altareq1.sandbox.apihub.openfinance.ae/tpp-registration", "X-Fapi-Interaction-Id: ", "\n{}\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			args := []string{"register", "--profile", tt.profile, "--identity", "Acme", "--dry-run"}
			if strings.HasPrefix(tt.profile, "uk-") {
				args = append(args, "--set", "aud=bank-id")
			}
			code, out, errOut := s.run("", args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(out, "nothing was sent") {
				t.Error("dry run does not say nothing was sent")
			}
			secretsIn(t, out)
		})
	}
}

func TestDryRunMasksAGivenToken(t *testing.T) {
	s := newSession(t)
	s.importIdentity()
	code, out, _ := s.run("", "register", "--profile", "fr-bpce-17515-sandbox", "--identity", "Acme", "--dry-run", "--token", "very-secret-token")
	if code != 0 || !strings.Contains(out, "Authorization: Bearer ") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	secretsIn(t, out, "very-secret-token")
}

func TestExitCodes(t *testing.T) {
	s := newSession(t)
	s.importIdentity()
	refusing := s.kit.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"Errors":[{"Code":"Invalid.Request","Message":"nope"}]}`)
	}))
	accepting := s.kit.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		_, _ = io.WriteString(w, `{"client_id":"c-1","client_secret":"top-secret-value"}`)
	}))
	closed := s.kit.Bank(t, http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	base := []string{"register", "--profile", "ae-altareq-modelbank-sandbox", "--identity", "Acme"}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"success", append(base, "--endpoint", accepting.URL), 0, "client id:         c-1"},
		{"bank refused", append(base, "--endpoint", refusing.URL), 1, "Invalid.Request nope"},
		{"network failure", append(base, "--endpoint", closedURL), 3, "nothing answers"},
		{"unknown profile", []string{"register", "--profile", "nope", "--identity", "Acme", "--dry-run"}, 2, `no bank profile "nope"`},
		{"missing flags", []string{"register"}, 2, "needs --profile and --identity"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"bad flag", []string{"register", "--nope"}, 2, "flag provided but not defined"},
		{"blocked by preflight", append(base[:0:0], "register", "--profile", "uk-saltedge-v31", "--identity", "Acme", "--dry-run", "--redirect-uri", "http://localhost/cb"), 2, "does not use https"},
		{"client id with path characters", []string{"update", "--profile", "fr-bpce-17515-sandbox", "--identity", "Acme", "--client-id", "../x", "--dry-run"}, 2, "is not a client id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := s.run("", tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			secretsIn(t, out+errOut, "top-secret-value")
		})
	}
	a := app.New(app.Options{Store: s.store, ConfigDir: s.dir})
	recs, err := a.Records()
	if err != nil {
		t.Fatal(err)
	}
	var succeeded *records.Record
	for i := range recs {
		if recs[i].Status == records.Succeeded {
			succeeded = &recs[i]
		}
	}
	if succeeded == nil || succeeded.ClientID != "c-1" {
		t.Fatalf("no record of the success among %+v", recs)
	}
	if v, err := a.Secret(succeeded, "client_secret"); err != nil || v != "top-secret-value" {
		t.Fatalf("client secret not in the keyring under the record: %q %v", v, err)
	}

	// The attempts that reached the engine are listed and shown, without
	// the secret.
	code, out, errOut := s.run("", "records")
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, "refused by the bank") || !strings.Contains(out, "c-1") || !strings.Contains(out, "not sent") {
		t.Fatalf("records: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = s.run("", "records", "show", succeeded.ID[:len(succeeded.ID)-2])
	if code != 0 || !strings.Contains(out, "Outcome:         done") || !strings.Contains(out, "record/"+succeeded.ID+"/client_secret") ||
		!strings.Contains(out, "Received: HTTP 201") || !strings.Contains(out, "•••••••• (hidden)") {
		t.Fatalf("records show: exit %d\n%s%s", code, out, errOut)
	}
	secretsIn(t, out, "top-secret-value")
	code, out, _ = s.run("", "records", "--json")
	var listed []records.Record
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != 3 {
		t.Fatalf("records --json: exit %d\n%s", code, out)
	}
	secretsIn(t, out, "top-secret-value")
	if code, _, errOut = s.run("", "records", "show", "nope"); code != 2 || !strings.Contains(errOut, `no record "nope"`) {
		t.Fatalf("records show nope: exit %d: %s", code, errOut)
	}
	reports := filepath.Join(s.dir, "reports")
	code, out, errOut = s.run("", "records", "export", succeeded.ID, "--dir", reports)
	if code != 0 || !strings.Contains(out, filepath.Join(reports, "tppwizard-record-"+succeeded.ID+".html")) {
		t.Fatalf("records export: exit %d\n%s%s", code, out, errOut)
	}
	for _, ext := range []string{".html", ".json"} {
		data, err := os.ReadFile(filepath.Join(reports, "tppwizard-record-"+succeeded.ID+ext))
		if err != nil {
			t.Fatal(err)
		}
		secretsIn(t, string(data), "top-secret-value")
	}
}

func TestCertificateUploadSendsTheQSEAL(t *testing.T) {
	s := newSession(t)
	s.importIdentity()
	var got struct {
		Data struct {
			Certificate struct{ PEM, Name, Type string }
		}
	}
	bank := s.kit.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil || r.Method != "POST" {
			w.WriteHeader(400)
			return
		}
		w.WriteHeader(200)
	}))
	code, out, errOut := s.run("", "certificate", "upload", "--profile", "uk-saltedge-v31", "--identity", "Acme", "--name", "QSEAL 2026", "--endpoint", bank.URL+"/api/open-banking/v3.1/tpp/certificates")
	if code != 0 || !strings.Contains(out, "accepted the certificate (HTTP 200)") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if got.Data.Certificate.Type != "qseal" || got.Data.Certificate.Name != "QSEAL 2026" || got.Data.Certificate.PEM != strings.TrimSpace(s.kit.Identity.SigningCert)+"\n" {
		t.Fatalf("bank received %+v", got.Data.Certificate)
	}
}

// TestUnknownOutcomeIsNotSentAgainUnchecked: a bank that cuts the
// connection after reading the registration gives exit 4 and how to check;
// the same registration is then refused until --checked.
func TestUnknownOutcomeIsNotSentAgainUnchecked(t *testing.T) {
	s := newSession(t)
	s.importIdentity()
	var posts atomic.Int64
	cutting := s.kit.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	args := []string{"register", "--profile", "ae-altareq-modelbank-sandbox", "--identity", "Acme", "--endpoint", cutting.URL}
	steps := []struct {
		extra []string
		code  int
		want  string
		posts int64
	}{
		{nil, cli.ExitUnknown, "It is not known whether the bank registered it, and it was not sent again.", 1},
		{nil, cli.ExitInput, "outcome is not known; sending again may register your software twice", 1},
		{[]string{"--checked"}, cli.ExitUnknown, "It is not known whether the bank registered it", 2},
	}
	for i, st := range steps {
		code, out, errOut := s.run("", append(args, st.extra...)...)
		if code != st.code || !strings.Contains(out+errOut, st.want) || posts.Load() != st.posts {
			t.Fatalf("step %d: exit %d (want %d), %d POSTs (want %d)\n%s%s", i+1, code, st.code, posts.Load(), st.posts, out, errOut)
		}
	}
}
