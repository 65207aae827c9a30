package csr

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"

	"github.com/tppwizard/tppwizard/core/text"
)

// KeyType is a kind of key pair.
type KeyType string

// The key types a framework may accept.
const (
	RSA2048 KeyType = "RSA-2048"
	RSA3072 KeyType = "RSA-3072"
	RSA4096 KeyType = "RSA-4096"
	ECP256  KeyType = "EC-P256"
)

// KeyTypeOf is the key type of a public key, and whether it is one the
// wizard makes.
func KeyTypeOf(pub crypto.PublicKey) (KeyType, bool) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch k.N.BitLen() {
		case 2048:
			return RSA2048, true
		case 3072:
			return RSA3072, true
		case 4096:
			return RSA4096, true
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return ECP256, true
		}
	}
	return "", false
}

// KeyTypes are every key type, strongest last.
var KeyTypes = []KeyType{RSA2048, RSA3072, RSA4096, ECP256}

// NewKey generates a key pair of type t from random.
func NewKey(t KeyType, random io.Reader) (crypto.Signer, error) {
	switch t {
	case RSA2048:
		return rsa.GenerateKey(random, 2048)
	case RSA3072:
		return rsa.GenerateKey(random, 3072)
	case RSA4096:
		return rsa.GenerateKey(random, 4096)
	case ECP256:
		return ecdsa.GenerateKey(elliptic.P256(), random)
	}
	return nil, text.Errorf("%q is not a key type this wizard makes", string(t))
}

// attributeOIDs are the attribute types a template may use (X.520,
// RFC 4519; organizationIdentifier is X.520's 2.5.4.97, as ETSI TS 119 495
// asks of QWACs and QSEALs).
var attributeOIDs = map[string]asn1.ObjectIdentifier{
	"C":                      {2, 5, 4, 6},
	"ST":                     {2, 5, 4, 8},
	"L":                      {2, 5, 4, 7},
	"O":                      {2, 5, 4, 10},
	"OU":                     {2, 5, 4, 11},
	"CN":                     {2, 5, 4, 3},
	"serialNumber":           {2, 5, 4, 5},
	"organizationIdentifier": {2, 5, 4, 97},
	"UID":                    {0, 9, 2342, 19200300, 100, 1, 1},
}

// printable are the attributes X.520 types as PrintableString; the others
// are DirectoryStrings, written as UTF8String (RFC 5280 4.1.2.6).
var printable = map[string]bool{"C": true, "serialNumber": true}

// RawSubject is the template's subject with values filled in, one attribute
// per RDN, in the template's order, DER encoded.
func (t Template) RawSubject(values map[string]string) ([]byte, error) {
	var seq pkix.RDNSequence
	for _, a := range t.Subject {
		v := a.Value
		if a.Input != "" {
			v = values[a.Input] + a.Suffix
		}
		if v == "" {
			return nil, text.Errorf("the %s certificate's %s is empty", t.Use, a.Type)
		}
		tag := asn1.TagUTF8String
		if printable[a.Type] {
			tag = asn1.TagPrintableString
		}
		raw, err := asn1.Marshal(asn1.RawValue{Tag: tag, Bytes: []byte(v)})
		if err != nil {
			return nil, err
		}
		seq = append(seq, []pkix.AttributeTypeAndValue{{Type: attributeOIDs[a.Type], Value: asn1.RawValue{FullBytes: raw}}})
	}
	return asn1.Marshal(seq)
}

// Create makes the CSR for template t, signed by key: SHA-256 with
// PKCS #1 v1.5 for RSA (what certificate authorities accept most widely),
// ECDSA with SHA-256 for EC.
func Create(t Template, values map[string]string, key crypto.Signer) ([]byte, error) {
	subject, err := t.RawSubject(values)
	if err != nil {
		return nil, err
	}
	return CreateFor(subject, key)
}

// CreateFor makes a CSR for a subject already encoded: a renewal asks for
// exactly the subject of the certificate it replaces.
func CreateFor(subject []byte, key crypto.Signer) ([]byte, error) {
	req := &x509.CertificateRequest{RawSubject: subject}
	switch key.Public().(type) {
	case *rsa.PublicKey:
		req.SignatureAlgorithm = x509.SHA256WithRSA
	case *ecdsa.PublicKey:
		req.SignatureAlgorithm = x509.ECDSAWithSHA256
	}
	return x509.CreateCertificateRequest(rand.Reader, req, key)
}

// PEMType is the PEM block type of a CSR (RFC 7468).
const PEMType = "CERTIFICATE REQUEST"

// EncodePEM writes a CSR as PEM.
func EncodePEM(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: PEMType, Bytes: der}) }

// ParsePEM reads a PEM CSR and checks its signature.
func ParsePEM(data []byte) (*x509.CertificateRequest, error) {
	block, _ := pem.Decode(data)
	if block == nil || (block.Type != PEMType && block.Type != "NEW "+PEMType) {
		return nil, text.New("this is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)")
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, text.Errorf("the certificate request cannot be read: %w", err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, text.Errorf("the certificate request's signature does not verify: %w", err)
	}
	return req, nil
}
