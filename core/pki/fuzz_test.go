package pki

import (
	"os"
	"path/filepath"
	"testing"
)

func addTestdataSeeds(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.pem"))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{})
}

func FuzzParseCertificates(f *testing.F) {
	addTestdataSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertificates(data)
		if err != nil {
			return
		}
		for _, c := range certs {
			if _, err := SubjectDN(c); err != nil {
				t.Fatalf("parsed certificate has an unreadable subject: %v", err)
			}
			_ = OrganizationIdentifier(c)
			_, _ = PSD2(c)
		}
	})
}

func FuzzParsePrivateKey(f *testing.F) {
	addTestdataSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := ParsePrivateKey(data, []byte("correct-horse"))
		if err == nil && key == nil {
			t.Fatal("nil key without error")
		}
	})
}
