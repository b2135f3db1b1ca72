package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/approvedsql/approvedsql/approval"
)

func TestNoPolicyDeniesEverything(t *testing.T) {
	t.Setenv("APPROVEDSQL_POLICY", "")
	SetGate(nil)
	db, err := sql.Open(DriverName, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k"})
	_, err = db.ExecContext(ctx, "CREATE TABLE t (a int)")
	if !errors.Is(err, approval.ErrNoPolicy) || !errors.Is(err, approval.ErrDenied) {
		t.Fatalf("err = %v, want a denial saying no policy is configured", err)
	}
}
