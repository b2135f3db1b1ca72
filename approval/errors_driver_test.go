package approval_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"go/build"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// TestDenialsNeverRetryable: database/sql retries driver.ErrBadConn and
// treats driver.ErrSkip specially; no denial may match either.
func TestDenialsNeverRetryable(t *testing.T) {
	policy, err := approval.ParsePolicy([]byte(examplePolicy+"  - {name: rev, effect: review, when: 'query.command == \"DELETE\"'}\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gate, err := approval.NewGate(policy)
	if err != nil {
		t.Fatal(err)
	}
	valid := approval.WithKey(context.Background(), approval.Key{ID: "k", Role: "analyst", ExpiresAt: time.Now().Add(time.Hour)})
	expired := approval.WithKey(context.Background(), approval.Key{ID: "k", Role: "analyst", ExpiresAt: time.Now().Add(-time.Hour)})
	cases := map[string]struct {
		ctx context.Context
		req approval.Request
	}{
		"rule":    {valid, approval.Request{SQL: "DROP TABLE orders"}},
		"default": {valid, approval.Request{SQL: "INSERT INTO orders VALUES (1)"}},
		"review":  {valid, approval.Request{SQL: "DELETE FROM orders"}},
		"lexer":   {valid, approval.Request{SQL: "SELECT 1; SELECT 2"}},
		"no key":  {context.Background(), approval.Request{SQL: "SELECT 1"}},
		"expired": {expired, approval.Request{SQL: "SELECT 1"}},
		"token":   {approval.WithToken(context.Background(), "x.y.z"), approval.Request{SQL: "SELECT 1"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			d := gate.Decide(c.ctx, c.req)
			if d.Err == nil || d.Allowed() {
				t.Fatalf("not refused: %+v", d)
			}
			if errors.Is(d.Err, driver.ErrBadConn) || errors.Is(d.Err, driver.ErrSkip) || errors.Is(d.Err, driver.ErrRemoveArgument) {
				t.Errorf("denial %v matches a driver sentinel", d.Err)
			}
		})
	}
}

// TestNoDatabaseSQLImport: the decision layer never imports database/sql.
func TestNoDatabaseSQLImport(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if imp == "database/sql" || imp == "database/sql/driver" {
			t.Errorf("approval imports %s", imp)
		}
	}
}
