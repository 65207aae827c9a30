package app

import (
	"context"
	"errors"
	"sync"

	"github.com/tppwizard/tppwizard/core/engine"
	"github.com/tppwizard/tppwizard/core/identity"
	"github.com/tppwizard/tppwizard/core/profile"
	"github.com/tppwizard/tppwizard/core/records"
	"github.com/tppwizard/tppwizard/core/registration"
	"github.com/tppwizard/tppwizard/core/text"
)

// DefaultBatchLimit is how many banks a batch talks to at once.
const DefaultBatchLimit = 8

// BatchState is where one bank of a batch is.
type BatchState string

// The states a bank goes through in a batch.
const (
	BatchWaiting BatchState = "waiting"
	BatchSending BatchState = "sending"
	BatchDone    BatchState = "done"
)

// BatchItem is one bank of a batch: its state and, once done, the outcome
// of its attempt (journalled as its own record) or why there was none.
type BatchItem struct {
	Index     int
	ProfileID string
	State     BatchState
	Outcome   *Outcome
	Err       error
}

// Status is the item's outcome as a record status; not sent when the
// attempt could not even be recorded.
func (it BatchItem) Status() records.Status {
	switch {
	case it.State != BatchDone:
		return records.Pending
	case it.Outcome != nil && it.Outcome.Record.Status != "":
		return it.Outcome.Record.Status
	case it.Err == nil:
		return records.Succeeded
	}
	return records.NotSent
}

// BatchSummary counts a batch's outcomes.
type BatchSummary struct {
	Banks     int
	Succeeded int
	Refused   int
	NotSent   int
	Unknown   int
}

// Summarise counts the outcomes of items.
func Summarise(items []BatchItem) BatchSummary {
	s := BatchSummary{Banks: len(items)}
	for _, it := range items {
		switch it.Status() {
		case records.Succeeded:
			s.Succeeded++
		case records.Refused:
			s.Refused++
		case records.Unknown, records.Pending:
			s.Unknown++
		default:
			s.NotSent++
		}
	}
	return s
}

// RegisterBatch registers one identity with many banks: base is sent to
// each profile in profiles, at most limit at a time (DefaultBatchLimit when
// 0). Each attempt is journalled as its own record; a failure at one bank
// does not stop the others. progress, when set, hears every change of an
// item's state, from the batch's goroutines (one call at a time). A
// cancelled context stops banks not yet started (recorded as not sent) and
// cancels those being sent.
func (a *App) RegisterBatch(ctx context.Context, base RegisterRequest, profiles []string, limit int, progress func(BatchItem)) []BatchItem {
	if limit <= 0 {
		limit = DefaultBatchLimit
	}
	items := make([]BatchItem, len(profiles))
	var mu sync.Mutex // serialises progress calls and item updates
	report := func(i int, change func(*BatchItem)) {
		mu.Lock()
		defer mu.Unlock()
		change(&items[i])
		if progress != nil {
			progress(items[i])
		}
	}
	for i, p := range profiles {
		items[i] = BatchItem{Index: i, ProfileID: p, State: BatchWaiting}
	}
	if progress != nil {
		for _, it := range items {
			progress(it)
		}
	}
	// The identity is read from the keyring once for every bank.
	id, idErr := a.Identity(base.IdentityName)
	if idErr != nil {
		idErr = &registration.InputError{Field: "identity", Problem: text.F("%v", idErr)}
	}
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range profiles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
			}
			req := base
			req.ProfileID = profiles[i]
			req.Operation = registration.Create
			if ctx.Err() != nil {
				// Never started: recorded as not sent, like any attempt.
				out, err := a.notStarted(req)
				report(i, func(it *BatchItem) { it.State, it.Outcome, it.Err = BatchDone, out, err })
				return
			}
			report(i, func(it *BatchItem) { it.State = BatchSending })
			params, err := engine.Params{}, idErr
			if err == nil {
				params, err = a.paramsWith(req, id)
			}
			out, err := a.register(ctx, req, params, err)
			report(i, func(it *BatchItem) { it.State, it.Outcome, it.Err = BatchDone, out, err })
		}()
	}
	wg.Wait()
	return items
}

// errBatchCancelled is why a bank a cancelled batch never reached has no
// registration.
var errBatchCancelled = text.New("the batch was cancelled before this bank's turn; nothing was sent to it")

// notStarted records an attempt a cancelled batch never began.
func (a *App) notStarted(r RegisterRequest) (*Outcome, error) {
	params, _ := a.paramsWith(r, nil)
	rec := newRecord(r, params)
	notSent(&rec, errBatchCancelled)
	if err := a.Journal().Complete(&rec); err != nil {
		return nil, err
	}
	return &Outcome{Record: rec}, errBatchCancelled
}

// BatchCheck is what the checks made before sending say about one bank of
// a batch: empty Problem when its request would be sent.
type BatchCheck struct {
	ProfileID string
	Problem   string
}

// CheckBatch builds each bank's request as a preview (offline, unsigned)
// with the identity already read, and says which would not be sent and
// why, so that a person sees it before sending to many banks.
func (a *App) CheckBatch(base RegisterRequest, id *identity.Parsed, profiles []string) []BatchCheck {
	out := make([]BatchCheck, len(profiles))
	for i, p := range profiles {
		out[i].ProfileID = p
		req := base
		req.ProfileID, req.Operation = p, registration.Create
		params, err := a.paramsWith(req, id)
		if err == nil {
			err = a.Engine.Check(context.Background(), params)
		}
		if err == nil && !base.Checked {
			if earlier, uerr := a.Unresolved(p, base.IdentityName); uerr == nil && len(earlier) > 0 {
				err = &ErrOutcomeUnknown{Earlier: earlier[0]}
			}
		}
		var blocked *registration.BlockedError
		if errors.As(err, &blocked) {
			f := blocked.Findings[0]
			f.Field = a.fieldLabel(params.Profile, f.Field)
			out[i].Problem = Sentence(f.In(a.text))
		} else if err != nil {
			out[i].Problem = Sentence(a.Say(err))
		}
	}
	return out
}

// fieldLabel is a field's name as the wizard's Details step shows it
// ("Redirect addresses", not "redirect_uris"); other names are kept.
func (a *App) fieldLabel(p *profile.Profile, name string) string {
	if p != nil {
		for _, f := range fieldSpecs[p.Dialect] {
			if f.Name == name {
				return f.Label.In(a.text)
			}
		}
	}
	return name
}
