// Package httpsig writes and checks the HTTP message signatures STET banks
// require: a Digest header (RFC 3230, SHA-256) and a Signature header in the
// form of draft-cavage-http-signatures-12 with algorithm rsa-sha256.
package httpsig

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/tppwizard/tppwizard/core/text"
)

// AlgorithmRSASHA256 is RSASSA-PKCS1-v1_5 with SHA-256.
const AlgorithmRSASHA256 = "rsa-sha256"

// RequestTarget is the pseudo-header holding "<method> <path>?<query>".
const RequestTarget = "(request-target)"

// Digest returns the Digest header value for body: "SHA-256=" and the
// standard base64 of the SHA-256 of the exact body bytes.
func Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// VerifyDigest checks a Digest header against body. Only SHA-256 counts;
// several comma-separated digests may be present.
func VerifyDigest(header string, body []byte) error {
	if strings.TrimSpace(header) == "" {
		return text.New("the Digest header is missing")
	}
	want := strings.TrimPrefix(Digest(body), "SHA-256=")
	for _, part := range strings.Split(header, ",") {
		alg, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(alg, "SHA-256") {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(val), []byte(want)) == 1 {
			return nil
		}
		return text.New("the Digest header does not match the body")
	}
	return text.New("the Digest header has no SHA-256 value")
}

// Message is what a signature covers.
type Message struct {
	Method string
	// Target is the path and query exactly as sent: "/a/b?c=d".
	Target string
	Header http.Header
}

// SigningString builds the string to sign: one "name: value" line per listed
// header, in order, lower-case names, joined by "\n", no trailing newline.
func SigningString(m Message, headers []string) (string, error) {
	if len(headers) == 0 {
		return "", text.New("no headers to sign")
	}
	lines := make([]string, 0, len(headers))
	for _, h := range headers {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == RequestTarget {
			lines = append(lines, name+": "+strings.ToLower(m.Method)+" "+m.Target)
			continue
		}
		values := m.Header.Values(name)
		if len(values) == 0 {
			return "", text.Errorf("header %q is to be signed but is not in the request", name)
		}
		for i := range values {
			values[i] = strings.TrimSpace(values[i])
		}
		lines = append(lines, name+": "+strings.Join(values, ", "))
	}
	return strings.Join(lines, "\n"), nil
}

// Params are the parameters of a Signature header.
type Params struct {
	KeyID     string
	Algorithm string
	Headers   []string
	Signature []byte
}

// String formats the Signature header value.
func (p Params) String() string {
	return fmt.Sprintf(`keyId="%s",algorithm="%s",headers="%s",signature="%s"`,
		p.KeyID, p.Algorithm, strings.Join(p.Headers, " "), base64.StdEncoding.EncodeToString(p.Signature))
}

// Sign signs m over headers with an RSA key and returns the Signature header
// value.
func Sign(key crypto.Signer, keyID string, m Message, headers []string) (string, error) {
	if _, ok := key.Public().(*rsa.PublicKey); !ok {
		return "", text.Errorf("rsa-sha256 needs an RSA signing key, not %T", key.Public())
	}
	if strings.ContainsAny(keyID, "\"\\") {
		return "", text.New("the signature keyId may not contain quotes or backslashes")
	}
	s, err := SigningString(m, headers)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(s))
	sig, err := key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return "", text.Errorf("sign request: %w", err)
	}
	lower := make([]string, len(headers))
	for i, h := range headers {
		lower[i] = strings.ToLower(h)
	}
	return Params{KeyID: keyID, Algorithm: AlgorithmRSASHA256, Headers: lower, Signature: sig}.String(), nil
}

// MaxHeaderSize bounds a Signature header accepted for parsing.
const MaxHeaderSize = 16 << 10

// Parse reads a Signature header value. Unknown parameters are ignored, as
// the draft says; a missing signature or keyId is an error.
func Parse(value string) (Params, error) {
	if len(value) > MaxHeaderSize {
		return Params{}, text.New("the Signature header is too long")
	}
	var p Params
	seen := map[string]bool{}
	rest := strings.TrimSpace(value)
	for rest != "" {
		name, after, ok := strings.Cut(rest, "=")
		if !ok {
			return Params{}, text.Errorf("malformed Signature parameter near %q", truncate(rest))
		}
		name = strings.TrimSpace(name)
		after = strings.TrimLeft(after, " ")
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return Params{}, text.Errorf("unterminated quoted value for %q", name)
			}
			val, rest = after[1:1+end], after[2+end:]
		} else {
			end := strings.IndexByte(after, ',')
			if end < 0 {
				end = len(after)
			}
			val, rest = strings.TrimSpace(after[:end]), after[end:]
		}
		rest = strings.TrimSpace(rest)
		if rest != "" {
			if rest[0] != ',' {
				return Params{}, text.Errorf("expected ',' after %q", name)
			}
			rest = strings.TrimSpace(rest[1:])
		}
		if seen[name] {
			return Params{}, text.Errorf("parameter %q appears twice", name)
		}
		seen[name] = true
		switch name {
		case "keyId":
			p.KeyID = val
		case "algorithm":
			p.Algorithm = val
		case "headers":
			p.Headers = strings.Fields(val)
		case "signature":
			sig, err := base64.StdEncoding.DecodeString(val)
			if err != nil {
				return Params{}, text.New("the signature is not valid base64")
			}
			p.Signature = sig
		}
	}
	if p.KeyID == "" {
		return Params{}, text.New("the Signature header has no keyId")
	}
	if len(p.Signature) == 0 {
		return Params{}, text.New("the Signature header has no signature")
	}
	if len(p.Headers) == 0 {
		// draft-cavage-12 section 2.1.3: the default is the Date header.
		p.Headers = []string{"date"}
	}
	return p, nil
}

// Verify checks a parsed signature over m with an RSA public key.
func Verify(pub *rsa.PublicKey, p Params, m Message) error {
	if p.Algorithm != "" && p.Algorithm != AlgorithmRSASHA256 {
		return text.Errorf("signature algorithm %q is not rsa-sha256", p.Algorithm)
	}
	s, err := SigningString(m, p.Headers)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(s))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], p.Signature); err != nil {
		return text.New("the signature does not verify with the given key over the listed headers")
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}
