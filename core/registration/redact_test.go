package registration

import (
	"net/http"
	"strings"
	"testing"
)

func TestRedactBodyMasksSecretsAndKeepsTheRest(t *testing.T) {
	tests := []struct {
		name, body string
		want       string
		secrets    []string
	}{
		{"no secret kept byte for byte", `{"client_id": "c-1",  "scope":"accounts"}`, `{"client_id": "c-1",  "scope":"accounts"}`, nil},
		{"client secret and token masked", `{"client_id":"c-1","client_secret":"s3cr3t","registration_access_token":"t0k3n"}`,
			`{"client_id":"c-1","client_secret":"•••••••• (hidden)","registration_access_token":"•••••••• (hidden)"}`, []string{"s3cr3t", "t0k3n"}},
		{"nested secrets masked", `{"data":[{"access_token":"at-1","n":12345678901234567890}]}`,
			`{"data":[{"access_token":"•••••••• (hidden)","n":12345678901234567890}]}`, []string{"at-1"}},
		{"form body with a secret not kept", `grant_type=client_credentials&client_secret=xyz`, "(not kept: a body that is not JSON and may hold a secret)", []string{"xyz"}},
		{"HTML kept", `<html>Bad gateway</html>`, `<html>Bad gateway</html>`, nil},
		{"binary summarised", "\xff\xfe\x00", "(not kept: 3 bytes that are not text)", nil},
		{"empty", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RedactBody([]byte(tt.body))
			if got != tt.want {
				t.Fatalf("RedactBody = %s\nwant          %s", got, tt.want)
			}
			for _, s := range tt.secrets {
				if strings.Contains(got, s) {
					t.Fatalf("secret %q kept", s)
				}
			}
		})
	}
	long := RedactBody([]byte(strings.Repeat("a", MaxKeptBody+10)))
	if !strings.HasSuffix(long, "(cut: 65546 bytes in all)") {
		t.Fatalf("long body end = %q", long[len(long)-40:])
	}
}

func TestRedactHeaderMasksCredentials(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer abc.def")
	h.Set("Set-Cookie", "session=42")
	h.Set("X-Request-Id", "r-1")
	got := RedactHeader(h)
	if got["Authorization"] != "Bearer •••••••• (hidden)" || got["Set-Cookie"] != "•••••••• (hidden)" || got["X-Request-Id"] != "r-1" {
		t.Fatalf("%v", got)
	}
	h.Set("Authorization", "Bearer <fetched at send time>")
	if got := RedactHeader(h); got["Authorization"] != "Bearer <fetched at send time>" {
		t.Fatalf("placeholder changed: %v", got)
	}
}
