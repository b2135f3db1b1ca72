package pathtest

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/internal/testpg"
)

// Policy is the small policy of the matrix.
const Policy = `
version: "driver-paths"
dialect: postgres
constants:
  protected: [driver_sentinel, users]
rules:
  - name: no-drop
    effect: deny
    when: query.command == "DROP"
  - name: protected-tables
    effect: deny
    when: query.tables.exists(t, t in protected) && !query.read_only
  - name: forbidden-arg
    effect: deny
    when: args.exists(a, a == "forbidden")
  - name: read-only-tx
    effect: deny
    when: tx.read_only && !query.read_only && query.command != "BEGIN"
  - name: tester
    effect: allow
    when: key.role == "tester"
`

// Auditor records audit records.
type Auditor struct {
	mu   sync.Mutex
	recs []approval.Record
}

// Record implements approval.Auditor.
func (a *Auditor) Record(r *approval.Record) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recs = append(a.recs, *r)
	return nil
}

// Records returns the records so far.
func (a *Auditor) Records() []approval.Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]approval.Record(nil), a.recs...)
}

// Reset forgets the records.
func (a *Auditor) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recs = nil
}

// Open creates a database named after prefix with the matrix's tables,
// makes the matrix's Gate the registration's through setGate, and opens
// driverName on it. It returns the approved DB, an admin DB over plain pgx,
// the auditor and the database's DSN; everything is undone at cleanup.
func Open(t *testing.T, prefix, driverName string, setGate func(*approval.Gate)) (db, admin *sql.DB, aud *Auditor, dsn string) {
	t.Helper()
	dsn = testpg.NewDatabase(t, prefix)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	Setup(t, admin)
	g, aud := NewGate(t)
	setGate(g)
	t.Cleanup(func() { setGate(nil) })
	db, err = sql.Open(driverName, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(6)
	t.Cleanup(func() { db.Close() })
	return db, admin, aud, dsn
}

// NewGate builds the matrix's Gate with an Auditor.
func NewGate(tb testing.TB) (*approval.Gate, *Auditor) {
	tb.Helper()
	p, err := approval.ParsePolicy([]byte(Policy), "paths.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	a := &Auditor{}
	g, err := approval.NewGate(p, approval.WithAuditor(a))
	if err != nil {
		tb.Fatal(err)
	}
	return g, a
}

// Tester is the key the policy allows; Nobody is a key it does not.
func Tester() approval.Key {
	return approval.Key{ID: "k-tester", Subject: "t", Role: "tester", ExpiresAt: time.Now().Add(time.Hour)}
}

// Ctx returns a context with the Tester key.
func Ctx() context.Context { return approval.WithKey(context.Background(), Tester()) }

// Setup creates the matrix's tables through admin (an ungated connection).
func Setup(tb testing.TB, admin *sql.DB) {
	tb.Helper()
	for _, q := range []string{
		"CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL)",
		"CREATE TABLE driver_sentinel (v text)",
		"INSERT INTO driver_sentinel VALUES ('alive')",
		"CREATE TABLE users (id int)",
		"INSERT INTO users VALUES (1)",
		"CREATE TABLE orders (id int, name text)",
		"CREATE FUNCTION sneaky() RETURNS text LANGUAGE sql AS $$ SELECT set_config('standard_' || 'conforming_strings', 'off', false) $$",
	} {
		if _, err := admin.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

// SentinelsAlive fails unless the protected tables are intact.
func SentinelsAlive(tb testing.TB, admin *sql.DB) {
	tb.Helper()
	var v string
	if err := admin.QueryRow("SELECT v FROM driver_sentinel").Scan(&v); err != nil || v != "alive" {
		tb.Fatalf("sentinel table damaged: %q, %v", v, err)
	}
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM users").Scan(&n); err != nil || n != 1 {
		tb.Fatalf("users table damaged: %d, %v", n, err)
	}
}

// Denied fails unless err is a denial database/sql neither retries nor
// skips.
func Denied(tb testing.TB, err error) *approval.DeniedError {
	tb.Helper()
	var de *approval.DeniedError
	if !errors.As(err, &de) || !errors.Is(err, approval.ErrDenied) {
		tb.Fatalf("err = %v (%T), want a *approval.DeniedError", err, err)
	}
	if errors.Is(err, sqldriver.ErrBadConn) || errors.Is(err, sqldriver.ErrSkip) {
		tb.Fatalf("denial %v is retryable", err)
	}
	return de
}

// Want is one expected audit record.
type Want struct {
	Decision string // allow, deny
	Rule     string
	Text     string // canonical text
	KeyID    string
	Args     int // number of arguments summarised; AnyArgs: not checked
}

// AnyArgs in Want.Args skips the argument count (a call denied for want of
// a key may be audited with or without its arguments).
const AnyArgs = -1

// Check compares the audit records since the last Reset with want.
func Check(tb testing.TB, a *Auditor, want []Want) {
	tb.Helper()
	got := a.Records()
	if len(got) != len(want) {
		for _, r := range got {
			tb.Logf("record: %s %s %q key=%s args=%v", r.Decision, r.Rule, r.Text, r.KeyID, r.Args)
		}
		tb.Fatalf("%d audit records, want %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		if r.Decision != w.Decision || r.Rule != w.Rule || r.Text != w.Text || r.KeyID != w.KeyID || (w.Args != AnyArgs && len(r.Args) != w.Args) {
			tb.Errorf("record %d: %s %s %q key=%q args=%v\nwant       %s %s %q key=%q args=%d",
				i, r.Decision, r.Rule, r.Text, r.KeyID, r.Args, w.Decision, w.Rule, w.Text, w.KeyID, w.Args)
		}
	}
}

// WithSetting returns dsn (a URL) starting sessions with name=value.
func WithSetting(dsn, name, value string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "options=-c%20" + name + "%3D" + value
}
