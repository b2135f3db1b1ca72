package driver

import "syscall"

// threadCPU returns the CPU time consumed by the calling OS thread, in
// nanoseconds: unlike wall time it does not grow while the thread waits
// for a CPU on a loaded machine.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
