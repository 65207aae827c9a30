package engine_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/httpsig"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/testkit"
	"github.com/tppwizard/tppwizard/core/transport"
)

// ukBank verifies what a UK bank verifies, with go-jose and the standard
// library, not with this project's code.
func ukBank(t *testing.T, k *testkit.Kit, contentType string, status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 {
			http.Error(w, "no client certificate", 401)
			return
		}
		if r.Header.Get("Content-Type") != contentType {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"invalid_client_metadata","error_description":"wrong content type"}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		jws, err := jose.ParseSigned(string(body), []jose.SignatureAlgorithm{jose.PS256})
		if err != nil {
			t.Errorf("bank: %v", err)
			return
		}
		payload, err := jws.Verify(k.Signing.Leaf().PublicKey)
		if err != nil {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"invalid_software_statement","error_description":"signature"}`)
			return
		}
		var claims map[string]any
		_ = json.Unmarshal(payload, &claims)
		if claims["software_id"] != testkit.SoftwareID {
			t.Errorf("bank got claims %v", claims)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"client_id":"uk-client-1","client_secret":"s3cr3t-value","registration_access_token":"rat-value","registration_client_uri":"https://bank.test/register/uk-client-1","client_id_issued_at":1800000000}`)
	}
}

func TestRegisterUKOverMutualTLS(t *testing.T) {
	k := testkit.Get(t)
	tests := []struct {
		profile, contentType string
		status               int
	}{
		{"uk-saltedge-v31", "application/jwt", 200},
		{"uk-obie-v33-modelbank", "application/jose", 201},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			srv := k.Bank(t, ukBank(t, k, tt.contentType, tt.status))
			e := &engine.Engine{}
			_, res, err := e.Register(context.Background(), engine.Params{
				Profile: testkit.Profile(t, tt.profile), Identity: k.Parsed(t), Endpoint: srv.URL + "/register",
				Roots: k.Roots(), Fields: map[string]any{"aud": "bank", "token_endpoint_auth_method": "private_key_jwt"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.ClientID != "uk-client-1" || res.ClientSecret != "s3cr3t-value" || res.RegistrationAccessToken != "rat-value" ||
				res.RegistrationClientURI != "https://bank.test/register/uk-client-1" || res.ClientIDIssuedAt != 1800000000 {
				t.Errorf("result %+v", res)
			}
			if red := res.Redacted(); strings.Contains(red.ClientSecret+red.RegistrationAccessToken+stringify(red.Metadata), "s3cr3t") {
				t.Error("redacted result still holds the secret")
			}
		})
	}
}

func stringify(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestRegisterSTETWithTokenDigestAndSignature(t *testing.T) {
	k := testkit.Get(t)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "manageRegistration" ||
			r.PostForm.Get("client_id") != "PSD2_TPPRegister" || len(r.TLS.PeerCertificates) == 0 {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"invalid_request"}`)
			return
		}
		_, _ = io.WriteString(w, `{"access_token":"stet-token","token_type":"Bearer","expires_in":300}`)
	})
	verify := func(w http.ResponseWriter, r *http.Request, target string) bool {
		body, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(body)
		if r.Header.Get("Digest") != "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]) {
			t.Errorf("digest %s", r.Header.Get("Digest"))
			return false
		}
		if r.Header.Get("Authorization") != "Bearer stet-token" {
			t.Errorf("authorization %q", r.Header.Get("Authorization"))
			return false
		}
		var b struct {
			JWKS struct {
				Keys []struct {
					X5c []string `json:"x5c"`
				} `json:"keys"`
			} `json:"jwks"`
		}
		_ = json.Unmarshal(body, &b)
		der, _ := base64.StdEncoding.DecodeString(b.JWKS.Keys[0].X5c[0])
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Error(err)
			return false
		}
		p, err := httpsig.Parse(r.Header.Get("Signature"))
		if err != nil {
			t.Error(err)
			return false
		}
		// The bank rebuilds the signing string itself.
		s := "(request-target): " + target + "\ndigest: " + r.Header.Get("Digest") + "\nx-request-id: " + r.Header.Get("X-Request-ID")
		h := sha256.Sum256([]byte(s))
		if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, h[:], p.Signature); err != nil {
			t.Errorf("bank: signature: %v", err)
			return false
		}
		return true
	}
	mux.HandleFunc("POST /stet/setting/v1/register", func(w http.ResponseWriter, r *http.Request) {
		if verify(w, r, "post /stet/setting/v1/register") {
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"client_id":"PSDFR-ACPR-12345-app"}`)
		}
	})
	mux.HandleFunc("PUT /stet/setting/v1/register/{id}", func(w http.ResponseWriter, r *http.Request) {
		if verify(w, r, "put /stet/setting/v1/register/"+r.PathValue("id")) {
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"client_id":"`+r.PathValue("id")+`"}`)
		}
	})
	srv := k.Bank(t, mux)
	p := testkit.Profile(t, "fr-bpce-17515-sandbox")
	p.TokenEndpoint = srv.URL + "/token"
	e := &engine.Engine{}
	params := engine.Params{Profile: p, Identity: k.Parsed(t), Endpoint: srv.URL + "/stet/setting/v1/register", Roots: k.Roots()}
	_, res, err := e.Register(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if res.ClientID != "PSDFR-ACPR-12345-app" || res.InteractionID == "" {
		t.Fatalf("create: %+v", res)
	}
	params.Operation, params.ClientID = registration.Update, res.ClientID
	_, res, err = e.Register(context.Background(), params)
	if err != nil || res.ClientID != "PSDFR-ACPR-12345-app" {
		t.Fatalf("update: %+v %v", res, err)
	}
}

func TestRegisterAlTareqThroughDiscovery(t *testing.T) {
	k := testkit.Get(t)
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "registration_endpoint": srv.URL + "/tpp-registration", "token_endpoint": srv.URL + "/token"})
	})
	var gotInteraction string
	mux.HandleFunc("POST /tpp-registration", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != "{}" || r.Header.Get("Content-Type") != "application/json" || len(r.TLS.PeerCertificates) == 0 {
			w.WriteHeader(400)
			return
		}
		gotInteraction = r.Header.Get("x-fapi-interaction-id")
		w.Header().Set("x-fapi-interaction-id", gotInteraction)
		w.WriteHeader(204)
	})
	srv = k.Bank(t, mux)
	_, res, err := (&engine.Engine{}).Register(context.Background(), engine.Params{
		Profile: testkit.Profile(t, "ae-altareq-modelbank-sandbox"), Identity: k.Parsed(t),
		DiscoveryURL: srv.URL + "/.well-known/openid-configuration", Roots: k.Roots(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 204 || res.ClientID != testkit.ClientID || !res.ClientIDFromDirectory || res.InteractionID != gotInteraction || gotInteraction == "" {
		t.Fatalf("%+v (interaction sent %q)", res, gotInteraction)
	}
}

func TestBankRefusalsAreExplained(t *testing.T) {
	k := testkit.Get(t)
	tests := []struct {
		name, profile string
		status        int
		body          string
		code, text    string
		explanation   string
	}{
		{"RFC 7591", "uk-obie-v33-modelbank", 400, `{"error":"invalid_redirect_uri","error_description":"redirect_uris not in SSA"}`, "invalid_redirect_uri", "redirect_uris not in SSA", "redirect addresses"},
		{"seed 000 class", "uk-saltedge-v31", 401, `{"error":"WrongRequiredFields","error_message":"aud is missing"}`, "WrongRequiredFields", "aud is missing", "required field"},
		{"seed 000 Invalid", "uk-saltedge-v31", 406, `{"class":"Invalid","error_message":"exp in the past"}`, "Invalid", "exp in the past", "is invalid"},
		{"HTML page", "uk-obie-v33-modelbank", 502, `<html>Bad gateway</html>`, "", "", "web page"},
		{"success code the profile does not accept", "uk-saltedge-v31", 201, `{"client_id":"x"}`, "", "", "not a success"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := k.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			_, _, err := (&engine.Engine{}).Register(context.Background(), engine.Params{
				Profile: testkit.Profile(t, tt.profile), Identity: k.Parsed(t), Endpoint: srv.URL, Roots: k.Roots(),
				Fields: map[string]any{"aud": "bank", "token_endpoint_auth_method": "private_key_jwt"}})
			var be *registration.BankError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v", err)
			}
			if be.Code != tt.code || be.Description != tt.text || !strings.Contains(be.Explanation.String(), tt.explanation) || be.NextStep.IsZero() || be.InteractionID == "" {
				t.Fatalf("%+v", be)
			}
		})
	}
}

func TestTransportFailuresAreExplained(t *testing.T) {
	k := testkit.Get(t)
	otherCA, err := pki.NewRootAuthority("Other CA", 2048, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) })

	untrusted := httptest.NewTLSServer(ok) // Go's own test certificate: not trusted by our roots
	t.Cleanup(untrusted.Close)

	demandsOtherCA := k.Bank(t, ok)
	demandsOtherCA.TLS.ClientCAs = x509.NewCertPool()
	demandsOtherCA.TLS.ClientCAs.AddCert(otherCA.Cert)

	redirecting := k.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.test/register", http.StatusTemporaryRedirect)
	}))
	huge := k.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 40 { // 2.5 MiB, over the 1 MiB cap
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	stalled := k.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client leaving
		testkit.Hold(r, time.After(5*time.Second))
	}))
	closed := k.Bank(t, ok)
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name, url, want string
		timeout         time.Duration
		// sent: the request left, so the bank may have acted on it.
		sent bool
	}{
		{"untrusted server certificate", untrusted.URL, "not issued by an authority this computer trusts", 0, false},
		{"bank demands another client CA", demandsOtherCA.URL, "does not accept your transport certificate", 0, false},
		{"huge response", huge.URL, "larger than 1048576 bytes", 0, true},
		{"stall beyond the timeout", stalled.URL, "did not answer in time", 300 * time.Millisecond, true},
		{"connection refused", closedURL, "nothing answers at this address", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := (&engine.Engine{}).Register(context.Background(), engine.Params{
				Profile: testkit.Profile(t, "ae-altareq-modelbank-sandbox"), Identity: k.Parsed(t), Endpoint: tt.url, Roots: k.Roots(), Timeout: tt.timeout})
			var te *transport.Error
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a transport error saying %q", err, tt.want)
			}
			if te.Sent != tt.sent {
				t.Fatalf("Sent = %v, want %v", te.Sent, tt.sent)
			}
		})
	}

	t.Run("redirect after POST is not followed", func(t *testing.T) {
		_, _, err := (&engine.Engine{}).Register(context.Background(), engine.Params{
			Profile: testkit.Profile(t, "ae-altareq-modelbank-sandbox"), Identity: k.Parsed(t), Endpoint: redirecting.URL, Roots: k.Roots()})
		var be *registration.BankError
		if !errors.As(err, &be) || be.Status != http.StatusTemporaryRedirect {
			t.Fatalf("err = %v, want the 307 reported as the bank's answer", err)
		}
	})

	t.Run("cancel stops a stalled send", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, _, err := (&engine.Engine{}).Register(ctx, engine.Params{
			Profile: testkit.Profile(t, "ae-altareq-modelbank-sandbox"), Identity: k.Parsed(t), Endpoint: stalled.URL, Roots: k.Roots()})
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestFindingsBlockSending(t *testing.T) {
	k := testkit.Get(t)
	called := false
	srv := k.Bank(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	_, _, err := (&engine.Engine{}).Register(context.Background(), engine.Params{
		Profile: testkit.Profile(t, "uk-saltedge-v31"), Identity: k.Parsed(t), Endpoint: srv.URL, Roots: k.Roots(),
		RedirectURIs: []string{"http://localhost/cb"}})
	if !errors.Is(err, registration.ErrBlocked) || called {
		t.Fatalf("err = %v, bank called = %v", err, called)
	}
}

func TestDryRunTouchesNoNetwork(t *testing.T) {
	k := testkit.Get(t)
	for _, id := range []string{"uk-saltedge-v31", "uk-obie-v33-modelbank", "fr-bpce-17515-sandbox", "ae-altareq-modelbank-sandbox"} {
		t.Run(id, func(t *testing.T) {
			plan, err := (&engine.Engine{}).Prepare(context.Background(), engine.Params{Profile: testkit.Profile(t, id), Identity: k.Parsed(t)}, false)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(plan.Request.URL, "https://") {
				t.Fatalf("URL %q", plan.Request.URL)
			}
			if _, err := (&engine.Engine{}).Send(context.Background(), plan); !errors.Is(err, engine.ErrNotPrepared) {
				t.Fatalf("a dry-run plan was sendable: %v", err)
			}
		})
	}
}

func TestPreflightChecksOnlyWhatTheBankUses(t *testing.T) {
	k := testkit.Get(t)
	expired, err := k.CA.Issue(pki.Spec{CommonName: "old-qseal", NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile string
		blocked bool
	}{
		{"ae-altareq-modelbank-sandbox", false}, // mutual TLS only: the signing certificate is never sent
		{"uk-obie-v33-modelbank", true},         // signs with it
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			id := k.Parsed(t)
			id.Signing = expired
			plan, err := (&engine.Engine{}).Prepare(context.Background(), engine.Params{Profile: testkit.Profile(t, tt.profile), Identity: id, Endpoint: "https://bank.example/register"}, false)
			if err != nil {
				t.Fatal(err)
			}
			var signingErrors int
			for _, f := range plan.Request.Findings.Errors() {
				if f.Field == "signing certificate" {
					signingErrors++
				}
			}
			if (signingErrors > 0) != tt.blocked {
				t.Fatalf("findings %v", plan.Request.Findings)
			}
		})
	}
}
