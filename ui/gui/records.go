package gui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// pastList shows every registration attempt, newest first; a row opens the
// record (what was sent and received, no secret).
type pastList struct {
	u       *UI
	content fyne.CanvasObject
	list    *widget.List
	status  *widget.Label
	header  *fyne.Container
	recs    []records.Record
	// columns line the header and the rows up; titles are the header's.
	columns *columns
	titles  []string
}

// pastShares are how the row's spare width is shared between its cells:
// when, bank (environment), action, outcome, client id.
var pastShares = []float32{0.1, 0.5, 0.1, 0.1, 0.2}

// columns lays cells out side by side, every row alike: each cell is as
// wide as the longest text its column holds, and the spare width is shared
// out. When the window is too narrow for all of them, the bank's name
// gives way first (it is the only one that can be cut short).
type columns struct{ need []float32 }

func (c *columns) widths(total float32) []float32 {
	w := make([]float32, len(pastShares))
	var sum float32
	for i := range w {
		if i < len(c.need) {
			w[i] = c.need[i]
		}
		sum += w[i]
	}
	if spare := total - sum; spare >= 0 {
		for i := range w {
			w[i] += spare * pastShares[i]
		}
	} else {
		w[1] = max(w[1]+spare, 0)
	}
	return w
}

func (c *columns) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	// Cells overlap by half a label's padding on each side: the gap
	// between two columns' words is one padding, not two, which is what
	// lets a French row fit in 800 px.
	overlap := theme.InnerPadding() / 2
	x := float32(0)
	for i, w := range c.widths(size.Width) {
		if i < len(objects) {
			objects[i].Move(fyne.NewPos(x-overlap, 0))
			objects[i].Resize(fyne.NewSize(w+2*overlap, size.Height))
		}
		x += w
	}
}

func (c *columns) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(0, h)
}

// measure sets each column's width to its longest text, as a label shows
// it (its padding taken from a label itself), less the cells' overlap.
func (c *columns) measure(header []string, rows [][]string) {
	c.need = make([]float32, len(header))
	size := theme.TextSize()
	pad := widget.NewLabel("x").MinSize().Width - fyne.MeasureText("x", size, fyne.TextStyle{}).Width - theme.InnerPadding()
	for i, h := range header {
		c.need[i] = fyne.MeasureText(h, size, fyne.TextStyle{Bold: true}).Width + pad
	}
	for _, row := range rows {
		for i, cell := range row {
			c.need[i] = max(c.need[i], fyne.MeasureText(cell, size, fyne.TextStyle{}).Width+pad)
		}
	}
}

// pastCells are a record's cells, as its row shows them.
func pastCells(r records.Record) []string {
	return []string{
		r.Started.Local().Format("2006-01-02 15:04"),
		r.Bank + " (" + app.EnvironmentName(r.Environment).In(i18n.Translate) + ")",
		app.OperationName(r.Operation).In(i18n.Translate),
		r.Status.Describe().In(i18n.Translate),
		dash(r.ClientID),
	}
}

func newPastList(u *UI) *pastList {
	p := &pastList{u: u, columns: &columns{},
		titles: []string{i18n.T("When"), i18n.T("Bank"), i18n.T("Action"), i18n.T("Outcome"), i18n.T("Client id")}}
	p.status = widget.NewLabel(i18n.T("Reading past registrations…"))
	p.status.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(
		func() int { return len(p.recs) },
		func() fyne.CanvasObject {
			cells := make([]fyne.CanvasObject, len(pastShares))
			for i := range cells {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				cells[i] = l
			}
			return container.New(p.columns, cells...)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := p.recs[i]
			cells := o.(*fyne.Container).Objects
			for c, text := range pastCells(r) {
				l := cells[c].(*widget.Label)
				l.SetText(text)
				l.Importance = widget.MediumImportance
			}
			cells[3].(*widget.Label).Importance = statusImportance(r.Status)
			cells[3].Refresh()
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		p.list.Unselect(i)
		p.show(p.recs[i])
	}
	header := make([]fyne.CanvasObject, len(p.titles))
	for i, title := range p.titles {
		header[i] = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	p.header = container.New(p.columns, header...)
	p.header.Hide()
	top := container.NewVBox(widget.NewLabelWithStyle(i18n.T("Past registrations"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.status, p.header)
	p.content = container.NewBorder(top, nil, nil, nil, p.list)
	return p
}

func statusImportance(s records.Status) widget.Importance {
	switch s {
	case records.Succeeded:
		return widget.SuccessImportance
	case records.Refused, records.NotSent:
		return widget.DangerImportance
	case records.Unknown, records.Pending:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// load reads the journal off the UI goroutine.
func (p *pastList) load() {
	p.u.background(func() func() {
		recs, err := p.u.a.Records()
		return func() {
			p.recs = recs
			rows := make([][]string, len(recs))
			for i, r := range recs {
				rows[i] = pastCells(r)
			}
			p.columns.measure(p.titles, rows)
			p.header.Refresh()
			unknown := 0
			for _, r := range recs {
				if r.Status == records.Unknown {
					unknown++
				}
			}
			switch {
			case err != nil:
				p.status.SetText(i18n.T("Could not read past registrations: %v", err))
			case len(recs) == 0:
				p.status.SetText(i18n.T("None yet. Every attempt will be listed here, with what was sent and what the bank answered."))
			case unknown > 0:
				p.status.SetText(i18n.T("%d attempts; %d with an unknown outcome: open them to see how to check with the bank.", len(recs), unknown))
			default:
				p.status.SetText(i18n.T("%d attempts. Open one to see what was sent and what the bank answered.", len(recs)))
			}
			if len(recs) > 0 {
				p.header.Show()
			} else {
				p.header.Hide()
			}
			p.list.Refresh()
			p.u.done("records")
		}
	})
}

// recordView is one record opened: its text and what can be done with it.
type recordView struct {
	dialog *dialog.CustomDialog
	status *widget.Label
	open   *button
	save   *button
	// read and remove manage the registration at the bank; change starts
	// the wizard on it.
	read   *button
	remove *button
	change *button
	// renewal says when the identity's certificates were renewed since,
	// with the guided action that tells the bank.
	renewal *fyne.Container
	scroll  *container.Scroll
}

// show opens one record.
func (p *pastList) show(r records.Record) *recordView {
	v := &recordView{}
	text := widget.NewLabelWithStyle(hardWrap(app.RecordText(&r, i18n.Translate), monoWidth), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	text.Selectable = true
	scroll := container.NewScroll(text)
	size := p.u.win.Canvas().Size()
	scroll.SetMinSize(fyne.NewSize(size.Width*0.85, size.Height*0.6))
	v.scroll = scroll
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	// The evidence report: written off the UI goroutine, then opened in the
	// browser or kept where the user chose.
	export := func(dir string, then func(app.ReportFiles)) {
		v.status.SetText(i18n.T("Writing the report…"))
		p.u.background(func() func() {
			files, err := p.u.a.ExportReport(r.ID, dir)
			return func() {
				defer p.u.done("report")
				if err != nil {
					v.status.SetText(i18n.T("The report could not be written: %v", err))
					return
				}
				v.status.SetText(i18n.T("Report written (no secrets): %s", files.HTML))
				then(files)
			}
		})
	}
	v.open = p.u.button(i18n.T("Open the evidence report"), theme.DocumentIcon(), func() {
		export(p.u.a.ReportsDir(), func(f app.ReportFiles) {
			if err := p.u.openFile(f.HTML); err != nil {
				v.status.SetText(i18n.T("The browser could not be opened: %v. The report is at %s", err, f.HTML))
			}
		})
	})
	v.save = p.u.button(i18n.T("Save the report…"), theme.DocumentSaveIcon(), func() {
		dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
			if err == nil && dir != nil {
				export(dir.Path(), func(app.ReportFiles) {})
			}
		}, p.u.win).Show()
	})
	actions := container.NewHBox(v.open, v.save)
	atBank := container.NewHBox()
	manage, change := p.u.a.Actions(&r)
	if change {
		v.change = p.u.button(i18n.T("Change…"), theme.DocumentCreateIcon(), func() { p.startChange(v, r) })
		atBank.Add(v.change)
	}
	if manage {
		v.read = p.u.button(i18n.T("Read from the bank"), theme.ViewRefreshIcon(), func() { p.manage(v, r, registration.Read) })
		v.remove = p.u.button(i18n.T("Delete at the bank…"), theme.DeleteIcon(), func() {
			dialog.NewConfirm(i18n.T("Delete this registration?"),
				i18n.T("The bank removes client %s at %s (%s). Software using it stops working there.", r.ClientID, r.Bank, r.Environment),
				func(ok bool) {
					if ok {
						p.manage(v, r, registration.Delete)
					}
				}, p.u.win).Show()
		})
		v.remove.Importance = widget.DangerImportance
		atBank.Add(v.read)
		atBank.Add(v.remove)
	}
	v.renewal = container.NewVBox()
	bottom := container.NewVBox(v.renewal, actions)
	if len(atBank.Objects) > 0 {
		bottom.Add(container.NewHBox(widget.NewLabel(i18n.T("At the bank:")), atBank))
	}
	if r.Status == records.Succeeded && r.ClientID != "" && (r.Operation == string(registration.Create) || r.Operation == string(registration.Update)) {
		p.checkRenewal(v, r, change)
	}
	bottom.Add(v.status)
	body := container.NewBorder(nil, bottom, nil, nil, scroll)
	title := i18n.T("%s: %s", r.Bank, r.Status.Describe())
	v.dialog = dialog.NewCustom(title, i18n.T("Close"), body, p.u.win)
	v.dialog.Show()
	return v
}

// startChange reads the registration (off the UI goroutine) and opens the
// wizard on it, pre-filled from what the bank holds.
func (p *pastList) startChange(v *recordView, r records.Record) {
	v.status.SetText(i18n.T("Reading what %s holds…", r.Bank))
	v.change.Disable()
	p.u.background(func() func() {
		w, err := p.u.a.ChangeWizard(context.Background(), r.ID)
		return func() {
			defer p.u.done("change")
			v.change.Enable()
			if err != nil {
				v.status.SetText(app.Sentence(i18n.Err(err)))
				return
			}
			v.dialog.Hide()
			p.u.openWizard(w)
		}
	})
}

// checkRenewal says, once the identity is read off the UI goroutine,
// whether its certificates were renewed since the registration, and offers
// to tell the bank: a change where the bank takes one, else registering
// again.
func (p *pastList) checkRenewal(v *recordView, r records.Record, change bool) {
	p.u.background(func() func() {
		renewed := p.u.a.RenewedSince(&r)
		return func() {
			defer p.u.done("renewal")
			if len(renewed) == 0 {
				return
			}
			lines := make([]string, len(renewed))
			for i, m := range renewed {
				lines[i] = m.In(i18n.Translate)
			}
			note := widget.NewLabel(strings.Join(lines, "\n") + "\n" + i18n.T("The bank still knows the old one: tell it about the new certificates."))
			note.Wrapping = fyne.TextWrapWord
			note.Importance = widget.WarningImportance
			var act *button
			if change {
				act = p.u.button(i18n.T("Update the registration with the new certificates…"), theme.MailForwardIcon(), func() { p.startChange(v, r) })
			} else {
				act = p.u.button(i18n.T("Register again with the new certificates…"), theme.MailForwardIcon(), func() {
					p.u.background(func() func() {
						w, err := p.u.a.AgainWizard(r.ID)
						return func() {
							defer p.u.done("again")
							if err != nil {
								v.status.SetText(app.Sentence(i18n.Err(err)))
								return
							}
							v.dialog.Hide()
							p.u.openWizard(w)
						}
					})
				})
			}
			act.Importance = widget.HighImportance
			v.renewal.Add(note)
			v.renewal.Add(act)
			// The notice takes room from the record's text, so that the
			// dialog still fits the window.
			size := p.u.win.Canvas().Size()
			v.scroll.SetMinSize(fyne.NewSize(size.Width*0.85, size.Height*0.35))
			v.dialog.Resize(v.dialog.MinSize())
		}
	})
}

// manage reads or deletes a record's registration off the UI goroutine; the
// action is itself recorded, so the list is read again.
func (p *pastList) manage(v *recordView, r records.Record, op registration.Operation) {
	v.status.SetText(i18n.T("Asking %s…", r.Bank))
	v.read.Disable()
	v.remove.Disable()
	p.u.background(func() func() {
		out, err := p.u.a.Manage(context.Background(), r.ID, op)
		return func() {
			defer p.u.done("managed")
			v.read.Enable()
			v.remove.Enable()
			switch {
			case err != nil:
				v.status.SetText(app.Sentence(i18n.Err(err)))
			case op == registration.Delete:
				msg := i18n.T("Deleted: the bank no longer holds client %s. Recorded as %s.", r.ClientID, out.Record.ID)
				if out.Forgotten > 0 {
					msg += " " + i18n.T("Its secrets were removed from the keyring (%d).", out.Forgotten)
				}
				v.status.SetText(msg)
				v.read.Disable()
				v.remove.Disable()
			default:
				v.status.SetText(i18n.T("The bank holds client %s (HTTP %d): see record %s for what it returned.", r.ClientID, out.Result.Status, out.Record.ID))
			}
			p.load()
		}
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
