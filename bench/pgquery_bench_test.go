//go:build pgquery

package bench

import (
	"testing"

	sqllexer "github.com/DataDog/go-sqllexer"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/approvedsql/approvedsql/internal/cputime"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// pgq200 is the ~200-byte query of sqlnorm's own BenchmarkNormalize.
const pgq200 = `SELECT u.id, u.name, u.email, o.total FROM users AS u ` +
	`JOIN orders AS o ON o.user_id = u.id WHERE u.status = 'active' AND o.total > 100.50 ` +
	`AND o.created_at >= $1 ORDER BY o.created_at DESC LIMIT 20`

// BenchmarkNormalizers compares, on one ~200-byte query, a cold
// sqlnorm.Normalize with DataDog/go-sqllexer's ObfuscateAndNormalize and
// with pg_query's Parse and Fingerprint (PostgreSQL's own parser, through
// cgo). Build tag pgquery:
//
//	go test -tags pgquery -run '^$' -bench Normalizers -benchmem ./bench/
func BenchmarkNormalizers(b *testing.B) {
	o := sqlnorm.Options{Dialect: sqlnorm.Postgres}
	obf := sqllexer.NewObfuscator()
	norm := sqllexer.NewNormalizer(sqllexer.WithCollectTables(true), sqllexer.WithCollectCommands(true))
	cases := []struct {
		name string
		f    func() error
	}{
		{"sqlnorm-cold", func() error { _, err := sqlnorm.Normalize(o, pgq200); return err }},
		{"go-sqllexer", func() error {
			_, _, err := sqllexer.ObfuscateAndNormalize(pgq200, obf, norm, sqllexer.WithDBMS(sqllexer.DBMSPostgres))
			return err
		}},
		{"pg_query-parse", func() error { _, err := pg_query.Parse(pgq200); return err }},
		{"pg_query-fingerprint", func() error { _, err := pg_query.Fingerprint(pgq200); return err }},
	}
	for _, c := range cases {
		b.Run("200B/"+c.name, func(b *testing.B) {
			if err := c.f(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(pgq200)))
			cpu := cputime.StartProcess()
			for b.Loop() {
				if err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
			cpu.Report(b)
		})
	}
}
