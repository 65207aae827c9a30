package uk_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/dialect/uk"
)

// BenchmarkBuildAndSign is the whole UK request (claims from the statement
// and certificates, checks, the PS256 JWT) beside its floor: one bare
// rsa.SignPSS over the same signing input, in the same run.
func BenchmarkBuildAndSign(b *testing.B) {
	in := input(b, "uk-obie-v33-modelbank")
	req, err := uk.Dialect{}.Build(in)
	if err != nil {
		b.Fatal(err)
	}
	compact := string(req.Body)
	signingInput := compact[:strings.LastIndex(compact, ".")]
	key := in.Identity.Signing.Key.(*rsa.PrivateKey)
	b.Run("wizard", func(b *testing.B) {
		for b.Loop() {
			if _, err := (uk.Dialect{}).Build(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			sum := sha256.Sum256([]byte(signingInput))
			if _, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
