package text

import (
	"encoding/json"
	"errors"
	"io/fs"
	"testing"
)

// upper is a translator that marks what it translated.
func upper(format string) string { return "<" + format + ">" }

func TestMessagesRenderInEnglishAndThroughATranslator(t *testing.T) {
	inner := Errorf("file %s: %w", "a.pem", fs.ErrNotExist)
	tests := []struct {
		name          string
		got           Localizer
		english, with string
	}{
		{"plain", F("Next"), "Next", "<Next>"},
		{"arguments", F("%d of %s", 2, "x"), "2 of x", "<2 of x>"},
		{"nested message", F("say %s", F("hi")), "say hi", "<say <hi>>"},
		{"wrapped text error", Errorf("load: %w", inner).(*Error), "load: file a.pem: file does not exist", "<load: <file a.pem: file does not exist>>"},
		{"percent in a record's text", func() Message { var m Message; _ = m.UnmarshalText([]byte("100% sure")); return m }(), "100% sure", "<100% sure>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got.In(English); got != tt.english {
				t.Errorf("English: got %q, want %q", got, tt.english)
			}
			if got := tt.got.In(upper); got != tt.with {
				t.Errorf("translated: got %q, want %q", got, tt.with)
			}
		})
	}
}

func TestErrorfWrapsLikeFmt(t *testing.T) {
	err := Errorf("reading %s: %w", "x", fs.ErrPermission)
	if !errors.Is(err, fs.ErrPermission) {
		t.Error("errors.Is does not see the wrapped error")
	}
	if got, want := err.Error(), "reading x: permission denied"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if errors.Is(New("alone"), fs.ErrPermission) {
		t.Error("New wraps nothing")
	}
	sentinel := New("blocked")
	if !errors.Is(Errorf("%w: more", sentinel), sentinel) {
		t.Error("a sentinel made with New is found through Errorf")
	}
}

func TestMessageIsWrittenInEnglishInJSON(t *testing.T) {
	data, err := json.Marshal(struct{ M Message }{F("expires in %d days", 20)})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"M":"expires in 20 days"}` {
		t.Errorf("got %s", data)
	}
	var back struct{ M Message }
	if err := json.Unmarshal(data, &back); err != nil || back.M.String() != "expires in 20 days" {
		t.Errorf("read back %q, %v", back.M.String(), err)
	}
}
