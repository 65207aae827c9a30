package records

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/tppwizard/tppwizard/core/text"
)

// How the journal is kept on disk.
//
// The snapshot (records.json) holds every record, one per line, and is
// written whole: a temporary file, fsync, rename over the old one, fsync
// the directory, so a crash leaves the old snapshot or the new one. The
// log (records.log) takes each change: the records a change touched, one
// JSON line each, written after the last whole line and fsynced. Reading
// takes the snapshot and replays the log over it, a record in the log
// replacing the one with its id. A registration thus costs one short
// append, not a rewrite of every record ever made (about 7 KB each).
//
// When the log outgrows compactAt (or half the snapshot, when that is
// more), the next change writes a new snapshot holding everything and
// removes the log. A crash between the two leaves records in both, which
// replay to the same. A crash mid-append leaves a last line without its
// newline: it is not a record, reading ignores it and the next append
// writes over it.
const compactAt = 256 << 10

// snapshot is the journal as last read or written (under mu and the file
// lock), kept while neither file changes.
type snapshot struct {
	main, log fs.FileInfo // nil when the file is not there
	recs      []Record
	// lines holds each record's line by id, so that writing a snapshot
	// encodes only the records that changed since the last one. Ids found
	// twice (a file edited by hand) are never cached (see encode).
	lines map[string][]byte
	twice map[string]bool
	// logWhole is how many bytes of the log are whole lines.
	logWhole int64
}

type file struct {
	Version int               `json:"version"`
	Records []json.RawMessage `json:"records"`
}

// readLocked takes the file lock and reads. Called under mu.
func (j *Journal) readLocked() ([]Record, error) {
	if _, err := os.Stat(filepath.Dir(j.path)); errors.Is(err, fs.ErrNotExist) {
		j.cached = nil
		return nil, nil // nothing recorded yet; no folder to lock in
	}
	unlock, err := lockFile(j.path + ".lock")
	if err != nil {
		// A folder this user may read but not write: read without the
		// lock, which only keeps a reader from meeting a compaction
		// halfway (a few records missing from one list).
		return j.read()
	}
	defer unlock()
	return j.read()
}

// read returns the records (a copy the caller may change), from the cache
// when neither file has changed since it was last read or written. Called
// under mu and the file lock.
func (j *Journal) read() ([]Record, error) {
	main, err := statIfThere(j.path)
	if err != nil {
		return nil, err
	}
	log, err := statIfThere(j.logPath)
	if err != nil {
		return nil, err
	}
	if c := j.cached; c != nil && sameFile(c.main, main) && sameFile(c.log, log) {
		return slices.Clone(c.recs), nil
	}
	j.cached = nil
	s := &snapshot{main: main, log: log, lines: map[string][]byte{}, twice: map[string]bool{}}
	if main != nil {
		if err := s.readMain(j.path); err != nil {
			return nil, err
		}
	}
	if log != nil {
		if err := s.replayLog(j.logPath); err != nil {
			return nil, err
		}
	}
	j.cached = s
	return slices.Clone(s.recs), nil
}

func statIfThere(path string) (fs.FileInfo, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, text.Errorf("reading the records file: %w", err)
	}
	return info, nil
}

func sameFile(a, b fs.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

func (s *snapshot) readMain(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return text.Errorf("reading the records file: %w", err)
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return &DamagedError{Path: path, Err: err}
	}
	if f.Version != 1 {
		return &DamagedError{Path: path, Err: text.Errorf("version %d is not one this wizard reads", f.Version)}
	}
	for _, raw := range f.Records {
		var r Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return &DamagedError{Path: path, Err: err}
		}
		s.recs = append(s.recs, r)
		s.keep(r.ID, raw)
	}
	return nil
}

// keep caches a record's line, unless its id has been seen before.
func (s *snapshot) keep(id string, line []byte) {
	if _, ok := s.lines[id]; ok || s.twice[id] {
		delete(s.lines, id)
		s.twice[id] = true
		return
	}
	s.lines[id] = line
}

// replayLog applies the log's whole lines over the snapshot's records.
func (s *snapshot) replayLog(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return text.Errorf("reading the records file: %w", err)
	}
	whole := bytes.LastIndexByte(data, '\n') + 1
	at := make(map[string]int, len(s.recs))
	for i := len(s.recs) - 1; i >= 0; i-- {
		at[s.recs[i].ID] = i // the first record with the id, as Complete changes
	}
	for line := range bytes.Lines(data[:whole]) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			return &DamagedError{Path: path, Err: err}
		}
		if i, ok := at[r.ID]; ok {
			s.recs[i] = r
			if !s.twice[r.ID] {
				s.lines[r.ID] = line
			}
			continue
		}
		at[r.ID] = len(s.recs)
		s.recs = append(s.recs, r)
		s.keep(r.ID, line)
	}
	s.logWhole = int64(whole)
	return nil
}

// commit writes a batch of changes under the file lock. A damaged file is
// moved aside (never overwritten) and a new journal started.
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
	var damaged *DamagedError
	if errors.As(err, &damaged) {
		if err := j.moveAside(err); err != nil {
			return err
		}
		recs = nil
	} else if err != nil {
		return err
	}
	s := j.cached
	if s == nil { // no files yet, or moved aside
		s = &snapshot{lines: map[string][]byte{}, twice: map[string]bool{}}
	}
	j.cached = nil
	var changed []string
	for _, q := range batch {
		recs = q.fn(recs)
		delete(s.lines, q.id)
		if !slices.Contains(changed, q.id) {
			changed = append(changed, q.id)
		}
	}
	s.recs = recs

	var add bytes.Buffer
	for _, id := range changed {
		i := slices.IndexFunc(recs, func(r Record) bool { return r.ID == id })
		if i < 0 {
			continue
		}
		line, err := json.Marshal(recs[i])
		if err != nil {
			return err
		}
		add.Write(line)
		add.WriteByte('\n')
		if !s.twice[id] {
			s.lines[id] = line
		}
	}
	var mainSize int64
	if s.main != nil {
		mainSize = s.main.Size()
	}
	if s.logWhole+int64(add.Len()) > max(compactAt, mainSize/2) {
		err = j.compact(s)
	} else {
		err = j.appendLog(s, add.Bytes())
	}
	if err != nil {
		return err
	}
	if s.main, err = statIfThere(j.path); err != nil {
		return err
	}
	if s.log, err = statIfThere(j.logPath); err != nil {
		return err
	}
	j.cached = s
	return nil
}

// moveAside keeps the journal's files that are there under a name of
// their own, so that a new journal can start without overwriting them.
func (j *Journal) moveAside(damage error) error {
	suffix := ".damaged-" + j.now().UTC().Format("20060102T150405Z")
	for _, path := range j.Files() {
		if err := os.Rename(path, path+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return text.Errorf("%w; moving it aside failed: %v", damage, err)
		}
	}
	return nil
}

// appendLog writes lines after the log's last whole line (over what a
// process killed mid-append left) and syncs them.
func (j *Journal) appendLog(s *snapshot, lines []byte) error {
	f, err := os.OpenFile(j.logPath, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return text.Errorf("writing the records file: %w", err)
	}
	err = writeSynced(f, func(f *os.File) error {
		if err := f.Truncate(s.logWhole); err != nil {
			return err
		}
		_, err := f.WriteAt(lines, s.logWhole)
		return err
	})
	if err != nil {
		return err
	}
	created := s.log == nil
	s.logWhole += int64(len(lines))
	if created { // the new file's name must survive a crash too
		return syncDir(filepath.Dir(j.logPath))
	}
	return nil
}

// compact writes a snapshot of every record and then removes the log.
func (j *Journal) compact(s *snapshot) error {
	if err := writeAtomic(j.path, s.recs, s.lines); err != nil {
		return err
	}
	if err := os.Remove(j.logPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return text.Errorf("writing the records file: %w", err)
	}
	s.logWhole = 0
	return syncDir(filepath.Dir(j.logPath))
}

// encode writes the snapshot to w with one record per line: as cheap as
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
	err = writeSynced(tmp, func(f *os.File) error {
		if err := f.Chmod(0o600); err != nil {
			return err
		}
		return encode(f, recs, lines)
	})
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return text.Errorf("replacing the records file: %w", err)
	}
	return syncDir(dir)
}

// writeSynced writes f with write, then syncs it to disk and closes it,
// which it does whatever fails on the way.
func writeSynced(f *os.File, write func(*os.File) error) error {
	err := write(f)
	if err != nil {
		err = text.Errorf("writing the records file: %w", err)
	} else if err = f.Sync(); err != nil {
		err = text.Errorf("writing the records file to disk: %w", err)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = text.Errorf("writing the records file: %w", cerr)
	}
	return err
}
