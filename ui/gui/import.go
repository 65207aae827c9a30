package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/identity"
)

// fileField is a path entry with a Browse button; files dropped on the
// window fill the first empty one.
type fileField struct {
	label string
	entry *widget.Entry
	row   fyne.CanvasObject
}

func newFileField(win fyne.Window, label, placeholder string) *fileField {
	f := &fileField{label: label, entry: widget.NewEntry()}
	f.entry.SetPlaceHolder(placeholder)
	browse := widget.NewButton("Browse…", func() {
		dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				f.entry.SetText(r.URI().Path())
				_ = r.Close()
			}
		}, win).Show()
	})
	f.row = container.NewBorder(nil, nil, nil, browse, f.entry)
	return f
}

// showImport asks for the files of a new identity and saves it in the
// keyring; done receives the new identity's name.
func showImport(s *wizardScreen, done func(name string)) {
	win := s.u.win
	name := widget.NewEntry()
	name.SetPlaceHolder("A name you will recognise, e.g. Acme live")
	tCert := newFileField(win, "Transport certificate", "transport certificate (.pem, .crt)")
	tKey := newFileField(win, "Transport key", "transport private key (.key, .pem)")
	sCert := newFileField(win, "Signing certificate", "signing certificate (QSEAL)")
	sKey := newFileField(win, "Signing key", "signing private key")
	ssaFile := newFileField(win, "Software statement", "software statement (.jwt, .txt)")
	kid := widget.NewEntry()
	kid.SetPlaceHolder("kid of the signing key in your directory")
	clientID := widget.NewEntry()
	clientID.SetPlaceHolder("application id in your trust framework directory")
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder("only for encrypted key files")

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
		{Text: "Name", Widget: name, HintText: "How this identity is listed"},
		{Text: "Transport certificate", Widget: tCert.row, HintText: "QWAC: used to connect to the bank (mutual TLS)"},
		{Text: "Transport key", Widget: tKey.row},
		{Text: "Signing certificate", Widget: sCert.row, HintText: "QSEAL: signs your registration (UK, STET)"},
		{Text: "Signing key", Widget: sKey.row},
		{Text: "Signing key id", Widget: kid},
		{Text: "Software statement", Widget: ssaFile.row, HintText: "SSA from your directory (UK)"},
		{Text: "Directory application id", Widget: clientID, HintText: "Al Tareq: your client id"},
		{Text: "Key passphrase", Widget: pass},
	}
	var d *dialog.FormDialog
	d = dialog.NewForm("Import an identity (the files are checked and copied into the system keyring)", "Import", "Cancel", items, func(ok bool) {
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
