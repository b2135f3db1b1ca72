package approval

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/internal/cputime"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// benchPolicy has n rules: one deny rule for every command, then allow
// rules spread over SELECT, INSERT, UPDATE and DELETE; the call matches
// the last SELECT rule, so every SELECT rule is evaluated.
func benchPolicy(tb testing.TB, n int) *Policy {
	var b strings.Builder
	b.WriteString("version: bench\ndialect: postgres\nconstants:\n  secret_tables: [secrets, keys]\nrules:\n")
	b.WriteString("  - name: no-secrets\n    effect: deny\n    when: query.tables.exists(t, t in secret_tables)\n")
	cmds := []string{"SELECT", "INSERT", "UPDATE", "DELETE"}
	last := 0
	for i := 1; i < n; i++ {
		if cmds[i%4] == "SELECT" {
			last = i
		}
	}
	for i := 1; i < n; i++ {
		role := fmt.Sprintf("role%d", i)
		if i == last {
			role = "app"
		}
		fmt.Fprintf(&b, "  - name: r%d\n    effect: allow\n    when: query.command == %q && key.role == %q && key.expires_at > now\n", i, cmds[i%4], role)
	}
	if n == 1 {
		b.Reset()
		b.WriteString("version: bench\ndialect: postgres\nrules:\n  - name: r\n    effect: allow\n    when: query.command == \"SELECT\" && key.role == \"app\"\n")
	}
	return mustPolicy(tb, b.String())
}

const benchSQL = "SELECT id, total FROM orders WHERE customer_id = $1"

func benchRequest(tb testing.TB, g *Gate, viaCache bool) Request {
	if !viaCache {
		return Request{Statement: stmt("SELECT", true, "orders"), Args: []Arg{{Ordinal: 1, Value: int64(42)}}}
	}
	if _, err := sqlnorm.Normalize(g.Policy().Options(), benchSQL); err != nil {
		tb.Skipf("lexer unavailable: %v", err)
	}
	return Request{SQL: benchSQL, Args: []Arg{{Ordinal: 1, Value: int64(42)}}}
}

// benchDecideLoop checks that req is allowed in ctx, then times Decide on
// it, reporting allocations and process CPU per call.
func benchDecideLoop(b *testing.B, g *Gate, ctx context.Context, req Request) {
	b.Helper()
	if d := g.Decide(ctx, req); !d.Allowed() {
		b.Fatalf("not allowed: %v", d.Err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.StartProcess()
	for b.Loop() {
		if d := g.Decide(ctx, req); d.Effect != Allow {
			b.Fatal(d.Err)
		}
	}
	cpu.Report(b)
}

// BenchmarkDecide: a cached statement, a key in the context, n rules.
// "stmt" hands the Gate a normalised statement; "sql" goes through the
// Gate's statement cache.
func BenchmarkDecide(b *testing.B) {
	for _, path := range []string{"stmt", "sql"} {
		for _, n := range []int{1, 10, 100} {
			b.Run(fmt.Sprintf("%s/rules=%d", path, n), func(b *testing.B) {
				g := mustGate(b, benchPolicy(b, n))
				req := benchRequest(b, g, path == "sql")
				ctx := WithKey(context.Background(), Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
				benchDecideLoop(b, g, ctx, req)
			})
		}
	}
}

// BenchmarkDecideToken: as BenchmarkDecide with 10 rules, the key coming
// from a signed token (verified once, then cached).
func BenchmarkDecideToken(b *testing.B) {
	r := mustKeyring(b)
	tok := mustIssue(b, r, TokenSpec{ID: "k", Role: "app", TTL: time.Hour, IssuedAt: time.Now()})
	g := mustGate(b, benchPolicy(b, 10), WithKeyring(r))
	req := benchRequest(b, g, false)
	ctx := WithToken(context.Background(), tok)
	benchDecideLoop(b, g, ctx, req)
}

// deepCtxKey keys the unrelated values of BenchmarkDecideDeepContext.
type deepCtxKey int

// BenchmarkDecideDeepContext: as BenchmarkDecide (sql, 10 rules), with the
// key set under 8 unrelated context values and 8 more set after it, as a
// server's request context and middleware leave them: finding the key,
// token and source walks that chain.
func BenchmarkDecideDeepContext(b *testing.B) {
	g := mustGate(b, benchPolicy(b, 10))
	req := benchRequest(b, g, true)
	ctx := context.Background()
	for i := range 8 {
		ctx = context.WithValue(ctx, deepCtxKey(i), i)
	}
	ctx = WithKey(ctx, Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
	for i := 8; i < 16; i++ {
		ctx = context.WithValue(ctx, deepCtxKey(i), i)
	}
	benchDecideLoop(b, g, ctx, req)
}

// BenchmarkDecideParallel: 10 rules, all goroutines deciding at once.
func BenchmarkDecideParallel(b *testing.B) {
	for _, path := range []string{"stmt", "sql"} {
		b.Run(path, func(b *testing.B) {
			g := mustGate(b, benchPolicy(b, 10))
			req := benchRequest(b, g, path == "sql")
			ctx := WithKey(context.Background(), Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if d := g.Decide(ctx, req); d.Effect != Allow {
						b.Error(d.Err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkVerifyToken: one uncached Ed25519 verification.
func BenchmarkVerifyToken(b *testing.B) {
	r := mustKeyring(b)
	tok := mustIssue(b, r, TokenSpec{ID: "k", Role: "app", TTL: time.Hour})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePolicy(b *testing.B) {
	src := []byte(semanticsPolicy)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePolicy(src, "b.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
