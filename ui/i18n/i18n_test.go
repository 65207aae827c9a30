package i18n

import (
	"bytes"
	"errors"
	"log"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/core/transport"
)

// french makes the rest of the test speak French, as a user whose locale
// is fr_FR would hear it, and English again at the end.
func french(t *testing.T) {
	t.Helper()
	t.Setenv("LANGUAGE", "fr_FR")
	t.Setenv("LC_ALL", "fr_FR.UTF-8")
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		t.Setenv("LANGUAGE", "en")
		t.Setenv("LC_ALL", "en_GB.UTF-8")
		_ = Load()
	})
}

func TestFrenchUserReadsFrench(t *testing.T) {
	french(t)
	bank := &registration.BankError{Status: 400, Code: "invalid_redirect_uri", Description: "redirect_uri not registered",
		Explanation: text.F("One of the redirect addresses was not accepted."), NextStep: text.F("Wait a few minutes before trying again.")}
	tests := []struct {
		name, got, want string
	}{
		{"a button", T("Next"), "Suivant"},
		{"a sentence with arguments", T("Registered with %s (HTTP %d).", "Banque Exemple", 201), "Inscrite auprès de Banque Exemple (HTTP 201)."},
		{"arguments reordered by index", T("no %[1]s certificate was chosen: choose the %[1]s certificate file your trust framework issued", "QSEAL"),
			"aucun certificat QSEAL n'a été choisi : choisissez le fichier de certificat QSEAL délivré par votre cadre de confiance"},
		{"a wrapped error, each part translated", Err(text.Errorf("identity %q: %w", "Acme", &transport.Error{URL: "https://bank.example/register",
			Hint: text.F("the bank did not answer in time"), Err: errors.New("context deadline exceeded")})),
			"identité \"Acme\" : l'échange avec bank.example n'a pas pu aboutir : la banque n'a pas répondu à temps (context deadline exceeded)"},
		{"a bank's refusal keeps the bank's own words", Err(bank),
			"la banque a refusé l'inscription (HTTP 400, invalid_redirect_uri) : L'une des adresses de redirection n'a pas été acceptée. La banque dit : « redirect_uri not registered ». Attendez quelques minutes avant de réessayer."},
		{"an error from outside stays as it is", Err(errors.New("open /x: permission denied")), "open /x: permission denied"},
		{"a text with no translation falls back to English", Translate("not a key anywhere"), "not a key anywhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %q\nwant %q", tt.got, tt.want)
			}
		})
	}
}

func TestEnglishUserReadsEnglish(t *testing.T) {
	t.Setenv("LANGUAGE", "en_GB")
	t.Setenv("LC_ALL", "en_GB.UTF-8")
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	if got := T("Registered with %s (HTTP %d).", "Example Bank", 201); got != "Registered with Example Bank (HTTP 201)." {
		t.Errorf("got %q", got)
	}
}

// A C locale with a character set (C.UTF-8, common on servers and in
// containers) is English with nothing logged: Fyne would otherwise log
// "Error parsing user locale C" on every start. Other locales keep their
// language and their environment.
func TestCLocaleIsQuietEnglish(t *testing.T) {
	tests := []struct {
		name              string
		env               map[string]string
		want              string // T("Next")
		wantEnv, wantSeen string // a variable and what it holds after Load
	}{
		{"LC_ALL C.UTF-8", map[string]string{"LC_ALL": "C.UTF-8"}, "Next", "LC_ALL", "C"},
		{"LANG C.UTF-8 alone", map[string]string{"LANG": "C.UTF-8"}, "Next", "LANG", "C"},
		{"LC_MESSAGES POSIX.UTF-8", map[string]string{"LC_MESSAGES": "POSIX.UTF-8"}, "Next", "LC_MESSAGES", "POSIX"},
		{"plain C", map[string]string{"LC_ALL": "C"}, "Next", "LC_ALL", "C"},
		{"LC_ALL C.UTF-8 rules over a French LANG, which stays", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, "Next", "LANG", "fr_FR.UTF-8"},
		{"a French LC_ALL stays French", map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "C.UTF-8"}, "Suivant", "LANG", "C.UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
				t.Setenv(name, tt.env[name])
				if tt.env[name] == "" {
					os.Unsetenv(name)
				}
			}
			var logged bytes.Buffer
			log.SetOutput(&logged)
			err := Load()
			got := T("Next")
			log.SetOutput(os.Stderr)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("T(Next) = %q, want %q", got, tt.want)
			}
			if logged.Len() != 0 {
				t.Errorf("logged %q", logged.String())
			}
			if v := os.Getenv(tt.wantEnv); v != tt.wantSeen {
				t.Errorf("%s = %q, want %q", tt.wantEnv, v, tt.wantSeen)
			}
		})
	}
	t.Setenv("LC_ALL", "en_GB.UTF-8")
	_ = Load()
}

// The environment is fixed before Fyne's own init reads it: this test
// binary, started again with LC_ALL=C.UTF-8 and no test to run, logs no
// Fyne error. Without package clocale's init it logs "Error parsing user
// locale C" three times.
func TestCLocaleStartsQuietly(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "LANGUAGE=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if strings.Contains(string(out), "Fyne error") {
		t.Errorf("started with LC_ALL=C.UTF-8, it logged:\n%s", out)
	}
}
