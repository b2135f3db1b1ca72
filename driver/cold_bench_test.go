package driver

import (
	"database/sql"
	"testing"
	"time"
)

// BenchmarkExecContextCold is BenchmarkExecContext with 1 MB of memory
// walked between calls, the way a round trip to a server (the kernel's
// network path, the driver, other goroutines) leaves the CPU caches: each
// call starts with little of its code and data cached. ns/op is mostly the
// walk; call-ns/op is the call alone, timed around it (clock-only is the
// timing's own cost). Compare with the hot loop of BenchmarkExecContext:
// the difference is what a real server's workload sees.
func BenchmarkExecContextCold(b *testing.B) {
	ctx := benchKeyCtx()
	junk := make([]byte, 1<<20)
	variants := append(execVariantsNamed("raw", "approved", "approved+audit"), execVariant{name: "clock-only"})
	for _, tc := range variants {
		b.Run(tc.name, func(b *testing.B) {
			var db *sql.DB
			if tc.open != nil {
				db = tc.open(b)
				defer db.Close()
			}
			var spent time.Duration
			for b.Loop() {
				for i := 0; i < len(junk); i += 64 {
					junk[i]++
				}
				t0 := time.Now()
				if db != nil {
					if _, err := db.ExecContext(ctx, benchSQL, 42); err != nil {
						b.Fatal(err)
					}
				}
				spent += time.Since(t0)
			}
			b.ReportMetric(float64(spent.Nanoseconds())/float64(b.N), "call-ns/op")
		})
	}
}
