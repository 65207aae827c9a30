package httpsig

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/pki"
)

func TestDigestKnownValues(t *testing.T) {
	// Values computed with: printf '%s' BODY | openssl dgst -sha256 -binary | base64
	tests := []struct{ body, want string }{
		{"", "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		{"{}", "SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="},
		{`{"client_name":"Exemple"}`, "SHA-256=tNk0J4Oyx2EQ/Q5wvm7BehiTzIM+qpamRV4AtWgAqwo="},
	}
	for _, tt := range tests {
		if got := Digest([]byte(tt.body)); got != tt.want {
			t.Errorf("Digest(%q) = %s, want %s", tt.body, got, tt.want)
		}
		if err := VerifyDigest(tt.want, []byte(tt.body)); err != nil {
			t.Errorf("VerifyDigest(%q): %v", tt.body, err)
		}
	}
}

func TestVerifyDigestRefuses(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "missing"},
		{"MD5=abc", "no SHA-256"},
		{"SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "does not match"},
	}
	for _, tt := range tests {
		err := VerifyDigest(tt.header, []byte("x"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("VerifyDigest(%q) = %v, want %q", tt.header, err, tt.want)
		}
	}
}

func stetMessage() Message {
	h := http.Header{}
	h.Set("Digest", "SHA-256=tNk0J4Oyx2EQ/Q5wvm7BehiTzIM+qpamRV4AtWgAqwo=")
	h.Set("X-Request-ID", "0b8a1f6e-6d0c-4b8e-9d43-6a1f3c2e7b10")
	h.Set("Authorization", "Bearer secret-token")
	return Message{Method: "PUT", Target: "/stet/setting/v1/register/AGTFR-ACPR-12345001?lang=fr", Header: h}
}

// The signing string written out by hand from draft-cavage-http-signatures-12
// section 2.3, for the headers seed 001 lists.
const handSigningString = "(request-target): put /stet/setting/v1/register/AGTFR-ACPR-12345001?lang=fr\n" +
	"digest: SHA-256=tNk0J4Oyx2EQ/Q5wvm7BehiTzIM+qpamRV4AtWgAqwo=\n" +
	"x-request-id: 0b8a1f6e-6d0c-4b8e-9d43-6a1f3c2e7b10"

// opensslSignature is `printf '%s' handSigningString | openssl dgst -sha256
// -sign core/pki/testdata/rsa-pkcs8.pem | base64 -w0`: RSASSA-PKCS1-v1_5 is
// deterministic, so our signature must equal it byte for byte.
const opensslSignature = "WEQ0zvgh4ICb4H1Arzy1K0/IhGh9gZGBrpWft+3cq+iea9aG/4zgbLigfLy+INOYLQ/iVrCHpT2Fnqygh9NpxrogdzkaW4DbVXE6z9Wr885VHy8em4m6KNiLAoS/H0j/lTLM7Do9IZhmVWiv6EOot5YWCbzN4tX43oSHNsTzV+NgF+DjGMy9qY15BDh63emvu3DE/O0ocphADrHCKIX6aUOpn47TSjLzH/urTYxl/bU+fxC/gQ6G6Zsr99VKdm2T7SNgTpdJE2sjHiijohHnIx8PhdswcmcUiey/6KNKaacN9TL6t5e5AdDUAiF2u382+LunyrNlMAREUp9PkIe/1Q=="

func testKey(t testing.TB) crypto.Signer {
	t.Helper()
	data, err := os.ReadFile("../pki/testdata/rsa-pkcs8.pem")
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.ParsePrivateKey(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestSigningStringWrittenByHand(t *testing.T) {
	got, err := SigningString(stetMessage(), []string{"(request-target)", "Digest", "X-Request-ID"})
	if err != nil {
		t.Fatal(err)
	}
	if got != handSigningString {
		t.Fatalf("signing string\n got %q\nwant %q", got, handSigningString)
	}
}

func TestSignMatchesOpenSSLAndVerifiesWithStandardLibrary(t *testing.T) {
	key := testKey(t)
	header, err := Sign(key, "https://tpp.example/qsealc.pem", stetMessage(), []string{"(request-target)", "digest", "x-request-id"})
	if err != nil {
		t.Fatal(err)
	}
	want := `keyId="https://tpp.example/qsealc.pem",algorithm="rsa-sha256",headers="(request-target) digest x-request-id",signature="` + opensslSignature + `"`
	if header != want {
		t.Fatalf("Signature header\n got %s\nwant %s", header, want)
	}
	sig, _ := base64.StdEncoding.DecodeString(opensslSignature)
	sum := sha256.Sum256([]byte(handSigningString))
	if err := rsa.VerifyPKCS1v15(key.Public().(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("standard library refuses the signature: %v", err)
	}
}

func TestParseAndVerify(t *testing.T) {
	key := testKey(t)
	pub := key.Public().(*rsa.PublicKey)
	header, err := Sign(key, "kid-1", stetMessage(), []string{"(request-target)", "digest", "x-request-id"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(header)
	if err != nil {
		t.Fatal(err)
	}
	if p.KeyID != "kid-1" || p.Algorithm != "rsa-sha256" || strings.Join(p.Headers, " ") != "(request-target) digest x-request-id" {
		t.Fatalf("parsed %+v", p)
	}
	if err := Verify(pub, p, stetMessage()); err != nil {
		t.Fatal(err)
	}
	tampered := stetMessage()
	tampered.Header.Set("X-Request-ID", "another")
	if err := Verify(pub, p, tampered); err == nil {
		t.Fatal("a changed header still verifies")
	}
	moved := stetMessage()
	moved.Target = "/stet/setting/v1/register"
	if err := Verify(pub, p, moved); err == nil {
		t.Fatal("a changed target still verifies")
	}
}

func TestParseRefusesMalformedHeaders(t *testing.T) {
	tests := []struct{ header, want string }{
		{`keyId="k",algorithm="rsa-sha256",headers="digest"`, "no signature"},
		{`algorithm="rsa-sha256",signature="c2ln"`, "no keyId"},
		{`keyId="k,signature="c2ln"`, "expected ','"},
		{`keyId="k",signature="***"`, "not valid base64"},
		{`keyId="k",keyId="j",signature="c2ln"`, "appears twice"},
		{`keyId`, "malformed"},
		{`keyId="k" signature="c2ln"`, "expected ','"},
		{strings.Repeat("a", MaxHeaderSize+1), "too long"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.header)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%.40q) = %v, want %q", tt.header, err, tt.want)
		}
	}
}

func TestSigningStringNeedsEveryListedHeader(t *testing.T) {
	_, err := SigningString(stetMessage(), []string{"(request-target)", "date"})
	if err == nil || !strings.Contains(err.Error(), `"date"`) {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`keyId="k",algorithm="rsa-sha256",headers="(request-target) digest x-request-id",signature="` + opensslSignature + `"`)
	f.Add(`keyId="k,signature="c2ln"`)
	f.Add(`a=b,c="d"`)
	f.Fuzz(func(t *testing.T, header string) {
		p, err := Parse(header)
		if err != nil {
			return
		}
		if p.KeyID == "" || len(p.Signature) == 0 {
			t.Fatal("accepted a header without keyId or signature")
		}
	})
}
