package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/sandbox"
)

func TestReviewTextCurlAndSavedFileMaskTheToken(t *testing.T) {
	a := demoApp(t)
	plan, err := a.Preview(context.Background(), app.RegisterRequest{ProfileID: "sandbox-stet", IdentityName: sandbox.DemoIdentityName, AccessToken: "tok-SECRET-123"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "request.txt")
	if err := app.SaveRequest(plan, path); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(path)
	for name, text := range map[string]string{"review": app.RequestText(plan), "curl": app.CurlCommand(plan), "file": string(saved)} {
		if strings.Contains(text, "tok-SECRET-123") || strings.Contains(text, "PRIVATE KEY") {
			t.Errorf("%s shows a secret:\n%s", name, text)
		}
		for _, want := range []string{"Digest: SHA-256=", "Signature: keyId=", "/bpce/stet/setting/v1/register"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	if !strings.HasPrefix(app.CurlCommand(plan), "curl -X POST 'https://127.0.0.1:") {
		t.Errorf("curl: %s", app.CurlCommand(plan))
	}
}
