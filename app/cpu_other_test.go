//go:build !unix

package app_test

import "time"

// cpuTime cannot be read here; the benchmark reports no CPU floor.
func cpuTime() time.Duration { return 0 }
