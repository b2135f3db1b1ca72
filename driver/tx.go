package driver

import (
	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
)

// tx wraps a transaction begun through a wrapped connection. Commit and
// Rollback are not decided (ending a transaction the Gate allowed to begin
// runs no statement of the app's); they end the transaction state the
// connection's decisions report in Request.Tx.
type tx struct {
	c     *conn
	inner sqldriver.Tx
}

// Commit commits the inner transaction.
func (t *tx) Commit() error {
	t.c.tx = approval.TxState{}
	return t.inner.Commit()
}

// Rollback rolls the inner transaction back.
func (t *tx) Rollback() error {
	t.c.tx = approval.TxState{}
	return t.inner.Rollback()
}
