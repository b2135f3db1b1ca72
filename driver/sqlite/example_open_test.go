package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver/sqlite"
)

// Open a database through "approved-sqlite": set the Gate, then use
// database/sql as usual with a key in the context.
func Example() {
	policy, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: sqlite
rules:
  - name: readers-never-write
    effect: deny
    when: key.role == "reader" && !query.read_only
  - name: setup
    effect: allow
    when: key.role == "owner"
  - name: readers
    effect: allow
    when: key.role == "reader" && query.read_only
`), "policy.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	gate, err := approval.NewGate(policy)
	if err != nil {
		fmt.Println(err)
		return
	}
	sqlite.SetGate(gate)
	defer sqlite.SetGate(nil)

	db, err := sql.Open(sqlite.DriverName, ":memory:")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one in-memory database

	key := func(role string) context.Context {
		return approval.WithKey(context.Background(),
			approval.Key{ID: role + "-1", Role: role, ExpiresAt: time.Now().Add(time.Hour)})
	}
	owner, reader := key("owner"), key("reader")
	if _, err := db.ExecContext(owner, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := db.ExecContext(owner, "INSERT INTO notes (body) VALUES (?)", "hello"); err != nil {
		fmt.Println(err)
		return
	}
	var body string
	err = db.QueryRowContext(reader, "SELECT body FROM notes WHERE id = ?", 1).Scan(&body)
	fmt.Println("reader reads:", body, err)

	_, err = db.ExecContext(reader, "DELETE FROM notes WHERE id = ?", 1)
	var de *approval.DeniedError
	if errors.As(err, &de) {
		fmt.Println("reader deletes: denied by", de.Rule)
	}
	// Output:
	// reader reads: hello <nil>
	// reader deletes: denied by readers-never-write
}
