package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/internal/cputime"
)

// fewCommands are the commands the generated rules are spread over; a
// SELECT can match only the rules written for SELECT.
var fewCommands = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "CALL", "TRUNCATE", "CREATE", "ALTER", "DROP", "GRANT"}

// fewPolicy has n rules: a deny rule on secret tables that applies to
// every command, then allow rules spread over fewCommands and over tables;
// the benchmark's statement (a SELECT of orders, role app) is allowed by
// the last SELECT rule, so every SELECT rule runs but rules for other
// commands need not.
func fewPolicy(tb testing.TB, n int) *approval.Policy {
	var b strings.Builder
	b.WriteString("version: few\ndialect: postgres\nconstants:\n  secret_tables: [secrets, keys]\nrules:\n")
	b.WriteString("  - name: no-secrets\n    effect: deny\n    when: query.tables.exists(t, t in secret_tables)\n")
	last := 0
	for i := 1; i < n; i++ {
		if fewCommands[(i-1)%len(fewCommands)] == "SELECT" {
			last = i
		}
	}
	if n > 1 && last == 0 {
		tb.Fatalf("no SELECT rule among %d", n)
	}
	for i := 1; i < n; i++ {
		table, role := fmt.Sprintf("t%d", i), fmt.Sprintf("role%d", i)
		if i == last {
			table, role = "orders", "app"
		}
		fmt.Fprintf(&b, "  - name: r%d\n    effect: allow\n    when: query.command == %q && query.tables.all(t, t == %q) && key.role == %q && key.expires_at > now\n",
			i, fewCommands[(i-1)%len(fewCommands)], table, role)
	}
	if n == 1 {
		b.Reset()
		b.WriteString("version: few\ndialect: postgres\nrules:\n  - name: r\n    effect: allow\n    when: query.command == \"SELECT\" && query.tables.all(t, t == \"orders\") && key.role == \"app\" && key.expires_at > now\n")
	}
	p, err := approval.ParsePolicy([]byte(b.String()), "few.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	if len(p.Rules()) != n {
		tb.Fatalf("policy has %d rules, want %d", len(p.Rules()), n)
	}
	return p
}

const fewSQL = "SELECT id, total FROM orders WHERE customer_id = $1"

// BenchmarkDecideFew: Gate.Decide through the Gate's statement cache, a
// key in the context, 1, 10 and 100 rules of which only the SELECT rules
// (1, 1 and 9, plus the deny rule) can match; serial and parallel.
func BenchmarkDecideFew(b *testing.B) {
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(24 * time.Hour)})
	req := approval.Request{SQL: fewSQL, Args: []approval.Arg{{Ordinal: 1, Value: int64(42)}}}
	for _, mode := range []string{"serial", "parallel"} {
		for _, n := range []int{1, 10, 100} {
			b.Run(fmt.Sprintf("%s/rules=%d", mode, n), func(b *testing.B) {
				g, err := approval.NewGate(fewPolicy(b, n))
				if err != nil {
					b.Fatal(err)
				}
				if d := g.Decide(ctx, req); !d.Allowed() || d.Rule == "" {
					b.Fatalf("not allowed: %v", d.Err)
				}
				deny := approval.Request{SQL: "SELECT * FROM secrets"}
				if d := g.Decide(ctx, deny); d.Allowed() {
					b.Fatal("secrets allowed")
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cputime.StartProcess()
				defer cpu.Report(b)
				if mode == "serial" {
					for b.Loop() {
						if d := g.Decide(ctx, req); d.Effect != approval.Allow {
							b.Fatal(d.Err)
						}
					}
					return
				}
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if d := g.Decide(ctx, req); d.Effect != approval.Allow {
							b.Error(d.Err)
							return
						}
					}
				})
			})
		}
	}
}
