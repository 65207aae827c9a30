package discovery

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, doc, wantReg, wantErr string
	}{
		{"plain", `{"issuer":"https://as.bank","registration_endpoint":"https://as.bank/register","token_endpoint":"https://as.bank/token"}`, "https://as.bank/register", ""},
		{"mTLS alias wins", `{"registration_endpoint":"https://as.bank/register","mtls_endpoint_aliases":{"registration_endpoint":"https://mtls.bank/register"}}`, "https://mtls.bank/register", ""},
		{"no registration endpoint", `{"issuer":"https://as.bank"}`, "", "no registration_endpoint"},
		{"http endpoint", `{"registration_endpoint":"http://as.bank/register"}`, "", "not an https address"},
		{"HTML", `<!doctype html>`, "", "web page"},
		{"not JSON", `nope`, "", "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.doc))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || c.RegistrationEndpoint != tt.wantReg {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"registration_endpoint":"https://as.bank/register"}`))
	f.Add([]byte(`{"mtls_endpoint_aliases":{"token_endpoint":"x"}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := Parse(doc)
		if err == nil && !strings.HasPrefix(c.RegistrationEndpoint, "https://") {
			t.Fatalf("accepted endpoint %q", c.RegistrationEndpoint)
		}
	})
}
