package profile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tppwizard/tppwizard/assets"
	"github.com/tppwizard/tppwizard/core/profile"
)

func TestBuiltInProfilesAllLoad(t *testing.T) {
	c := profile.Load(assets.Profiles(), "")
	if len(c.Problems) > 0 {
		t.Fatalf("built-in profiles have problems: %v", c.Problems)
	}
	want := map[string]string{
		"uk-saltedge-v31":              profile.DialectUK,
		"uk-obie-v33-modelbank":        profile.DialectUK,
		"fr-bpce-17515-sandbox":        profile.DialectSTET,
		"ae-altareq-modelbank-sandbox": profile.DialectAlTareq,
	}
	for id, dialect := range want {
		p, err := c.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Dialect != dialect {
			t.Errorf("%s: dialect %s, want %s", id, p.Dialect, dialect)
		}
	}
	seed000, _ := c.Get("uk-saltedge-v31")
	obie, _ := c.Get("uk-obie-v33-modelbank")
	if seed000.ContentType != "application/jwt" || !seed000.Accepts(200) || seed000.Accepts(201) {
		t.Errorf("seed 000 profile: content type %s, success %v", seed000.ContentType, seed000.SuccessStatus)
	}
	if obie.ContentType != "application/jose" || !obie.Accepts(201) {
		t.Errorf("OBIE profile: content type %s, success %v", obie.ContentType, obie.SuccessStatus)
	}
}

const good = `{"id":"x-bank","name":"X","country":"GB","dialect":"altareq","environment":"sandbox",
 "registration_endpoint":"https://x.example/tpp-registration","success_status":[201],"needs":["transport"]}`

func TestMalformedProfilesNameFileAndField(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"syntax error", `{"id": "x",,}`, `bank profile bad.json: is not valid JSON at line 1, column 12`},
		{"unknown field", strings.Replace(good, `"name"`, `"nmae"`, 1), `bank profile bad.json: field "nmae": is not a profile field`},
		{"wrong type", strings.Replace(good, `[201]`, `"201"`, 1), `field "success_status": must be a list, not string`},
		{"missing name", strings.Replace(good, `"name":"X",`, ``, 1), `field "name": is required`},
		{"unknown dialect", strings.Replace(good, `altareq`, `ukob`, 1), `field "dialect": "ukob" is not one of uk-obie, stet, altareq`},
		{"http endpoint", strings.Replace(good, `https://x.example`, `http://x.example`, 1), `field "registration_endpoint": "http://x.example/tpp-registration" is not an https URL`},
		{"non-2xx success", strings.Replace(good, `[201]`, `[302]`, 1), `field "success_status": 302 is not a 2xx status`},
		{"bad need", strings.Replace(good, `"transport"`, `"passport"`, 1), `field "needs": "passport" is not one of`},
		{"bad id", strings.Replace(good, `x-bank`, `X Bank/1`, 1), `field "id": "X Bank/1" may hold only`},
		{"empty", ``, `bank profile bad.json: is empty or cut short`},
		{"two objects", good + good, `has data after the profile object`},
		{"uk without alg", strings.Replace(good, `altareq`, `uk-obie`, 1), `field "signing_alg"`},
		{"stet without signature", strings.Replace(good, `altareq`, `stet`, 1), `field "signature": is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := profile.Parse("bad.json", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

func TestOneBadFileDoesNotHideTheGoodOnes(t *testing.T) {
	builtin := fstest.MapFS{
		"a.json":   {Data: []byte(good)},
		"bad.json": {Data: []byte(`{"id":`)},
	}
	user := t.TempDir()
	other := strings.Replace(good, `x-bank`, `y-bank`, 1)
	override := strings.Replace(good, `"name":"X"`, `"name":"X (fixed)"`, 1)
	for name, data := range map[string]string{"y.json": other, "x.json": override, "broken.json": "nope"} {
		if err := os.WriteFile(filepath.Join(user, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := profile.Load(builtin, user)
	if len(c.Profiles) != 2 {
		t.Fatalf("profiles = %d, want 2", len(c.Profiles))
	}
	if len(c.Problems) != 2 {
		t.Fatalf("problems = %v, want 2 (bad.json, broken.json)", c.Problems)
	}
	x, err := c.Get("x-bank")
	if err != nil || x.Name != "X (fixed)" {
		t.Fatalf("user profile did not replace the built-in one: %+v %v", x, err)
	}
	if _, err := c.Get("x"); err == nil || !strings.Contains(err.Error(), "did you mean x-bank") {
		t.Fatalf("unknown profile: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte(`{"id":`))
	entries, _ := os.ReadDir("../../assets/profiles")
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("../../assets/profiles", e.Name())); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := profile.Parse("fuzz.json", data)
		if err == nil && p.Validate() != nil {
			t.Fatal("Parse accepted a profile that does not validate")
		}
	})
}
