package altareq_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/core/dialect/altareq"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/testkit"
)

func input(t *testing.T) *registration.Input {
	p := testkit.Profile(t, "ae-altareq-modelbank-sandbox")
	return &registration.Input{Profile: p, Identity: testkit.Get(t).Parsed(t), Operation: registration.Create,
		Endpoint: p.RegistrationEndpoint, Now: time.Now(), NewID: func() string { return "5f0c2a9e-8b7d-4c3e-a1f2-0d9e8c7b6a54" }}
}

func TestGoldenRequest(t *testing.T) {
	req, err := altareq.Dialect{}.Build(input(t))
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.URL != "https://rs1.altareq1.sandbox.apihub.openfinance.ae/tpp-registration" || string(req.Body) != "{}" {
		t.Fatalf("%s %s %s", req.Method, req.URL, req.Body)
	}
	if req.Header.Get("Content-Type") != "application/json" || req.Header.Get("x-fapi-interaction-id") != "5f0c2a9e-8b7d-4c3e-a1f2-0d9e8c7b6a54" {
		t.Fatalf("headers %v", req.Header)
	}
	if len(req.Findings) != 0 {
		t.Fatalf("findings %v", req.Findings)
	}
}

func TestParseAcceptsEveryDocumentedSuccess(t *testing.T) {
	tests := []struct {
		status   int
		body     string
		clientID string
		fromDir  bool
	}{
		{200, `{"client_id":"bank-issued"}`, "bank-issued", false},
		{201, `{}`, testkit.ClientID, true},
		{204, ``, testkit.ClientID, true},
	}
	for _, tt := range tests {
		in := input(t)
		r, err := altareq.Dialect{}.Parse(in, &registration.Response{Status: tt.status, Header: http.Header{}, Body: []byte(tt.body)})
		if err != nil {
			t.Fatalf("%d: %v", tt.status, err)
		}
		if r.ClientID != tt.clientID || r.ClientIDFromDirectory != tt.fromDir {
			t.Errorf("%d: %+v", tt.status, r)
		}
	}
}

func TestParseReadsAlTareqErrors(t *testing.T) {
	in := input(t)
	_, err := altareq.Dialect{}.Parse(in, &registration.Response{Status: 400, Header: http.Header{},
		Body: []byte(`{"Errors":[{"Code":"Invalid.Certificate","Message":"Transport certificate not issued by the trust framework"}]}`)})
	be, ok := err.(*registration.BankError)
	if !ok || be.Code != "Invalid.Certificate" || be.Description != "Transport certificate not issued by the trust framework" {
		t.Fatalf("err = %#v", err)
	}
}
