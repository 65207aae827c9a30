package registration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// BankError is a refusal from the bank: its own code and text, kept as they
// came, plus an explanation and a next step in plain words.
type BankError struct {
	Status        int    `json:"status"`
	Code          string `json:"code,omitempty"`
	Description   string `json:"description,omitempty"`
	InteractionID string `json:"interaction_id,omitempty"`
	Explanation   string `json:"explanation"`
	NextStep      string `json:"next_step"`
	// Field is the input the refusal is most likely about, when known, so a
	// front end can take the user back to it.
	Field string `json:"field,omitempty"`
	// RetryAfter is how long a busy bank (429, 503) asked to wait.
	RetryAfter time.Duration `json:"retry_after,omitempty"`
	Body       []byte        `json:"-"`
}

func (e *BankError) Error() string {
	var b strings.Builder
	if e.Status >= 200 && e.Status < 300 {
		fmt.Fprintf(&b, "the bank's answer (HTTP %d", e.Status)
	} else {
		fmt.Fprintf(&b, "the bank refused the registration (HTTP %d", e.Status)
	}
	if e.Code != "" {
		b.WriteString(", " + e.Code)
	}
	b.WriteString("): " + e.Explanation)
	if e.Description != "" {
		b.WriteString(" The bank says: \"" + e.Description + "\".")
	}
	if e.NextStep != "" {
		b.WriteString(" " + e.NextStep)
	}
	return b.String()
}

// MaxErrorText bounds the bank's text kept in an error.
const MaxErrorText = 2000

// ParseError reads a refusal in any of the shapes the dialects use:
// RFC 7591 {error, error_description}; seed 000 {error/class, error_message};
// OBIE {Code, Message, Errors[{ErrorCode, Message}]}; Al Tareq
// {Errors[{Code, Message}]}; or plain text / HTML.
func ParseError(resp *Response) *BankError {
	e := &BankError{Status: resp.Status, Body: resp.Body,
		InteractionID: firstHeader(resp.Header, "x-fapi-interaction-id", "x-request-id")}
	var m map[string]any
	if json.Unmarshal(resp.Body, &m) == nil {
		str := func(keys ...string) string {
			for _, k := range keys {
				if s, ok := m[k].(string); ok && s != "" {
					return s
				}
			}
			return ""
		}
		e.Code = str("error", "class", "error_class", "code", "Code", "error_code")
		e.Description = str("error_description", "error_message", "message", "Message", "description")
		if errs, ok := m["Errors"].([]any); ok && len(errs) > 0 {
			if first, ok := errs[0].(map[string]any); ok {
				if e.Code == "" {
					e.Code, _ = first["Code"].(string)
					if e.Code == "" {
						e.Code, _ = first["ErrorCode"].(string)
					}
				}
				if msg, _ := first["Message"].(string); msg != "" {
					if e.Description == "" {
						e.Description = msg
					} else if !strings.Contains(e.Description, msg) {
						e.Description += " " + msg
					}
				}
			}
		}
	} else if text := strings.TrimSpace(string(resp.Body)); text != "" && !strings.HasPrefix(text, "<") {
		e.Description = text
	}
	if len(e.Description) > MaxErrorText {
		e.Description = e.Description[:MaxErrorText] + "…"
	}
	e.Explanation, e.NextStep, e.Field = explain(e.Status, e.Code)
	switch {
	case e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable:
		if d, ok := RetryAfter(resp.Header, time.Now()); ok {
			e.RetryAfter = d
			e.NextStep = fmt.Sprintf("The bank asks you to wait %s before sending again; it did not take this request.", Wait(d))
		}
	case e.Status >= 300 && e.Status < 400:
		to := resp.Header.Get("Location")
		if to == "" {
			to = "an address it did not give"
		}
		e.Explanation = fmt.Sprintf("The bank answered with a redirect (HTTP %d) to %s. A registration is never re-sent to another address automatically.", e.Status, to)
		e.NextStep = "Check the registration endpoint in the bank profile; if the bank has moved it, change the profile and send again."
		e.Field = "endpoint"
	}
	if strings.HasPrefix(strings.TrimSpace(string(resp.Body)), "<") {
		e.Explanation += " (The bank sent a web page instead of an API error, which usually means the request reached the wrong address or a gateway in front of the bank.)"
	}
	return e
}

type explanation struct{ what, next, field string }

// byCode explains error codes from RFC 7591, OBIE and seed 000.
var byCode = map[string]explanation{
	"invalid_redirect_uri": {"One of the redirect addresses was not accepted.",
		"Use only https addresses that are listed in your software statement, and not localhost.", "redirect_uris"},
	"invalid_client_metadata": {"A value in the registration was not accepted.",
		"Read the bank's text below to see which value, correct it in Details, and send again.", ""},
	"invalid_software_statement": {"The bank could not accept your software statement.",
		"Generate a fresh software statement in your directory, import it, and send again.", "ssa"},
	"unapproved_software_statement": {"The bank does not trust the issuer of your software statement.",
		"Check that the statement comes from the trust framework this bank uses (sandbox vs live).", "ssa"},
	"invalid_request": {"The bank found the request malformed.",
		"Check the values in Details against the bank's documentation; the bank's text below says more.", ""},
	"unauthorized_client": {"The bank did not accept who is calling.",
		"Check that the transport certificate is the one registered with the trust framework for this software.", "transport"},
	"access_denied": {"The bank refused access.",
		"Check that your certificates and access token are for this bank and environment.", "transport"},
	"invalid_token": {"The access token was not accepted.",
		"Get a new token (it may have expired) and send again.", "token"},
	// Seed 000 classes.
	"RequestFormatInvalid": {"The bank found the request format wrong.",
		"Check the Content-Type the profile uses and that the body is a signed JWT.", ""},
	"WrongRequiredFields": {"A required field is missing or wrong.",
		"Fill in every required field in Details; the bank's text below names the field.", ""},
	"AccessDenied": {"The bank does not allow this action for your software.",
		"Check that your software statement and certificates are approved for this bank.", ""},
	"NotFound": {"Something the request refers to was not found (often the software statement or its keys).",
		"Check that the statement's key id (kid) is published in your directory's JWKS.", "ssa"},
	"Invalid": {"A value in the registration is invalid.",
		"Read the bank's text below, correct the value in Details and send again.", ""},
}

func explain(status int, code string) (what, next, field string) {
	if e, ok := byCode[code]; ok {
		return e.what, e.next, e.field
	}
	if e, ok := byCode[strings.ToLower(code)]; ok {
		return e.what, e.next, e.field
	}
	switch {
	case status == 400:
		return "The bank found a problem with the request.", "Read the bank's text below, correct the value in Details and send again.", ""
	case status == 401:
		return "The bank did not recognise who is calling.", "Check the transport certificate and, if the bank needs one, the access token.", "transport"
	case status == 403:
		return "The bank refused this action for your certificate or software.", "Check that the certificates are the ones the trust framework issued for this software and environment.", "transport"
	case status == 404:
		return "The registration address or the registration was not found.", "Check the registration endpoint in the bank profile, and the client id when changing a registration.", "endpoint"
	case status == 405:
		return "The bank does not allow this method at this address.", "Check the registration endpoint; changes use PUT on /register/{client_id}.", "endpoint"
	case status == 406 || status == 415:
		return "The bank does not accept the format of the request.", "Check the Content-Type in the bank profile (application/jwt or application/jose).", ""
	case status == 409:
		return "The bank says this software is already registered.", "Look up the existing registration, or change it instead of creating a new one.", ""
	case status == 429:
		return "The bank is limiting how often you may call.", "Wait a few minutes before trying again.", ""
	case status == 503:
		return "The bank's service is unavailable for now.", "Try again later. If it persists, contact the bank with the interaction id below.", ""
	case status >= 500:
		return "The bank had an internal problem.", "Try again later. If it persists, contact the bank with the interaction id below.", ""
	}
	return fmt.Sprintf("The bank answered with HTTP %d, which is not a success for this bank.", status), "Read the bank's text below; contact the bank if it is unclear.", ""
}

// RetryAfter reads a Retry-After header (RFC 9110 section 10.2.3): a number
// of seconds or an HTTP date. A date in the past means now.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d.Round(time.Second), true
	}
	return 0, true
}

// Wait says a duration the way a person would: "45 seconds", "2 minutes".
func Wait(d time.Duration) string {
	switch s := int(d.Round(time.Second) / time.Second); {
	case s == 1:
		return "1 second"
	case s < 120:
		return fmt.Sprintf("%d seconds", s)
	case s < 2*3600:
		return fmt.Sprintf("%d minutes", (s+59)/60)
	default:
		return fmt.Sprintf("%d hours", (s+3599)/3600)
	}
}
