package pki

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The expected values below were printed by OpenSSL 3.0 for the files in
// testdata (see testdata/README), not by this package.
const (
	opensslRSASubject   = `CN=exemple-qseal,organizationIdentifier=PSDFR-ACPR-12345,O=Exemple Paiements\, SAS,C=FR`
	opensslECSubject    = `CN=0015800001HQQrZAAX,OU=0015800001041RHAAY,O=Example TPP Ltd,C=GB`
	opensslRSAX5tS256   = `T3Uqf3jr4EbMkNA9MaAV7oN80dCnVlYzNqiIL2E6hmA`
	opensslRSAFinger256 = `4F:75:2A:7F:78:EB:E0:46:CC:90:D0:3D:31:A0:15:EE:83:7C:D1:D0:A7:56:56:33:36:A8:88:2F:61:3A:86:60`
)

func TestSubjectDNMatchesOpenSSLRFC2253(t *testing.T) {
	tests := []struct{ file, want string }{
		{"rsa-cert.pem", opensslRSASubject},
		{"ec-cert.pem", opensslECSubject},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			certs, err := ParseCertificates(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := SubjectDN(certs[0])
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("SubjectDN\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFormatDNEscapesAndOrdersPerRFC4514(t *testing.T) {
	atv := func(oid asn1.ObjectIdentifier, v any) pkix.AttributeTypeAndValue {
		return pkix.AttributeTypeAndValue{Type: oid, Value: v}
	}
	var (
		c   = asn1.ObjectIdentifier{2, 5, 4, 6}
		o   = asn1.ObjectIdentifier{2, 5, 4, 10}
		ou  = asn1.ObjectIdentifier{2, 5, 4, 11}
		cn  = asn1.ObjectIdentifier{2, 5, 4, 3}
		oid = asn1.ObjectIdentifier{1, 2, 3, 4}
	)
	tests := []struct {
		name string
		seq  pkix.RDNSequence
		want string
	}{
		{"last RDN first", pkix.RDNSequence{{atv(c, "GB")}, {atv(o, "OpenBanking")}, {atv(cn, "abc")}}, "CN=abc,O=OpenBanking,C=GB"},
		{"special characters escaped", pkix.RDNSequence{{atv(o, `A,B+C"D\E<F>G;H`)}}, `O=A\,B\+C\"D\\E\<F\>G\;H`},
		{"leading hash and space, trailing space", pkix.RDNSequence{{atv(cn, "#x")}, {atv(ou, " y ")}}, `OU=\ y\ ,CN=\#x`},
		// DER sorts the members of a SET, so CN (2.5.4.3) comes before OU (2.5.4.11).
		{"multi-valued RDN joined by plus", pkix.RDNSequence{{atv(ou, "a"), atv(cn, "b")}}, "CN=b+OU=a"},
		{"organizationIdentifier spelled out", pkix.RDNSequence{{atv(OIDOrganizationIdentifier, "PSDGB-FCA-123456")}}, "organizationIdentifier=PSDGB-FCA-123456"},
		{"unknown attribute as hex BER", pkix.RDNSequence{{atv(oid, "hi")}}, "1.2.3.4=#13026869"},
		{"UTF-8 kept", pkix.RDNSequence{{atv(o, "Société Générale")}}, "O=Société Générale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := asn1.Marshal(tt.seq)
			if err != nil {
				t.Fatal(err)
			}
			got, err := FormatDN(der)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestThumbprintAndFingerprintMatchOpenSSL(t *testing.T) {
	certs, err := ParseCertificates(readTestdata(t, "rsa-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ThumbprintS256(certs[0]); got != opensslRSAX5tS256 {
		t.Errorf("x5t#S256 = %s, want %s", got, opensslRSAX5tS256)
	}
	if got := FingerprintSHA256(certs[0]); got != opensslRSAFinger256 {
		t.Errorf("fingerprint = %s, want %s", got, opensslRSAFinger256)
	}
}

func TestOrganizationIdentifierReadFromSubject(t *testing.T) {
	tests := []struct{ file, want string }{
		{"rsa-cert.pem", "PSDFR-ACPR-12345"},
		{"ec-cert.pem", ""},
	}
	for _, tt := range tests {
		certs, err := ParseCertificates(readTestdata(t, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := OrganizationIdentifier(certs[0]); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.file, got, tt.want)
		}
	}
}

func TestParsePrivateKeyFormats(t *testing.T) {
	tests := []struct {
		name, file, pass string
		wantErr          error
		wantText         string
	}{
		{name: "PKCS#1", file: "rsa-pkcs1.pem"},
		{name: "PKCS#8", file: "rsa-pkcs8.pem"},
		{name: "SEC1 EC", file: "ec-sec1.pem"},
		{name: "encrypted PKCS#8 with passphrase", file: "rsa-pkcs8-encrypted.pem", pass: "correct-horse"},
		{name: "legacy encrypted PKCS#1 with passphrase", file: "rsa-pkcs1-encrypted.pem", pass: "correct-horse"},
		{name: "encrypted PKCS#8 without passphrase", file: "rsa-pkcs8-encrypted.pem", wantErr: ErrEncryptedKey},
		{name: "legacy encrypted without passphrase", file: "rsa-pkcs1-encrypted.pem", wantErr: ErrEncryptedKey},
		{name: "encrypted PKCS#8 wrong passphrase", file: "rsa-pkcs8-encrypted.pem", pass: "battery-staple", wantErr: ErrWrongPassphrase},
		{name: "legacy encrypted wrong passphrase", file: "rsa-pkcs1-encrypted.pem", pass: "battery-staple", wantErr: ErrWrongPassphrase},
		{name: "certificate given as key", file: "rsa-cert.pem", wantText: "holds a certificate, not a private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParsePrivateKey(readTestdata(t, tt.file), []byte(tt.pass))
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case tt.wantText != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantText) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantText)
				}
			case err != nil:
				t.Fatal(err)
			case key == nil:
				t.Fatal("nil key")
			}
		})
	}
}

func TestDecryptedKeysEqualThePlainKey(t *testing.T) {
	plain, err := ParsePrivateKey(readTestdata(t, "rsa-pkcs8.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"rsa-pkcs1.pem", "rsa-pkcs8-encrypted.pem", "rsa-pkcs1-encrypted.pem"} {
		k, err := ParsePrivateKey(readTestdata(t, f), []byte("correct-horse"))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !k.(*rsa.PrivateKey).Equal(plain) {
			t.Errorf("%s decodes to a different key", f)
		}
	}
}

func TestBlocksRefusesBadFiles(t *testing.T) {
	cert := readTestdata(t, "rsa-cert.pem")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty"},
		{"white space only", []byte("\n \n"), "the file is empty"},
		{"not PEM", []byte("hello world"), "holds no certificate or key"},
		{"trailing garbage", append(append([]byte{}, cert...), "garbage"...), "unexpected data after its last PEM block"},
		{"truncated second block", append(append([]byte{}, cert...), "-----BEGIN CERTIFICATE-----\nMIIB"...), "damaged PEM block"},
		{"too large", make([]byte, MaxFileSize+1), "probably the wrong file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCertificates(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseCertificatesNamesWrongFileKinds(t *testing.T) {
	tests := []struct{ file, want string }{
		{"rsa-pkcs8.pem", "holds a private key, not a certificate"},
	}
	for _, tt := range tests {
		_, err := ParseCertificates(readTestdata(t, tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.file, err, tt.want)
		}
	}
}

func TestCertificateJWKIsReadByGoJose(t *testing.T) {
	tests := []struct{ cert, alg string }{
		{"rsa-cert.pem", "RS256"},
		{"ec-cert.pem", "ES256"},
	}
	for _, tt := range tests {
		t.Run(tt.cert, func(t *testing.T) {
			certs, err := ParseCertificates(readTestdata(t, tt.cert))
			if err != nil {
				t.Fatal(err)
			}
			j, err := CertificateJWK(certs[0], "kid-1", "sig", tt.alg, []string{"verify"})
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			var parsed jose.JSONWebKey
			if err := parsed.UnmarshalJSON(raw); err != nil {
				t.Fatalf("go-jose refuses our JWK %s: %v", raw, err)
			}
			type equaler interface{ Equal(crypto.PublicKey) bool }
			if !parsed.Key.(equaler).Equal(certs[0].PublicKey) {
				t.Error("go-jose reads a different public key")
			}
			if len(parsed.Certificates) != 1 || !parsed.Certificates[0].Equal(certs[0]) {
				t.Error("x5c does not hold exactly the certificate")
			}
			if parsed.KeyID != "kid-1" || parsed.Use != "sig" || parsed.Algorithm != tt.alg {
				t.Errorf("kid/use/alg = %q/%q/%q", parsed.KeyID, parsed.Use, parsed.Algorithm)
			}
		})
	}
}

func TestCredentialChecks(t *testing.T) {
	now := time.Now()
	root, err := NewRootAuthority("Test Root", 2048, now)
	if err != nil {
		t.Fatal(err)
	}
	good, err := root.Issue(Spec{CommonName: "good", NotAfter: now.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	other, err := root.Issue(Spec{CommonName: "other"})
	if err != nil {
		t.Fatal(err)
	}
	expiring, err := root.Issue(Spec{CommonName: "soon", NotAfter: now.Add(10 * 24 * time.Hour), Key: good.Key})
	if err != nil {
		t.Fatal(err)
	}
	weakCert, err := ParseCertificates(readTestdata(t, "rsa1024-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	weakKey, err := ParsePrivateKey(readTestdata(t, "rsa1024-key.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cred *Credential
		at   time.Time
		want []string // substrings, one per finding, in order
	}{
		{"valid", good, now, nil},
		{"key of another certificate", &Credential{Chain: good.Chain, Key: other.Key}, now, []string{"does not belong"}},
		{"expired", good, now.AddDate(2, 0, 0), []string{"expired on"}},
		{"not yet valid", good, now.AddDate(-1, 0, 0), []string{"not valid yet"}},
		{"expires within 30 days", expiring, now, []string{"expires in 9 days"}},
		{"RSA 1024", &Credential{Chain: weakCert, Key: weakKey}, now, []string{"RSA 1024 bits"}},
		{"chain out of order", &Credential{Chain: append(append([]*x509.Certificate{}, good.Chain...), other.Leaf()), Key: good.Key}, now, []string{"out of order"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cred.Check("transport certificate", tt.at)
			if len(got) != len(tt.want) {
				t.Fatalf("findings = %v, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].Message.String(), w) {
					t.Errorf("finding %d = %q, want %q", i, got[i].Message, w)
				}
			}
		})
	}
}

func TestPSD2RolesRoundTrip(t *testing.T) {
	root, err := NewRootAuthority("Test Root", 2048, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := root.Issue(Spec{CommonName: "qseal", OrganizationIdentifier: "PSDFR-ACPR-12345", PSD2Roles: []string{RoleAI, RolePI}, NCAName: "ACPR", NCAID: "FR-ACPR"})
	if err != nil {
		t.Fatal(err)
	}
	info, ok := PSD2(cred.Leaf())
	if !ok {
		t.Fatal("no PSD2 statement found")
	}
	if strings.Join(info.Roles, ",") != "PSP_AI,PSP_PI" || info.NCAID != "FR-ACPR" || info.NCAName != "ACPR" {
		t.Errorf("got %+v", info)
	}
}

func TestAuthorisationNumberForms(t *testing.T) {
	tests := []struct {
		in        string
		psd2, agt bool
	}{
		{"PSDFR-ACPR-12345", true, false},
		{"PSDGB-FCA-123456", true, false},
		{"AGTFR-ACPR-12345001", false, true},
		{"PSDFR12345", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		if IsPSD2AuthorisationNumber(tt.in) != tt.psd2 || IsAgentID(tt.in) != tt.agt {
			t.Errorf("%q: psd2=%v agent=%v", tt.in, IsPSD2AuthorisationNumber(tt.in), IsAgentID(tt.in))
		}
	}
}
