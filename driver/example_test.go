package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

func ExampleRegister() {
	policy, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: sqlite
rules:
  - name: no-delete-without-where
    effect: deny
    when: query.command == "DELETE" && !query.has_where
  - name: app
    effect: allow
    when: key.role == "app"
`), "example.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	gate, err := approval.NewGate(policy)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := driver.Register("approved-sqlite-example", &sqlite.Driver{}, gate, driver.WithDialect(sqlnorm.SQLite)); err != nil {
		fmt.Println(err)
		return
	}
	db, err := sql.Open("approved-sqlite-example", ":memory:")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one in-memory database

	ctx := approval.WithKey(context.Background(),
		approval.Key{ID: "k1", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
	_, err = db.ExecContext(ctx, "CREATE TABLE t (id integer)")
	fmt.Println("create:", err)
	_, err = db.ExecContext(ctx, "DELETE FROM t WHERE id = ?", 1)
	fmt.Println("delete with where:", err)

	_, err = db.ExecContext(ctx, "DELETE FROM t")
	var denied *approval.DeniedError
	if errors.As(err, &denied) {
		fmt.Println("delete without where denied by", denied.Rule)
	}
	_, err = db.Exec("SELECT 1") // no context: no key
	fmt.Println("without a key:", errors.Is(err, approval.ErrNoKey))
	// Output:
	// create: <nil>
	// delete with where: <nil>
	// delete without where denied by no-delete-without-where
	// without a key: true
}
