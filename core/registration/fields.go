package registration

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/text"
)

// ParseField reads one "--set" argument: "name=value" sets a string,
// "name:=json" sets any JSON value (a list, a number, an object).
func ParseField(arg string) (string, any, error) {
	if name, raw, ok := strings.Cut(arg, ":="); ok && !strings.Contains(name, "=") {
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return "", nil, text.Errorf("--set %s: the value after := must be JSON: %v", name, err)
		}
		return checkName(name, v)
	}
	name, value, ok := strings.Cut(arg, "=")
	if !ok {
		return "", nil, text.Errorf("--set %q: expected name=value or name:=json", arg)
	}
	return checkName(name, value)
}

func checkName(name string, v any) (string, any, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return "", nil, text.Errorf("--set: %q is not a field name", name)
	}
	return name, v, nil
}

// ApplyFields sets each field in m; dotted names reach into nested objects,
// creating them as needed. A JSON null removes the field.
func ApplyFields(m map[string]any, fields map[string]any) {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		parts := strings.Split(name, ".")
		cur := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		last := parts[len(parts)-1]
		if fields[name] == nil {
			delete(cur, last)
		} else {
			cur[last] = fields[name]
		}
	}
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// CheckRedirectURIs applies the rules every dialect shares: https, not a
// loopback or localhost address, no fragment; and, when allowed is not
// empty, each one listed there (the software statement's set).
func CheckRedirectURIs(uris, allowed []string) check.List {
	const field = "redirect_uris"
	var out check.List
	if len(uris) == 0 {
		return check.List{{Severity: check.Error, Field: field, Message: text.F("no redirect address is given"),
			Fix: text.F("add at least one https redirect address (--redirect-uri)")}}
	}
	for _, u := range uris {
		parsed, err := url.Parse(u)
		switch {
		case err != nil || parsed.Host == "":
			out = append(out, check.Finding{Severity: check.Error, Field: field, Message: text.F("%q is not a web address", u), Fix: text.F("use a full address such as https://app.example.com/callback")})
			continue
		case parsed.Scheme != "https":
			out = append(out, check.Finding{Severity: check.Error, Field: field, Message: text.F("%q does not use https", u), Fix: text.F("banks accept only https redirect addresses")})
		case isLocal(parsed.Hostname()):
			out = append(out, check.Finding{Severity: check.Error, Field: field, Message: text.F("%q points at this computer (localhost)", u), Fix: text.F("use your application's public address")})
		case parsed.Fragment != "":
			out = append(out, check.Finding{Severity: check.Error, Field: field, Message: text.F("%q has a #fragment", u), Fix: text.F("remove the part after #")})
		}
		if len(allowed) > 0 && !slices.Contains(allowed, u) {
			out = append(out, check.Finding{Severity: check.Error, Field: field, Message: text.F("%q is not in your software statement", u),
				Fix: text.F("choose from: %s", strings.Join(allowed, ", "))})
		}
	}
	return out
}

func isLocal(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// StringList reads a field that should be a list of strings.
func StringList(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return []string{t}
	}
	return nil
}

// ValidClientID refuses client ids that would change the URL they are put in.
func ValidClientID(id string) error {
	if id == "" {
		return &InputError{Field: "client_id", Problem: text.F("is needed to change a registration"), Fix: text.F("give the client id the bank returned when you registered")}
	}
	if strings.ContainsAny(id, "/?#%\\ \t\r\n") || id == "." || id == ".." || len(id) > 256 {
		return &InputError{Field: "client_id", Problem: text.F("%q is not a client id a bank issues: client ids never hold / ? # %% \\, spaces or line breaks, and are never . or ..", id),
			Fix: text.F("copy the client id exactly as the bank returned it, or open the registration from its record")}
	}
	return nil
}
