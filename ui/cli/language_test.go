package cli_test

import (
	"strings"
	"testing"

	"github.com/tppwizard/tppwizard/ui/i18n"
)

// inFrench loads the French texts for the test, as a user with
// LANG=fr_FR.UTF-8 gets them.
func inFrench(t *testing.T) {
	t.Helper()
	set := func(locale string) {
		t.Setenv("LANGUAGE", locale)
		t.Setenv("LC_ALL", locale+".UTF-8")
		if err := i18n.Load(); err != nil {
			t.Fatal(err)
		}
	}
	set("fr_FR")
	t.Cleanup(func() { set("en_GB") })
}

// TestCommandLineSpeaksFrench: help, usage mistakes, table headings, the
// app's errors and a bank's refusal reach a French user in French; what
// is kept for scripts (--json) and the bank's own words do not change.
func TestCommandLineSpeaksFrench(t *testing.T) {
	inFrench(t)
	s := newSession(t)
	s.importIdentity()
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"empty journal", []string{"records"}, 0, []string{"Pas encore de tentative d'inscription."}, nil},
		{"help", []string{"help"}, 0, []string{"inscrire l'application d'un TPP", "Codes de sortie : 0 succès"}, nil},
		{"unknown command", []string{"frobnicate"}, 2, nil, []string{`tppwizard : commande inconnue "frobnicate"`}},
		{"missing option", []string{"register", "--profile", "uk-saltedge-v31-sandbox"}, 2, nil,
			[]string{"tppwizard : register demande --profile et --identity"}},
		{"flag help", []string{"records", "-h"}, 0, nil, []string{"Utilisation : tppwizard records", "écrire en JSON"}},
		{"app error", []string{"register", "--profile", "no-such-bank", "--identity", "Acme"}, 2, nil,
			[]string{"tppwizard : profil : il n'y a pas de profil de banque \"no-such-bank\"", "Enregistré sous "}},
		{"the attempt in French", []string{"records"}, 0, []string{"création  non envoyée  -"}, nil},
		{"trust frameworks' own words", []string{"csr", "frameworks"}, 0,
			[]string{"altareq  Cadre de confiance Al Tareq (Open Finance EAU)", "--set org_id=...   Identifiant de l'organisation"}, nil},
		{"a field checked", []string{"csr", "new", "--framework", "obie", "--name", "Acme"}, 2, nil,
			[]string{"org_id : Identifiant de l'organisation est nécessaire"}},
		{"table headings", []string{"profiles"}, 0, []string{"ID  ", "BANQUE", "PAYS", "DIALECTE", "ENVIRONNEMENT"}, nil},
		{"identity summary", []string{"identity", "show", "--name", "Acme"}, 0,
			[]string{"Identité : Acme", "valable jusqu'au :", "correspond au certificat : oui"}, nil},
		{"json stays in English for scripts", []string{"records", "--json"}, 0,
			[]string{`"status": "not-sent"`, `"error": "Profile: there is no bank profile`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := s.run("", c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			for _, want := range c.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("standard output lacks %q:\n%s", want, out)
				}
			}
			for _, want := range c.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("standard error lacks %q:\n%s", want, errOut)
				}
			}
		})
	}
}
