// Package pki reads the certificates and private keys a TPP receives from its
// trust framework and derives what the registration dialects need from them:
// subject DNs, eIDAS identifiers, thumbprints and JWKs.
package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/tppwizard/tppwizard/core/text"
)

// MaxFileSize is the largest certificate or key file accepted. Real PEM files
// are a few kilobytes; anything much larger is the wrong file.
const MaxFileSize = 1 << 20

// ErrNotPEM is returned when data holds neither PEM blocks nor a DER certificate.
var ErrNotPEM = text.New("the file is not a PEM certificate or key")

// Block is one PEM block with its position in the file (1-based).
type Block struct {
	Index int
	*pem.Block
}

// Blocks splits data into PEM blocks. Text before the first block (OpenSSL
// "Bag Attributes" and "subject=" lines) is allowed; anything after the last
// block other than white space is refused, because it usually means a file was
// truncated or two files were pasted together badly.
func Blocks(data []byte) ([]Block, error) {
	if len(data) > MaxFileSize {
		return nil, text.Errorf("the file is %d bytes; certificate and key files are a few kilobytes, so this is probably the wrong file", len(data))
	}
	var out []Block
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		out = append(out, Block{Index: len(out) + 1, Block: b})
	}
	if len(out) == 0 {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, text.New("the file is empty")
		}
		return nil, notPEM(data)
	}
	if tail := bytes.TrimSpace(rest); len(tail) > 0 {
		if bytes.Contains(tail, []byte("-----BEGIN")) {
			return nil, text.Errorf("the file has a damaged PEM block after block %d (a BEGIN line without a matching END line, or broken base64)", len(out))
		}
		return nil, text.Errorf("the file has %d bytes of unexpected data after its last PEM block; it may be truncated or two files pasted together", len(tail))
	}
	return out, nil
}

// NotPEMError says what a file that holds no PEM block looks like instead,
// so that a person who picked the wrong file knows which one they picked.
type NotPEMError struct{ What text.Message }

func (e *NotPEMError) Error() string { return e.What.String() }

// In says the error in t.
func (e *NotPEMError) In(t text.Translator) string { return e.What.In(t) }

// Is makes every NotPEMError an ErrNotPEM.
func (e *NotPEMError) Is(target error) bool { return target == ErrNotPEM }

// pkcs12Start is how a PKCS#12 (.p12, .pfx) file begins after its length:
// version 3, then PKCS#7 data (1.2.840.113549.1.7.1).
var pkcs12Start = []byte{0x02, 0x01, 0x03, 0x30}

func notPEM(data []byte) error {
	head := data[:min(len(data), 512)]
	var what text.Message
	switch {
	case bytes.Contains(head, []byte("-----BEGIN")):
		what = text.F("the file starts like a PEM file but its block is damaged (the END line is missing, or the base64 text was changed); download or export the file again")
	case bytes.HasPrefix(data, []byte("\x89PNG")), bytes.HasPrefix(data, []byte("\xff\xd8\xff")), bytes.HasPrefix(data, []byte("GIF8")):
		what = text.F("this is a picture, not a certificate or key file")
	case bytes.HasPrefix(data, []byte("%PDF")):
		what = text.F("this is a PDF document, not a certificate or key file; certificate and key files are text files starting with -----BEGIN")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		what = text.F("this is a ZIP archive (or an Office document); if your certificates came as a .zip, extract it and choose the .pem, .crt or .key file inside")
	case len(data) > 8 && data[0] == 0x30 && bytes.Contains(head[:min(len(head), 16)], pkcs12Start):
		what = text.F("this is a PKCS#12 bundle (.p12 or .pfx), which holds a certificate and its key behind a password; export the certificate and the key from it as PEM files and choose those")
	case len(data) > 2 && data[0] == 0x30 && isDERKey(data):
		what = text.F("this is a private key in binary (DER) form, not a certificate")
	case bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head):
		what = text.F("this is a binary file, not a certificate or key; certificate and key files are text files starting with -----BEGIN")
	default:
		what = text.F("the file holds no certificate or key: certificate and key files are text starting with a line such as -----BEGIN CERTIFICATE-----")
	}
	return &NotPEMError{What: what}
}

func isDERKey(der []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}

// ParseCertificates returns every certificate in data, in file order: the
// leaf first, then its chain, as trust frameworks issue them. A single binary
// DER certificate is accepted too.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	blocks, err := Blocks(data)
	if errors.Is(err, ErrNotPEM) {
		if c, derr := x509.ParseCertificate(data); derr == nil {
			return []*x509.Certificate{c}, nil
		}
	}
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, b := range blocks {
		switch b.Type {
		case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, text.Errorf("certificate %d in the file is damaged and cannot be read (%w); download or export it again", b.Index, err)
			}
			certs = append(certs, c)
		case "PKCS7":
			return nil, text.New("this is a PKCS#7 bundle (.p7b or .p7c); export the certificates from it as a PEM file (.pem or .crt) and choose that")
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
			return nil, text.New("this is a certificate request (CSR), not a certificate: send it to your trust framework and load the certificate it issues")
		}
	}
	if len(certs) == 0 {
		if hasKeyBlock(blocks) {
			return nil, text.New("this file holds a private key, not a certificate: choose the certificate file (.pem or .crt) here")
		}
		return nil, text.Errorf("the file holds no certificate (found %s)", blockTypes(blocks))
	}
	return certs, nil
}

func hasKeyBlock(blocks []Block) bool {
	for _, b := range blocks {
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			return true
		}
	}
	return false
}

func blockTypes(blocks []Block) string {
	types := make([]string, 0, len(blocks))
	for _, b := range blocks {
		types = append(types, b.Type)
	}
	return strings.Join(types, ", ")
}

// EncodeCertificates writes certificates as concatenated PEM blocks.
func EncodeCertificates(certs []*x509.Certificate) []byte {
	var buf bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return buf.Bytes()
}
