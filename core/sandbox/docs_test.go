package sandbox

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryRuleIsDocumented keeps docs/sandbox.md's rule table in step
// with the rules the code can refuse with.
func TestEveryRuleIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "sandbox.md"))
	if err != nil {
		t.Fatal(err)
	}
	sources, _ := filepath.Glob("*.go")
	literal := regexp.MustCompile(`refuse\("([^"]+)",`)
	dynamic := []string{"jwks.kty", "jwks.use", "jwks.alg"} // refuse("jwks."+f, ...)
	rules := map[string]bool{}
	for _, name := range sources {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			rules[m[1]] = true
		}
	}
	for _, r := range dynamic {
		rules[r] = true
	}
	if len(rules) < 60 {
		t.Fatalf("found only %d rules; is the pattern still right?", len(rules))
	}
	for r := range rules {
		if !strings.Contains(string(doc), "`"+r+"`") {
			t.Errorf("rule %s is not in docs/sandbox.md", r)
		}
	}
}
