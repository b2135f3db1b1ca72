package sqlnorm

import (
	"strconv"
	"strings"
	"testing"
)

// Private development benchmarks (the published ones live in bench_test.go).

const devQuery200 = `SELECT u.id, u.name, u.email, o.total FROM users AS u JOIN orders AS o ` +
	`ON o.user_id = u.id WHERE u.status = 'active' AND o.total > 100.50 ` +
	`AND o.created_at >= $1 ORDER BY o.created_at DESC LIMIT 20`

func devQuery2K() string {
	var b strings.Builder
	b.WriteString("/* report */ WITH r AS (SELECT o.id, o.user_id, o.total FROM sales.orders o WHERE o.region IN (")
	for i := 0; i < 60; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteString(")) SELECT u.id, u.email, lower(u.country) AS c, sum(r.total) AS revenue, ")
	for b.Len() < 1900 {
		b.WriteString("CASE WHEN r.total > 1000 THEN 'gold' ELSE 'bronze' END AS tier, coalesce(p.name, u.name, 'x') AS n, ")
	}
	b.WriteString("1 FROM r JOIN users u ON u.id = r.user_id LEFT JOIN profiles p ON p.user_id = u.id GROUP BY u.id ORDER BY 4 DESC LIMIT 100")
	return b.String()
}

func BenchmarkDevNormalize200(b *testing.B) {
	Unpoisoned(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(devQuery200)))
	for b.Loop() {
		if _, err := Normalize(pg, devQuery200); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDevNormalize2K(b *testing.B) {
	Unpoisoned(b)
	q := devQuery2K()
	b.ReportAllocs()
	b.SetBytes(int64(len(q)))
	for b.Loop() {
		if _, err := Normalize(pg, q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDevCacheHit(b *testing.B) {
	Unpoisoned(b)
	c := NewCache(1000, 1<<24)
	_, _ = c.Normalize(pg, devQuery200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Normalize(pg, devQuery200); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDevCacheHitParallel(b *testing.B) {
	Unpoisoned(b)
	c := NewCache(1000, 1<<24)
	_, _ = c.Normalize(pg, devQuery200)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = c.Normalize(pg, devQuery200)
		}
	})
}
