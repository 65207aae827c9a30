package keystore

import (
	"errors"
	"strings"
	"testing"
)

func TestChunkedRoundTripsValuesOfEverySize(t *testing.T) {
	tests := []struct {
		name  string
		value string
	}{
		{"empty", ""},
		{"small", "secret"},
		{"exactly one chunk", strings.Repeat("a", 100)},
		{"one byte over", strings.Repeat("b", 101)},
		{"many chunks", strings.Repeat("0123456789", 95)},
		{"multi-byte characters across a cut", strings.Repeat("é€😀", 60)},
		{"looks like a manifest", manifestPrefix + "abc:1:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := &Memory{MaxValue: 100}
			c := &Chunked{Store: mem, Size: 100}
			if err := c.Set("k", tt.value); err != nil {
				t.Fatal(err)
			}
			got, err := c.Get("k")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.value {
				t.Fatalf("got %q, want %q", got, tt.value)
			}
		})
	}
}

func TestChunkedReplacingAValueRemovesOldParts(t *testing.T) {
	mem := NewMemory()
	c := &Chunked{Store: mem, Size: 10}
	if err := c.Set("k", strings.Repeat("x", 55)); err != nil {
		t.Fatal(err)
	}
	if n := len(mem.Keys()); n != 7 {
		t.Fatalf("after a 55-byte value in 10-byte parts: %d keys, want 7 (manifest + 6 parts)", n)
	}
	if err := c.Set("k", "short"); err != nil {
		t.Fatal(err)
	}
	if keys := mem.Keys(); len(keys) != 1 {
		t.Fatalf("old parts left behind: %v", keys)
	}
	if err := c.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if keys := mem.Keys(); len(keys) != 0 {
		t.Fatalf("delete left %v", keys)
	}
}

func TestChunkedDetectsDamagedAndMissingParts(t *testing.T) {
	mem := NewMemory()
	c := &Chunked{Store: mem, Size: 10}
	if err := c.Set("k", strings.Repeat("y", 30)); err != nil {
		t.Fatal(err)
	}
	manifest, _ := mem.Get("k")
	m, _ := parseManifest(manifest)

	_ = mem.Set(partKey("k", m.gen, 1), "tampered!!")
	if _, err := c.Get("k"); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("tampered part: err = %v", err)
	}
	_ = mem.Delete(partKey("k", m.gen, 2))
	if _, err := c.Get("k"); err == nil || !strings.Contains(err.Error(), "part 3 of 3") {
		t.Errorf("missing part: err = %v", err)
	}
}

func TestChunkedFailedWriteKeepsTheOldValue(t *testing.T) {
	mem := NewMemory()
	c := &Chunked{Store: mem, Size: 10}
	if err := c.Set("k", "old value"); err != nil {
		t.Fatal(err)
	}
	// A store that refuses everything larger than 5 bytes fails mid-way.
	mem.MaxValue = 5
	if err := c.Set("k", strings.Repeat("z", 40)); !errors.Is(err, ErrTooBig) {
		t.Fatalf("err = %v, want ErrTooBig", err)
	}
	mem.MaxValue = 0
	got, err := c.Get("k")
	if err != nil || got != "old value" {
		t.Fatalf("got %q, %v; want the old value kept", got, err)
	}
	if keys := mem.Keys(); len(keys) != 1 {
		t.Fatalf("partial parts left behind: %v", keys)
	}
}

func TestMemoryNotFound(t *testing.T) {
	if _, err := NewMemory().Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

func TestProbeReportsUnavailableKeyring(t *testing.T) {
	broken := &Memory{MaxValue: 1}
	err := Probe(broken)
	var unavailable *UnavailableError
	if !errors.As(err, &unavailable) {
		t.Fatalf("err = %v, want *UnavailableError", err)
	}
	if !strings.Contains(err.Error(), "for this session only") {
		t.Errorf("message does not tell the user what to do: %v", err)
	}
	if err := Probe(NewMemory()); err != nil {
		t.Fatalf("working store: %v", err)
	}
}
