package gui

import (
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/csr"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// certScreen makes keys and certificate requests for a trust framework and
// takes the certificates back (issue 9): the keys are born in the keyring,
// the requests are saved or copied, and an issued certificate is paired
// with its key. No OpenSSL, no key file.
type certScreen struct {
	u       *UI
	content fyne.CanvasObject
	list    []*csr.Framework
	fw      *csr.Framework

	framework *selectBox
	name      *entry
	keyType   *selectBox
	uses      map[string]*widget.Check
	inputs    map[string]*entry
	problems  map[string]*widget.Label
	form      *fyne.Container
	demo      *button
	make      *button

	status  *widget.Label
	results *fyne.Container
	waiting *widget.Label
	importB *button
	homeB   *button
	// made is the last requests made, shown on the right.
	made *app.NewCSRs
}

// ShowCertificates opens the certificates screen.
func (u *UI) ShowCertificates() *certScreen {
	u.wizard, u.batch = nil, nil
	c := &certScreen{u: u, uses: map[string]*widget.Check{}, inputs: map[string]*entry{}, problems: map[string]*widget.Label{}}
	u.certs = c
	c.list, _ = u.a.Frameworks()
	names := make([]string, len(c.list))
	for i, fw := range c.list {
		names[i] = i18n.Data(fw.Name)
	}
	c.framework = u.selectBox(names, func(string) { c.chooseFramework() })
	c.framework.PlaceHolder = i18n.T("Choose your trust framework")
	c.name = u.entry(false)
	c.name.SetPlaceHolder(i18n.T("A name you will recognise, e.g. Acme live"))
	c.name.OnChanged = func(string) { c.update() }
	c.keyType = u.selectBox(nil, nil)
	c.keyType.PlaceHolder = i18n.T("Choose the trust framework first")
	c.form = container.NewVBox()
	c.demo = u.button(i18n.T("Fill in the demo's values"), theme.MediaPlayIcon(), c.fillDemo)
	c.demo.Hide()
	c.make = u.button(i18n.T("Make the keys and requests"), theme.ConfirmIcon(), c.makeRequests)
	c.make.Importance = widget.HighImportance
	c.status = widget.NewLabel(i18n.T("Choose the trust framework that issues your certificates. The keys are made on this computer and kept in the system keyring; only the requests, which hold no secret, leave it."))
	c.status.Wrapping = fyne.TextWrapWord
	c.results = container.NewVBox()
	c.waiting = widget.NewLabel("")
	c.waiting.Wrapping = fyne.TextWrapWord
	c.importB = u.button(i18n.T("Import an issued certificate…"), theme.FolderOpenIcon(), c.importCert)
	c.homeB = u.button(i18n.T("Home"), theme.HomeIcon(), u.ShowHome)

	// One column, what happened on top: at 800 px two panes side by side
	// left the framework names and the instructions no room.
	form := container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(i18n.T("Trust framework"), c.framework),
			widget.NewFormItem(i18n.T("Identity name"), c.name),
			widget.NewFormItem(i18n.T("Key type"), c.keyType)),
		c.form, c.demo)
	title := widget.NewLabelWithStyle(i18n.T("Request certificates"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	column := container.NewVBox(container.NewBorder(nil, nil, nil, c.importB, title), c.status, c.results, c.waiting,
		widget.NewSeparator(), form)
	nav := container.NewHBox(c.homeB, layout.NewSpacer(), c.make)
	c.content = container.NewPadded(container.NewBorder(nil, nav, nil, nil, container.NewVScroll(column)))
	u.win.SetContent(c.content)
	c.update()
	c.loadWaiting()
	// With the demo bank running, its trust framework is the one chosen,
	// and Enter goes on from step to step: fill in, make, issue.
	canvas := u.win.Canvas()
	canvas.Focus(c.framework)
	if u.a.SandboxRunning() {
		for i, fw := range c.list {
			if fw.Sandbox {
				c.framework.SetSelectedIndex(i)
				canvas.Focus(c.demo)
			}
		}
	}
	return c
}

// chooseFramework lays out the chosen framework's inputs and certificates.
func (c *certScreen) chooseFramework() {
	i := c.framework.SelectedIndex()
	if i < 0 || i >= len(c.list) {
		return
	}
	c.fw = c.list[i]
	kinds := make([]string, len(c.fw.KeyTypes))
	for i, k := range c.fw.KeyTypes {
		kinds[i] = string(k)
	}
	c.keyType.Options = kinds
	c.keyType.SetSelectedIndex(0)
	c.form.RemoveAll()
	c.uses, c.inputs, c.problems = map[string]*widget.Check{}, map[string]*entry{}, map[string]*widget.Label{}
	for _, t := range c.fw.Certificates {
		check := widget.NewCheck(i18n.Data(t.Name), func(bool) { c.update() })
		check.Checked = true
		c.uses[t.Use] = check
		c.form.Add(check)
	}
	for _, in := range c.fw.Inputs {
		label := widget.NewLabelWithStyle(i18n.Data(in.Label), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		e := c.u.entry(false)
		e.SetPlaceHolder(in.Example)
		e.OnChanged = func(string) { c.update() }
		problem := widget.NewLabel("")
		problem.Wrapping = fyne.TextWrapWord
		problem.Importance = widget.DangerImportance
		problem.Hide()
		c.inputs[in.Name], c.problems[in.Name] = e, problem
		c.form.Add(label)
		c.form.Add(e)
		if in.Help != "" {
			help := widget.NewLabelWithStyle(i18n.Data(in.Help), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
			help.Wrapping = fyne.TextWrapWord
			c.form.Add(help)
		}
		c.form.Add(problem)
	}
	if c.fw.Sandbox {
		c.demo.Show()
	} else {
		c.demo.Hide()
	}
	c.form.Refresh()
	c.update()
}

func (c *certScreen) values() map[string]string {
	v := map[string]string{}
	for name, e := range c.inputs {
		v[name] = e.Text
	}
	return v
}

func (c *certScreen) chosenUses() []string {
	var uses []string
	if c.fw == nil {
		return nil
	}
	for _, t := range c.fw.Certificates {
		if ch := c.uses[t.Use]; ch != nil && ch.Checked {
			uses = append(uses, t.Use)
		}
	}
	return uses
}

// update checks every input as it is typed: a field's problem shows under
// it once the field holds something, and the button waits until all pass.
func (c *certScreen) update() {
	ready := c.fw != nil && strings.TrimSpace(c.name.Text) != "" && len(c.chosenUses()) > 0
	if c.fw != nil {
		findings := c.fw.Check(c.values())
		for name, l := range c.problems {
			l.Hide()
			for _, f := range findings {
				if f.Field == name && c.inputs[name].Text != "" {
					l.SetText(f.Message.In(i18n.Translate))
					l.Show()
				}
			}
		}
		ready = ready && len(findings) == 0
	}
	if ready {
		c.make.Enable()
	} else {
		c.make.Disable()
	}
}

// fillDemo starts the demo bank if needed and fills in its directory's
// values for the demo application.
func (c *certScreen) fillDemo() {
	c.demo.Disable()
	c.status.SetText(i18n.T("Starting the demo bank and its trust framework…"))
	c.u.background(func() func() {
		_, err := c.u.a.StartSandbox()
		var values map[string]string
		if err == nil {
			values, err = c.u.a.SandboxValues()
		}
		return func() {
			c.demo.Enable()
			if err != nil {
				c.status.SetText(app.Sentence(i18n.Err(err)))
				c.u.done("cert demo")
				return
			}
			for name, e := range c.inputs {
				e.SetText(values[name])
			}
			if c.name.Text == "" {
				c.name.SetText(i18n.T("Demo TPP own keys"))
			}
			c.status.SetText(i18n.T("The demo trust framework is running on this computer; its values for the demo application are filled in."))
			c.update()
			c.u.win.Canvas().Focus(c.make)
			c.u.done("cert demo")
		}
	})
}

// makeRequests generates the keys (RSA 4096 takes a moment) off the UI
// goroutine.
func (c *certScreen) makeRequests() {
	req := app.CSRRequest{Name: strings.TrimSpace(c.name.Text), Framework: c.fw.ID, KeyType: csr.KeyType(c.keyType.Selected),
		Values: c.values(), Uses: c.chosenUses()}
	c.make.Disable()
	c.status.SetText(i18n.T("Making the keys in the system keyring…"))
	c.making(func() (*app.NewCSRs, error) { return c.u.a.NewCSR(req) })
}

// renew makes renewal keys and requests for an identity.
func (c *certScreen) renew(name string) {
	c.status.SetText(i18n.T("Making new keys for %s, with the subjects of its current certificates…", name))
	c.making(func() (*app.NewCSRs, error) { return c.u.a.RenewCSR(name) })
}

// making runs make off the UI goroutine and shows what it made.
func (c *certScreen) making(make func() (*app.NewCSRs, error)) {
	c.u.background(func() func() {
		made, err := make()
		return func() {
			defer c.u.done("csr")
			c.update()
			if err != nil {
				c.status.SetText(app.Sentence(i18n.Err(err)))
				return
			}
			c.showMade(made)
			c.loadWaiting()
		}
	})
}

// showMade shows each request with what to do with it.
func (c *certScreen) showMade(made *app.NewCSRs) {
	c.made = made
	c.results.RemoveAll()
	c.status.SetText(i18n.T("The keys of %q are in the system keyring; no key was written to a file. Send the requests below to %s.", made.Pending.Name, i18n.Data(made.Framework.Name)))
	for _, r := range made.Pending.Requests {
		pemData := made.PEM[r.Use]
		use := r.Use
		save := c.u.button(i18n.T("Save…"), theme.DocumentSaveIcon(), func() { c.saveCSR(made.Pending.Name, use, pemData) })
		copyB := c.u.button(i18n.T("Copy"), theme.ContentCopyIcon(), func() {
			fyne.CurrentApp().Clipboard().SetContent(string(pemData))
			c.status.SetText(i18n.T("The request for the %s is on the clipboard.", certName(use)))
		})
		label := widget.NewLabel(i18n.T("Request for the %s (%s key)", certName(r.Use), r.KeyType))
		label.Wrapping = fyne.TextWrapWord
		c.results.Add(container.NewBorder(nil, nil, nil, container.NewHBox(save, copyB), label))
	}
	what := widget.NewLabel(i18n.T("What to do with these files: %s", i18n.Data(made.Framework.Instructions)))
	what.Wrapping = fyne.TextWrapWord
	c.results.Add(what)
	if made.Framework.Portal != "" {
		portal := made.Framework.Portal
		c.results.Add(c.u.button(i18n.T("Open the portal"), theme.ComputerIcon(), func() { c.u.browse(portal) }))
	}
	var next fyne.Focusable
	if made.Framework.Sandbox || (made.Framework.ID == app.RenewalFramework && c.u.a.SandboxRunning()) {
		issue := c.u.button(i18n.T("Have the demo trust framework issue them"), theme.MailSendIcon(), func() { c.issueInSandbox(made.Pending.Name) })
		c.results.Add(issue)
		next = issue
	}
	c.results.Refresh()
	if next != nil {
		c.u.win.Canvas().Focus(next)
	}
}

// certName names a certificate by its use, in the user's language.
func certName(use string) string {
	if use == "signing" {
		return i18n.T("signing certificate")
	}
	return i18n.T("transport certificate")
}

// certNames names certificates by their uses: "the transport certificate,
// the signing certificate".
func certNames(uses []string) string {
	names := make([]string, len(uses))
	for i, u := range uses {
		names[i] = certName(u)
	}
	return strings.Join(names, ", ")
}

// saveCSR asks where to save a request; requests hold no secret.
func (c *certScreen) saveCSR(name, use string, data []byte) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		c.writeCSR(w, use, data)
	}, c.u.win)
	d.SetFileName(app.CSRFileName(name, use))
	d.Show()
}

func (c *certScreen) writeCSR(w io.WriteCloser, use string, data []byte) {
	_, err := w.Write(data)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		dialog.ShowError(err, c.u.win)
		return
	}
	c.status.SetText(i18n.T("The request for the %s is saved.", certName(use)))
}

// issueInSandbox has the demo trust framework issue the requests at once.
func (c *certScreen) issueInSandbox(name string) {
	c.status.SetText(i18n.T("Sending the requests to the demo trust framework…"))
	c.u.background(func() func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done, err := c.u.a.IssueInSandbox(ctx, name)
		return c.completed(done, err)
	})
}

// importCert reads an issued certificate and pairs it with its key.
func (c *certScreen) importCert() { pickFile(c.u.win, c.importFile) }

func (c *certScreen) importFile(path string) {
	c.u.background(func() func() {
		data, err := app.ReadUserFile(i18n.T("certificate"), path)
		if err != nil {
			return c.completed(nil, err)
		}
		return c.completed(c.u.a.CompleteCSR(data))
	})
}

// completed shows what an imported certificate completed. It runs off the
// UI goroutine and returns what to show.
func (c *certScreen) completed(done *identity.Completed, err error) func() {
	var summary string
	var toTell int
	if err == nil && done.Identity != nil {
		if parsed, perr := done.Identity.Parse(); perr == nil {
			now := c.u.a.Now()
			summary = certText(i18n.T("Transport certificate"), parsed.Transport, now) + certText(i18n.T("Signing certificate"), parsed.Signing, now)
		}
		toTell = c.u.a.RegistrationsToTell(done.Identity.Name)
	}
	return func() {
		c.loadWaiting()
		switch {
		case err != nil:
			c.status.SetText(app.Sentence(i18n.Err(err)))
		case done.Identity == nil:
			c.status.SetText(i18n.T("The %s %q is paired with its key. Still waiting for: %s.", certName(done.Use), done.Leaf.Subject.CommonName,
				certNames(done.Waiting)))
		default:
			msg := i18n.T("%q is complete: its certificates are paired with their keys, and it can register with banks.\n\n%s", done.Identity.Name, strings.TrimSpace(summary))
			if toTell > 0 {
				msg += "\n\n" + i18n.T("%d past registrations were made with the old certificates: open each under Past registrations on the home screen to tell the bank.", toTell)
			}
			c.status.SetText(msg)
			c.results.RemoveAll()
			c.u.win.Canvas().Focus(c.homeB)
			if toTell > 0 {
				// The records that need the lifecycle update are listed on
				// home; each offers it.
				past := c.u.button(i18n.T("Show the past registrations"), theme.HistoryIcon(), c.u.ShowHome)
				c.results.Add(past)
				c.u.win.Canvas().Focus(past)
			}
		}
		c.u.done("certificate")
	}
}

// loadWaiting lists the keys still waiting for certificates.
func (c *certScreen) loadWaiting() {
	c.u.background(func() func() {
		v := c.u.a.Vault()
		names, err := v.ListPending()
		var lines []string
		for _, n := range names {
			if p, err := v.LoadPending(n); err == nil {
				lines = append(lines, i18n.T("%s: waiting for %s (since %s)", p.Name, certNames(p.Waiting()), p.Created.Local().Format("2006-01-02")))
			}
		}
		return func() {
			switch {
			case err != nil:
				c.waiting.SetText(app.Sentence(i18n.Err(err)))
			case len(lines) == 0:
				c.waiting.SetText(i18n.T("No keys are waiting for certificates."))
			default:
				slices.Sort(lines)
				c.waiting.SetText(i18n.T("Waiting for certificates:\n%s", strings.Join(lines, "\n")))
			}
			c.u.done("waiting")
		}
	})
}
