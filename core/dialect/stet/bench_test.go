package stet_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"net/url"
	"testing"

	"github.com/tppwizard/tppwizard/core/dialect/stet"
	"github.com/tppwizard/tppwizard/core/httpsig"
)

// BenchmarkBodyDigestSignature is the whole STET request (body with the
// JWKS from the QSEAL certificate, Digest, draft-cavage Signature) beside
// its floor: one bare rsa.SignPKCS1v15 over the same signing string.
func BenchmarkBodyDigestSignature(b *testing.B) {
	in := goldenInput(b)
	req, err := stet.Dialect{}.Build(in)
	if err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		b.Fatal(err)
	}
	signing, err := httpsig.SigningString(httpsig.Message{Method: req.Method, Target: u.RequestURI(), Header: req.Header}, in.Profile.Signature.Headers)
	if err != nil {
		b.Fatal(err)
	}
	key := in.Identity.Signing.Key.(*rsa.PrivateKey)
	b.Run("wizard", func(b *testing.B) {
		for b.Loop() {
			if _, err := (stet.Dialect{}).Build(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			sum := sha256.Sum256([]byte(signing))
			if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
