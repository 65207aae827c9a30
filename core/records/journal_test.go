package records

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tppwizard/tppwizard/core/check"
	"github.com/tppwizard/tppwizard/core/text"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func clock(t *time.Time) func() time.Time { return func() time.Time { return *t } }

func TestJournalKeepsAnAttemptFromBeginToOutcome(t *testing.T) {
	now := t0
	j := Open(filepath.Join(t.TempDir(), "cfg", FileName), clock(&now))
	r := &Record{Operation: "create", ProfileID: "sandbox-stet", Bank: "Demo STET bank", Identity: "demo",
		InteractionID: "c4b1", Request: &Exchange{Method: "POST", URL: "https://127.0.0.1/register", Body: "{}"},
		Preflight: check.List{{Severity: check.Warning, Field: "transport certificate", Message: text.F("expires in 20 days")}}}
	if err := j.Begin(r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.ID, "20261121T100000Z-") || r.Status != Pending || !r.Started.Equal(t0) {
		t.Fatalf("begun record = %+v", r)
	}
	got, err := j.Get(r.ID)
	if err != nil || got.Status != Pending || got.Request.URL != r.Request.URL {
		t.Fatalf("while sending, the journal holds %+v, %v", got, err)
	}

	now = now.Add(2 * time.Second)
	r.Status, r.ClientID = Succeeded, "client-1"
	r.Response = &Exchange{Status: 201, Body: `{"client_id":"client-1"}`}
	if err := j.Complete(r); err != nil {
		t.Fatal(err)
	}
	got, err = j.Get(r.ID[:20])
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != Succeeded || got.ClientID != "client-1" || got.Finished == nil || !got.Finished.Equal(now) || got.Owner != 0 {
		t.Fatalf("completed record = %+v", got)
	}
	if len(got.Preflight) != 1 || got.Preflight[0].Severity != check.Warning {
		t.Fatalf("preflight did not survive the file: %+v", got.Preflight)
	}
	found := 0
	for _, f := range j.Files() {
		info, err := os.Stat(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v; want 0600", f, info.Mode(), err)
		}
		found++
	}
	if found == 0 {
		t.Fatalf("none of %v was written", j.Files())
	}
}

func TestJournalListsNewestFirst(t *testing.T) {
	now := t0
	j := Open(filepath.Join(t.TempDir(), FileName), clock(&now))
	for i := range 3 {
		now = t0.Add(time.Duration(i) * time.Hour)
		r := &Record{Bank: fmt.Sprint("bank ", i), Status: NotSent}
		if err := j.Begin(r); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := j.List()
	if err != nil {
		t.Fatal(err)
	}
	var banks []string
	for _, r := range recs {
		banks = append(banks, r.Bank)
	}
	if strings.Join(banks, ",") != "bank 2,bank 1,bank 0" {
		t.Fatalf("order = %v", banks)
	}
}

func TestPendingRecordsOfStoppedProcessesReadAsUnknown(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("no `true` to make a finished process id:", err)
	}
	cases := []struct {
		name  string
		owner int
		age   time.Duration
		want  Status
	}{
		{"this process, just now", os.Getpid(), time.Second, Pending},
		{"this process, past any timeout", os.Getpid(), StaleAfter + time.Second, Unknown},
		{"a process that has exited", gone.Process.Pid, time.Second, Unknown},
		{"no owner written", 0, time.Second, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := t0
			j := Open(filepath.Join(t.TempDir(), FileName), clock(&now))
			r := &Record{Bank: "b"}
			if err := j.Begin(r); err != nil {
				t.Fatal(err)
			}
			// Begin stamps this process; rewrite the owner as the case needs.
			if err := j.change(r.ID, func(recs []Record) []Record { recs[0].Owner = c.owner; return recs }); err != nil {
				t.Fatal(err)
			}
			now = now.Add(c.age)
			got, err := j.Get(r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != c.want {
				t.Fatalf("status = %s, want %s", got.Status, c.want)
			}
			if c.want == Unknown && !strings.Contains(got.Error, "not known whether the bank received it") {
				t.Fatalf("unknown outcome without an explanation: %q", got.Error)
			}
		})
	}
}

func TestDamagedJournalIsKeptAsideNeverOverwritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	damaged := []byte(`{"version":1,"records":[{"id":"x"`)
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	j := Open(path, clock(&t0))
	if _, err := j.List(); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("List on a damaged file: %v", err)
	}
	if err := j.Begin(&Record{Bank: "b", Status: NotSent}); err != nil {
		t.Fatal(err)
	}
	kept, err := os.ReadFile(path + ".damaged-20261121T100000Z")
	if err != nil || string(kept) != string(damaged) {
		t.Fatalf("damaged file not kept as it was: %q, %v", kept, err)
	}
	if recs, err := j.List(); err != nil || len(recs) != 1 {
		t.Fatalf("new journal = %v, %v", recs, err)
	}
}

func TestConcurrentAttemptsAreAllKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	// Two journals on one file stand for the GUI and the command line.
	js := []*Journal{Open(path, nil), Open(path, nil)}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			r := &Record{Bank: fmt.Sprint(i)}
			if err := js[i%2].Begin(r); err != nil {
				t.Error(err)
				return
			}
			r.Status = Succeeded
			if err := js[(i+1)%2].Complete(r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	recs, err := js[0].List()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 40 {
		t.Fatalf("%d records kept, want 40", len(recs))
	}
	for _, r := range recs {
		if r.Status != Succeeded {
			t.Fatalf("record %s lost its outcome: %s", r.ID, r.Status)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".records-*.tmp")); len(left) > 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestCompleteNeedsAnOutcome(t *testing.T) {
	j := Open(filepath.Join(t.TempDir(), FileName), nil)
	r := &Record{}
	if err := j.Begin(r); err != nil {
		t.Fatal(err)
	}
	if err := j.Complete(r); err == nil {
		t.Fatal("completing a record still pending was accepted")
	}
}

func TestGetExplainsAmbiguousAndMissingIDs(t *testing.T) {
	j := Open(filepath.Join(t.TempDir(), FileName), clock(&t0))
	for range 2 {
		if err := j.Begin(&Record{Status: NotSent}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := j.Get("20261121"); err == nil || !strings.Contains(err.Error(), "more than one") {
		t.Fatalf("ambiguous prefix: %v", err)
	}
	if _, err := j.Get("nope"); err == nil || !strings.Contains(err.Error(), "tppwizard records") {
		t.Fatalf("missing id: %v", err)
	}
}

// TestKilledMidSendLeavesAnUnknownRecord runs a child process that journals
// an attempt and is killed before it can complete it.
func TestKilledMidSendLeavesAnUnknownRecord(t *testing.T) {
	if path := os.Getenv("RECORDS_TEST_CHILD"); path != "" {
		r := &Record{Bank: "child", Operation: "create"}
		if err := Open(path, nil).Begin(r); err != nil {
			os.Exit(3)
		}
		fmt.Println("journalled")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), FileName)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidSendLeavesAnUnknownRecord$")
	cmd.Env = append(os.Environ(), "RECORDS_TEST_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if !strings.Contains(string(buf[:n]), "journalled") {
		_ = cmd.Process.Kill()
		t.Fatalf("child said %q", buf[:n])
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	recs, err := Open(path, nil).List()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Status != Unknown || recs[0].Bank != "child" {
		t.Fatalf("after the kill the journal holds %+v", recs)
	}
}

// TestKilledAtAnyPointLosesNoRecord kills a child process that journals
// attempts as fast as it can (begin, then complete) at a different moment
// each round, in an append to the log or in writing a new snapshot. After each SIGKILL the file reads without damage and holds
// every attempt the child had begun; none is left pending.
func TestKilledAtAnyPointLosesNoRecord(t *testing.T) {
	if path := os.Getenv("RECORDS_TEST_LOOP"); path != "" {
		j := Open(path, nil)
		for i := 0; ; i++ {
			// Records of 20 KiB: the kills land in appends and in
			// new snapshots alike.
			r := &Record{Bank: fmt.Sprintf("loop-%d", i), Operation: "create", Request: &Exchange{Body: strings.Repeat("r", 20<<10)}}
			if err := j.Begin(r); err != nil {
				os.Exit(3)
			}
			fmt.Println(r.ID)
			r.Status = Succeeded
			if err := j.Complete(r); err != nil {
				os.Exit(4)
			}
		}
	}
	path := filepath.Join(t.TempDir(), FileName)
	begun := map[string]bool{}
	for round, after := range []int{1, 3, 7, 15, 31} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledAtAnyPointLosesNoRecord$")
		cmd.Env = append(os.Environ(), "RECORDS_TEST_LOOP="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var lines []string
		var rest string
		buf := make([]byte, 4096)
		for len(lines) < after {
			n, err := out.Read(buf)
			if err != nil {
				t.Fatalf("round %d: child stopped: %v", round, err)
			}
			parts := strings.Split(rest+string(buf[:n]), "\n")
			lines, rest = append(lines, parts[:len(parts)-1]...), parts[len(parts)-1]
		}
		_ = cmd.Process.Kill() // mid-write of whatever it was doing
		_ = cmd.Wait()
		for _, id := range lines {
			begun[id] = true
		}
		recs, err := Open(path, nil).List()
		if err != nil {
			t.Fatalf("round %d: the journal does not read after the kill: %v", round, err)
		}
		have := map[string]bool{}
		for _, r := range recs {
			have[r.ID] = true
			if r.Status == Pending {
				t.Errorf("round %d: %s reads pending after its process died", round, r.ID)
			}
		}
		for id := range begun {
			if !have[id] {
				t.Fatalf("round %d: begun attempt %s is lost (%d records)", round, id, len(recs))
			}
		}
		if aside, _ := filepath.Glob(path + ".damaged*"); len(aside) > 0 {
			t.Fatalf("round %d: the journal was damaged: %v", round, aside)
		}
	}
	t.Logf("%d attempts begun over 5 kills, none lost", len(begun))
}

// TestAnotherProcessesChangesAreSeen: two journals on one file (the wizard
// and the command line) each see what the other wrote, though each keeps
// the file it last read in memory.
func TestAnotherProcessesChangesAreSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	gui, cli := Open(path, nil), Open(path, nil)
	for i := range 5 {
		for _, j := range []*Journal{gui, cli} {
			r := Record{Operation: "create", ProfileID: fmt.Sprint("bank-", i), Status: NotSent}
			if err := j.Complete(&r); err != nil {
				t.Fatal(err)
			}
		}
		for _, j := range []*Journal{gui, cli} {
			recs, err := j.List()
			if err != nil || len(recs) != 2*(i+1) {
				t.Fatalf("after round %d a journal lists %d records (%v)", i, len(recs), err)
			}
		}
	}
}

// A new snapshot encodes only the records changed since the last: every
// other line of the file is kept byte for byte, even a field this version does not know
// (written by a newer wizard), and an id found twice (a file edited by
// hand) keeps both of its records.
func TestWritingOneRecordKeepsEveryOtherLineAsItWas(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		after func(t *testing.T, data string)
	}{
		{"a field from a newer wizard survives",
			`{"version":1,"records":[` + "\n" + `{"id":"a","operation":"create","status":"succeeded","started":"2026-11-01T10:00:00Z","from_a_newer_wizard":{"x":1}}` + "\n]}\n",
			func(t *testing.T, data string) {
				if !strings.Contains(data, `"from_a_newer_wizard":{"x":1}`) {
					t.Errorf("the newer field is gone:\n%s", data)
				}
			}},
		{"both records of a repeated id are kept",
			`{"version":1,"records":[` + "\n" + `{"id":"d","bank":"first","status":"succeeded","started":"2026-11-01T10:00:00Z"},` +
				"\n" + `{"id":"d","bank":"second","status":"succeeded","started":"2026-11-02T10:00:00Z"}` + "\n]}\n",
			func(t *testing.T, data string) {
				if !strings.Contains(data, `"bank":"first"`) || !strings.Contains(data, `"bank":"second"`) {
					t.Errorf("a record of the repeated id was lost:\n%s", data)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			j := Open(path, nil)
			// Two writes: the first reads the file, the second works
			// from what the first kept.
			// Two small writes (appended to the log), then one large
			// enough to make a new snapshot.
			for _, bank := range []string{"x", "y", "large"} {
				r := Record{Operation: "create", Bank: bank, Status: NotSent}
				if bank == "large" {
					r.Request = &Exchange{Body: strings.Repeat("b", compactAt)}
				}
				if err := j.Complete(&r); err != nil {
					t.Fatal(err)
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				tt.after(t, string(data))
			}
			if _, err := os.Stat(j.logPath); !os.IsNotExist(err) {
				t.Fatalf("no new snapshot was made: the log is still there (%v)", err)
			}
			recs, err := Open(path, nil).List()
			if err != nil || len(recs) != strings.Count(tt.file, `"id"`)+3 {
				t.Fatalf("read back %d records (%v)", len(recs), err)
			}
		})
	}
}

// The record a change touches is written anew: a pending record, then
// its outcome, read back by another journal on the same file.
func TestChangedRecordIsWrittenAnew(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	j := Open(path, nil)
	r := &Record{Operation: "create", Bank: "b"}
	if err := j.Begin(r); err != nil {
		t.Fatal(err)
	}
	r.Status, r.ClientID = Succeeded, "client-1"
	if err := j.Complete(r); err != nil {
		t.Fatal(err)
	}
	got, err := Open(path, nil).Get(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != Succeeded || got.ClientID != "client-1" || got.Owner != 0 {
		t.Errorf("read back %+v", got)
	}
}

// How the snapshot and the log hold up when a process stopped halfway:
// each case leaves the files as such a process would, then a journal
// reads them and writes one more record, and another journal reads all.
func TestJournalFilesLeftHalfwayReadWhole(t *testing.T) {
	rec := func(id, bank string) string {
		return `{"id":"` + id + `","bank":"` + bank + `","status":"succeeded","started":"2026-11-01T10:00:00Z"}`
	}
	main := `{"version":1,"records":[` + "\n" + rec("a", "first") + "\n]}\n"
	tests := []struct {
		name      string
		main, log string // "" when the file is not there
		want      []string
		damaged   bool
	}{
		{"only a log", "", rec("a", "first") + "\n", []string{"first", "new"}, false},
		{"a log changing a snapshot's record", main, rec("a", "changed") + "\n", []string{"changed", "new"}, false},
		{"killed mid-append: the partial line is not a record", main, rec("b", "second") + "\n" + `{"id":"c","bank":"hal`, []string{"first", "second", "new"}, false},
		{"killed between a new snapshot and removing the log", main, rec("a", "first") + "\n", []string{"first", "new"}, false},
		{"a whole log line that is not JSON", main, "not json\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			j := Open(path, clock(&t0))
			for file, data := range map[string]string{path: tt.main, j.logPath: tt.log} {
				if data != "" {
					if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			_, err := j.List()
			if tt.damaged {
				if err == nil || !strings.Contains(err.Error(), "damaged") {
					t.Fatalf("List = %v, want damaged", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if err := j.Complete(&Record{Bank: "new", Status: NotSent, Started: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if tt.damaged {
				for _, f := range []string{path, j.logPath} {
					if _, err := os.Stat(f + ".damaged-20261121T100000Z"); err != nil {
						t.Errorf("%s was not kept aside: %v", f, err)
					}
				}
				tt.want = []string{"new"}
			}
			recs, err := Open(path, nil).List()
			if err != nil {
				t.Fatal(err)
			}
			var banks []string
			for _, r := range recs {
				banks = append(banks, r.Bank)
			}
			slices.Sort(banks)
			slices.Sort(tt.want)
			if !slices.Equal(banks, tt.want) {
				t.Errorf("read back %v, want %v", banks, tt.want)
			}
		})
	}
}

// A change appends to the log; the snapshot is written again only once
// the log has grown past compactAt.
func TestChangesAppendUntilTheLogIsLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	j := Open(path, nil)
	body := strings.Repeat("x", 10<<10)
	var snapshots int
	var last os.FileInfo
	for i := range 60 {
		r := &Record{Bank: fmt.Sprint("bank-", i), Request: &Exchange{Body: body}}
		if err := j.Begin(r); err != nil {
			t.Fatal(err)
		}
		r.Status = Succeeded
		if err := j.Complete(r); err != nil {
			t.Fatal(err)
		}
		if info, err := os.Stat(path); err == nil && (last == nil || !os.SameFile(info, last)) {
			snapshots, last = snapshots+1, info
		}
	}
	// 120 changes of about 10 KiB: the log reaches 256 KiB every 12 or
	// so records, so a handful of snapshots, not 120.
	if snapshots < 2 || snapshots > 10 {
		t.Errorf("%d snapshots written for 120 changes", snapshots)
	}
	recs, err := Open(path, nil).List()
	if err != nil || len(recs) != 60 {
		t.Fatalf("read back %d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.Status != Succeeded || r.Request == nil || len(r.Request.Body) != len(body) {
			t.Fatalf("record %s read back as %s", r.Bank, r.Status)
		}
	}
}
