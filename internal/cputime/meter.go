package cputime

import (
	"testing"
	"time"
)

// Meter measures a benchmark's CPU time per operation.
type Meter struct {
	read  func() time.Duration
	start time.Duration
}

// StartProcess starts measuring the process's CPU time (for the real
// PostgreSQL benchmarks, the client's only: the server is another
// process). Call it right after b.ResetTimer.
func StartProcess() Meter { return Meter{read: Process, start: Process()} }

// StartThread starts measuring the calling OS thread's CPU time: lock the
// goroutine to its thread (runtime.LockOSThread) for the measurement.
func StartThread() Meter { return Meter{read: Thread, start: Thread()} }

// Report adds the "cpu-ns/op" metric to b, unless the platform does not
// measure it.
func (m Meter) Report(b *testing.B) {
	if m.read == nil || m.start == 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(m.read()-m.start)/float64(b.N), "cpu-ns/op")
}
