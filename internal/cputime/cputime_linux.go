//go:build linux

package cputime

import "time"

// rusageThread is Linux's RUSAGE_THREAD, which package syscall does not
// name.
const rusageThread = 1

// Thread returns the CPU time (user + system) the calling OS thread used
// so far; pin the goroutine with runtime.LockOSThread around a
// measurement.
func Thread() time.Duration { return usage(rusageThread) }
