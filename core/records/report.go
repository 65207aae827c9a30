package records

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/core/registration"
)

// Report is a record as evidence for an auditor: self-contained, and
// without secrets. Bodies and headers are masked again when the report is
// made, so a record written by an older version cannot leak through it.
type Report struct {
	Generated time.Time `json:"generated"`
	Tool      string    `json:"tool"`
	Record    Record    `json:"record"`
	// SentJWT is the request body decoded, when it is a signed JWT (UK).
	SentJWT *registration.DecodedJWT `json:"sent_jwt,omitempty"`
}

// NewReport prepares a record for export.
func NewReport(r Record, tool string, now time.Time) Report {
	rep := Report{Generated: now.UTC(), Tool: tool, Record: r}
	for _, ex := range []*Exchange{rep.Record.Request, rep.Record.Response} {
		if ex == nil {
			continue
		}
		cp := *ex
		cp.Body = registration.RedactBody([]byte(ex.Body))
		if ex.Header != nil {
			h := http.Header{}
			for k, v := range ex.Header {
				h.Set(k, v)
			}
			cp.Header = registration.RedactHeader(h)
		}
		if ex == rep.Record.Request {
			rep.Record.Request = &cp
		} else {
			rep.Record.Response = &cp
		}
	}
	if q := rep.Record.Request; q != nil {
		rep.SentJWT = decodeJWS(q.Body)
	}
	return rep
}

// decodeJWS decodes the header and claims of a compact JWS, or returns nil.
func decodeJWS(s string) *registration.DecodedJWT {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 {
		return nil
	}
	var d registration.DecodedJWT
	for i, dst := range []*map[string]any{&d.Header, &d.Claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, dst) != nil {
			return nil
		}
	}
	return &d
}

// WriteJSON writes the report as indented JSON.
func (rep Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteHTML writes the report as one HTML page with its style inline: it
// opens in any browser, offline, and prints.
func (rep Report) WriteHTML(w io.Writer) error { return reportPage.Execute(w, rep) }

func pretty(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

// prettyBody indents a JSON body; anything else is shown as it is.
func prettyBody(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		return pretty(v)
	}
	return s
}

func utc(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"pretty": pretty, "body": prettyBody, "utc": utc,
	"sorted": func(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Registration record {{.Record.ID}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid #eee}
th{width:14rem;font-weight:600}pre{background:#f5f5f5;padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.succeeded{color:#176b2c}.refused,.not-sent,.error{color:#a4161a}.unknown,.pending,.warning{color:#9a6700}.ok{color:#176b2c}
footer{margin-top:2rem;font-size:.85rem;color:#555}
</style></head><body>
{{with .Record}}
<h1>Registration record {{.ID}}</h1>
<table>
<tr><th>Outcome</th><td class="{{.Status}}">{{.Status.Describe}}</td></tr>
<tr><th>Bank</th><td>{{.Bank}} ({{.Environment}}, profile {{.ProfileID}}, {{.Dialect}})</td></tr>
<tr><th>Action</th><td>{{.Operation}}</td></tr>
<tr><th>Identity</th><td>{{.Identity}}</td></tr>
<tr><th>Started</th><td>{{utc .Started}}</td></tr>
{{if .Finished}}<tr><th>Finished</th><td>{{utc .Finished}}</td></tr>{{end}}
{{if .ClientID}}<tr><th>Client id</th><td>{{.ClientID}}</td></tr>{{end}}
{{if .InteractionID}}<tr><th>Interaction id</th><td>{{.InteractionID}}</td></tr>{{end}}
{{if .RegistrationClientURI}}<tr><th>Management address</th><td>{{.RegistrationClientURI}}</td></tr>{{end}}
{{if .Error}}<tr><th>What happened</th><td>{{.Error}}</td></tr>{{end}}
{{with .Refusal}}<tr><th>The bank says</th><td>{{.Code}} {{.Description}}</td></tr>{{end}}
{{range .Secrets}}<tr><th>Secret saved in the keyring</th><td>{{.}} (not in this report)</td></tr>{{end}}
</table>
{{if .Certificates}}<h2>Certificates used</h2>
<table><tr><th>Role</th><th>Subject</th><th>Serial</th><th>SHA-256 fingerprint</th><th>Valid until</th></tr>
{{range .Certificates}}<tr><td>{{.Role}}</td><td>{{.Subject}}</td><td>{{.Serial}}</td><td><code>{{.SHA256}}</code></td><td>{{utc .Expires}}</td></tr>{{end}}
</table>{{end}}
<h2>Checks before sending</h2>
{{if .Preflight}}<table>{{range .Preflight}}<tr><td class="{{.Severity}}">{{.Severity}}</td><td>{{if .Field}}{{.Field}}: {{end}}{{.Message}}{{if .Fix}} ({{.Fix}}){{end}}</td></tr>{{end}}</table>
{{else}}<p class="ok">Nothing to report: every check passed.</p>{{end}}
{{with .Request}}<h2>Sent</h2>
<pre>{{.Method}} {{.URL}}
{{range $k := sorted .Header}}{{$k}}: {{index $.Record.Request.Header $k}}
{{end}}</pre>
{{if .Body}}<pre>{{body .Body}}</pre>{{end}}{{end}}
{{end}}
{{with .SentJWT}}<h2>The signed request, decoded</h2><pre>{{pretty .Header}}</pre><pre>{{pretty .Claims}}</pre>{{end}}
{{with .Record.Response}}<h2>Received</h2>
<pre>HTTP {{.Status}}</pre>
{{if .Body}}<pre>{{body .Body}}</pre>{{end}}{{end}}
<footer>Made by {{.Tool}} on {{utc .Generated}}. Secrets (client secrets, tokens, private keys) are never part of a record or a report; where a bank returned one, it is masked here and kept in the system keyring.</footer>
</body></html>
`))
