package sqlite

import (
	msqlite "modernc.org/sqlite"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
	"github.com/approvedsql/approvedsql/driver/internal/lazygate"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// DriverName is the name this package registers with database/sql.
const DriverName = "approved-sqlite"

var gates lazygate.Source

// SetGate makes g the Gate of the "approved-sqlite" driver; nil returns to
// the policy named by APPROVEDSQL_POLICY.
func SetGate(g *approval.Gate) { gates.Set(g) }

// Options returns the options of the registration: the Gate set with
// [SetGate] (or loaded from APPROVEDSQL_POLICY) and the SQLite dialect.
func Options() []driver.Option {
	return []driver.Option{
		driver.WithGateFunc(gates.Gate),
		driver.WithDialect(sqlnorm.SQLite),
	}
}

func init() {
	if err := driver.Register(DriverName, &msqlite.Driver{}, nil, Options()...); err != nil {
		panic(err)
	}
}
