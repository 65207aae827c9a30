package records

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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

// Journal is the records file. Every change rewrites it whole: write a
// temporary file, fsync it, rename it over the old one, fsync the directory.
// A crash leaves the old file or the new one, never half of either. Changes
// from other processes (the GUI and the command line at once) are kept: each
// change re-reads the file under an exclusive lock.
type Journal struct {
	path string
	now  func() time.Time
	// mu is held by the one goroutine writing the file.
	mu sync.Mutex
	// queued are changes waiting for the next write (group commit).
	queueMu sync.Mutex
	queued  []*queuedChange
	// cached is the file as last read or written (under mu): read again
	// only when another process has replaced it.
	cached *snapshot
}

type snapshot struct {
	info fs.FileInfo
	recs []Record
	// lines holds each record's line of the file by id, so a write
	// encodes only the records that changed: encoding every record on
	// every write made a journal of n records cost O(n) JSON work per
	// registration (half the CPU of a 100-bank batch, by profile).
	lines map[string][]byte
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
	return &Journal{path: path, now: now}
}

// Path is where the journal lives.
func (j *Journal) Path() string { return j.path }

type file struct {
	Version int               `json:"version"`
	Records []json.RawMessage `json:"records"`
}

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

// read returns the records (a copy the caller may change), from the cache
// when the file is still the one last read or written. Called under mu.
func (j *Journal) read() ([]Record, error) {
	info, err := os.Stat(j.path)
	if errors.Is(err, fs.ErrNotExist) {
		j.cached = nil
		return nil, nil
	}
	if err != nil {
		return nil, text.Errorf("reading the records file: %w", err)
	}
	if c := j.cached; c != nil && os.SameFile(c.info, info) && c.info.ModTime().Equal(info.ModTime()) && c.info.Size() == info.Size() {
		return slices.Clone(c.recs), nil
	}
	data, err := os.ReadFile(j.path)
	if err != nil {
		return nil, text.Errorf("reading the records file: %w", err)
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, &DamagedError{Path: j.path, Err: err}
	}
	if f.Version != 1 {
		return nil, &DamagedError{Path: j.path, Err: text.Errorf("version %d is not one this wizard reads", f.Version)}
	}
	recs := make([]Record, len(f.Records))
	lines := make(map[string][]byte, len(f.Records))
	twice := map[string]bool{}
	for i, raw := range f.Records {
		if err := json.Unmarshal(raw, &recs[i]); err != nil {
			return nil, &DamagedError{Path: j.path, Err: err}
		}
		if _, ok := lines[recs[i].ID]; ok || twice[recs[i].ID] {
			delete(lines, recs[i].ID) // see encode
			twice[recs[i].ID] = true
			continue
		}
		lines[recs[i].ID] = raw
	}
	j.cached = &snapshot{info: info, recs: recs, lines: lines}
	return slices.Clone(recs), nil
}

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

// commit writes a batch of changes under the file lock. A damaged file is
// moved aside (never overwritten) and a new one started.
func (j *Journal) commit(batch []*queuedChange) error {
	if err := os.MkdirAll(filepath.Dir(j.path), 0o700); err != nil {
		return text.Errorf("creating the records folder: %w", err)
	}
	unlock, err := lockFile(j.path + ".lock")
	if err != nil {
		return text.Errorf("locking the records file: %w", err)
	}
	defer unlock()
	recs, err := j.read()
	lines := map[string][]byte{}
	var damaged *DamagedError
	if errors.As(err, &damaged) {
		aside := j.path + ".damaged-" + j.now().UTC().Format("20060102T150405Z")
		if rerr := os.Rename(j.path, aside); rerr != nil {
			return text.Errorf("%w; moving it aside failed: %v", err, rerr)
		}
		recs = nil
	} else if err != nil {
		return err
	} else if j.cached != nil {
		lines = j.cached.lines
	}
	j.cached = nil
	for _, q := range batch {
		recs = q.fn(recs)
		delete(lines, q.id)
	}
	if err := writeAtomic(j.path, recs, lines); err != nil {
		return err
	}
	if info, err := os.Stat(j.path); err == nil {
		j.cached = &snapshot{info: info, recs: recs, lines: lines}
	}
	return nil
}

// encode writes the journal to w with one record per line: as cheap as
// compact JSON, and still readable and diffable. A record's line is taken
// from lines when it is there, and put there when it is made. An id found
// twice (a file edited by hand) is encoded each time, never cached.
func encode(w io.Writer, recs []Record, lines map[string][]byte) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.WriteString(`{"version":1,"records":[`)
	seen := make(map[string]bool, len(recs))
	for i, r := range recs {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		line, ok := lines[r.ID]
		if !ok || seen[r.ID] {
			var err error
			if line, err = json.Marshal(r); err != nil {
				return err
			}
			if seen[r.ID] {
				delete(lines, r.ID)
			} else {
				lines[r.ID] = line
			}
		}
		seen[r.ID] = true
		bw.Write(line)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush() // the first write error, if any
}

func writeAtomic(path string, recs []Record, lines map[string][]byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".records-*.tmp")
	if err != nil {
		return text.Errorf("writing the records file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := encode(tmp, recs, lines); err != nil {
		tmp.Close()
		return text.Errorf("writing the records file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return text.Errorf("writing the records file to disk: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return text.Errorf("replacing the records file: %w", err)
	}
	return syncDir(dir)
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
	recs, err := j.read()
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
