package bench

import (
	"testing"
	"time"
)

// cpuMeter reports the process CPU time per operation ("cpu-ns/op") of a
// benchmark, beside the wall time. On a shared, loaded machine it is closer
// to the cost of the code than wall time; for the real-PostgreSQL
// benchmarks it is the client's CPU only (the server is another process).
type cpuMeter struct{ start time.Duration }

// startCPU starts measuring; call it right after b.ResetTimer.
func startCPU() cpuMeter { return cpuMeter{start: processCPU()} }

// report adds the metric, unless the platform does not measure it.
func (m cpuMeter) report(b *testing.B) {
	if m.start == 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(processCPU()-m.start)/float64(b.N), "cpu-ns/op")
}
