package pq

import (
	"context"
	"errors"
	"fmt"
	"io"

	sqldriver "database/sql/driver"

	libpq "github.com/lib/pq"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
	"github.com/approvedsql/approvedsql/driver/internal/lazygate"
	"github.com/approvedsql/approvedsql/driver/internal/pgsession"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// DriverName is the name this package registers with database/sql.
const DriverName = "approved-pq"

var gates lazygate.Source

// SetGate makes g the Gate of the "approved-pq" driver and of connectors
// built with [Options]; nil returns to the policy named by
// APPROVEDSQL_POLICY.
func SetGate(g *approval.Gate) { gates.Set(g) }

// Options returns the options of the registration: the Gate set with
// [SetGate] (or loaded from APPROVEDSQL_POLICY), the PostgreSQL dialect and
// the session check at connect. Use them with [driver.NewConnector] over a
// lib/pq connector (pq.NewConnector).
func Options() []driver.Option {
	return []driver.Option{
		driver.WithGateFunc(gates.Gate),
		driver.WithDialect(sqlnorm.Postgres),
		driver.WithConnectCheck(checkSession),
		driver.WithRecheckAfterWrites(),
	}
}

func init() {
	if err := driver.Register(DriverName, libpq.Driver{}, nil, Options()...); err != nil {
		panic(err)
	}
}

// settingsQuery is run on the inner connection at connect, not gated.
const settingsQuery = "SELECT current_setting('standard_conforming_strings'), current_setting('client_encoding')"

// checkSession asks the server for the settings the lexer depends on
// (lib/pq does not keep the values PostgreSQL reports).
func checkSession(ctx context.Context, inner sqldriver.Conn) error {
	q, ok := inner.(sqldriver.QueryerContext)
	if !ok {
		return fmt.Errorf("pq: inner connection %T cannot query", inner)
	}
	rows, err := q.QueryContext(ctx, settingsQuery, nil)
	if err != nil {
		return fmt.Errorf("pq: reading session settings: %w", err)
	}
	defer rows.Close()
	dest := make([]sqldriver.Value, 2)
	if err := rows.Next(dest); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("no row")
		}
		return fmt.Errorf("pq: reading session settings: %w", err)
	}
	return pgsession.Check(text(dest[0]), text(dest[1]), pgsession.NonStandard(gates.Gate()))
}

func text(v sqldriver.Value) string {
	switch s := v.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	}
	return fmt.Sprint(v)
}
