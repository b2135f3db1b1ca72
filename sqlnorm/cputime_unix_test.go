//go:build unix

package sqlnorm_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process used so
// far. The benchmarks report it per operation beside wall time, because
// the development machine is shared: wall time there includes waiting for
// other processes, CPU time does not.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
