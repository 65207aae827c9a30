package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/registration"
)

// ShownHeaders are a request's headers as they may be shown, copied or
// saved: credentials masked, everything else exactly as sent.
func ShownHeaders(h http.Header) map[string]string { return registration.RedactHeader(h) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RequestText is the request as a person reads it: method and URL,
// headers, body and, for a JWT body, its decoded header and claims.
func RequestText(p *engine.Plan) string {
	r := p.Request
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL)
	headers := ShownHeaders(r.Header)
	for _, k := range sortedKeys(headers) {
		fmt.Fprintf(&b, "%s: %s\n", k, headers[k])
	}
	fmt.Fprintf(&b, "\n%s\n", r.Body)
	if r.JWT != nil {
		h, _ := json.MarshalIndent(r.JWT.Header, "", "  ")
		c, _ := json.MarshalIndent(r.JWT.Claims, "", "  ")
		fmt.Fprintf(&b, "\nDecoded JWT header:\n%s\n\nDecoded JWT claims:\n%s\n", h, c)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "\nNote: %s\n", n)
	}
	return b.String()
}

// CurlCommand is the request as a curl command line, with placeholders for
// the transport certificate and key files and the (masked) token.
func CurlCommand(p *engine.Plan) string {
	r := p.Request
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	lines := []string{"curl -X " + r.Method + " " + q(r.URL), "--cert TRANSPORT_CERT.pem --key TRANSPORT_KEY.pem"}
	headers := ShownHeaders(r.Header)
	for _, k := range sortedKeys(headers) {
		lines = append(lines, "-H "+q(k+": "+headers[k]))
	}
	if len(r.Body) > 0 {
		lines = append(lines, "--data-binary "+q(string(r.Body)))
	}
	return strings.Join(lines, " \\\n  ")
}

// SaveRequest writes RequestText to a file the user chose. It holds no
// secret: the token is masked and keys never enter a request.
func SaveRequest(p *engine.Plan, path string) error {
	return os.WriteFile(path, []byte(RequestText(p)), 0o600)
}
