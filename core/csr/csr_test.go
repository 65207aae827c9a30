package csr_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/assets"
	"github.com/tppwizard/tppwizard/core/csr"
)

func frameworks(t testing.TB) []*csr.Framework {
	t.Helper()
	list, err := csr.Load(assets.Frameworks())
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// examples are each input's example value: every shipped input has one,
// and it passes the input's own checks.
func examples(fw *csr.Framework) map[string]string {
	v := map[string]string{}
	for _, in := range fw.Inputs {
		v[in.Name] = in.Example
	}
	if fw.ID == "sandbox" {
		v["software_id"] = "4SBXdemoSoftware22chr"
	}
	return v
}

var oidNames = map[string]string{
	"2.5.4.6": "C", "2.5.4.8": "ST", "2.5.4.7": "L", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.3": "CN",
	"2.5.4.5": "serialNumber", "2.5.4.97": "organizationIdentifier", "0.9.2342.19200300.100.1.1": "UID",
}

// TestEveryTemplateMakesTheSubjectItDescribes: for every shipped framework
// and certificate, the CSR parses with the standard library, its signature
// verifies, and its subject holds exactly the template's attributes, one
// per RDN, in the template's order, named by OID, with C a PrintableString.
func TestEveryTemplateMakesTheSubjectItDescribes(t *testing.T) {
	list := frameworks(t)
	if len(list) < 4 {
		t.Fatalf("%d frameworks shipped, want at least 4 (Al Tareq, OB Directory, eIDAS, sandbox)", len(list))
	}
	key, err := csr.NewKey(csr.RSA2048, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range list {
		values := examples(fw)
		if problems := fw.Check(values); len(problems) > 0 {
			t.Errorf("%s: its own examples fail its checks: %v", fw.ID, problems)
		}
		for _, tmpl := range fw.Certificates {
			t.Run(fw.ID+"/"+tmpl.Use, func(t *testing.T) {
				der, err := csr.Create(tmpl, values, key)
				if err != nil {
					t.Fatal(err)
				}
				req, err := x509.ParseCertificateRequest(der)
				if err != nil {
					t.Fatal(err)
				}
				if err := req.CheckSignature(); err != nil {
					t.Fatal(err)
				}
				var rdns pkix.RDNSequence
				if rest, err := asn1.Unmarshal(req.RawSubject, &rdns); err != nil || len(rest) > 0 {
					t.Fatalf("subject: %v", err)
				}
				if len(rdns) != len(tmpl.Subject) {
					t.Fatalf("%d RDNs, want %d", len(rdns), len(tmpl.Subject))
				}
				for i, a := range tmpl.Subject {
					if len(rdns[i]) != 1 {
						t.Fatalf("RDN %d holds %d attributes", i, len(rdns[i]))
					}
					got := rdns[i][0]
					if oidNames[got.Type.String()] != a.Type {
						t.Errorf("RDN %d is %s, want %s", i, got.Type, a.Type)
					}
					want := a.Value
					if a.Input != "" {
						want = values[a.Input] + a.Suffix
					}
					if got.Value != want {
						t.Errorf("RDN %d (%s) is %q, want %q", i, a.Type, got.Value, want)
					}
				}
				if fw.ID == "eidas" && !bytes.Contains(req.RawSubject, []byte{0x06, 0x03, 0x55, 0x04, 0x61, 0x0c, byte(len("PSDFR-ACPR-12345"))}) {
					t.Error("organizationIdentifier is not OID 2.5.4.97 (06 03 55 04 61) with a UTF8String value")
				}
				if !bytes.Contains(req.RawSubject, []byte{0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02}) {
					t.Error("C is not a two-letter PrintableString (06 03 55 04 06 13 02)")
				}
			})
		}
	}
}

// TestOpenSSLReadsTheCSR is the interoperability check: OpenSSL, which the
// trust frameworks' own scripts use, verifies the request and reads the
// subject the template asks for. (Skipped where OpenSSL is not installed;
// users never need it.)
func TestOpenSSLReadsTheCSR(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	fw, err := csr.Find(frameworks(t), "eidas")
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []csr.KeyType{csr.RSA2048, csr.ECP256} {
		key, err := csr.NewKey(kt, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl, _ := fw.Template(csr.UseSigning)
		der, err := csr.Create(tmpl, examples(fw), key)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "qseal.csr")
		if err := os.WriteFile(path, csr.EncodePEM(der), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(openssl, "req", "-in", path, "-noout", "-verify", "-subject", "-nameopt", "RFC2253").CombinedOutput()
		if err != nil {
			t.Fatalf("%s: openssl: %v\n%s", kt, err, out)
		}
		// RFC 2253 writes the last RDN first; OpenSSL names 2.5.4.97.
		want := "subject=CN=Acme Paiements SAS,organizationIdentifier=PSDFR-ACPR-12345,O=Acme Paiements SAS,C=FR"
		if !strings.Contains(string(out), want) || !strings.Contains(string(out), "verify OK") {
			t.Errorf("%s: openssl says:\n%s\nwant %q and verify OK", kt, out, want)
		}
	}
}

func TestKeyTypesMakeTheKeysTheyName(t *testing.T) {
	cases := []struct {
		kt   csr.KeyType
		bits int
		alg  x509.SignatureAlgorithm
	}{
		{csr.RSA2048, 2048, x509.SHA256WithRSA},
		{csr.RSA3072, 3072, x509.SHA256WithRSA},
		{csr.ECP256, 256, x509.ECDSAWithSHA256},
	}
	fw, err := csr.Find(frameworks(t), "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := fw.Template(csr.UseTransport)
	for _, c := range cases {
		key, err := csr.NewKey(c.kt, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		var bits int
		switch k := key.Public().(type) {
		case *rsa.PublicKey:
			bits = k.N.BitLen()
		case *ecdsa.PublicKey:
			bits = k.Curve.Params().BitSize
		}
		if bits != c.bits {
			t.Errorf("%s made a %d-bit key", c.kt, bits)
		}
		der, err := csr.Create(tmpl, examples(fw), key)
		if err != nil {
			t.Fatal(err)
		}
		req, err := csr.ParsePEM(csr.EncodePEM(der))
		if err != nil {
			t.Fatal(err)
		}
		if req.SignatureAlgorithm != c.alg {
			t.Errorf("%s: CSR signed with %s, want %s", c.kt, req.SignatureAlgorithm, c.alg)
		}
	}
	if _, err := csr.NewKey("DSA-1024", rand.Reader); err == nil {
		t.Error("an unknown key type made a key")
	}
}

// TestInputsAreCheckedBeforeAnythingIsMade: what the user types, with the
// exact words they read.
func TestInputsAreCheckedBeforeAnythingIsMade(t *testing.T) {
	list := frameworks(t)
	cases := []struct {
		name, framework, input, value string
		want                          string
	}{
		{"empty", "eidas", "org_name", "", "Organisation name is needed"},
		{"spaces around", "eidas", "org_name", " Acme ", "Organisation name starts or ends with a space"},
		{"too long for a certificate", "eidas", "org_name", strings.Repeat("a", 65), "Organisation name is 65 characters; a certificate holds at most 64"},
		{"country in lower case", "eidas", "country", "fr", `"fr" is not a two-letter country code in capitals (ISO 3166), such as FR or GB`},
		{"organisation identifier without PSD", "eidas", "org_identifier", "FR-ACPR-12345", `"FR-ACPR-12345" is not of the form PSDXX-YYYY-ZZZZ`},
		{"organisation identifier of another country", "eidas", "org_identifier", "PSDDE-BAFIN-123456", "it says country DE, but the certificate's country is FR"},
		{"domain with a scheme", "eidas", "domain", "https://api.acme.fr", `"https://api.acme.fr" is not a domain name`},
		{"domain of one label", "eidas", "domain", "localhost", `"localhost" is not a domain name`},
		{"Al Tareq organisation id not a UUID", "altareq", "org_id", "0015800001041REAAY", `"0015800001041REAAY" is not the form Organisation id takes (for example 5bd1b4f9-`},
		{"OB organisation id too short", "obie", "org_id", "00158000010", `"00158000010" is not the form Organisation id takes (for example 0015800001041REAAY)`},
		{"good eIDAS values", "eidas", "org_name", "Acme Paiements SAS", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fw, err := csr.Find(list, c.framework)
			if err != nil {
				t.Fatal(err)
			}
			values := examples(fw)
			values[c.input] = c.value
			problems := fw.Check(values)
			switch {
			case c.want == "" && len(problems) > 0:
				t.Errorf("refused: %v", problems)
			case c.want != "" && len(problems) != 1:
				t.Errorf("%d findings, want 1: %v", len(problems), problems)
			case c.want != "" && (problems[0].Field != c.input || !strings.Contains(problems[0].Message.String(), c.want)):
				t.Errorf("finding %s: %q, want on %s: %q", problems[0].Field, problems[0].Message, c.input, c.want)
			}
		})
	}
}

func TestBrokenFrameworkFilesAreRefused(t *testing.T) {
	good := `{"id":"x","name":"X","key_types":["RSA-2048"],"inputs":[{"name":"a","label":"A"}],"certificates":[{"use":"transport","name":"T","subject":[{"type":"CN","input":"a"}]}]}`
	if _, err := csr.Parse([]byte(good)); err != nil {
		t.Fatalf("a good file is refused: %v", err)
	}
	cases := map[string]string{
		"unknown attribute":       `"type":"CN"`,
		"unknown input":           `"input":"a"}]}]`,
		"unknown key type":        `"RSA-2048"`,
		"http portal":             `"name":"X",`,
		"bad pattern":             `"label":"A"`,
		"signing asked for twice": `"use":"transport"`,
	}
	repl := map[string]string{
		"unknown attribute":       `"type":"XX"`,
		"unknown input":           `"input":"b"}]}]`,
		"unknown key type":        `"DSA-1024"`,
		"http portal":             `"name":"X","portal_url":"http://portal.example/",`,
		"bad pattern":             `"label":"A","pattern":"(["`,
		"signing asked for twice": `"use":"sealing"`,
	}
	for name, old := range cases {
		if _, err := csr.Parse([]byte(strings.Replace(good, old, repl[name], 1))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParsePEM(f *testing.F) {
	fw, err := csr.Find(frameworks(f), "obie")
	if err != nil {
		f.Fatal(err)
	}
	key, _ := csr.NewKey(csr.ECP256, rand.Reader)
	tmpl, _ := fw.Template(csr.UseTransport)
	der, err := csr.Create(tmpl, examples(fw), key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(csr.EncodePEM(der))
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if req, err := csr.ParsePEM(data); err == nil && req == nil {
			t.Fatal("no error and no request")
		}
	})
}
