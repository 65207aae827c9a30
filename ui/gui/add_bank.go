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
	"github.com/tppwizard/tppwizard/ui/i18n"
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
	f := &addBankForm{url: widget.NewEntry(), name: widget.NewEntry(), country: widget.NewEntry(), ca: newFileField(win, i18n.T("Bank CA certificate"), i18n.T("only for a sandbox with its own authority"))}
	f.url.SetPlaceHolder(i18n.T("https://auth.bank.example/.well-known/openid-configuration or https://auth.bank.example"))
	f.url.Validator = func(text string) error {
		u, err := url.Parse(text)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return errors.New(i18n.T("an https address, as the bank's documentation gives it"))
		}
		return nil
	}
	f.name.SetPlaceHolder(i18n.T("as your staff call the bank"))
	f.country.SetPlaceHolder(i18n.T("e.g. United Kingdom"))
	kinds := make([]string, len(app.BankKinds))
	for i, k := range app.BankKinds {
		kinds[i] = k.Label
	}
	f.statement = widget.NewCheck(i18n.T("It asks for our software statement"), nil)
	tokens := make([]string, len(app.InitialTokenChoices))
	for i, c := range app.InitialTokenChoices {
		tokens[i] = c.Label
	}
	f.token = widget.NewSelect(tokens, nil)
	f.token.SetSelectedIndex(0)
	f.kind = widget.NewSelect(kinds, func(string) { f.kindChanged() })
	f.kind.SetSelectedIndex(0)
	names := make([]string, len(environments))
	for i, env := range environments {
		names[i] = app.EnvironmentName(env).In(i18n.Translate)
	}
	f.environment = widget.NewSelect(names, nil)
	f.environment.SetSelectedIndex(0)
	items := []*widget.FormItem{
		{Text: i18n.T("Discovery address"), Widget: f.url, HintText: i18n.T("The bank's .well-known address, or an OAuth server's issuer address")},
		{Text: i18n.T("Bank name"), Widget: f.name},
		{Text: i18n.T("Country"), Widget: f.country},
		{Text: i18n.T("Kind of bank"), Widget: f.kind, HintText: i18n.T("Which registration rules the bank follows")},
		{Text: i18n.T("Environment"), Widget: f.environment, HintText: i18n.T("Sandbox for testing; live registers for real")},
		{Text: i18n.T("Software statement"), Widget: f.statement, HintText: i18n.T("Other OAuth 2.0 servers only")},
		{Text: i18n.T("Initial access token"), Widget: f.token, HintText: i18n.T("Other OAuth 2.0 servers only: a token its operator gives you")},
		{Text: i18n.T("Extra CA certificate"), Widget: f.ca.row},
	}
	f.dialog = dialog.NewForm(i18n.T("Add a bank from its discovery address"), i18n.T("Add"), i18n.T("Cancel"), items, func(ok bool) {
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
		Kind: f.kind.Selected, Environment: environments[max(0, f.environment.SelectedIndex())], CAFile: f.ca.entry.Text}
	if !f.statement.Disabled() {
		req.Statement, req.InitialToken = f.statement.Checked, f.token.Selected
	}
	b := s.bank
	b.status.SetText(i18n.T("Reading the bank's discovery document…"))
	s.u.background(func() func() {
		p, err := s.u.a.AddBankFromDiscovery(context.Background(), req)
		return func() {
			defer s.u.done("bank added")
			if err != nil {
				b.status.SetText("")
				dialog.ShowError(err, s.u.win)
				return
			}
			b.status.SetText(i18n.T("Added %s. It is kept for later runs.", p.Name))
			_ = s.w.ChooseProfile(p.ID)
			b.search.SetText("")
			b.filter()
			b.describe()
			s.update()
		}
	})
}
