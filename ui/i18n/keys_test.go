package i18n

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/assets"
	"github.com/tppwizard/tppwizard/core/csr"
)

var update = flag.Bool("update", false, "add missing keys to the translation files (French left empty, to be written) and drop unused ones")

// root is the module's top directory.
const root = "../.."

// skipped are the directories whose words are not the wizard's: the demo
// bank speaks as a bank does (in its own words), and test helpers and
// scripts speak to developers.
var skipped = []string{"core/sandbox", "core/testkit", "scripts", "tools", ".git", "docs", "assets"}

// keys finds every text the code gives to be translated: the first
// argument of text.F, text.Errorf, text.New, lang.L and every T (i18n.T,
// the app's T). Each must be a constant string; a format built at run time
// could never be found in a translation file, so it is reported in bad.
func keys(t *testing.T) (found map[string][]string, bad []string) {
	t.Helper()
	found = map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if slices.Contains(skipped, rel) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !translating(call.Fun) {
				return true
			}
			pos := fset.Position(call.Pos())
			where := rel + ":" + strconv.Itoa(pos.Line)
			s, ok := constant(call.Args[0])
			if !ok {
				if id, param := call.Args[0].(*ast.Ident); param && id.Name == "format" {
					return true // a helper passing its caller's format on
				}
				bad = append(bad, where)
				return true
			}
			found[s] = append(found[s], where)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found, bad
}

// dataTexts are the texts the trust frameworks' files show people (their
// names, instructions, field labels and help): shown through text.Data,
// they are translated like the code's.
func dataTexts(t *testing.T) map[string][]string {
	t.Helper()
	list, err := csr.Load(assets.Frameworks())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	add := func(s, where string) {
		if s != "" {
			out[strings.ReplaceAll(s, "%", "%%")] = append(out[s], where)
		}
	}
	for _, fw := range list {
		where := "assets/frameworks/" + fw.ID + ".json"
		add(fw.Name, where)
		add(fw.Instructions, where)
		for _, in := range fw.Inputs {
			add(in.Label, where)
			add(in.Help, where)
		}
		for _, c := range fw.Certificates {
			add(c.Name, where)
		}
	}
	return out
}

// translating reports a call that takes a translation key first.
func translating(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name == "T"
	case *ast.SelectorExpr:
		if f.Sel.Name == "T" {
			return true
		}
		pkg, ok := f.X.(*ast.Ident)
		if !ok {
			return false
		}
		switch pkg.Name + "." + f.Sel.Name {
		case "text.F", "text.Errorf", "text.New", "lang.L":
			return true
		}
	}
	return false
}

// constant is the value of a string literal, or of literals joined by +.
func constant(e ast.Expr) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(v.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if v.Op != token.ADD {
			return "", false
		}
		a, ok1 := constant(v.X)
		b, ok2 := constant(v.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return constant(v.X)
	}
	return "", false
}

func readCatalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "assets", "translations", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return m
}

func writeCatalogue(t *testing.T, lang string, m map[string]string) {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil { // encoding/json sorts the keys
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "assets", "translations", lang+".json"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// verb is one fmt verb: %s, %d, %q, %v, %w (with flags, width, index).
var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs lists a format's verbs as "argument:verb", in argument order, so
// that a translation may reorder them with explicit indexes (%[2]s).
func verbs(format string) []string {
	var out []string
	next := 1
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		v := m[0]
		if strings.HasSuffix(v, "%") {
			continue // %%
		}
		if m[1] != "" {
			next, _ = strconv.Atoi(strings.Trim(m[1], "[]"))
		}
		out = append(out, strconv.Itoa(next)+":"+v[len(v)-1:])
		next++
	}
	sort.Strings(out)
	return out
}

// TestEveryTextHasEnglishAndFrench fails when a text the code gives to be
// translated is missing from either language, when a translation is
// empty, unused, or does not take the same arguments as its English, and
// when the code builds a key at run time.
func TestEveryTextHasEnglishAndFrench(t *testing.T) {
	found, bad := keys(t)
	for k, where := range dataTexts(t) {
		found[k] = append(found[k], where...)
	}
	if len(found) < 300 {
		t.Fatalf("found only %d texts to translate: the scan is broken", len(found))
	}
	for _, where := range bad {
		t.Errorf("%s: the text to translate is built at run time; give a constant format and arguments", where)
	}
	for _, lang := range Languages {
		cat := readCatalogue(t, lang)
		if *update {
			for k := range found {
				if _, ok := cat[k]; !ok {
					cat[k] = ""
					if lang == "en" {
						cat[k] = k
					}
				}
			}
			for k := range cat {
				if _, ok := found[k]; !ok {
					delete(cat, k)
				}
			}
			writeCatalogue(t, lang, cat)
		}
		for k, where := range found {
			v, ok := cat[k]
			switch {
			case !ok:
				t.Errorf("%s.json has no %q (used at %s)", lang, k, where[0])
			case strings.TrimSpace(v) == "":
				t.Errorf("%s.json: %q is not translated (used at %s)", lang, k, where[0])
			case lang == "en" && v != k:
				t.Errorf("en.json: %q must be its own key; change the English in the code", k)
			case !slices.Equal(verbs(v), verbs(k)):
				t.Errorf("%s.json: %q takes %v but its translation %q takes %v", lang, k, verbs(k), v, verbs(v))
			}
		}
		for k := range cat {
			if _, ok := found[k]; !ok {
				t.Errorf("%s.json: %q is not used by the code; remove it (go test ./ui/i18n -update)", lang, k)
			}
		}
	}
	t.Logf("%d texts, each in %d languages", len(found), len(Languages))
}
