//go:build unix

package app_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used so far, every thread
// (the wizard's and the in-process sandbox bank's alike).
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
