package registration

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/text"
)

// Read and Delete manage an existing registration (RFC 7592; OBIE DCR
// GET/DELETE {registration_endpoint}/{client_id}).
const (
	Read   Operation = "read"
	Delete Operation = "delete"
)

// Manages reports whether the operation reads or deletes a registration
// rather than sending the client's metadata.
func (o Operation) Manages() bool { return o == Read || o == Delete }

// ManagementURL is where a registration is read, changed or deleted: the
// registration_client_uri the bank gave (RFC 7592 section 3: the client
// uses it as given), else, for UK banks only, {endpoint}/{client_id} (OBIE
// DCR).
func ManagementURL(in *Input) (string, error) {
	if in.ManagementURI != "" {
		u, err := url.Parse(in.ManagementURI)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return "", &InputError{Field: "registration_client_uri", Problem: text.F("the bank's management address %s is not an https address", in.ManagementURI)}
		}
		return in.ManagementURI, nil
	}
	if in.Profile != nil && in.Profile.Dialect == profile.DialectOAuth {
		// RFC 7592 section 1.1: the client never builds the address itself.
		return "", &InputError{Field: "registration_client_uri", Problem: text.F("this server manages a registration only at the registration_client_uri it returned, and none is known for this client"),
			Fix: text.F("manage the registration from the record of the registration that returned it")}
	}
	if err := ValidClientID(in.ClientID); err != nil {
		return "", err
	}
	return strings.TrimSuffix(in.Endpoint, "/") + "/" + url.PathEscape(in.ClientID), nil
}

// ManageRequest builds the GET or DELETE of a registration: no body, the
// Bearer token the bank expects, an interaction id.
func ManageRequest(in *Input) (*Request, error) {
	target, err := ManagementURL(in)
	if err != nil {
		return nil, err
	}
	method := http.MethodGet
	if in.Operation == Delete {
		method = http.MethodDelete
	}
	interaction := in.NextID()
	h := http.Header{"Accept": {"application/json"}, "X-Fapi-Interaction-Id": {interaction}}
	if in.AccessToken != "" {
		h.Set("Authorization", "Bearer "+in.AccessToken)
	}
	return &Request{Method: method, URL: target, Header: h, InteractionID: interaction}, nil
}

// ParseManage reads the answer to a GET (200 with the client's metadata)
// or a DELETE (204 No Content, or 200).
func ParseManage(in *Input, resp *Response) (*Result, error) {
	switch {
	case in.Operation == Read && resp.Status == http.StatusOK:
		res, err := ParseSuccess(resp)
		if err != nil {
			return nil, err
		}
		if res.ClientID == "" {
			res.ClientID = in.ClientID
		}
		return res, nil
	case in.Operation == Delete && (resp.Status == http.StatusNoContent || resp.Status == http.StatusOK):
		return &Result{Status: resp.Status, ClientID: in.ClientID, Body: resp.Body}, nil
	}
	return nil, ParseError(resp)
}
