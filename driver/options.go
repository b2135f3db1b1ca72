package driver

import (
	"context"
	"errors"
	"fmt"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Option configures a wrapped driver or connector. An invalid option makes
// [Register] return an error; [Wrap] and [NewConnector] have no error
// result, so their drivers and connectors refuse every connection with it
// instead (fail closed).
type Option func(*config) error

// config is the immutable configuration shared by a driver, its connectors
// and all their connections.
type config struct {
	gate gateRef

	allowSettingChanges bool
	dialect             sqlnorm.Dialect
	unwrapAuditor       approval.Auditor
	rewriter            Rewriter
	connectCheck        func(ctx context.Context, inner sqldriver.Conn) error
	callCheck           func(inner sqldriver.Conn) error
	recheckAfterWrites  bool
	beginSQL            string

	err error // first invalid option; every connection is refused with it
}

func newConfig(g gateRef, opts []Option) *config {
	c := &config{gate: g, beginSQL: "BEGIN"}
	for _, o := range opts {
		if o == nil {
			c.err = errors.Join(c.err, errors.New("driver: nil option"))
			continue
		}
		if err := o(c); err != nil {
			c.err = errors.Join(c.err, err)
		}
	}
	return c
}

// AllowSessionSettingChanges lets statements through that change the
// session settings the lexer depends on (PostgreSQL standard_conforming_strings
// and client_encoding, including SET NAMES, RESET ALL and set_config of
// them; MySQL sql_mode, SET NAMES and the character_set_* variables), once
// the policy allowed them. Default: such statements are refused by the
// wrapper whatever the policy says, because the normaliser would from then
// on lex the session's text differently from the server.
func AllowSessionSettingChanges() Option {
	return func(c *config) error { c.allowSettingChanges = true; return nil }
}

// WithDialect makes the wrapper refuse any statement the Gate normalised for
// another dialect than d (a policy written for SQLite used on PostgreSQL).
// Default: the dialect is not checked.
func WithDialect(d sqlnorm.Dialect) Option {
	return func(c *config) error {
		switch d {
		case sqlnorm.Postgres, sqlnorm.MySQL, sqlnorm.SQLite:
			c.dialect = d
			return nil
		}
		return fmt.Errorf("driver: unknown dialect %q", d)
	}
}

// WithUnwrap enables [Unwrap]: code holding a wrapped connection (from
// sql.Conn.Raw) may then obtain the inner driver connection, for example to
// use pgx's CopyFrom. Everything done through the inner connection bypasses
// the Gate, so each unwrap is recorded through a (required) auditor first;
// if recording fails, the unwrap is refused. Default: Unwrap always fails
// with [ErrUnwrapDisabled].
func WithUnwrap(a approval.Auditor) Option {
	return func(c *config) error {
		if a == nil {
			return errors.New("driver: WithUnwrap needs an auditor")
		}
		c.unwrapAuditor = a
		return nil
	}
}

// WithGateFunc supplies the Gate lazily: f is called on each decision when
// no Gate was given to [Wrap], [NewConnector] or [Register]. A nil Gate from
// f denies with [approval.ErrNoPolicy]; an error from f denies with that
// error as the cause. f must be cheap and safe for concurrent use.
// Registrations use it to load a policy on first use.
func WithGateFunc(f func() (*approval.Gate, error)) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("driver: WithGateFunc needs a function")
		}
		c.gate.fn = f
		return nil
	}
}

// WithRewriter installs a [Rewriter] that separates driver-specific
// options carried as arguments (pgx's QueryExecMode) from the user's
// arguments before each decision. Default: every argument is a user
// argument.
func WithRewriter(r Rewriter) Option {
	return func(c *config) error {
		if r == nil {
			return errors.New("driver: WithRewriter needs a rewriter")
		}
		c.rewriter = r
		return nil
	}
}

// WithConnectCheck runs check on every new inner connection before it is
// used; an error closes the connection and fails the connect. The
// PostgreSQL registrations use it to verify that the session's settings
// match what the lexer assumes. check talks to the inner connection
// directly: what it runs is not gated.
func WithConnectCheck(check func(ctx context.Context, inner sqldriver.Conn) error) Option {
	return func(c *config) error {
		if check == nil {
			return errors.New("driver: WithConnectCheck needs a function")
		}
		c.connectCheck = check
		return nil
	}
}

// WithCallCheck runs check before every call, after every call that
// reached the inner connection, and when database/sql resets or validates
// the connection. It must be cheap (no round trip). A failure after a call
// returns its error for that call; before a call (or at reset) it returns
// driver.ErrBadConn, so that database/sql discards the connection and
// retries elsewhere, nothing having run. Either way the connection is
// poisoned for good. The pgx registration uses it to notice a session
// setting changed behind the lexer's back (the server reports them after
// each statement, possibly while the rows of a query are read).
func WithCallCheck(check func(inner sqldriver.Conn) error) Option {
	return func(c *config) error {
		if check == nil {
			return errors.New("driver: WithCallCheck needs a function")
		}
		c.callCheck = check
		return nil
	}
}

// WithRecheckAfterWrites runs the connect check (see [WithConnectCheck])
// again before the next call on a connection after any call whose
// statement is not known to be read-only: a function, trigger or rule it
// fires may have changed a session setting the lexer depends on. A failed
// check discards the connection (driver.ErrBadConn, nothing having run).
// It also runs the check again before the first call after the Gate's
// policy changed (a new policy may lex with other settings than those the
// session was checked against). It costs one round trip after each write
// and after each policy change, and is meant for drivers that, unlike pgx,
// do not report the server's settings; the lib/pq registration uses it.
func WithRecheckAfterWrites() Option {
	return func(c *config) error { c.recheckAfterWrites = true; return nil }
}

// WithBeginSQL sets the statement text the Gate is asked about when a
// transaction begins through Begin/BeginTx. Default: "BEGIN". The request's
// Tx state carries the read-only flag of the new transaction.
func WithBeginSQL(sql string) Option {
	return func(c *config) error {
		if sql == "" {
			return errors.New("driver: WithBeginSQL needs a statement")
		}
		c.beginSQL = sql
		return nil
	}
}
