package registration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tppwizard/tppwizard/core/text"
)

// BankError is a refusal from the bank: its own code and text, kept as they
// came, plus an explanation and a next step in plain words.
type BankError struct {
	Status        int          `json:"status"`
	Code          string       `json:"code,omitempty"`
	Description   string       `json:"description,omitempty"`
	InteractionID string       `json:"interaction_id,omitempty"`
	Explanation   text.Message `json:"explanation"`
	NextStep      text.Message `json:"next_step"`
	// Field is the input the refusal is most likely about, when known, so a
	// front end can take the user back to it.
	Field string `json:"field,omitempty"`
	// RetryAfter is how long a busy bank (429, 503) asked to wait.
	RetryAfter time.Duration `json:"retry_after,omitempty"`
	Body       []byte        `json:"-"`
}

func (e *BankError) Error() string { return e.In(text.English) }

// In says the error in t. The bank's own words stay as the bank wrote them.
func (e *BankError) In(t text.Translator) string {
	var b strings.Builder
	status := fmt.Sprint(e.Status)
	if e.Code != "" {
		status += ", " + e.Code
	}
	if e.Status >= 200 && e.Status < 300 {
		b.WriteString(text.F("the bank's answer (HTTP %s): %s", status, e.Explanation).In(t))
	} else {
		b.WriteString(text.F("the bank refused the registration (HTTP %s): %s", status, e.Explanation).In(t))
	}
	if e.Description != "" {
		b.WriteString(" " + text.F("The bank says: \"%s\".", e.Description).In(t))
	}
	if !e.NextStep.IsZero() {
		b.WriteString(" " + e.NextStep.In(t))
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
			e.NextStep = text.F("The bank asks you to wait %s before sending again; it did not take this request.", Wait(d))
		}
	case e.Status >= 300 && e.Status < 400:
		var to any = resp.Header.Get("Location")
		if to == "" {
			to = text.F("an address it did not give")
		}
		e.Explanation = text.F("The bank answered with a redirect (HTTP %d) to %s. A registration is never re-sent to another address automatically.", e.Status, to)
		e.NextStep = text.F("Check the registration endpoint in the bank profile; if the bank has moved it, change the profile and send again.")
		e.Field = "endpoint"
	}
	if strings.HasPrefix(strings.TrimSpace(string(resp.Body)), "<") {
		e.Explanation = text.F("%s (The bank sent a web page instead of an API error, which usually means the request reached the wrong address or a gateway in front of the bank.)", e.Explanation)
	}
	return e
}

type explanation struct {
	what, next text.Message
	field      string
}

// byCode explains error codes from RFC 7591, OBIE and seed 000.
var byCode = map[string]explanation{
	"invalid_redirect_uri": {text.F("One of the redirect addresses was not accepted."),
		text.F("Use only https addresses that are listed in your software statement, and not localhost."), "redirect_uris"},
	"invalid_client_metadata": {text.F("A value in the registration was not accepted."),
		text.F("Read the bank's text below to see which value, correct it in Details, and send again."), ""},
	"invalid_software_statement": {text.F("The bank could not accept your software statement."),
		text.F("Generate a fresh software statement in your directory, import it, and send again."), "ssa"},
	"unapproved_software_statement": {text.F("The bank does not trust the issuer of your software statement."),
		text.F("Check that the statement comes from the trust framework this bank uses (sandbox vs live)."), "ssa"},
	"invalid_request": {text.F("The bank found the request malformed."),
		text.F("Check the values in Details against the bank's documentation; the bank's text below says more."), ""},
	"unauthorized_client": {text.F("The bank did not accept who is calling."),
		text.F("Check that the transport certificate is the one registered with the trust framework for this software."), "transport"},
	"access_denied": {text.F("The bank refused access."),
		text.F("Check that your certificates and access token are for this bank and environment."), "transport"},
	"invalid_token": {text.F("The access token was not accepted."),
		text.F("Get a new token (it may have expired) and send again."), "token"},
	// Seed 000 classes.
	"RequestFormatInvalid": {text.F("The bank found the request format wrong."),
		text.F("Check the Content-Type the profile uses and that the body is a signed JWT."), ""},
	"WrongRequiredFields": {text.F("A required field is missing or wrong."),
		text.F("Fill in every required field in Details; the bank's text below names the field."), ""},
	"AccessDenied": {text.F("The bank does not allow this action for your software."),
		text.F("Check that your software statement and certificates are approved for this bank."), ""},
	"NotFound": {text.F("Something the request refers to was not found (often the software statement or its keys)."),
		text.F("Check that the statement's key id (kid) is published in your directory's JWKS."), "ssa"},
	"Invalid": {text.F("A value in the registration is invalid."),
		text.F("Read the bank's text below, correct the value in Details and send again."), ""},
}

func explain(status int, code string) (what, next text.Message, field string) {
	if e, ok := byCode[code]; ok {
		return e.what, e.next, e.field
	}
	if e, ok := byCode[strings.ToLower(code)]; ok {
		return e.what, e.next, e.field
	}
	switch {
	case status == 400:
		return text.F("The bank found a problem with the request."), text.F("Read the bank's text below, correct the value in Details and send again."), ""
	case status == 401:
		return text.F("The bank did not recognise who is calling."), text.F("Check the transport certificate and, if the bank needs one, the access token."), "transport"
	case status == 403:
		return text.F("The bank refused this action for your certificate or software."), text.F("Check that the certificates are the ones the trust framework issued for this software and environment."), "transport"
	case status == 404:
		return text.F("The registration address or the registration was not found."), text.F("Check the registration endpoint in the bank profile, and the client id when changing a registration."), "endpoint"
	case status == 405:
		return text.F("The bank does not allow this method at this address."), text.F("Check the registration endpoint; changes use PUT on /register/{client_id}."), "endpoint"
	case status == 406 || status == 415:
		return text.F("The bank does not accept the format of the request."), text.F("Check the Content-Type in the bank profile (application/jwt or application/jose)."), ""
	case status == 409:
		return text.F("The bank says this software is already registered."), text.F("Look up the existing registration, or change it instead of creating a new one."), ""
	case status == 429:
		return text.F("The bank is limiting how often you may call."), text.F("Wait a few minutes before trying again."), ""
	case status == 503:
		return text.F("The bank's service is unavailable for now."), text.F("Try again later. If it persists, contact the bank with the interaction id below."), ""
	case status >= 500:
		return text.F("The bank had an internal problem."), text.F("Try again later. If it persists, contact the bank with the interaction id below."), ""
	}
	return text.F("The bank answered with HTTP %d, which is not a success for this bank.", status), text.F("Read the bank's text below; contact the bank if it is unclear."), ""
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
