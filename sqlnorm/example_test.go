package sqlnorm_test

import (
	"errors"
	"fmt"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

func ExampleNormalize() {
	opts := sqlnorm.Options{Dialect: sqlnorm.Postgres}
	st, err := sqlnorm.Normalize(opts, "select * from Accounts where id in (1, 2, 3) -- lookup")
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Text)
	fmt.Println(st.Command, st.ReadOnly, st.Tables, st.Literals)
	// Output:
	// SELECT * FROM accounts WHERE id IN ($0)
	// SELECT true [accounts] [1 2 3]
}

func ExampleNormalize_rejected() {
	opts := sqlnorm.Options{Dialect: sqlnorm.Postgres}
	_, err := sqlnorm.Normalize(opts, "SELECT * FROM orders WHERE id = 1 -- c\r; DROP TABLE users")
	var e *sqlnorm.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind, e.Offset, errors.Is(err, sqlnorm.ErrRejected))
	}
	// Output:
	// multiple-statements 41 true
}

func ExampleOptions_Set() {
	opts := sqlnorm.Options{Dialect: sqlnorm.MySQL}
	if err := opts.Set("sql_mode", "ANSI,NO_BACKSLASH_ESCAPES"); err != nil {
		panic(err)
	}
	fmt.Println(opts.ANSIQuotes, opts.NoBackslashEscapes)
	fmt.Println(opts.Set("character_set_client", "gbk") != nil)
	// Output:
	// true true
	// true
}

func ExampleSplit() {
	opts := sqlnorm.Options{Dialect: sqlnorm.SQLite}
	sts, err := sqlnorm.Split(opts, "SELECT a FROM t WHERE b = :b; DELETE FROM t")
	if err != nil {
		panic(err)
	}
	for _, st := range sts {
		fmt.Println(st.Command, st.ReadOnly, st.Text)
	}
	// Output:
	// SELECT true SELECT a FROM t WHERE b = ?
	// DELETE false DELETE FROM t
}

func ExampleCache() {
	cache := sqlnorm.NewCache(10000, 16<<20)
	opts := sqlnorm.Options{Dialect: sqlnorm.Postgres}
	a, _ := cache.Normalize(opts, "SELECT 1")
	b, _ := cache.Normalize(opts, "SELECT 1")
	fmt.Println(a == b, a.Fingerprint == b.Fingerprint)
	// Output:
	// true true
}
