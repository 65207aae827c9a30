package pki

import (
	"crypto/x509"
	"encoding/asn1"
	"regexp"
)

// PSD2 roles carried in an eIDAS certificate's QCStatements (ETSI TS 119 495
// section 5.1). Banks use them to decide which scopes a TPP may ask for.
const (
	RoleAS = "PSP_AS" // account servicing
	RolePI = "PSP_PI" // payment initiation
	RoleAI = "PSP_AI" // account information
	RoleIC = "PSP_IC" // card-based payment instrument issuing
)

var (
	oidQCStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidPSD2QCType   = asn1.ObjectIdentifier{0, 4, 0, 19495, 2}
	psd2Roles       = []struct {
		oid  asn1.ObjectIdentifier
		name string
	}{
		{asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 1}, RoleAS},
		{asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 2}, RolePI},
		{asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 3}, RoleAI},
		{asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 4}, RoleIC},
	}
)

type qcStatement struct {
	ID   asn1.ObjectIdentifier
	Info asn1.RawValue `asn1:"optional"`
}

type roleOfPSP struct {
	OID  asn1.ObjectIdentifier
	Name string `asn1:"utf8"`
}

type psd2QCType struct {
	Roles   []roleOfPSP
	NCAName string `asn1:"utf8"`
	NCAID   string `asn1:"utf8"`
}

// PSD2Info is what an eIDAS PSD2 certificate says about its holder.
type PSD2Info struct {
	Roles   []string // PSP_AI, PSP_PI, ...
	NCAName string   // e.g. "ACPR"
	NCAID   string   // e.g. "FR-ACPR"
}

// PSD2 reads the PSD2 QCStatement of a certificate; ok is false when the
// certificate carries none (a UK OB or Al Tareq certificate, say).
func PSD2(cert *x509.Certificate) (info PSD2Info, ok bool) {
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(oidQCStatements) {
			continue
		}
		var stmts []qcStatement
		if _, err := asn1.Unmarshal(ext.Value, &stmts); err != nil {
			return PSD2Info{}, false
		}
		for _, s := range stmts {
			if !s.ID.Equal(oidPSD2QCType) {
				continue
			}
			var t psd2QCType
			if _, err := asn1.Unmarshal(s.Info.FullBytes, &t); err != nil {
				return PSD2Info{}, false
			}
			info = PSD2Info{NCAName: t.NCAName, NCAID: t.NCAID}
			for _, r := range t.Roles {
				for _, known := range psd2Roles {
					if r.OID.Equal(known.oid) {
						info.Roles = append(info.Roles, known.name)
					}
				}
			}
			return info, true
		}
	}
	return PSD2Info{}, false
}

// MarshalPSD2QCStatements encodes the qcStatements extension value for the
// given roles; the sandbox's PKI and tests use it to issue eIDAS-like
// certificates.
func MarshalPSD2QCStatements(roles []string, ncaName, ncaID string) ([]byte, error) {
	t := psd2QCType{NCAName: ncaName, NCAID: ncaID}
	for _, role := range roles {
		for _, known := range psd2Roles {
			if known.name == role {
				t.Roles = append(t.Roles, roleOfPSP{OID: known.oid, Name: role})
			}
		}
	}
	info, err := asn1.Marshal(t)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal([]qcStatement{{ID: oidPSD2QCType, Info: asn1.RawValue{FullBytes: info}}})
}

// OIDQCStatements is the certificate extension that carries PSD2 roles.
var OIDQCStatements = oidQCStatements

// psd2ID is the ETSI TS 119 495 form of a PSD2 authorisation number:
// "PSD", a two-letter country, "-", the authority, "-", the number.
var psd2ID = regexp.MustCompile(`^PSD[A-Z]{2}-[A-Z0-9]{1,8}-[A-Za-z0-9.\-]{1,35}$`)

// agentID is the form BPCE asks for an agent's client_legal_id (seed 001):
// "AGT" followed by the same country, authority and number.
var agentID = regexp.MustCompile(`^AGT[A-Z]{2}-[A-Z0-9]{1,8}-[A-Za-z0-9.\-]{1,35}$`)

// IsPSD2AuthorisationNumber reports whether s has the ETSI form
// PSDXX-YYYYYYYY-ZZZZZZZZ.
func IsPSD2AuthorisationNumber(s string) bool { return psd2ID.MatchString(s) }

// IsAgentID reports whether s has the "AGT" form seed 001 asks of agents.
func IsAgentID(s string) bool { return agentID.MatchString(s) }
