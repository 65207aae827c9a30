package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tppwizard/tppwizard/core/text"
)

// OIDOrganizationIdentifier is the eIDAS organizationIdentifier attribute
// (ETSI EN 319 412-1), holding values such as "PSDFR-ACPR-12345".
var OIDOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}

// attributeNames are the names used when writing a DN. RFC 4514 section 3
// defines the short ones; the long ones are those OpenSSL and the UK and EU
// trust frameworks write, so the DN matches what banks compare against.
// Go's pkix.Name.String() prints 2.5.4.97 as "2.5.4.97=#..." and
// RDNSequence.String() leaves it out, which is why we do not use them.
var attributeNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.6":                    "C",
	"2.5.4.9":                    "STREET",
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1":  "UID",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.97":                   "organizationIdentifier",
	"2.5.4.4":                    "SN",
	"2.5.4.42":                   "GN",
	"2.5.4.12":                   "title",
	"2.5.4.15":                   "businessCategory",
	"2.5.4.17":                   "postalCode",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
}

// SubjectDN returns the certificate's subject as an RFC 4514 string, built
// from the raw DER so that every attribute is kept, in the RFC's order (last
// RDN first), with organizationIdentifier spelled out. This is the value UK
// banks compare tls_client_auth_subject_dn with.
func SubjectDN(cert *x509.Certificate) (string, error) {
	return FormatDN(cert.RawSubject)
}

// FormatDN turns a DER-encoded Name into its RFC 4514 string.
func FormatDN(der []byte) (string, error) {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil {
		return "", text.Errorf("read distinguished name: %w", err)
	}
	if len(rest) > 0 {
		return "", text.New("read distinguished name: trailing data")
	}
	rdns := make([]string, 0, len(seq))
	for i := len(seq) - 1; i >= 0; i-- {
		parts := make([]string, 0, len(seq[i]))
		for _, atv := range seq[i] {
			parts = append(parts, formatAttribute(atv))
		}
		rdns = append(rdns, strings.Join(parts, "+"))
	}
	return strings.Join(rdns, ","), nil
}

func formatAttribute(atv pkix.AttributeTypeAndValue) string {
	name, known := attributeNames[atv.Type.String()]
	if !known {
		name = atv.Type.String()
	}
	if s, ok := atv.Value.(string); ok && known {
		return name + "=" + escapeDNValue(s)
	}
	// RFC 4514 section 2.4: values of unknown type, or of a type we have no
	// name for, are written as '#' and the hex of their BER encoding.
	der, err := asn1.Marshal(atv.Value)
	if err != nil {
		return name + "=" + escapeDNValue(fmt.Sprint(atv.Value))
	}
	return name + "=#" + hex.EncodeToString(der)
}

// escapeDNValue applies RFC 4514 section 2.4 escaping.
func escapeDNValue(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '"' || r == '+' || r == ',' || r == ';' || r == '<' || r == '>' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == 0:
			b.WriteString(`\00`)
		case i == 0 && (r == ' ' || r == '#'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case i == len(s)-utf8.RuneLen(r) && r == ' ':
			b.WriteString(`\ `)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// OrganizationIdentifier returns the eIDAS organizationIdentifier of a
// certificate subject (OID 2.5.4.97), or "" when it has none.
func OrganizationIdentifier(cert *x509.Certificate) string {
	for _, atv := range cert.Subject.Names {
		if atv.Type.Equal(OIDOrganizationIdentifier) {
			if s, ok := atv.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}
