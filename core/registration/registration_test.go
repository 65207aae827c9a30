package registration

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseField(t *testing.T) {
	tests := []struct {
		arg     string
		name    string
		value   any
		wantErr string
	}{
		{"aud=bank", "aud", "bank", ""},
		{"scope=openid accounts", "scope", "openid accounts", ""},
		{"software_id=123", "software_id", "123", ""},
		{`grant_types:=["client_credentials"]`, "grant_types", []any{"client_credentials"}, ""},
		{"contact.email=a@b.fr", "contact.email", "a@b.fr", ""},
		{"exp:=1800000000", "exp", float64(1800000000), ""},
		{"x=a:=b", "x", "a:=b", ""},
		{"novalue", "", nil, "expected name=value"},
		{"n:=[oops", "", nil, "must be JSON"},
		{".a=1", "", nil, "is not a field name"},
	}
	for _, tt := range tests {
		name, value, err := ParseField(tt.arg)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v", tt.arg, err)
			}
			continue
		}
		if err != nil || name != tt.name || !reflect.DeepEqual(value, tt.value) {
			t.Errorf("%q: %q %#v %v", tt.arg, name, value, err)
		}
	}
}

func TestApplyFieldsReachesIntoObjectsAndRemoves(t *testing.T) {
	m := map[string]any{"a": "1", "contact": map[string]any{"email": "old"}}
	ApplyFields(m, map[string]any{"contact.email": "new", "contact.phone_number": "+33", "a": nil, "b.c.d": "deep"})
	want := map[string]any{"contact": map[string]any{"email": "new", "phone_number": "+33"}, "b": map[string]any{"c": map[string]any{"d": "deep"}}}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got %#v", m)
	}
}

func TestParseErrorShapes(t *testing.T) {
	tests := []struct {
		name, body, code, text string
		status                 int
	}{
		{"RFC 7591", `{"error":"invalid_client_metadata","error_description":"bad scope"}`, "invalid_client_metadata", "bad scope", 400},
		{"seed 000", `{"error":"RequestFormatInvalid","error_message":"not a JWT"}`, "RequestFormatInvalid", "not a JWT", 400},
		{"OBIE", `{"Code":"400 BadRequest","Message":"Invalid","Errors":[{"ErrorCode":"UK.OBIE.Field.Invalid","Message":"redirect_uris"}]}`, "400 BadRequest", "Invalid redirect_uris", 400},
		{"Al Tareq", `{"Errors":[{"Code":"Unauthorized","Message":"certificate"}]}`, "Unauthorized", "certificate", 401},
		{"plain text", `Service Unavailable`, "", "Service Unavailable", 503},
		{"HTML", `<html><body>oops</body></html>`, "", "", 404},
		{"empty", ``, "", "", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ParseError(&Response{Status: tt.status, Header: http.Header{"X-Fapi-Interaction-Id": {"i-1"}}, Body: []byte(tt.body)})
			if e.Code != tt.code || e.Description != tt.text || e.Explanation.IsZero() || e.NextStep.IsZero() || e.InteractionID != "i-1" {
				t.Fatalf("%+v", e)
			}
		})
	}
}

func TestParseErrorCapsTheBanksText(t *testing.T) {
	e := ParseError(&Response{Status: 400, Body: []byte(`{"error":"x","error_description":"` + strings.Repeat("a", 10000) + `"}`)})
	if len(e.Description) > MaxErrorText+len("…") {
		t.Fatalf("description kept %d bytes", len(e.Description))
	}
}

func TestParseSuccessKeepsEverythingAndDropsBadManagementURI(t *testing.T) {
	r, err := ParseSuccess(&Response{Status: 201, Header: http.Header{}, Body: []byte(`{"client_id":"c","client_secret":"s","client_secret_expires_at":0,"registration_client_uri":"http://plain/c","software_id":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if r.ClientID != "c" || r.ClientSecret != "s" || r.RegistrationClientURI != "" || r.Metadata["software_id"] != "x" {
		t.Fatalf("%+v", r)
	}
	if _, err := ParseSuccess(&Response{Status: 200, Body: []byte("<html>")}); err == nil {
		t.Fatal("a success with an HTML body was accepted")
	}
}

func TestCheckRedirectURIs(t *testing.T) {
	tests := []struct {
		uri, want string
	}{
		{"https://app.example.com/cb", ""},
		{"http://app.example.com/cb", "does not use https"},
		{"https://localhost:8443/cb", "points at this computer"},
		{"https://[::1]/cb", "points at this computer"},
		{"https://app.example.com/cb#x", "#fragment"},
		{"app.example.com/cb", "is not a web address"},
	}
	for _, tt := range tests {
		got := CheckRedirectURIs([]string{tt.uri}, nil)
		if tt.want == "" && len(got) != 0 || tt.want != "" && (len(got) == 0 || !strings.Contains(got[0].Message.String(), tt.want)) {
			t.Errorf("%s: %v", tt.uri, got)
		}
	}
}

func FuzzParseError(f *testing.F) {
	for _, s := range []string{`{"error":"invalid_redirect_uri"}`, `{"Errors":[{"Code":"x","Message":"y"}]}`, `{"Errors":[1]}`, `<html>`, ``, `{"error":1}`} {
		f.Add(400, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseError(&Response{Status: status, Body: body})
		if e.Explanation.IsZero() || len(e.Description) > MaxErrorText+len("…") {
			t.Fatalf("%+v", e)
		}
	})
}

func FuzzParseSuccess(f *testing.F) {
	for _, s := range []string{`{"client_id":"c","client_secret":"s"}`, ``, `{}`, `[1]`, `{"client_id_issued_at":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseSuccess(&Response{Status: 201, Body: body})
		if err == nil && r == nil {
			t.Fatal("nil result without error")
		}
	})
}

func TestRetryAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"Sat, 21 Nov 2026 10:03:00 GMT", 3 * time.Minute, true},
		{"Sat, 21 Nov 2026 09:00:00 GMT", 0, true}, // in the past: now
		{"99999999", 24 * time.Hour, true},         // capped at a day
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := RetryAfter(http.Header{"Retry-After": {tt.value}}, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Retry-After %q = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}
