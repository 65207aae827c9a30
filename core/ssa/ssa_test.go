package ssa

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func jws(header, claims map[string]any, sig string) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "." + sig
}

// seedSSA is the software statement from the example in seed 000.
const seedSSA = "eyJhbGciOiJIUzI1NiIsImtpZCI6IkFCQ0QxMjM0In0.eyJpc3MiOiJPcGVuQmFua2luZyBMdGQiLCJpYXQiOjE0OTI3NTYzMzEsImp0aSI6ImlkMTIzNDU2ODU0Mzk0ODc2NzgiLCJzb2Z0d2FyZV9lbnZpcm9ubWVudCI6InByb2R1Y3Rpb24iLCJzb2Z0d2FyZV9tb2RlIjoibGl2ZSIsInNvZnR3YXJlX2lkIjoiNjVkMWYyN2MtNGFlYS00NTQ5LTljMjEtNjBlNDk1YTdhODZmIiwic29mdHdhcmVfY2xpZW50X2lkIjoiT3BlbkJhbmtpbmcgVFBQIENsaWVudCBVbmlxdWUgSUQiLCJzb2Z0d2FyZV9jbGllbnRfbmFtZSI6IkFtYXpvbiBQcmltZSBNb3ZpZXMiLCJzb2Z0d2FyZV9jbGllbnRfZGVzY3JpcHRpb24iOiJBbWF6b24gUHJpbWUgTW92aWVzIGlzIGEgbW92aW5nIHN0cmVhbWluZyBzZXJ2aWNlIiwic29mdHdhcmVfdmVyc2lvbiI6IjIuMiIsInNvZnR3YXJlX2NsaWVudF91cmkiOiJodHRwczovL3ByaW1lLmFtYXpvbi5jb20iLCJzb2Z0d2FyZV9yZWRpcmVjdF91cmlzIjpbImh0dHBzOi8vcHJpbWUuYW1hem9uLmNvbS9jYiIsImh0dHBzOi8vcHJpbWUuYW1hem9uLmNvLnVrL2NiIl0sInNvZnR3YXJlX3JvbGVzIjpbIlBJU1AiLCJBSVNQIl0sIm9yZ2FuaXNhdGlvbl9jb21wZXRlbnRfYXV0aG9yaXR5X2NsYWltcyI6W3siYXV0aG9yaXR5X2lkIjoiRk1BIiwicmVnaXN0cmF0aW9uX2lkIjoiMTExMTExIiwic3RhdHVzIjoiQWN0aXZlIiwiYXV0aG9yaXNhdGlvbnMiOlt7Im1lbWJlcl9zdGF0ZSI6IkdCUiIsInJvbGVzIjpbIlBJU1AiLCJBSVNQIl19LHsibWVtYmVyX3N0YXRlIjoiUk9JIiwicm9sZXMiOlsiUElTUCJdfV19XSwic29mdHdhcmVfbG9nb191cmkiOiJodHRwczovL3ByaW1lLmFtYXpvbi5jb20vbG9nby5wbmciLCJvcmdfc3RhdHVzIjoiQWN0aXZlIiwib3JnX2lkIjoiQW1hem9uIFRQUElEIiwib3JnX25hbWUiOiJPcGVuQmFua2luZyBUUFAgUmVnaXN0ZXJlZCBOYW1lIiwib3JnX2NvbnRhY3RzIjpbeyJuYW1lIjoiY29udGFjdCBuYW1lIiwiZW1haWwiOiJjb250YWN0QGNvbnRhY3QuY29tIiwicGhvbmUiOiIrNDQ3ODkwMTMwNTU4IiwidHlwZSI6ImJ1c2luZXNzIn0seyJuYW1lIjoiY29udGFjdCBuYW1lIiwiZW1haWwiOiJjb250YWN0QGNvbnRhY3QuY29tIiwicGhvbmUiOiIrNDQ3ODkwMTMwNTU4IiwidHlwZSI6InRlY2huaWNhbCJ9XSwib3JnX2p3a3NfZW5kcG9pbnQiOiJodHRwczovL2p3a3Mub3BlbmJhbmtpbmcub3JnLnVrL29yZ19pZC9vcmdfaWQuamt3cyIsIm9yZ19qd2tzX3Jldm9rZWRfZW5kcG9pbnQiOiJodHRwczovL2p3a3Mub3BlbmJhbmtpbmcub3JnLnVrL29yZ19pZC9yZXZva2VkL29yZ19pZC5qa3dzIiwic29mdHdhcmVfandrc19lbmRwb2ludCI6Imh0dHBzOi8vandrcy5vcGVuYmFua2luZy5vcmcudWsvb3JnX2lkL3NvZnR3YXJlX2lkLmprd3MiLCJzb2Z0d2FyZV9qd2tzX3Jldm9rZWRfZW5kcG9pbnQiOiJodHRwczovL2p3a3Mub3BlbmJhbmtpbmcub3JnLnVrL29yZ19pZC9yZXZva2VkL3NvZnR3YXJlX2lkLmprd3MiLCJzb2Z0d2FyZV9wb2xpY3lfdXJpIjoiaHR0cHM6Ly90cHAuY29tL3BvbGljeS5odG1sIiwic29mdHdhcmVfdG9zX3VyaSI6Imh0dHBzOi8vdHBwLmNvbS90b3MuaHRtbCIsInNvZnR3YXJlX29uX2JlaGFsZl9vZl9vcmciOiJodHRwczovL2FwaS5vcGVuYmFua2luZy5vcmcudWsvc2NpbTIvT0JUcnVzdGVkUGF5bWVudFBhcnR5LzEyMzQ1Njc3ODkiLCJvYl9yZWdpc3RyeV90b3MiOiJodHRwczovL3JlZ2lzdHJ5Lm9wZW5iYW5raW5nLm9yZy51ay90b3MuaHRtbCJ9.oHlq7NxEoj0vdXeTR5cUz7oIq7Vt9dB34pbwxtDhWTs"

func TestParseReadsTheSeedStatement(t *testing.T) {
	st, err := Parse(seedSSA)
	if err != nil {
		t.Fatal(err)
	}
	c := st.Claims
	if c.SoftwareID != "65d1f27c-4aea-4549-9c21-60e495a7a86f" || c.SoftwareClientName != "Amazon Prime Movies" ||
		strings.Join(c.SoftwareRedirectURI, " ") != "https://prime.amazon.com/cb https://prime.amazon.co.uk/cb" ||
		strings.Join(c.SoftwareRoles, ",") != "PISP,AISP" || c.OrgName != "OpenBanking TPP Registered Name" ||
		len(c.OrgContacts) != 2 || c.OrgContacts[0].Email != "contact@contact.com" || st.Kid() != "ABCD1234" || st.Alg() != "HS256" {
		t.Errorf("claims = %+v", c)
	}
	if c.IssuedAt != 1492756331 {
		t.Errorf("iat = %d", c.IssuedAt)
	}
}

func TestParseRefusesBadStatements(t *testing.T) {
	tests := []struct{ name, raw, want string }{
		{"empty", "  ", "empty"},
		{"two parts", "a.b", "three parts"},
		{"alg none", jws(map[string]any{"alg": "none"}, map[string]any{"software_id": "x"}, ""), "unsigned"},
		{"alg NONE with signature", jws(map[string]any{"alg": "NONE"}, map[string]any{}, "c2ln"), "unsigned"},
		{"empty signature", jws(map[string]any{"alg": "PS256"}, map[string]any{}, ""), "unsigned"},
		{"header not base64", "!!!.e30.c2ln", "header: not valid base64url"},
		{"claims not JSON", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"PS256"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte("nope")) + ".c2ln", "claims: not valid JSON"},
		{"too large", strings.Repeat("a", MaxSize+1), "wrong file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.raw)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCheckFlagsStaleAndExpiredStatements(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name   string
		claims map[string]any
		want   []string
	}{
		{"fresh", map[string]any{"software_id": "s", "iat": now.Add(-5 * time.Minute).Unix()}, nil},
		{"two hours old", map[string]any{"software_id": "s", "iat": now.Add(-2 * time.Hour).Unix()}, []string{"issued 2 hours ago"}},
		{"expired", map[string]any{"software_id": "s", "iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix()}, []string{"expired on"}},
		{"no software id", map[string]any{"iat": now.Unix()}, []string{"no software_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Parse(jws(map[string]any{"alg": "PS256"}, tt.claims, "c2ln"))
			if err != nil {
				t.Fatal(err)
			}
			got := st.Check(now)
			if len(got) != len(tt.want) {
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].Message.String(), w) {
					t.Errorf("finding %q, want %q", got[i].Message, w)
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(seedSSA)
	f.Add("a.b.c")
	f.Add(jws(map[string]any{"alg": "none"}, map[string]any{}, ""))
	f.Fuzz(func(t *testing.T, raw string) {
		st, err := Parse(raw)
		if err == nil {
			_ = st.Check(time.Now())
		}
	})
}
