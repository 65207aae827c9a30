package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/records"
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
}

// pastColumns are the row's cells: when, bank (environment), action,
// outcome, client id; pastWidths their shares of the row.
const pastColumns = 5

var pastWidths = []float32{0.17, 0.37, 0.09, 0.15, 0.22}

// columns lays cells out side by side, each taking its share of the width.
type columns []float32

func (c columns) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objects {
		w := size.Width * c[i]
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (c columns) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(0, h)
}

func newPastList(u *UI) *pastList {
	p := &pastList{u: u}
	p.status = widget.NewLabel("Reading past registrations…")
	p.status.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(
		func() int { return len(p.recs) },
		func() fyne.CanvasObject {
			cells := make([]fyne.CanvasObject, pastColumns)
			for i := range cells {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				cells[i] = l
			}
			return container.New(columns(pastWidths), cells...)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := p.recs[i]
			cells := o.(*fyne.Container).Objects
			texts := [pastColumns]string{
				r.Started.Local().Format("2006-01-02 15:04"),
				r.Bank + " (" + r.Environment + ")",
				r.Operation,
				r.Status.Describe(),
				dash(r.ClientID),
			}
			for c, text := range texts {
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
	header := make([]fyne.CanvasObject, pastColumns)
	for i, title := range []string{"When", "Bank", "Action", "Outcome", "Client id"} {
		header[i] = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	p.header = container.New(columns(pastWidths), header...)
	p.header.Hide()
	top := container.NewVBox(widget.NewLabelWithStyle("Past registrations", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
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
			unknown := 0
			for _, r := range recs {
				if r.Status == records.Unknown {
					unknown++
				}
			}
			switch {
			case err != nil:
				p.status.SetText("Could not read past registrations: " + err.Error())
			case len(recs) == 0:
				p.status.SetText("None yet. Every attempt will be listed here, with what was sent and what the bank answered.")
			case unknown > 0:
				p.status.SetText(fmt.Sprintf("%d attempts; %d with an unknown outcome: open them to see how to check with the bank.", len(recs), unknown))
			default:
				p.status.SetText(fmt.Sprintf("%d attempts. Open one to see what was sent and what the bank answered.", len(recs)))
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
}

// show opens one record.
func (p *pastList) show(r records.Record) *recordView {
	v := &recordView{}
	text := widget.NewLabelWithStyle(app.RecordText(&r), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	text.Selectable = true
	text.Wrapping = fyne.TextWrapBreak
	scroll := container.NewScroll(text)
	size := p.u.win.Canvas().Size()
	scroll.SetMinSize(fyne.NewSize(size.Width*0.85, size.Height*0.6))
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	// The evidence report: written off the UI goroutine, then opened in the
	// browser or kept where the user chose.
	export := func(dir string, then func(app.ReportFiles)) {
		v.status.SetText("Writing the report…")
		p.u.background(func() func() {
			files, err := p.u.a.ExportReport(r.ID, dir)
			return func() {
				defer p.u.done("report")
				if err != nil {
					v.status.SetText("The report could not be written: " + err.Error())
					return
				}
				v.status.SetText("Report written (no secrets): " + files.HTML)
				then(files)
			}
		})
	}
	v.open = p.u.button("Open the evidence report", theme.DocumentIcon(), func() {
		export(p.u.a.ReportsDir(), func(f app.ReportFiles) {
			if err := p.u.openFile(f.HTML); err != nil {
				v.status.SetText("The browser could not be opened: " + err.Error() + ". The report is at " + f.HTML)
			}
		})
	})
	v.save = p.u.button("Save the report…", theme.DocumentSaveIcon(), func() {
		dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
			if err == nil && dir != nil {
				export(dir.Path(), func(app.ReportFiles) {})
			}
		}, p.u.win).Show()
	})
	body := container.NewBorder(nil, container.NewVBox(container.NewHBox(v.open, v.save), v.status), nil, nil, scroll)
	title := fmt.Sprintf("%s: %s", r.Bank, r.Status.Describe())
	v.dialog = dialog.NewCustom(title, "Close", body, p.u.win)
	v.dialog.Show()
	return v
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
