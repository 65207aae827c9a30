package oauth

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/registration"
)

var tokenAnswers = []struct {
	name   string
	status int
	body   string
	want   string // the access token, or a piece of the error
}{
	{"bearer token", 200, `{"access_token":"abc","token_type":"Bearer","expires_in":300}`, "abc"},
	{"token type in lower case", 200, `{"access_token":"abc","token_type":"bearer"}`, "abc"},
	{"no token type", 200, `{"access_token":"abc"}`, "abc"},
	{"no access token", 200, `{"token_type":"Bearer"}`, "holds no access token"},
	{"not JSON", 200, `<html>login</html>`, "holds no access token"},
	{"empty", 200, ``, "holds no access token"},
	{"access token is not a string", 200, `{"access_token":42}`, "holds no access token"},
	{"MAC token", 200, `{"access_token":"abc","token_type":"mac"}`, `"mac" token; only Bearer`},
	{"refusal", 401, `{"error":"invalid_client","error_description":"unknown certificate"}`, "did not give an access token"},
}

func TestParseTokenAnswers(t *testing.T) {
	for _, tt := range tokenAnswers {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParseToken(&registration.Response{Status: tt.status, Header: http.Header{}, Body: []byte(tt.body)})
			if err == nil {
				if tok.AccessToken != tt.want {
					t.Fatalf("token %q, want %q", tok.AccessToken, tt.want)
				}
				return
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
			var be *registration.BankError
			if errors.As(err, &be) && be.Field != "token" {
				t.Fatalf("refusal not tied to the token: %+v", be)
			}
		})
	}
}

func FuzzParseToken(f *testing.F) {
	for _, tt := range tokenAnswers {
		f.Add(tt.status, []byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		tok, err := ParseToken(&registration.Response{Status: status, Header: http.Header{}, Body: body})
		if (tok == nil) == (err == nil) {
			t.Fatalf("token %v and error %v", tok, err)
		}
		if err == nil && (status != 200 || tok.AccessToken == "") {
			t.Fatalf("accepted status %d token %q", status, tok.AccessToken)
		}
	})
}
