package gui

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// batchScreen registers one identity with many banks at once: choose the
// identity and the banks, then watch each bank's progress and result.
type batchScreen struct {
	u        *UI
	content  fyne.CanvasObject
	identity *selectBox
	search   *entry
	checks   *fyne.Container
	picked   map[string]bool
	start    *button
	cancelB  *button
	homeB    *button
	status   *widget.Label
	rows     *fyne.Container
	row      map[string]*widget.Label
	names    map[string]string
	cancel   context.CancelFunc
	// parsed is the chosen identity, read off the UI goroutine; checkRuns
	// counts the checks made, so that only the latest is shown.
	parsed    *identity.Parsed
	checkRuns int
}

// ShowBatch opens the several-banks screen.
func (u *UI) ShowBatch() {
	u.wizard = nil
	b := &batchScreen{u: u, picked: map[string]bool{}, row: map[string]*widget.Label{}}
	u.batch = b
	b.identity = u.selectBox(nil, b.chooseIdentity)
	b.identity.PlaceHolder = i18n.T("Reading the system keyring…")
	b.search = u.entry(false)
	b.search.SetPlaceHolder(i18n.T("Filter banks by name, country or id"))
	b.search.OnChanged = func(string) { b.fill() }
	b.checks = container.NewVBox()
	b.start = u.button(i18n.T("Register with the chosen banks"), theme.MailSendIcon(), b.run)
	b.start.Importance = widget.HighImportance
	b.cancelB = u.button(i18n.T("Cancel"), theme.CancelIcon(), func() {
		if b.cancel != nil {
			b.cancel()
		}
	})
	b.cancelB.Hide()
	b.homeB = u.button(i18n.T("Home"), theme.HomeIcon(), u.ShowHome)
	b.status = widget.NewLabel(i18n.T("Choose an identity and the banks. Each bank gets the same registration, with what its profile and your software statement give; each attempt is recorded on its own."))
	b.status.Wrapping = fyne.TextWrapWord
	b.rows = container.NewVBox()

	choose := container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle(i18n.T("Register with several banks"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewForm(widget.NewFormItem(i18n.T("Identity"), b.identity)), b.search),
		nil, nil, nil, container.NewVScroll(b.checks))
	progress := container.NewBorder(b.status, nil, nil, nil, container.NewVScroll(b.rows))
	split := container.NewHSplit(choose, progress)
	split.Offset = 0.45
	nav := container.NewHBox(b.homeB, b.cancelB, layout.NewSpacer(), b.start)
	b.content = container.NewPadded(container.NewBorder(nil, nav, nil, nil, split))
	u.win.SetContent(b.content)
	b.fill()
	b.update()
	u.background(func() func() {
		names, err := u.a.Vault().List()
		return func() {
			b.identity.Options = names
			b.identity.PlaceHolder = i18n.T("Choose a saved identity")
			if err != nil {
				b.identity.PlaceHolder = i18n.T("The keyring could not be read")
				b.status.SetText(app.Sentence(i18n.Err(err)))
			}
			if len(names) == 1 {
				b.identity.SetSelected(names[0])
			}
			b.identity.Refresh()
			u.done("batch identities")
		}
	})
}

// fill lists the bank profiles matching the filter, as check boxes.
func (b *batchScreen) fill() {
	b.checks.RemoveAll()
	filter := strings.ToLower(strings.TrimSpace(b.search.Text))
	profiles := append(b.u.a.Catalog.Profiles[:0:0], b.u.a.Catalog.Profiles...)
	sort.SliceStable(profiles, func(i, j int) bool { return profiles[i].Name < profiles[j].Name })
	for _, p := range profiles {
		text := i18n.T("%s (%s, %s)", p.Name, p.Country, p.Environment)
		if filter != "" && !strings.Contains(strings.ToLower(text+" "+p.ID), filter) {
			continue
		}
		id := p.ID
		c := widget.NewCheck(text, func(on bool) {
			b.picked[id] = on
			b.update()
			b.check()
		})
		c.Checked = b.picked[id]
		b.checks.Add(c)
	}
	b.checks.Refresh()
}

func (b *batchScreen) chosen() []string {
	var ids []string
	for _, p := range b.u.a.Catalog.Profiles {
		if b.picked[p.ID] {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// chooseIdentity reads the identity off the UI goroutine (the keyring may
// be slow or ask to be unlocked), then checks the chosen banks with it.
func (b *batchScreen) chooseIdentity(name string) {
	b.parsed = nil
	b.update()
	b.u.background(func() func() {
		parsed, err := b.u.a.Identity(name)
		return func() {
			if b.identity.Selected != name {
				return
			}
			if err != nil {
				b.status.SetText(app.Sentence(i18n.Err(err)))
			}
			b.parsed = parsed
			b.check()
			b.u.done("batch identity")
		}
	})
}

// check builds every chosen bank's request (offline, unsigned) off the UI
// goroutine and lists, before anything is sent, which would not be sent
// and why.
func (b *batchScreen) check() {
	ids := b.chosen()
	if b.cancel != nil || b.parsed == nil {
		return
	}
	b.checkRuns++
	run := b.checkRuns
	req, parsed := app.RegisterRequest{IdentityName: b.identity.Selected}, b.parsed
	b.u.background(func() func() {
		results := b.u.a.CheckBatch(req, parsed, ids)
		return func() {
			if run != b.checkRuns || b.cancel != nil {
				return // a newer check, or the send, replaced it
			}
			b.rows.RemoveAll()
			problems := 0
			for _, c := range results {
				name := c.ProfileID
				if p, err := b.u.a.Catalog.Get(c.ProfileID); err == nil {
					name = p.Name
				}
				text := i18n.T("%s: ready", name)
				if c.Problem != "" {
					problems++
					text = i18n.T("%s: will not be sent — %s", name, c.Problem)
				}
				l := widget.NewLabel(text)
				l.Wrapping = fyne.TextWrapWord
				b.rows.Add(l)
			}
			switch {
			case len(results) == 0:
				b.status.SetText(i18n.T("Choose the banks to register with."))
			case problems == 0:
				b.status.SetText(i18n.T("Checked: all %d requests are ready to send.", len(results)))
			default:
				b.status.SetText(i18n.T("Checked: %d of %d banks have a problem and will not be sent to; the others will. "+
					"Fix a bank's problem through New registration, where every field can be changed.", problems, len(results)))
			}
			b.content.Refresh()
			b.u.done("batch checked")
		}
	})
}

// update enables Register when an identity and at least one bank are chosen.
func (b *batchScreen) update() {
	n := len(b.chosen())
	b.start.SetText(i18n.T("Register with %d banks", n))
	if n == 1 {
		b.start.SetText(i18n.T("Register with 1 bank"))
	}
	if b.cancel == nil && n > 0 && b.identity.Selected != "" {
		b.start.Enable()
	} else {
		b.start.Disable()
	}
}

// run sends off the UI goroutine; each bank's progress comes back to it.
func (b *batchScreen) run() {
	ids := b.chosen()
	if len(ids) == 0 || b.identity.Selected == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.start.Disable()
	b.homeB.Disable()
	b.cancelB.Show()
	b.rows.RemoveAll()
	b.row, b.names = map[string]*widget.Label{}, map[string]string{}
	for _, id := range ids {
		name := id
		if p, err := b.u.a.Catalog.Get(id); err == nil {
			name = p.Name
		}
		l := widget.NewLabel(i18n.T("%s: waiting", name))
		l.Wrapping = fyne.TextWrapWord
		b.row[id], b.names[id] = l, name
		b.rows.Add(l)
	}
	b.status.SetText(i18n.T("Registering %q with %d banks, %d at a time…", b.identity.Selected, len(ids), app.DefaultBatchLimit))
	req := app.RegisterRequest{IdentityName: b.identity.Selected}
	b.u.background(func() func() {
		items := b.u.a.RegisterBatch(ctx, req, ids, app.DefaultBatchLimit, func(it app.BatchItem) {
			b.u.onUI(func() { b.show(it) })
		})
		cancel()
		return func() {
			b.cancel = nil
			b.cancelB.Hide()
			b.homeB.Enable()
			b.update()
			sum := app.Summarise(items)
			text := i18n.T("%d banks: %d registered, %d refused, %d not sent, %d outcome unknown. Every attempt is under Past registrations on the home screen.",
				sum.Banks, sum.Succeeded, sum.Refused, sum.NotSent, sum.Unknown)
			if sum.Unknown > 0 {
				text += i18n.T(" Where the outcome is unknown, check with that bank before sending again.")
			}
			b.status.SetText(text)
			b.content.Refresh()
			b.u.done("batch")
		}
	})
}

// show is one bank's progress, in words and in order.
func (b *batchScreen) show(it app.BatchItem) {
	l := b.row[it.ProfileID]
	if l == nil {
		return
	}
	name := b.names[it.ProfileID]
	switch it.State {
	case app.BatchWaiting:
		l.SetText(i18n.T("%s: waiting", name))
	case app.BatchSending:
		l.SetText(i18n.T("%s: sending…", name))
	default:
		text := i18n.T("%s: %s", name, it.Status().Describe())
		if it.Status() == records.Succeeded && it.Outcome != nil {
			text = i18n.T("%s, client %s", text, it.Outcome.Record.ClientID)
		}
		if it.Err != nil {
			msg, _, _ := strings.Cut(app.Sentence(i18n.Err(it.Err)), "\n")
			text += " — " + msg
		}
		l.SetText(text)
	}
	b.u.done("batch progress")
}
