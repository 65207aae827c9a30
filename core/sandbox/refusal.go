package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Style is how a bank writes its errors.
type Style string

// Error styles, one per dialect shape.
const (
	// StyleSaltEdge: seed 000's classes, {"error_class", "error_message"}.
	StyleSaltEdge Style = "saltedge"
	// StyleRFC7591: OBIE DCR v3.3, {"error", "error_description"}.
	StyleRFC7591 Style = "rfc7591"
	// StyleSTET: seed 001, {"error", "error_description"} with 400/401/404/405.
	StyleSTET Style = "stet"
	// StyleAlTareq: seed 004, {"Errors": [{"Code", "Message"}]}.
	StyleAlTareq Style = "altareq"
	// StyleOAuth: a token endpoint, RFC 6749 section 5.2.
	StyleOAuth Style = "oauth"
)

// Kind groups rules by what a bank answers when one is broken.
type Kind int

// Kinds of refusal.
const (
	KindFormat           Kind = iota // the request cannot be read
	KindMediaType                    // wrong Content-Type
	KindRequired                     // a required field is missing
	KindInvalid                      // a field has a value the bank does not accept
	KindRedirect                     // a redirect URI is not acceptable
	KindCaller                       // the client certificate is missing or not trusted
	KindToken                        // the Bearer token is missing or not valid
	KindStatement                    // the software statement is invalid (signature, age)
	KindUnapproved                   // the software statement is not from a trusted directory
	KindKeyNotFound                  // the signing key is not published
	KindNotFound                     // the registration does not exist
	KindClientAuth                   // token endpoint: the client did not authenticate
	KindGrant                        // token endpoint: the grant type is not offered
	KindScope                        // token endpoint: the scope is not allowed
	KindMethodNotAllowed             // the method is not offered at this address
	KindInternal                     // the sandbox itself failed (its state could not be saved)
)

// Refusal is why the sandbox refuses a request: the rule broken, in words.
type Refusal struct {
	Rule    string
	Kind    Kind
	Message string
}

func (r *Refusal) Error() string { return "[" + r.Rule + "] " + r.Message }

func refuse(rule string, kind Kind, format string, args ...any) *Refusal {
	return &Refusal{Rule: rule, Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Answer is the status and error code a refusal gets in a style.
func (r *Refusal) Answer(style Style) (status int, code string) {
	if r.Kind == KindInternal {
		if style == StyleSaltEdge || style == StyleAlTareq {
			return 500, "InternalServerError"
		}
		return 500, "server_error"
	}
	switch style {
	case StyleSaltEdge:
		// Seed 000, "Related Errors".
		switch r.Kind {
		case KindFormat, KindMediaType:
			return 400, "RequestFormatInvalid"
		case KindRequired:
			return 401, "WrongRequiredFields"
		case KindCaller, KindToken, KindUnapproved:
			return 401, "AccessDenied"
		case KindKeyNotFound, KindNotFound:
			return 404, "NotFound"
		case KindMethodNotAllowed:
			return 405, "RequestFormatInvalid"
		}
		return 406, "Invalid"
	case StyleRFC7591, StyleSTET:
		switch r.Kind {
		case KindMediaType:
			if style == StyleRFC7591 {
				return 415, "invalid_request"
			}
			return 400, "invalid_request"
		case KindFormat, KindRequired:
			if style == StyleSTET {
				return 400, "invalid_request"
			}
			return 400, "invalid_client_metadata"
		case KindRedirect:
			return 400, "invalid_redirect_uri"
		case KindStatement:
			return 400, "invalid_software_statement"
		case KindUnapproved:
			return 400, "unapproved_software_statement"
		case KindCaller:
			return 401, "unauthorized_client"
		case KindToken:
			return 401, "invalid_token"
		case KindNotFound:
			if style == StyleRFC7591 {
				// RFC 7592 section 2: an unknown client is answered as a
				// bad token, so that client ids cannot be probed.
				return 401, "invalid_token"
			}
			return 404, "not_found"
		case KindMethodNotAllowed:
			return 405, "method_not_allowed"
		}
		return 400, "invalid_client_metadata"
	case StyleAlTareq:
		switch r.Kind {
		case KindCaller, KindToken, KindUnapproved:
			return 401, "Unauthorized"
		case KindMethodNotAllowed:
			return 405, "MethodNotAllowed"
		case KindNotFound:
			return 404, "NotFound"
		}
		return 400, "BadRequest"
	case StyleOAuth:
		switch r.Kind {
		case KindCaller, KindClientAuth:
			return 401, "invalid_client"
		case KindGrant:
			return 400, "unsupported_grant_type"
		case KindScope:
			return 400, "invalid_scope"
		case KindMethodNotAllowed:
			return 405, "invalid_request"
		}
		return 400, "invalid_request"
	}
	return 400, "invalid_request"
}

// Write sends the refusal in the style's own error format. The message
// starts with the rule's name, so every refusal says which rule it is.
func (r *Refusal) Write(w http.ResponseWriter, style Style) {
	status, code := r.Answer(style)
	text := r.Error()
	var body any
	switch style {
	case StyleSaltEdge:
		body = map[string]any{"error_class": code, "error_message": text}
	case StyleAlTareq:
		body = map[string]any{"Errors": []map[string]string{{"Code": code, "Message": text}}}
	default:
		body = map[string]any{"error": code, "error_description": text}
	}
	if r.Kind == KindToken {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", error_description=%q`, r.Rule))
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(body)
}
