package driver

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// BenchmarkExecContextCold is BenchmarkExecContext with 1 MB of memory
// walked between calls, the way a round trip to a server (the kernel's
// network path, the driver, other goroutines) leaves the CPU caches: each
// call starts with little of its code and data cached. ns/op is mostly the
// walk; call-ns/op is the call alone, timed around it (clock-only is the
// timing's own cost). Compare with the hot loop of BenchmarkExecContext:
// the difference is what a real server's workload sees.
func BenchmarkExecContextCold(b *testing.B) {
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
	junk := make([]byte, 1<<20)
	for _, tc := range []struct {
		name string
		open func(b *testing.B) *sql.DB
	}{
		{"raw", func(b *testing.B) *sql.DB { return sql.OpenDB(benchConnector{benchDriver{}}) }},
		{"approved", func(b *testing.B) *sql.DB {
			return sql.OpenDB(NewConnector(benchConnector{benchDriver{}}, benchGate(b, false)))
		}},
		{"approved+audit", func(b *testing.B) *sql.DB {
			return sql.OpenDB(NewConnector(benchConnector{benchDriver{}}, benchGate(b, true)))
		}},
		{"clock-only", nil},
	} {
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
