package uk

import (
	"crypto/x509"
	"encoding/json"
	"net/http"

	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// CertificateUpload builds seed 000's "add a certificate" request:
// POST .../tpp/certificates with {"data":{"certificate":{"pem","name","type":"qseal"}}}.
func CertificateUpload(endpoint string, cert *x509.Certificate, name string) (*registration.Request, error) {
	if endpoint == "" {
		return nil, text.New("this bank profile has no certificate upload endpoint")
	}
	if name == "" {
		name = cert.Subject.CommonName
	}
	body := map[string]any{"data": map[string]any{"certificate": map[string]any{
		"pem":  string(pki.EncodeCertificates([]*x509.Certificate{cert})),
		"name": name,
		"type": "qseal",
	}}}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	return &registration.Request{Method: "POST", URL: endpoint, Header: h, Body: raw, Fields: body}, nil
}
