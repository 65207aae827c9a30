// Package altareq builds UAE Open Finance (Al Tareq) registration requests
// (seed 004): POST {registration_endpoint} with an empty JSON object over
// mutual TLS with the transport certificate the trust framework issued, and
// an x-fapi-interaction-id.
package altareq

import (
	"encoding/json"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// Dialect is the Al Tareq registration dialect.
type Dialect struct{}

// Build makes the request: the body is "{}" unless the user adds fields.
func (Dialect) Build(in *registration.Input) (*registration.Request, error) {
	body := map[string]any{}
	registration.ApplyFields(body, in.Fields)
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	interaction := in.NextID()
	h := registration.JSONHeader(interaction)

	var findings check.List
	if in.Identity.ClientID == "" {
		findings = append(findings, check.Finding{Severity: check.Warning, Field: "client_id",
			Message: text.F("the identity has no trust-framework application id; banks often return none, and it is the id you will use with them"),
			Fix:     text.F("add it with identity import --client-id (it is shown in the directory under your application)")})
	}
	return &registration.Request{Method: "POST", URL: in.Endpoint, Header: h, Body: raw, Fields: body,
		InteractionID: interaction, Findings: findings}, nil
}

// Parse reads the answer: 200, 201 or 204, often without a body.
func (Dialect) Parse(in *registration.Input, resp *registration.Response) (*registration.Result, error) {
	r, err := registration.ParseAnswer(in, resp)
	if err != nil {
		return nil, err
	}
	if r.ClientID == "" {
		r.ClientID = in.Identity.ClientID
		r.ClientIDFromDirectory = r.ClientID != ""
	}
	return r, nil
}
