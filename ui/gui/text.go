package gui

import (
	"strings"
	"unicode/utf8"
)

// monoWidth is how many characters a line of monospace text is cut at.
const monoWidth = 96

// hardWrap cuts lines longer than width into lines of width runes. Long
// unbroken runs (a JWT, a certificate) are what a monospace label spends
// its time on when it wraps them itself, on every layout; cut once, the
// label lays out line by line.
func hardWrap(s string, width int) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		for utf8.RuneCountInString(line) > width {
			cut := 0
			for n := 0; n < width; n++ {
				_, size := utf8.DecodeRuneInString(line[cut:])
				cut += size
			}
			b.WriteString(line[:cut])
			b.WriteByte('\n')
			line = line[cut:]
		}
		b.WriteString(line)
	}
	return b.String()
}
