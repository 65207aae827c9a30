package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/tppwizard/tppwizard/app"
)

func TestAboutShowsVersionLicenceProfilesAndOpensLinks(t *testing.T) {
	s := newSession(t)
	var opened []string
	s.u.openURL = func(url string) error { opened = append(opened, url); return nil }
	test.Tap(s.u.home.aboutB)
	d := s.u.lastAbout
	if d == nil {
		t.Fatal("About did not open")
	}
	if got := d.version.Text; got != "Version "+app.Version {
		t.Errorf("version line %q", got)
	}
	for _, p := range s.a.Catalog.Profiles {
		if p.Version == "" {
			t.Errorf("profile %s has no version to show", p.ID)
		}
		if !strings.Contains(d.profiles.Text, p.Name) || !strings.Contains(d.profiles.Text, p.Version) {
			t.Errorf("About does not list %s %s", p.Name, p.Version)
		}
	}
	for _, b := range d.links {
		test.Tap(b)
	}
	want := []string{websiteURL, licenceURL, issuesURL}
	if strings.Join(opened, " ") != strings.Join(want, " ") {
		t.Errorf("links opened %v, want %v", opened, want)
	}
}

// TestFrenchScreensFitAndSpeakFrench walks home, About and every wizard
// step in French at 800x600: nothing asks for more room than the window
// has (French runs about a fifth longer than English).
func TestFrenchScreensFitAndSpeakFrench(t *testing.T) {
	s := newSessionIn(t, speak(t, "fr"))
	if got := s.u.home.newButton.Text; got != "Nouvelle inscription" {
		t.Errorf("home button says %q", got)
	}
	test.Tap(s.u.home.demoButton)
	s.wait("sandbox")
	s.u.StartWizard()
	s.fits()
	s.chooseBank("sandbox-stet")
	if w := s.u.wizard.bank.content.(*container.Split).Trailing.Size().Width; w < 250 {
		t.Errorf("the chosen bank's description has %.0f px of width; its words wrap letter by letter", w)
	}
	s.send("sandbox-stet")
	s.fits()
	if got := s.u.wizard.send.status.Text; !strings.HasPrefix(got, "Inscrite auprès de") {
		t.Errorf("send step says %q", got)
	}
}
