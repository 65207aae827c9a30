package gui

import (
	"context"
	"errors"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/profile"
)

// addBankForm asks for a bank's discovery address and what kind of bank it
// is, fetches the document off the UI goroutine, and installs the profile.
type addBankForm struct {
	url, name, country *widget.Entry
	kind, environment  *widget.Select
	// statement and token are asked of OAuth servers only.
	statement *widget.Check
	token     *widget.Select
	ca        *fileField
	dialog    *dialog.FormDialog
}

func showAddFromDiscovery(s *wizardScreen) *addBankForm {
	win := s.u.win
	f := &addBankForm{url: widget.NewEntry(), name: widget.NewEntry(), country: widget.NewEntry(), ca: newFileField(win, "Bank CA certificate", "only for a sandbox with its own authority")}
	f.url.SetPlaceHolder("https://auth.bank.example/.well-known/openid-configuration or https://auth.bank.example")
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
	f.statement = widget.NewCheck("It asks for our software statement", nil)
	tokens := make([]string, len(app.InitialTokenChoices))
	for i, c := range app.InitialTokenChoices {
		tokens[i] = c.Label
	}
	f.token = widget.NewSelect(tokens, nil)
	f.token.SetSelectedIndex(0)
	f.kind = widget.NewSelect(kinds, func(string) { f.kindChanged() })
	f.kind.SetSelectedIndex(0)
	f.environment = widget.NewSelect([]string{"sandbox", "live"}, nil)
	f.environment.SetSelected("sandbox")
	items := []*widget.FormItem{
		{Text: "Discovery address", Widget: f.url, HintText: "The bank's .well-known address, or an OAuth server's issuer address"},
		{Text: "Bank name", Widget: f.name},
		{Text: "Country", Widget: f.country},
		{Text: "Kind of bank", Widget: f.kind, HintText: "Which registration rules the bank follows"},
		{Text: "Environment", Widget: f.environment, HintText: "Sandbox for testing; live registers for real"},
		{Text: "Software statement", Widget: f.statement, HintText: "Other OAuth 2.0 servers only"},
		{Text: "Initial access token", Widget: f.token, HintText: "Other OAuth 2.0 servers only: a token its operator gives you"},
		{Text: "Extra CA certificate", Widget: f.ca.row},
	}
	f.dialog = dialog.NewForm("Add a bank from its discovery address", "Add", "Cancel", items, func(ok bool) {
		if ok {
			f.submit(s)
		}
	}, win)
	f.dialog.Resize(fyne.NewSize(640, 540))
	f.dialog.Show()
	return f
}

// kindChanged offers the OAuth server's questions only for that kind.
func (f *addBankForm) kindChanged() {
	if f.statement == nil {
		return
	}
	oauth := false
	for _, k := range app.BankKinds {
		if k.Label == f.kind.Selected {
			oauth = k.Dialect == profile.DialectOAuth
		}
	}
	for _, w := range []fyne.Disableable{f.statement, f.token} {
		if oauth {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

func (f *addBankForm) submit(s *wizardScreen) {
	req := app.DiscoveredBank{DiscoveryURL: f.url.Text, Name: f.name.Text, Country: f.country.Text,
		Kind: f.kind.Selected, Environment: f.environment.Selected, CAFile: f.ca.entry.Text}
	if !f.statement.Disabled() {
		req.Statement, req.InitialToken = f.statement.Checked, f.token.Selected
	}
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
