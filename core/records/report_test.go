package records

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/text"
)

func TestReportShowsTheAttemptAndNoSecret(t *testing.T) {
	finished := t0.Add(2 * time.Second)
	jwtHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"PS256","kid":"k1"}`))
	jwtClaims := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"sw-1","aud":"bank"}`))
	r := Record{
		ID: "20261121T100000Z-abcd0123", Operation: "create", ProfileID: "uk-bank", Bank: "Bank <b>plc</b>", Environment: "live",
		Dialect: "uk-obie", Identity: "Acme", InteractionID: "ia-1", Started: t0, Finished: &finished, Status: Succeeded, ClientID: "c-1",
		Request: &Exchange{Method: "POST", URL: "https://bank.example/register",
			Header: map[string]string{"Authorization": "Bearer leaked-token", "Content-Type": "application/jose"},
			Body:   jwtHeader + "." + jwtClaims + ".c2ln"},
		Response:     &Exchange{Status: 201, Body: `{"client_id":"c-1","client_secret":"leaked-secret","note":"<script>alert(1)</script>"}`},
		Secrets:      []string{"record/20261121T100000Z-abcd0123/client_secret"},
		Certificates: []Certificate{{Role: "transport", Subject: "CN=Acme", Serial: "1f", SHA256: "AB:CD", Expires: t0.AddDate(1, 0, 0)}},
		Preflight:    check.List{{Severity: check.Warning, Field: "transport certificate", Message: text.F("expires in 20 days"), Fix: text.F("renew it")}},
	}
	rep := NewReport(r, "tppwizard 1.0", t0)
	var html, js bytes.Buffer
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{html.String(), js.String()} {
		for _, secret := range []string{"leaked-token", "leaked-secret"} {
			if strings.Contains(out, secret) {
				t.Errorf("the report holds %q", secret)
			}
		}
	}
	page := html.String()
	for _, want := range []string{
		"20261121T100000Z-abcd0123", `class="succeeded">done`, "Bank &lt;b&gt;plc&lt;/b&gt;", "2026-11-21 10:00:02 UTC",
		"<code>AB:CD</code>", `class="warning">warning`, "expires in 20 days (renew it)", "POST https://bank.example/register",
		"Content-Type: application/jose", "HTTP 201", `&#34;kid&#34;: &#34;k1&#34;`, `&#34;iss&#34;: &#34;sw-1&#34;`,
		"&lt;script&gt;alert(1)&lt;/script&gt;", "record/20261121T100000Z-abcd0123/client_secret (not in this report)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML report lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("bank text reached the page unescaped")
	}
	if r.Request.Header["Authorization"] != "Bearer leaked-token" {
		t.Error("making a report changed the record it was made from")
	}
}
