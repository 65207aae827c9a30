package testkit

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// FilesHoldingKeys walks roots and returns every regular file that holds
// one of the private keys given (PEM), in any of the forms a leak takes:
// the DER bytes, or their base64 (as in a PEM file or a JSON string).
func FilesHoldingKeys(t testing.TB, roots []string, keysPEM ...string) []string {
	t.Helper()
	var needles [][]byte
	for _, k := range keysPEM {
		block, _ := pem.Decode([]byte(k))
		if block == nil {
			t.Fatalf("not a PEM key: %.20q", k)
		}
		needles = append(needles, block.Bytes, []byte(base64.StdEncoding.EncodeToString(block.Bytes)[:64]))
	}
	var found []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			for _, n := range needles {
				if bytes.Contains(data, n) {
					found = append(found, path)
					break
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}
