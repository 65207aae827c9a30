package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/pki"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

// badBench is what the bad input catalogue needs: the app with its
// sandbox bank running (which would accept a correct registration, so that
// a refusal can only come from the wizard), the demo identity's files, and
// files that are wrong in every way a person could get them wrong.
type badBench struct {
	t    *testing.T
	a    *app.App
	srv  *sandbox.Server
	dir  string
	demo identity.Identity

	otherKey, otherCert     string // a valid pair unrelated to the demo
	enc8, enc1, encCert     string // passphrase-protected keys (OpenSSL) and their certificate
	weakCert, weakKey       string // RSA 1024
	expired, notYet         *pki.Credential
	expiredPEM, expiredKey  string
	notYetPEM, notYetKey    string
	statement               map[string]any // the demo statement's claims
	signingExpired          string
	signingExpiredKey       string
	csr, publicKey, sshKey  string
	keyDER, png, pdf, pkcs7 []byte
	p12, docx               []byte
}

func newBadBench(t *testing.T) *badBench {
	t.Helper()
	a := demoApp(t)
	srv, err := a.StartSandbox()
	if err != nil {
		t.Fatal(err)
	}
	demo, err := a.Vault().Load(sandbox.DemoIdentityName)
	if err != nil {
		t.Fatal(err)
	}
	b := &badBench{t: t, a: a, srv: srv, dir: t.TempDir(), demo: demo}
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("..", "core", "pki", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	b.otherKey, b.otherCert = read("rsa-pkcs8.pem"), read("rsa-cert.pem")
	b.enc8, b.enc1, b.encCert = read("rsa-pkcs8-encrypted.pem"), read("rsa-pkcs1-encrypted.pem"), read("rsa-cert.pem")
	b.weakCert, b.weakKey = read("rsa1024-cert.pem"), read("rsa1024-key.pem")

	parsed, err := demo.Parse()
	if err != nil {
		t.Fatal(err)
	}
	now := a.Now()
	issue := func(signer *pki.Credential, notBefore, notAfter time.Time) (*pki.Credential, string, string) {
		c, err := srv.CA().Issue(pki.Spec{CommonName: signer.Leaf().Subject.CommonName, Organization: "Demo Payments Ltd", Country: "GB",
			Key: signer.Key, NotBefore: notBefore, NotAfter: notAfter})
		if err != nil {
			t.Fatal(err)
		}
		key, err := pki.EncodePrivateKey(c.Key)
		if err != nil {
			t.Fatal(err)
		}
		return c, string(pki.EncodeCertificates(c.Chain)), string(key)
	}
	b.expired, b.expiredPEM, b.expiredKey = issue(parsed.Transport, now.AddDate(-2, 0, 0), now.AddDate(-1, 0, -3))
	b.notYet, b.notYetPEM, b.notYetKey = issue(parsed.Transport, now.AddDate(0, 0, 30), now.AddDate(1, 0, 0))
	_, b.signingExpired, b.signingExpiredKey = issue(parsed.Signing, now.AddDate(-2, 0, 0), now.AddDate(-1, 0, -3))
	b.statement = parsed.Statement.All

	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "tpp"}}, parsed.Transport.Key)
	if err != nil {
		t.Fatal(err)
	}
	b.csr = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER}))
	pub, err := x509.MarshalPKIXPublicKey(parsed.Transport.Key.Public())
	if err != nil {
		t.Fatal(err)
	}
	b.publicKey = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	b.sshKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gt\n-----END OPENSSH PRIVATE KEY-----\n"
	if b.keyDER, err = x509.MarshalPKCS8PrivateKey(parsed.Transport.Key); err != nil {
		t.Fatal(err)
	}
	// The start of a PKCS#12 file as Windows exports it: version 3, then
	// PKCS#7 data (OID 1.2.840.113549.1.7.1).
	b.p12 = append([]byte{0x30, 0x82, 0x0a, 0x41, 0x02, 0x01, 0x03, 0x30, 0x82, 0x0a, 0x07, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}, make([]byte, 64)...)
	b.docx = append([]byte("PK\x03\x04\x14\x00\x06\x00"), "[Content_Types].xml"...)
	b.png = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	b.pdf = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	b.pkcs7 = []byte("-----BEGIN PKCS7-----\nMIIBhwYJKoZIhvcNAQcCoIIBeDCCAXQCAQExADALBgkqhkiG9w0BBwE=\n-----END PKCS7-----\n")
	return b
}

// files are the demo identity's files as a person would import them.
func (b *badBench) files(name string) identity.Files {
	return identity.Files{Name: name, TransportCert: []byte(b.demo.TransportCert), TransportKey: []byte(b.demo.TransportKey),
		SigningCert: []byte(b.demo.SigningCert), SigningKey: []byte(b.demo.SigningKey), SigningKID: b.demo.SigningKID,
		SSA: []byte(b.demo.SSA), ClientID: b.demo.ClientID}
}

// statementWith signs the demo statement with some claims changed (nil
// removes one), as the sandbox directory would.
func (b *badBench) statementWith(changes map[string]any) []byte {
	claims := map[string]any{}
	for k, v := range b.statement {
		claims[k] = v
	}
	claims["iat"] = b.a.Now().Unix()
	for k, v := range changes {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	raw, err := b.srv.SignStatement(claims)
	if err != nil {
		b.t.Fatal(err)
	}
	return []byte(raw)
}

// file writes data under the bench's folder and returns its path.
func (b *badBench) file(name string, data []byte) string {
	p := filepath.Join(b.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		b.t.Fatal(err)
	}
	return p
}

// importing imports files, changed by change, and returns what the import
// dialog shows ("" when the identity was accepted).
func (b *badBench) importing(change func(f *identity.Files)) func(t *testing.T) string {
	return func(t *testing.T) string {
		f := b.files("catalogue identity")
		change(&f)
		_, err := b.a.ImportIdentity(f)
		return message(err)
	}
}

// importingFile reads path as the transport certificate the way both
// front ends read a chosen file, then imports it.
func (b *badBench) importingFile(path string) func(t *testing.T) string {
	return func(t *testing.T) string {
		data, err := app.ReadUserFile("Transport certificate", path)
		if err != nil {
			return message(err)
		}
		return b.importing(func(f *identity.Files) { f.TransportCert = data })(t)
	}
}

// walking imports an identity made by change (which must be accepted) and
// takes the wizard as far as it goes towards Send at profileID, with the
// Details fields set; it returns the reason the wizard gives for stopping.
// It then asks the app to send the same thing, the way the command line
// does, and checks that it is refused and recorded as not sent.
func (b *badBench) walking(profileID string, change func(f *identity.Files), fields map[string]string) func(t *testing.T) string {
	return b.walk(profileID, change, fields, true)
}

func (b *badBench) walk(profileID string, change func(f *identity.Files), fields map[string]string, cliToo bool) func(t *testing.T) string {
	return func(t *testing.T) string {
		t.Helper()
		name := "catalogue walk"
		f := b.files(name)
		change(&f)
		if _, err := b.a.ImportIdentity(f); err != nil {
			t.Fatalf("the identity for this case was refused at import: %v", err)
		}
		w := b.a.NewWizard()
		if err := w.ChooseProfile(profileID); err != nil {
			return message(err)
		}
		msg := func() string {
			if err := w.Next(); err != nil {
				return message(err)
			}
			if err := w.ChooseIdentity(name); err != nil {
				return message(err)
			}
			if err := w.Next(); err != nil {
				return message(err)
			}
			for k, v := range fields {
				w.SetField(k, v)
			}
			for w.Step() < app.StepSend {
				if err := w.Next(); err != nil {
					return message(err)
				}
			}
			return ""
		}()
		req := app.RegisterRequest{ProfileID: profileID, IdentityName: name, Fields: map[string]any{}}
		for k, v := range fields {
			if k == "redirect_uris" {
				req.RedirectURIs = strings.Fields(v)
			} else if v == "" {
				req.Fields[k] = nil
			} else {
				req.Fields[k] = v
			}
		}
		if cliToo {
			b.refusedAndRecorded(t, req)
		}
		return msg
	}
}

// walkingOnly is walking for what only the wizard refuses: the command
// line's default (every address in the statement) is what it would send.
func (b *badBench) walkingOnly(profileID string, change func(f *identity.Files), fields map[string]string) func(t *testing.T) string {
	return b.walk(profileID, change, fields, false)
}

// registering asks the app to send req (as the command line does) and
// returns its error message.
func (b *badBench) registering(req app.RegisterRequest) func(t *testing.T) string {
	return func(t *testing.T) string { return b.refusedAndRecorded(t, req) }
}

func (b *badBench) refusedAndRecorded(t *testing.T, req app.RegisterRequest) string {
	t.Helper()
	out, err := b.a.Register(context.Background(), req)
	if err == nil {
		t.Fatalf("the app sent %+v", req)
	}
	if out == nil || out.Record.Status != records.NotSent || out.Record.Error == "" {
		t.Fatalf("the refusal was not recorded as not sent: %+v", out)
	}
	return message(err)
}

// addingProfile adds a bank profile file and returns the error shown.
func (b *badBench) addingProfile(name string, data []byte) func(t *testing.T) string {
	return func(t *testing.T) string {
		_, err := b.a.AddProfileFile(b.file(name, data))
		return message(err)
	}
}

// message is an error as the front ends show it: the GUI's error dialog
// starts it with a capital, and so does the command line.
func message(err error) string {
	if err == nil {
		return ""
	}
	return app.Sentence(err.Error())
}

// mangle returns a PEM file with its base64 body changed by f.
func mangle(pemText string, f func(body string) string) []byte {
	lines := strings.Split(strings.TrimSpace(pemText), "\n")
	body := strings.Join(lines[1:len(lines)-1], "\n")
	return []byte(lines[0] + "\n" + f(body) + "\n" + lines[len(lines)-1] + "\n")
}

func unsignedJWT(header, claims string) []byte {
	enc := base64.RawURLEncoding.EncodeToString
	return []byte(enc([]byte(header)) + "." + enc([]byte(claims)) + ".")
}

func TestBadInputIsRefusedBeforeAnythingIsSent(t *testing.T) {
	b := newBadBench(t)
	demoURI := registration.StringList(b.statement["software_redirect_uris"])[0]
	day := func(c *pki.Credential, notAfter bool) string {
		if notAfter {
			return c.Leaf().NotAfter.UTC().Format("2 Jan 2006")
		}
		return c.Leaf().NotBefore.UTC().Format("2 Jan 2006 15:04 MST")
	}
	pastExp := b.a.Now().Add(-2 * time.Hour).Unix()
	profileJSON := func(change string) []byte {
		return []byte(`{"id":"catalogue-bank","name":"Catalogue Bank","country":"GB","ecosystem":"OBIE","dialect":"uk-obie","environment":"sandbox",` +
			`"registration_endpoint":"https://bank.example/register","content_type":"application/jwt","success_status":[201],"needs":["transport","signing","ssa"]` + change + `}`)
	}
	big := bytes.Repeat([]byte("A"), 20<<20)

	cases := []struct {
		name string
		try  func(t *testing.T) string
		want string
	}{
		// Identity files: the import dialog and `identity import`.
		{"identity name empty", b.importing(func(f *identity.Files) { f.Name = "" }), "Identity name \"\" is not usable: use 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit"},
		{"identity name with a path", b.importing(func(f *identity.Files) { f.Name = "../keys" }), "Identity name \"../keys\" is not usable: use 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit"},
		{"certificate file empty", b.importing(func(f *identity.Files) { f.TransportCert = []byte{} }), "Transport certificate: the file is empty"},
		{"certificate file missing", b.importing(func(f *identity.Files) { f.TransportCert = nil }), "No transport certificate was chosen: choose the transport certificate file your trust framework issued"},
		{"key file missing", b.importing(func(f *identity.Files) { f.TransportKey = nil }), "Transport private key: no key file was chosen, and the certificate file holds no key; choose the key file created with this certificate"},
		{"picture instead of a certificate", b.importing(func(f *identity.Files) { f.TransportCert = b.png }), "Transport certificate: this is a picture, not a certificate or key file"},
		{"PDF instead of a certificate", b.importing(func(f *identity.Files) { f.TransportCert = b.pdf }), "Transport certificate: this is a PDF document, not a certificate or key file; certificate and key files are text files starting with -----BEGIN"},
		{"DER key where the certificate belongs", b.importing(func(f *identity.Files) { f.TransportCert = b.keyDER }), "Transport certificate: this is a private key in binary (DER) form, not a certificate"},
		{"PKCS#12 bundle instead of a certificate", b.importing(func(f *identity.Files) { f.TransportCert = b.p12 }), "Transport certificate: this is a PKCS#12 bundle (.p12 or .pfx), which holds a certificate and its key behind a password; export the certificate and the key from it as PEM files and choose those"},
		{"Word document instead of a certificate", b.importing(func(f *identity.Files) { f.TransportCert = b.docx }), "Transport certificate: this is a ZIP archive (or an Office document); if your certificates came as a .zip, extract it and choose the .pem, .crt or .key file inside"},
		{"PKCS#7 bundle instead of a certificate", b.importing(func(f *identity.Files) { f.TransportCert = b.pkcs7 }), "Transport certificate: this is a PKCS#7 bundle (.p7b or .p7c); export the certificates from it as a PEM file (.pem or .crt) and choose that"},
		{"key where the certificate belongs", b.importing(func(f *identity.Files) { f.TransportCert = []byte(b.demo.TransportKey) }), "Transport certificate: this file holds a private key, not a certificate: choose the certificate file (.pem or .crt) here"},
		{"certificate where the key belongs", b.importing(func(f *identity.Files) { f.TransportKey = []byte(b.demo.TransportCert) }), "Transport private key: this file holds a certificate, not a private key: choose the key file (often .key) here"},
		{"certificate request instead of a certificate", b.importing(func(f *identity.Files) { f.TransportCert = []byte(b.csr) }), "Transport certificate: this is a certificate request (CSR), not a certificate: send it to your trust framework and load the certificate it issues"},
		{"public key instead of the private key", b.importing(func(f *identity.Files) { f.TransportKey = []byte(b.publicKey) }), "Transport private key: the file holds no private key (found PUBLIC KEY)"},
		{"OpenSSH key instead of the private key", b.importing(func(f *identity.Files) { f.TransportKey = []byte(b.sshKey) }), "Transport private key: this is an OpenSSH key (for logging in to servers), not the key of a certificate: choose the key file created with the certificate"},
		{"transport key of another certificate", b.importing(func(f *identity.Files) { f.TransportKey = []byte(b.otherKey) }), "The transport key does not belong to the transport certificate: choose the key file created with that certificate"},
		{"signing key of another certificate", b.importing(func(f *identity.Files) { f.SigningKey = []byte(b.otherKey) }), "The signing key does not belong to the signing certificate: choose the key file created with that certificate"},
		{"transport and signing keys swapped", b.importing(func(f *identity.Files) { f.TransportKey, f.SigningKey = f.SigningKey, f.TransportKey }), "The transport key does not belong to the transport certificate: choose the key file created with that certificate"},
		{"signing key without its certificate", b.importing(func(f *identity.Files) { f.SigningCert = nil }), "A signing key was given without its signing certificate"},
		{"signing certificate without its key", b.importing(func(f *identity.Files) { f.SigningKey = nil }), "Signing private key: no key file was chosen, and the certificate file holds no key; choose the key file created with this certificate"},
		{"encrypted PKCS#8 key without passphrase", b.importing(func(f *identity.Files) { f.TransportCert, f.TransportKey = []byte(b.encCert), []byte(b.enc8) }), "Transport private key: the private key is protected by a passphrase"},
		{"encrypted PKCS#1 key without passphrase", b.importing(func(f *identity.Files) { f.TransportCert, f.TransportKey = []byte(b.encCert), []byte(b.enc1) }), "Transport private key: the private key is protected by a passphrase"},
		{"encrypted key with the wrong passphrase", b.importing(func(f *identity.Files) {
			f.TransportCert, f.TransportKey, f.Passphrase = []byte(b.encCert), []byte(b.enc8), []byte("Correct-Horse")
		}), "Transport private key: the passphrase does not open this private key"},
		{"certificate with trailing garbage", b.importing(func(f *identity.Files) {
			f.TransportCert = append([]byte(b.demo.TransportCert), "\nsent from my phone\n"...)
		}), "Transport certificate: the file has 18 bytes of unexpected data after its last PEM block; it may be truncated or two files pasted together"},
		{"key with trailing garbage", b.importing(func(f *identity.Files) { f.TransportKey = append([]byte(b.demo.TransportKey), "}}}"...) }), "Transport private key: the file has 3 bytes of unexpected data after its last PEM block; it may be truncated or two files pasted together"},
		{"certificate cut short", b.importing(func(f *identity.Files) { f.TransportCert = []byte(b.demo.TransportCert[:len(b.demo.TransportCert)/2]) }), "Transport certificate: the file starts like a PEM file but its block is damaged (the END line is missing, or the base64 text was changed); download or export the file again"},
		{"certificate with broken base64", b.importing(func(f *identity.Files) {
			f.TransportCert = mangle(b.demo.TransportCert, func(s string) string { return strings.Replace(s, "A", "*", 3) })
		}), "Transport certificate: the file starts like a PEM file but its block is damaged (the END line is missing, or the base64 text was changed); download or export the file again"},
		{"certificate with a changed byte", b.importing(func(f *identity.Files) {
			f.TransportCert = mangle(b.demo.TransportCert, func(s string) string { return s[:40] + "QUJD" + s[44:] })
		}), "Transport certificate: certificate 1 in the file is damaged and cannot be read (x509: malformed signature algorithm identifier); download or export it again"},
		{"statement that is not a JWT", b.importing(func(f *identity.Files) { f.SSA = []byte("software statement goes here") }), "Software statement: not a signed JWT (expected three parts separated by dots); download the statement again from your directory"},
		{"statement unsigned (alg none)", b.importing(func(f *identity.Files) {
			f.SSA = unsignedJWT(`{"alg":"none","typ":"JWT"}`, `{"software_id":"x"}`)
		}), "Software statement: it is unsigned (alg none); banks accept only statements signed by the trust framework's directory"},
		{"statement with an empty signature", b.importing(func(f *identity.Files) {
			f.SSA = unsignedJWT(`{"alg":"PS256","typ":"JWT"}`, `{"software_id":"x"}`)
		}), "Software statement: it is unsigned (alg none); banks accept only statements signed by the trust framework's directory"},
		{"statement with a broken header", b.importing(func(f *identity.Files) { f.SSA = []byte("eyJ!!!.eyJ9.c2ln") }), "Software statement header: not valid base64url"},
		{"statement whose claims are not JSON", b.importing(func(f *identity.Files) {
			f.SSA = []byte(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"PS256"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte("software_id=x")) + ".c2ln")
		}), "Software statement claims: not valid JSON: invalid character 's' looking for beginning of value"},
		{"statement far too large", b.importing(func(f *identity.Files) { f.SSA = bytes.Repeat([]byte("a.b.c"), 14000) }), "Software statement: 70000 bytes is far larger than a statement; this is probably the wrong file"},
		{"statement file holding a certificate", b.importing(func(f *identity.Files) { f.SSA = []byte(b.demo.TransportCert) }), "Software statement: not a signed JWT (expected three parts separated by dots); download the statement again from your directory"},

		// Files as chosen in the dialog or given on the command line.
		{"20 MB file", b.importingFile(b.file("movie.pem", big)), "Transport certificate: movie.pem is larger than 1024 KiB; certificate, key and statement files are a few kilobytes, so this is probably the wrong file"},
		{"empty file", b.importingFile(b.file("empty.pem", nil)), "Transport certificate: the file is empty"},
		{"folder instead of a file", b.importingFile(b.dir), "Transport certificate: " + filepath.Base(b.dir) + " is a folder; choose the file inside it"},
		{"file that does not exist", b.importingFile(filepath.Join(b.dir, "transport.pem")), "Transport certificate: " + filepath.Join(b.dir, "transport.pem") + " does not exist; choose the file again"},

		// An accepted identity the chosen bank cannot take: the wizard
		// stops before Send, and the app refuses the same request.
		{"expired transport certificate", b.walking("sandbox-stet", func(f *identity.Files) {
			f.TransportCert, f.TransportKey = []byte(b.expiredPEM), []byte(b.expiredKey)
		}, nil), "Transport certificate: the certificate expired on " + day(b.expired, true) + " (ask your trust framework or certificate provider for a new certificate)"},
		{"transport certificate not yet valid", b.walking("sandbox-stet", func(f *identity.Files) {
			f.TransportCert, f.TransportKey = []byte(b.notYetPEM), []byte(b.notYetKey)
		}, nil), "Transport certificate: the certificate is not valid yet: it starts on " + day(b.notYet, false) + " (wait until then, or check this computer's clock)"},
		{"expired signing certificate at a bank that checks signatures", b.walking("sandbox-uk-obie", func(f *identity.Files) {
			f.SigningCert, f.SigningKey = []byte(b.signingExpired), []byte(b.signingExpiredKey)
		}, nil), "Signing certificate: the certificate expired on " + day(b.expired, true) + " (ask your trust framework or certificate provider for a new certificate)"},
		{"RSA 1024 transport key", b.walking("sandbox-altareq", func(f *identity.Files) {
			f.TransportCert, f.TransportKey = []byte(b.weakCert), []byte(b.weakKey)
		}, nil), "Transport certificate: the key is RSA 1024 bits; banks require at least 2048 (request a new certificate with an RSA key of 2048 bits or more)"},
		{"expired statement", b.walking("sandbox-uk-obie", func(f *identity.Files) { f.SSA = b.statementWith(map[string]any{"exp": pastExp}) }, nil), "Software statement: it expired on " + time.Unix(pastExp, 0).UTC().Format("2 Jan 2006 15:04 MST") + " (generate a new software statement in your directory and import it)"},
		{"statement with no software id", b.walking("sandbox-uk-obie", func(f *identity.Files) { f.SSA = b.statementWith(map[string]any{"software_id": nil}) }, nil), "Software statement: it has no software_id (download the statement for your software again from the directory)"},
		{"no statement at a UK bank", b.walking("sandbox-uk-obie", func(f *identity.Files) { f.SSA = nil }, nil), "This bank also needs a software statement; import them into this identity."},
		{"no signing certificate at a STET bank", b.walking("sandbox-stet", func(f *identity.Files) { f.SigningCert, f.SigningKey = nil, nil }, nil), "This bank also needs a signing certificate and key; import them into this identity."},
		{"redirect address not picked in the statement", b.walking("sandbox-uk-obie", func(*identity.Files) {}, map[string]string{"redirect_uris": "https://demo-tpp.example/elsewhere"}), "Redirect addresses: \"https://demo-tpp.example/elsewhere\" is not in your software statement (choose from: https://demo-tpp.example/callback, https://demo-tpp.example/callback/mobile)"},
		{"redirect address over http", b.walking("sandbox-uk-obie", func(*identity.Files) {}, map[string]string{"redirect_uris": strings.Replace(demoURI, "https:", "http:", 1)}), "Redirect addresses: \"http://demo-tpp.example/callback\" does not use https (banks accept only https redirect addresses)"},
		{"redirect address on localhost", b.walking("sandbox-uk-obie", func(*identity.Files) {}, map[string]string{"redirect_uris": "https://localhost/callback"}), "Redirect addresses: \"https://localhost/callback\" points at this computer (localhost) (use your application's public address)"},
		{"redirect address on 127.0.0.1", b.walking("sandbox-uk-obie", func(*identity.Files) {}, map[string]string{"redirect_uris": "https://127.0.0.1:8443/callback"}), "Redirect addresses: \"https://127.0.0.1:8443/callback\" points at this computer (localhost) (use your application's public address)"},
		{"redirect address with a fragment", b.walking("sandbox-uk-obie", func(*identity.Files) {}, map[string]string{"redirect_uris": demoURI + "#x"}), "Redirect addresses: \"https://demo-tpp.example/callback#x\" has a #fragment (remove the part after #)"},
		{"redirect address that is relative", b.walking("sandbox-uk-obie", func(*identity.Files) {}, map[string]string{"redirect_uris": "/callback"}), "Redirect addresses: \"/callback\" is not a web address (use a full address such as https://app.example.com/callback)"},
		{"redirect addresses all removed", b.walkingOnly("sandbox-uk-obie", func(*identity.Files) {}, map[string]string{"redirect_uris": ""}), "Redirect addresses: enter at least one address your application receives the bank's answers at (choose from: https://demo-tpp.example/callback, https://demo-tpp.example/callback/mobile)"},
		{"scope the bank does not offer", b.walking("sandbox-uk-obie", func(*identity.Files) {}, map[string]string{"scope": "openid mortgages"}), "Access asked for: \"mortgages\" is not a scope this bank offers (choose from: openid accounts payments fundsconfirmations)"},
		{"authentication method the bank does not offer", b.walking("sandbox-uk-v31", func(*identity.Files) {}, map[string]string{"token_endpoint_auth_method": "client_secret_post"}), "How your software signs in to the bank: \"client_secret_post\" is not accepted by this bank (choose one of: client_secret_basic, private_key_jwt)"},
		{"contact e-mail without a domain", b.walking("sandbox-stet", func(*identity.Files) {}, map[string]string{"contact.email": "alex"}), "Contact e-mail: \"alex\" is not an e-mail address"},
		{"contact phone left empty", b.walking("sandbox-stet", func(*identity.Files) {}, map[string]string{"contact.phone_number": ""}), "Contact phone: contact details are required by this bank"},
		{"STET role not in the certificate", b.walking("sandbox-stet", func(*identity.Files) {}, map[string]string{"scope": "aisp loans"}), "Roles: \"aisp loans\" is not one of aisp, pisp, cbpii"},

		// Requests the command line builds from flags.
		{"unknown bank profile", b.registering(app.RegisterRequest{ProfileID: "uk-barclays-live", IdentityName: sandbox.DemoIdentityName}), "Profile: there is no bank profile \"uk-barclays-live\" (\"tppwizard profiles\" lists them all)"},
		{"unknown identity", b.registering(app.RegisterRequest{ProfileID: "sandbox-stet", IdentityName: "Demo TPP"}), "Identity: no identity named \"Demo TPP\" is saved in the keyring; import it first, or choose a saved one"},
		{"client id with a slash", b.registering(app.RegisterRequest{ProfileID: "sandbox-uk-obie", IdentityName: sandbox.DemoIdentityName,
			Operation: registration.Read, ClientID: "abc/../../admin"}), "Client_id: \"abc/../../admin\" is not a client id a bank issues: client ids never hold / ? # % \\, spaces or line breaks, and are never . or .. (copy the client id exactly as the bank returned it, or open the registration from its record)"},
		{"client id that is ..", b.registering(app.RegisterRequest{ProfileID: "sandbox-uk-obie", IdentityName: sandbox.DemoIdentityName,
			Operation: registration.Delete, ClientID: ".."}), "Client_id: \"..\" is not a client id a bank issues: client ids never hold / ? # % \\, spaces or line breaks, and are never . or .. (copy the client id exactly as the bank returned it, or open the registration from its record)"},
		{"client id with a query", b.registering(app.RegisterRequest{ProfileID: "sandbox-uk-obie", IdentityName: sandbox.DemoIdentityName,
			Operation: registration.Read, ClientID: "abc?delete=all"}), "Client_id: \"abc?delete=all\" is not a client id a bank issues: client ids never hold / ? # % \\, spaces or line breaks, and are never . or .. (copy the client id exactly as the bank returned it, or open the registration from its record)"},
		{"client id percent-encoded", b.registering(app.RegisterRequest{ProfileID: "sandbox-uk-obie", IdentityName: sandbox.DemoIdentityName,
			Operation: registration.Update, ClientID: "abc%2F..%2Fadmin"}), "Client_id: \"abc%2F..%2Fadmin\" is not a client id a bank issues: client ids never hold / ? # % \\, spaces or line breaks, and are never . or .. (copy the client id exactly as the bank returned it, or open the registration from its record)"},
		{"client id with a line break", b.registering(app.RegisterRequest{ProfileID: "sandbox-stet", IdentityName: sandbox.DemoIdentityName,
			Operation: registration.Update, ClientID: "abc\r\nX-Injected: 1"}), "Client_id: \"abc\\r\\nX-Injected: 1\" is not a client id a bank issues: client ids never hold / ? # % \\, spaces or line breaks, and are never . or .. (copy the client id exactly as the bank returned it, or open the registration from its record)"},
		{"software id of another application", b.registering(app.RegisterRequest{ProfileID: "sandbox-uk-obie", IdentityName: sandbox.DemoIdentityName,
			Fields: map[string]any{"software_id": "AnotherSoftware01"}}), "The request has problems that must be fixed before it is sent:\n  - software_id: differs from the software statement's software_id (leave software_id as in the statement)"},
		{"demo identity at a real bank", b.registering(app.RegisterRequest{ProfileID: "uk-obie-v33-modelbank", IdentityName: sandbox.DemoIdentityName}),
			"Identity: this identity's certificates come from the built-in demo bank's trust framework, so only the demo banks accept them (choose a demo bank, or an identity with the certificates your trust framework issued)"},
		{"endpoint over http", b.registering(app.RegisterRequest{ProfileID: "sandbox-stet", IdentityName: sandbox.DemoIdentityName,
			Endpoint: "http://127.0.0.1:1/register"}), "Endpoint: \"http://127.0.0.1:1/register\" is not an https address (banks take registrations over https only; copy the address from the bank's documentation)"},
		{"CA file holding a key", b.registering(app.RegisterRequest{ProfileID: "sandbox-stet", IdentityName: sandbox.DemoIdentityName,
			CAFile: b.file("ca.pem", []byte(b.otherKey))}), "Ca-file: this file holds a private key, not a certificate: choose the certificate file (.pem or .crt) here"},
		{"change at a bank that takes none", b.registering(app.RegisterRequest{ProfileID: "sandbox-altareq", IdentityName: sandbox.DemoIdentityName,
			Operation: registration.Update, ClientID: "abc"}), "Demo UAE bank cannot change a registration through its API (change the application in the trust framework directory, then register again)"},

		// Bank profile files.
		{"profile that is not JSON", b.addingProfile("bank.json", []byte("id: catalogue-bank\n")), "Bank profile bank.json: is not valid JSON at line 1, column 1: invalid character 'i' looking for beginning of value"},
		{"profile cut short", b.addingProfile("bank.json", profileJSON("")[:80]), "Bank profile bank.json: is empty or cut short"},
		{"profile file empty", b.addingProfile("bank.json", nil), "Bank profile bank.json: is empty or cut short"},
		{"profile with an unknown dialect", b.addingProfile("bank.json", bytes.Replace(profileJSON(""), []byte(`"uk-obie"`), []byte(`"open-banking"`), 1)), "Bank profile bank.json: field \"dialect\": \"open-banking\" is not one of uk-obie, stet, altareq, oauth2-dcr"},
		{"profile with a misspelt field", b.addingProfile("bank.json", profileJSON(`,"registration_endpiont":"https://bank.example/x"`)), "Bank profile bank.json: field \"registration_endpiont\": is not a profile field (check its spelling)"},
		{"profile with an http endpoint", b.addingProfile("bank.json", bytes.Replace(profileJSON(""), []byte(`https://bank.example`), []byte(`http://bank.example`), 1)), "Bank profile bank.json: field \"registration_endpoint\": \"http://bank.example/register\" is not an https URL"},
		{"profile without an id", b.addingProfile("bank.json", bytes.Replace(profileJSON(""), []byte(`"id":"catalogue-bank",`), nil, 1)), "Bank profile bank.json: field \"id\": is required"},
		{"profile id with a path", b.addingProfile("bank.json", bytes.Replace(profileJSON(""), []byte(`"catalogue-bank"`), []byte(`"../catalogue-bank"`), 1)), "Bank profile bank.json: field \"id\": \"../catalogue-bank\" may hold only lower-case letters, digits, dots and dashes"},
		{"profile without an endpoint", b.addingProfile("bank.json", bytes.Replace(profileJSON(""), []byte(`"registration_endpoint":"https://bank.example/register",`), nil, 1)), "Bank profile bank.json: field \"registration_endpoint\": is required when there is no discovery_url"},
		{"profile far too large", b.addingProfile("bank.json", append(profileJSON(`,"notes":"`), append(bytes.Repeat([]byte("x"), 300<<10), `"}`...)...)), "Bank profile: bank.json is larger than 256 KiB; bank profiles are a few kilobytes of JSON, so this is probably the wrong file"},
	}

	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if seen[tc.name] {
				t.Fatal("two cases with one name")
			}
			seen[tc.name] = true
			before := b.srv.Received()
			got := tc.try(t)
			if got == "" {
				t.Fatal("accepted")
			}
			if got != tc.want {
				t.Errorf("the user sees\n\t%s\nwant\n\t%s", got, tc.want)
			}
			if n := b.srv.Received() - before; n != 0 {
				t.Errorf("%d request(s) reached the bank", n)
			}
		})
	}
	if len(cases) < 60 {
		t.Errorf("the catalogue has %d cases", len(cases))
	}
	t.Logf("%d bad inputs tried; the bank received %d requests", len(cases), b.srv.Received())
}
