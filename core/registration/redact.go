package registration

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"
)

// MaxKeptBody bounds a body kept in a record or report.
const MaxKeptBody = 64 << 10

// RedactBody returns a body as it may be kept or shown: in JSON, every
// secret field (client_secret, registration_access_token, tokens) masked at
// any depth; a body with no secret is kept byte for byte. Bodies that are
// not text are summarised, and long ones cut at MaxKeptBody.
func RedactBody(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) == nil && !dec.More() {
		if redactValue(v) {
			if out, err := json.Marshal(v); err == nil {
				body = out
			}
		}
	} else if looksSecret(body) {
		return "(not kept: a body that is not JSON and may hold a secret)"
	}
	if !utf8.Valid(body) {
		return "(not kept: " + itoa(len(body)) + " bytes that are not text)"
	}
	if len(body) > MaxKeptBody {
		return string(body[:MaxKeptBody]) + "… (cut: " + itoa(len(body)) + " bytes in all)"
	}
	return string(body)
}

// redactValue masks secret fields in place and reports whether it did.
func redactValue(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && secretField(k) && s != "" {
				x[k] = Mask(s)
				changed = true
				continue
			}
			changed = redactValue(val) || changed
		}
	case []any:
		for _, val := range x {
			changed = redactValue(val) || changed
		}
	}
	return changed
}

// looksSecret spots form-encoded or plain-text secrets in a body that is
// not JSON.
func looksSecret(body []byte) bool {
	s := strings.ToLower(string(body))
	for _, name := range []string{"client_secret", "registration_access_token", "access_token", "refresh_token", "id_token"} {
		if strings.Contains(s, name) {
			return true
		}
	}
	return false
}

// RedactHeader returns headers as they may be kept or shown: credentials
// (Authorization, cookies) masked, everything else as it was.
func RedactHeader(h http.Header) map[string]string {
	out := map[string]string{}
	for k := range h {
		v := h.Get(k)
		switch strings.ToLower(k) {
		case "authorization", "proxy-authorization":
			if !strings.Contains(v, "<") { // a placeholder, not a token
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " " + Mask("x")
			}
		case "cookie", "set-cookie":
			v = Mask(v)
		}
		out[k] = v
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
