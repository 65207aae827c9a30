package gui

import (
	"context"
	"errors"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
)

// addBankForm asks for a bank's discovery address and what kind of bank it
// is, fetches the document off the UI goroutine, and installs the profile.
type addBankForm struct {
	url, name, country *widget.Entry
	kind, environment  *widget.Select
	ca                 *fileField
	dialog             *dialog.FormDialog
}

func showAddFromDiscovery(s *wizardScreen) *addBankForm {
	win := s.u.win
	f := &addBankForm{url: widget.NewEntry(), name: widget.NewEntry(), country: widget.NewEntry(), ca: newFileField(win, "only for a sandbox with its own authority")}
	f.url.SetPlaceHolder("https://auth.bank.example/.well-known/openid-configuration")
	f.url.Validator = func(text string) error {
		u, err := url.Parse(text)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return errors.New("an https address, as the bank's documentation gives it")
		}
		return nil
	}
	f.name.SetPlaceHolder("as your staff call the bank")
	f.country.SetPlaceHolder("e.g. United Kingdom")
	kinds := make([]string, len(app.BankKinds))
	for i, k := range app.BankKinds {
		kinds[i] = k.Label
	}
	f.kind = widget.NewSelect(kinds, nil)
	f.kind.SetSelectedIndex(0)
	f.environment = widget.NewSelect([]string{"sandbox", "live"}, nil)
	f.environment.SetSelected("sandbox")
	items := []*widget.FormItem{
		{Text: "Discovery address", Widget: f.url, HintText: "The bank's .well-known/openid-configuration address"},
		{Text: "Bank name", Widget: f.name},
		{Text: "Country", Widget: f.country},
		{Text: "Kind of bank", Widget: f.kind, HintText: "Which registration rules the bank follows"},
		{Text: "Environment", Widget: f.environment, HintText: "Sandbox for testing; live registers for real"},
		{Text: "Extra CA certificate", Widget: f.ca.row},
	}
	f.dialog = dialog.NewForm("Add a bank from its discovery address", "Add", "Cancel", items, func(ok bool) {
		if ok {
			f.submit(s)
		}
	}, win)
	f.dialog.Resize(fyne.NewSize(640, 460))
	f.dialog.Show()
	return f
}

func (f *addBankForm) submit(s *wizardScreen) {
	req := app.DiscoveredBank{DiscoveryURL: f.url.Text, Name: f.name.Text, Country: f.country.Text,
		Kind: f.kind.Selected, Environment: f.environment.Selected, CAFile: f.ca.entry.Text}
	b := s.bank
	b.status.SetText("Reading the bank's discovery document…")
	s.u.background(func() func() {
		p, err := s.u.a.AddBankFromDiscovery(context.Background(), req)
		return func() {
			defer s.u.done("bank added")
			if err != nil {
				b.status.SetText("")
				dialog.ShowError(err, s.u.win)
				return
			}
			b.status.SetText("Added " + p.Name + ". It is kept for later runs.")
			_ = s.w.ChooseProfile(p.ID)
			b.search.SetText("")
			b.filter()
			b.describe()
			s.update()
		}
	})
}
