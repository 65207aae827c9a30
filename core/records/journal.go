package records

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tppwizard/tppwizard/core/text"
)

// FileName is the journal's name in the config dir.
const FileName = "records.json"

// StaleAfter bounds how long a send can be in progress: every exchange is
// limited by timeouts far shorter than this, so a record still pending after
// it belongs to a process that stopped mid-send.
const StaleAfter = 10 * time.Minute

// Journal is the records: a snapshot (records.json) and a log beside it
// (records.log); see store.go for how they are written and read. Changes
// from other processes (the GUI and the command line at once) are kept:
// every read and change takes an exclusive lock on the files and reads
// again what another process changed.
type Journal struct {
	path, logPath string
	now           func() time.Time
	// mu is held by the one goroutine writing the file.
	mu sync.Mutex
	// queued are changes waiting for the next write (group commit).
	queueMu sync.Mutex
	queued  []*queuedChange
	// cached is the file as last read or written (under mu): read again
	// only when another process has replaced it.
	cached *snapshot
}

// queuedChange is one change to the record with the id, waiting to be
// written, and where its result goes.
type queuedChange struct {
	id   string
	fn   func([]Record) []Record
	done chan error
}

// Open returns the journal at path; nothing is read or written yet.
func Open(path string, now func() time.Time) *Journal {
	if now == nil {
		now = time.Now
	}
	return &Journal{path: path, logPath: strings.TrimSuffix(path, filepath.Ext(path)) + ".log", now: now}
}

// Files are the journal's files: the snapshot and the log.
func (j *Journal) Files() []string { return []string{j.path, j.logPath} }

// DamagedError says the journal file could not be read.
type DamagedError struct {
	Path string
	// KeptAs is where the damaged file was moved, when it was.
	KeptAs string
	Err    error
}

func (e *DamagedError) Error() string { return e.In(text.English) }

// In says the error in t.
func (e *DamagedError) In(t text.Translator) string {
	if e.KeptAs != "" {
		return text.F("the records file %s is damaged (%v); it was kept as %s and a new one started", e.Path, e.Err, e.KeptAs).In(t)
	}
	return text.F("the records file %s is damaged (%v)", e.Path, e.Err).In(t)
}

func (e *DamagedError) Unwrap() error { return e.Err }

// change applies fn, which changes or adds the record with the id and no
// other, to the records and saves them, returning once the file
// holding the change is on disk. Changes made at the same time (a batch of
// registrations) are written together: whoever writes next applies every
// change queued so far, in order, in one write and one fsync (group
// commit), and each caller gets that write's result.
func (j *Journal) change(id string, fn func([]Record) []Record) error {
	me := &queuedChange{id: id, fn: fn, done: make(chan error, 1)}
	j.queueMu.Lock()
	j.queued = append(j.queued, me)
	j.queueMu.Unlock()

	j.mu.Lock()
	j.queueMu.Lock()
	batch := j.queued
	j.queued = nil
	j.queueMu.Unlock()
	if len(batch) > 0 { // else an earlier writer took ours along
		err := j.commit(batch)
		for _, q := range batch {
			q.done <- err
		}
	}
	j.mu.Unlock()
	return <-me.done
}

// Begin journals an attempt before its request is sent. It fills in the id,
// start time, owner and status (Pending) when they are empty.
func (j *Journal) Begin(r *Record) error {
	if r.ID == "" {
		r.ID = NewID(j.now())
	}
	if r.Started.IsZero() {
		r.Started = j.now().UTC()
	}
	if r.Status == "" {
		r.Status = Pending
	}
	if r.Status == Pending {
		r.Owner = os.Getpid()
	}
	rec := *r
	return j.change(rec.ID, func(recs []Record) []Record {
		for _, old := range recs {
			if old.ID == rec.ID {
				return recs // ids are unique; a repeated Begin changes nothing
			}
		}
		return append(recs, rec)
	})
}

// Complete records an attempt's outcome. It stamps the finish time.
func (j *Journal) Complete(r *Record) error {
	if r.Status == Pending || r.Status == "" {
		return text.Errorf("record %s: completing it needs an outcome", r.ID)
	}
	if r.ID == "" { // an attempt that stopped before it was begun
		r.ID = NewID(j.now())
	}
	if r.Started.IsZero() {
		r.Started = j.now().UTC()
	}
	if r.Finished == nil {
		t := j.now().UTC()
		r.Finished = &t
	}
	r.Owner = 0
	rec := *r
	return j.change(rec.ID, func(recs []Record) []Record {
		for i := range recs {
			if recs[i].ID == rec.ID {
				recs[i] = rec
				return recs
			}
		}
		return append(recs, rec)
	})
}

// List returns every record, newest first, with pending records of
// processes that stopped mid-send shown as Unknown.
func (j *Journal) List() ([]Record, error) {
	j.mu.Lock()
	recs, err := j.readLocked()
	j.mu.Unlock()
	if err != nil {
		return nil, err
	}
	now := j.now()
	for i := range recs {
		recs[i].settle(now)
	}
	slices.SortStableFunc(recs, func(a, b Record) int { return b.Started.Compare(a.Started) })
	return recs, nil
}

// Get returns one record by id (a unique prefix of it will do).
func (j *Journal) Get(id string) (*Record, error) {
	recs, err := j.List()
	if err != nil {
		return nil, err
	}
	var found *Record
	for i := range recs {
		switch {
		case recs[i].ID == id:
			return &recs[i], nil
		case id != "" && len(id) < len(recs[i].ID) && recs[i].ID[:len(id)] == id:
			if found != nil {
				return nil, text.Errorf("%q matches more than one record; give more of the id", id)
			}
			found = &recs[i]
		}
	}
	if found == nil {
		return nil, text.Errorf("no record %q; `tppwizard records` lists them", id)
	}
	return found, nil
}

// settle turns a pending record whose process is gone into Unknown.
func (r *Record) settle(now time.Time) {
	if r.Status != Pending {
		return
	}
	if r.Owner != 0 && processAlive(r.Owner) && now.Sub(r.Started) < StaleAfter {
		return
	}
	r.Status = Unknown
	if r.Error == "" {
		r.Error = "The wizard stopped while this request was being sent, so it is not known whether the bank received it. " +
			"Ask the bank (quote the interaction id) or read the registration before sending it again."
	}
}
