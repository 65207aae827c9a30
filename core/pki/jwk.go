package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"math/big"

	"github.com/tppwizard/tppwizard/core/text"
)

// JWK is a public JSON Web Key (RFC 7517) with the members the registration
// dialects use. go-jose's JSONWebKey cannot carry key_ops, which STET
// requires, so the key is written here and checked against go-jose in tests.
type JWK struct {
	Kty     string   `json:"kty"`
	Use     string   `json:"use,omitempty"`
	KeyOps  []string `json:"key_ops,omitempty"`
	Alg     string   `json:"alg,omitempty"`
	Kid     string   `json:"kid,omitempty"`
	N       string   `json:"n,omitempty"`
	E       string   `json:"e,omitempty"`
	Crv     string   `json:"crv,omitempty"`
	X       string   `json:"x,omitempty"`
	Y       string   `json:"y,omitempty"`
	X5c     []string `json:"x5c,omitempty"`
	X5tS256 string   `json:"x5t#S256,omitempty"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// ThumbprintS256 is the "x5t#S256" of a certificate: base64url, without
// padding, of the SHA-256 of its DER (RFC 7517 section 4.9).
func ThumbprintS256(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// FingerprintSHA256 is the colon-separated hex SHA-256 of a certificate, the
// form people compare with what a portal shows.
func FingerprintSHA256(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	out := make([]byte, 0, len(sum)*3)
	const hexdigits = "0123456789ABCDEF"
	for i, b := range sum {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hexdigits[b>>4], hexdigits[b&0xf])
	}
	return string(out)
}

// CertificateJWK builds the public JWK of a certificate's key with x5c (one
// entry: standard base64 DER, as RFC 7517 section 4.7 requires) and x5t#S256.
func CertificateJWK(cert *x509.Certificate, kid, use, alg string, keyOps []string) (JWK, error) {
	j := JWK{
		Use:     use,
		KeyOps:  keyOps,
		Alg:     alg,
		Kid:     kid,
		X5c:     []string{base64.StdEncoding.EncodeToString(cert.Raw)},
		X5tS256: ThumbprintS256(cert),
	}
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		j.Kty = "RSA"
		j.N = b64u(pub.N.Bytes())
		j.E = b64u(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		j.Kty = "EC"
		j.Crv = pub.Curve.Params().Name
		size := (pub.Curve.Params().BitSize + 7) / 8
		ecdh, err := pub.ECDH()
		if err != nil {
			return JWK{}, text.Errorf("EC key: %w", err)
		}
		raw := ecdh.Bytes() // 0x04 || X || Y
		j.X = b64u(raw[1 : 1+size])
		j.Y = b64u(raw[1+size:])
		if pub.Curve != elliptic.P256() && pub.Curve != elliptic.P384() && pub.Curve != elliptic.P521() {
			return JWK{}, text.Errorf("EC curve %s is not usable in a JWK", j.Crv)
		}
	default:
		return JWK{}, text.Errorf("a %T key cannot be published as a JWK here", cert.PublicKey)
	}
	return j, nil
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
