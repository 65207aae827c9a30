package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// fileField is a path entry with a Browse button; files dropped on the
// window fill the first empty one.
type fileField struct {
	label string
	entry *widget.Entry
	row   fyne.CanvasObject
}

// pickFile asks for a file to open and hands on its path; the app reads
// it (with its size and type checks), not the dialog.
func pickFile(win fyne.Window, then func(path string)) {
	dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		then(path)
	}, win).Show()
}

func newFileField(win fyne.Window, label, placeholder string) *fileField {
	f := &fileField{label: label, entry: widget.NewEntry()}
	f.entry.SetPlaceHolder(placeholder)
	browse := widget.NewButton(i18n.T("Browse…"), func() { pickFile(win, f.entry.SetText) })
	f.row = container.NewBorder(nil, nil, nil, browse, f.entry)
	return f
}

// showImport asks for the files of a new identity and saves it in the
// keyring; done receives the new identity's name.
func showImport(s *wizardScreen, done func(name string)) {
	win := s.u.win
	name := widget.NewEntry()
	name.SetPlaceHolder(i18n.T("A name you will recognise, e.g. Acme live"))
	tCert := newFileField(win, i18n.T("Transport certificate"), i18n.T("transport certificate (.pem, .crt)"))
	tKey := newFileField(win, i18n.T("Transport key"), i18n.T("transport private key (.key, .pem)"))
	sCert := newFileField(win, i18n.T("Signing certificate"), i18n.T("signing certificate (QSEAL)"))
	sKey := newFileField(win, i18n.T("Signing key"), i18n.T("signing private key"))
	ssaFile := newFileField(win, i18n.T("Software statement"), i18n.T("software statement (.jwt, .txt)"))
	kid := widget.NewEntry()
	kid.SetPlaceHolder(i18n.T("kid of the signing key in your directory"))
	clientID := widget.NewEntry()
	clientID.SetPlaceHolder(i18n.T("application id in your trust framework directory"))
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(i18n.T("only for encrypted key files"))

	win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		for _, u := range uris {
			for _, f := range []*fileField{tCert, tKey, sCert, sKey, ssaFile} {
				if f.entry.Text == "" {
					f.entry.SetText(u.Path())
					break
				}
			}
		}
	})
	items := []*widget.FormItem{
		{Text: i18n.T("Name"), Widget: name, HintText: i18n.T("How this identity is listed")},
		{Text: i18n.T("Transport certificate"), Widget: tCert.row, HintText: i18n.T("QWAC: used to connect to the bank (mutual TLS)")},
		{Text: i18n.T("Transport key"), Widget: tKey.row},
		{Text: i18n.T("Signing certificate"), Widget: sCert.row, HintText: i18n.T("QSEAL: signs your registration (UK, STET)")},
		{Text: i18n.T("Signing key"), Widget: sKey.row},
		{Text: i18n.T("Signing key id"), Widget: kid},
		{Text: i18n.T("Software statement"), Widget: ssaFile.row, HintText: i18n.T("SSA from your directory (UK)")},
		{Text: i18n.T("Directory application id"), Widget: clientID, HintText: i18n.T("Al Tareq: your client id")},
		{Text: i18n.T("Key passphrase"), Widget: pass},
	}
	var d *dialog.FormDialog
	d = dialog.NewForm(i18n.T("Import an identity (the files are checked and copied into the system keyring)"), i18n.T("Import"), i18n.T("Cancel"), items, func(ok bool) {
		win.SetOnDropped(nil)
		if !ok {
			return
		}
		var readErr error
		read := func(f *fileField) []byte {
			if f.entry.Text == "" {
				return nil
			}
			b, err := app.ReadUserFile(f.label, f.entry.Text)
			if err != nil && readErr == nil {
				readErr = err
			}
			return b
		}
		files := identity.Files{Name: name.Text, TransportCert: read(tCert), TransportKey: read(tKey),
			SigningCert: read(sCert), SigningKey: read(sKey), SigningKID: kid.Text, SSA: read(ssaFile),
			ClientID: clientID.Text, Passphrase: []byte(pass.Text)}
		if readErr != nil {
			dialog.ShowError(readErr, win)
			return
		}
		s.u.background(func() func() {
			id, err := s.u.a.ImportIdentity(files)
			return func() {
				if err != nil {
					dialog.ShowError(err, win)
					return
				}
				done(id.Name)
			}
		})
	}, win)
	d.Resize(fyne.NewSize(640, 560))
	d.Show()
}
