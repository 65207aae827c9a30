package gui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/sandbox"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// identityStep: choose a saved identity, or import files once.
type identityStep struct {
	s       *wizardScreen
	needs   *widget.Label
	choose  *selectBox
	summary *widget.Label
	importB *button
	content fyne.CanvasObject
}

func newIdentityStep(s *wizardScreen) *identityStep {
	st := &identityStep{s: s}
	st.needs = widget.NewLabel("")
	st.needs.Wrapping = fyne.TextWrapWord
	st.choose = s.u.selectBox(nil, func(name string) {
		if name == "" || name == s.w.IdentityName() {
			return
		}
		st.summary.SetText(i18n.T("Reading %s from the system keyring…", name))
		s.u.background(func() func() {
			parsed, err := s.u.a.Identity(name)
			return func() {
				defer s.u.done("identity")
				if s.u.wizard == nil || s.u.wizard.w != s.w || s.w.Step() != app.StepIdentity {
					return // the user has moved on; this read is no longer wanted
				}
				if err != nil {
					st.summary.SetText(i18n.T("This identity cannot be read: %v", err))
				} else {
					s.w.UseIdentity(name, parsed)
					st.describe()
				}
				s.update()
			}
		})
	})
	st.choose.PlaceHolder = i18n.T("Choose a saved identity")
	st.choose.onEnter = s.enter
	st.summary = widget.NewLabel("")
	st.summary.Wrapping = fyne.TextWrapWord
	st.importB = s.u.button(i18n.T("Import certificate files…"), theme.FolderOpenIcon(), func() { showImport(s, st.loadNames) })
	st.content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("What this bank needs"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), st.needs,
		widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, st.importB, st.choose),
		st.summary))
	return st
}

func (st *identityStep) view() fyne.CanvasObject { return st.content }
func (st *identityStep) hint() string {
	return i18n.T("Your identity is the set of certificates, keys and software statement your trust framework issued. It stays in the system keyring.")
}

// focus starts at the choice of identity, or at the import when there is
// none to choose.
func (st *identityStep) focus() fyne.Focusable {
	if len(st.choose.Options) == 0 {
		return st.importB
	}
	return st.choose
}

func (st *identityStep) refresh() {
	lines := st.s.w.Needs()
	for i := range lines {
		lines[i] = "• " + lines[i]
	}
	st.needs.SetText(strings.Join(lines, "\n"))
	st.loadNames("")
	st.describe()
}

// loadNames reads the saved identities off the UI goroutine, then selects
// want (or keeps the current choice).
func (st *identityStep) loadNames(want string) {
	st.s.u.background(func() func() {
		names, err := st.s.u.a.Vault().List()
		return func() {
			defer st.s.u.done("names")
			if err != nil {
				st.summary.SetText(i18n.T("Could not read the keyring: %v", err))
				return
			}
			st.choose.SetOptions(names)
			if want == "" {
				want = st.s.w.IdentityName()
			}
			if p := st.s.w.Profile(); want == "" && p != nil && sandbox.IsSandboxProfile(p.ID) && slices.Contains(names, sandbox.DemoIdentityName) {
				want = sandbox.DemoIdentityName // the demo bank's own identity
			}
			if want != "" && st.choose.Selected != want {
				st.choose.SetSelected(want)
			}
			// The keyboard started at the import while the list was empty.
			if c := st.s.u.win.Canvas(); len(names) > 0 && st.s.w.Step() == app.StepIdentity && (c.Focused() == nil || c.Focused() == st.importB) {
				c.Focus(st.choose)
			}
		}
	})
}

// describe shows the chosen identity's certificates as a person reads them.
func (st *identityStep) describe() {
	id := st.s.w.Identity()
	if id == nil {
		st.summary.SetText("")
		return
	}
	now := st.s.u.a.Now
	var b strings.Builder
	b.WriteString(certText(i18n.T("Transport certificate (QWAC)"), id.Transport, now()))
	b.WriteString(certText(i18n.T("Signing certificate (QSEAL)"), id.Signing, now()))
	if st := id.Statement; st != nil {
		b.WriteString(i18n.T("Software statement\n  Software: %s (%s)\n  Issued: %s\n", orDash(st.Claims.SoftwareClientName), st.Claims.SoftwareID,
			st.IssuedAt().Format("2006-01-02 15:04")))
	}
	for _, f := range id.Check(st.s.w.Profile().Needs, now()) {
		b.WriteString("\n" + findingText(f))
	}
	st.summary.SetText(b.String())
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
