package driver

import (
	"context"
	"fmt"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// Unwrap returns the inner driver connection of a wrapped connection (the
// value sql.Conn.Raw passes to its function), for driver-specific features
// the database/sql API lacks, such as pgx's CopyFrom. Nothing done through
// the inner connection is decided by the Gate, so Unwrap works only on
// connections of a driver configured with [WithUnwrap], and every unwrap
// is first recorded through that option's auditor, with the key and source
// found in ctx; a recording error refuses the unwrap. Otherwise it returns
// [ErrUnwrapDisabled], or [ErrNotWrapped] for a value that is not a
// wrapped connection.
func Unwrap(ctx context.Context, v any) (any, error) {
	w, ok := v.(interface{ wrapped() *conn })
	if !ok {
		return nil, ErrNotWrapped
	}
	c := w.wrapped()
	a := c.cfg.unwrapAuditor
	if a == nil {
		return nil, ErrUnwrapDisabled
	}
	rec := &approval.Record{
		Time:         time.Now(),
		Decision:     "unwrap",
		Rule:         "driver.Unwrap",
		Reason:       fmt.Sprintf("inner connection %T handed out; its calls bypass the Gate", c.inner),
		RowsAffected: -1,
	}
	if k, ok := approval.KeyFromContext(ctx); ok {
		rec.KeyID, rec.Role, rec.Session = k.ID, k.Role, k.Session
	}
	if src, ok := approval.SourceFromContext(ctx); ok {
		rec.Source = src
	}
	if err := a.Record(rec); err != nil {
		return nil, fmt.Errorf("driver: unwrap refused, audit failed: %w", err)
	}
	return c.inner, nil
}
