package postgres

import (
	"context"
	"errors"
	"fmt"

	sqldriver "database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
	"github.com/approvedsql/approvedsql/driver/internal/lazygate"
	"github.com/approvedsql/approvedsql/driver/internal/pgsession"
	"github.com/approvedsql/approvedsql/driver/internal/pgxscan"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// DriverName is the name this package registers with database/sql.
const DriverName = "approved-postgres"

var gates lazygate.Source

// SetGate makes g the Gate of the "approved-postgres" driver and of
// connectors built with [Options]; nil returns to the policy named by
// APPROVEDSQL_POLICY.
func SetGate(g *approval.Gate) { gates.Set(g) }

// Options returns the options of the registration: the Gate set with
// [SetGate] (or loaded from APPROVEDSQL_POLICY), the PostgreSQL dialect,
// pgx's argument options understood, and the session checks. Use them with
// [driver.NewConnector] over a pgx connector (stdlib.GetConnector) built
// from a pgx.ConnConfig; append further options (such as
// [driver.WithUnwrap]) as needed.
func Options() []driver.Option {
	return []driver.Option{
		driver.WithGateFunc(gates.Gate),
		driver.WithDialect(sqlnorm.Postgres),
		driver.WithRewriter(driver.RewriterFunc(rewrite)),
		driver.WithConnectCheck(func(ctx context.Context, inner sqldriver.Conn) error { return checkSession(inner) }),
		driver.WithCallCheck(checkSession),
	}
}

func init() {
	if err := driver.Register(DriverName, stdlib.GetDefaultDriver(), nil, Options()...); err != nil {
		panic(err)
	}
}

// checkSession reads the settings the server reported on this connection
// (no round trip: PostgreSQL reports them at connect and after each
// statement that changes them).
func checkSession(inner sqldriver.Conn) error {
	c, ok := inner.(*stdlib.Conn)
	if !ok {
		return fmt.Errorf("postgres: inner connection is %T, not a pgx stdlib connection", inner)
	}
	pc := c.Conn().PgConn()
	return pgsession.Check(pc.ParameterStatus("standard_conforming_strings"), pc.ParameterStatus("client_encoding"),
		pgsession.NonStandard(gates.Gate()))
}

// rewrite recognises pgx's leading argument options: QueryExecMode is passed
// to pgx and not shown to the Gate as an argument; result formats are
// refused (pgx's Exec would run them as a parameter, its Query take them as
// an option);
// NamedArgs and StrictNamedArgs are applied here, so that the Gate decides
// the very text and arguments pgx runs; any other QueryRewriter is refused,
// since the text it would run cannot be known.
func rewrite(ctx context.Context, query string, args []sqldriver.NamedValue) (driver.Call, error) {
	n := 0
	var rw pgx.QueryRewriter
	rwAt := -1
loop:
	for ; n < len(args); n++ {
		switch v := args[n].Value.(type) {
		case pgx.QueryExecMode:
		case pgx.QueryResultFormats, pgx.QueryResultFormatsByOID:
			// pgx's Query takes these as options, its Exec as ordinary
			// arguments; which of the two runs is not known here, so the
			// arguments the Gate sees could be shifted from those that run.
			return driver.Call{}, fmt.Errorf("postgres: %T arguments are not supported (Exec passes them as a parameter, Query as an option)", v)
		case pgx.NamedArgs, pgx.StrictNamedArgs:
			if rw != nil {
				return driver.Call{}, fmt.Errorf("postgres: more than one query rewriter")
			}
			rw, rwAt = v.(pgx.QueryRewriter), n
		case pgx.QueryRewriter:
			return driver.Call{}, fmt.Errorf("postgres: query rewriter %T is not supported: the text it runs cannot be approved", v)
		default:
			break loop
		}
	}
	if n == 0 {
		if len(args) > 0 && pgxscan.Misreads(query) {
			return driver.Call{}, errMisread
		}
		return driver.Call{Query: query, Args: args}, nil
	}
	call := driver.Call{Query: query, Args: args[n:]}
	for i := 0; i < n; i++ {
		if i != rwAt {
			call.Options = append(call.Options, args[i])
		}
	}
	if rw == nil {
		if len(call.Args) > 0 && pgxscan.Misreads(query) {
			return driver.Call{}, errMisread
		}
		return call, nil
	}
	rest := make([]any, len(call.Args))
	for i, a := range call.Args {
		rest[i] = a.Value
	}
	sql, newArgs, err := rw.RewriteQuery(ctx, nil, query, rest)
	if err != nil {
		return driver.Call{}, fmt.Errorf("postgres: %w", err)
	}
	if len(newArgs) > 0 {
		switch v := newArgs[0].(type) {
		case pgx.QueryExecMode, pgx.QueryRewriter, pgx.QueryResultFormats, pgx.QueryResultFormatsByOID:
			// pgx would take the first rewritten argument for an option.
			return driver.Call{}, fmt.Errorf("postgres: named argument of type %T would be taken by pgx as an option", v)
		}
	}
	if len(newArgs) > 0 && pgxscan.Misreads(sql) {
		return driver.Call{}, errMisread
	}
	call.Query = sql
	call.Args = make([]sqldriver.NamedValue, len(newArgs))
	for i, v := range newArgs {
		call.Args[i] = sqldriver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return call, nil
}

var errMisread = errors.New("postgres: pgx's simple protocol would read this text differently from PostgreSQL " +
	"(an E'…' string, $tag$ quote or $n placeholder directly after an identifier character) and could place an argument outside its literal")
