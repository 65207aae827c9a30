package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreAndAppNeverImportFyne enforces the layering ui -> app -> core:
// nothing under core/ or app/ may depend on Fyne, directly or through
// another package.
func TestCoreAndAppNeverImportFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "ci", "./core/...", "./app/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(deps))
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "fyne.io/") {
			t.Errorf("core/ or app/ depends on %s", d)
		}
	}
}
