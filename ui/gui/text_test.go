package gui

import "testing"

func TestHardWrapCutsOnlyLongLines(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ab\ncd", "ab\ncd"},
		{"abcdefgh", "abc\ndef\ngh"},
		{"abc", "abc"},
		{"ééééé\nxy", "ééé\néé\nxy"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := hardWrap(tt.in, 3); got != tt.want {
			t.Errorf("hardWrap(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
