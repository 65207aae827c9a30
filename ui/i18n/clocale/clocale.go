// Package clocale writes a C or POSIX locale with a character set
// (C.UTF-8, the default of many containers, servers and CI machines) as
// plain C, for this process, before Fyne reads it.
//
// Fyne's lang package looks the locale up in its own init: it takes plain
// C as "no language" (English) but reads "C.UTF-8" as a language named
// "C" and logs "Error parsing user locale C" on every start, in the
// wizard and in every command of the command line. The fix must run
// before that init, so it is an init here, in a package that needs only
// os and strings: Go initialises, at each step, the first package by
// import path whose imports are all initialised, and this one is ready
// (and sorts first) before any golang.org/x/text package Fyne's lang
// needs. TestCLocaleStartsQuietly in ui/i18n proves the order holds.
package clocale

import (
	"os"
	"strings"
)

func init() { Plain() }

// Plain rewrites the locale variable that counts (the first of LC_ALL,
// LC_MESSAGES and LANG that is set) from C.x or POSIX.x to C or POSIX.
// Other locales are left as they are.
func Plain() {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if base, _, _ := strings.Cut(v, "."); base == "C" || base == "POSIX" {
			os.Setenv(name, base)
		}
		return
	}
}
