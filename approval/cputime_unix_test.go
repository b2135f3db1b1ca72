//go:build unix

package approval

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process used so
// far. Benchmarks report it per operation beside wall time, because the
// development machine is shared: wall time there includes waiting for
// other processes, CPU time does not.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
