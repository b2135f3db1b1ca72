package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver/sqlite"
)

// policy is what the team writes and reviews: rules over the statement,
// its arguments and the caller's key. Deny rules win; then allow rules;
// then grants; then review rules; else the default.
const policy = `
version: "quickstart-1"
dialect: sqlite
default: deny
rules:
  - name: migrations
    effect: allow
    when: key.role == "migrator" && query.command in ["CREATE", "INSERT"]
  - name: no-ddl
    effect: deny
    when: query.command in ["DROP", "ALTER"] || (query.command == "CREATE" && key.role != "migrator")
  - name: no-unbounded-writes
    effect: deny
    when: query.command in ["UPDATE", "DELETE"] && !query.has_where
    description: every UPDATE and DELETE names its rows
  - name: readers
    effect: allow
    when: query.read_only && key.role in ["analyst", "support"]
  - name: refunds-need-review
    effect: review
    when: query.command == "UPDATE" && query.tables == ["orders"] && key.role == "support"
`

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// clock is the simulated clock given to the Gate, the keyring and the ledger.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func run(w io.Writer) error {
	dir, err := os.MkdirTemp("", "approvedsql-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}

	// The engine: policy, keyring (signs and verifies keys), ledger (pending
	// requests and grants, in memory here), audit trail (a hash-chained JSON
	// Lines file).
	pol, err := approval.ParsePolicy([]byte(policy), "quickstart.yaml")
	if err != nil {
		return err
	}
	keys, err := approval.NewKeyring(approval.WithKeyringClock(clk))
	if err != nil {
		return err
	}
	sk, err := approval.NewSigningKey("quickstart-signer")
	if err != nil {
		return err
	}
	if err := keys.Add(sk); err != nil {
		return err
	}
	store := approval.NewMemStore()
	defer store.Close()
	ledger, err := approval.NewLedger(ctx, store, approval.WithLedgerClock(clk))
	if err != nil {
		return err
	}
	defer ledger.Close()
	auditPath := filepath.Join(dir, "audit.jsonl")
	sink, err := approval.NewFileSink(auditPath)
	if err != nil {
		return err
	}
	trail, err := approval.NewAuditTrail(sink)
	if err != nil {
		return err
	}
	defer trail.Close()
	gate, err := approval.NewGate(pol,
		approval.WithClock(clk),
		approval.WithKeyring(keys),
		approval.WithApprovals(ledger),
		approval.WithAuditor(trail))
	if err != nil {
		return err
	}

	// The application: plain database/sql on the "approved-sqlite" driver.
	sqlite.SetGate(gate)
	defer sqlite.SetGate(nil)
	db, err := sql.Open(sqlite.DriverName, "file:"+filepath.Join(dir, "shop.db"))
	if err != nil {
		return err
	}
	defer db.Close()

	// Provisioning keys: short-lived signed tokens, one per role.
	issue := func(id, role string) (context.Context, error) {
		tok, err := keys.Issue(approval.TokenSpec{ID: id, Subject: id + "@example.com", Role: role, TTL: time.Hour})
		return approval.WithToken(ctx, tok), err
	}
	migrator, err := issue("migrator", "migrator")
	if err != nil {
		return err
	}
	analyst, err := issue("ana", "analyst")
	if err != nil {
		return err
	}
	support, err := issue("sam", "support")
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "approvedsql quickstart: SQLite in %s, policy %s (%d rules, default %s)\n\n",
		dir, pol.Version(), len(pol.Rules()), pol.Default())

	fmt.Fprintln(w, "1. The migrator key creates and seeds a table.")
	for _, q := range []string{
		"CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total INTEGER NOT NULL, status TEXT NOT NULL)",
		"INSERT INTO orders (id, customer, total, status) VALUES (1, 'ada', 1999, 'paid'), (2, 'grace', 4500, 'paid'), (3, 'linus', 1250, 'paid')",
	} {
		if _, err := db.ExecContext(migrator, q); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "   allowed by rule migrations")

	fmt.Fprintln(w, "\n2. The analyst key reads: SELECT id, customer, total FROM orders WHERE total > ?")
	rows, err := db.QueryContext(analyst, "SELECT id, customer, total FROM orders WHERE total > ? ORDER BY id", 1000)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, total int
		var customer string
		if err := rows.Scan(&id, &customer, &total); err != nil {
			rows.Close()
			return err
		}
		fmt.Fprintf(w, "   order %d  %-6s %5d\n", id, customer, total)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	fmt.Fprintln(w, "   allowed by rule readers")

	fmt.Fprintln(w, "\n3. The analyst key tries: DELETE FROM orders")
	_, err = db.ExecContext(analyst, "DELETE FROM orders")
	if !errors.Is(err, approval.ErrDenied) {
		return fmt.Errorf("DELETE without WHERE: want a denial, got %v", err)
	}
	fmt.Fprintf(w, "   denied: %v\n", err)
	var n int
	if err := db.QueryRowContext(analyst, "SELECT count(*) FROM orders").Scan(&n); err != nil {
		return err
	}
	fmt.Fprintf(w, "   orders still in the table: %d (the DELETE never reached SQLite)\n", n)

	const refund = "UPDATE orders SET status = 'refunded' WHERE id = ?"
	fmt.Fprintln(w, "\n4. The support key asks for a refund:", refund, "with id 2")
	_, err = db.ExecContext(support, refund, 2)
	var de *approval.DeniedError
	if !errors.Is(err, approval.ErrReviewRequired) || !errors.As(err, &de) || de.RequestID == "" {
		return fmt.Errorf("refund: want a review, got %v", err)
	}
	fmt.Fprintf(w, "   needs review by rule %s: pending request %s\n", de.Rule, de.RequestID)
	for _, p := range ledger.ListPending() {
		fmt.Fprintf(w, "   pending: %s  key %s (role %s)  seen %d time(s)\n", p.Text, p.KeyID, p.Role, p.Count)
	}

	fmt.Fprintln(w, "\n5. A lead approves it: this key, this statement, order 2 only, for one hour.")
	grant, err := ledger.Approve(ctx, de.RequestID, approval.GrantSpec{
		For: time.Hour, When: "args[0] == 2", By: "lead@example.com", Reason: "customer refund, ticket 1234",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   grant %s: scope %s, until %s, when %s\n", grant.ID, grant.Scope, grant.Until.Format(time.TimeOnly), grant.When)

	fmt.Fprintln(w, "\n6. The support key runs the same statement again.")
	res, err := db.ExecContext(support, refund, 2)
	if err != nil {
		return fmt.Errorf("refund after approval: %w", err)
	}
	affected, _ := res.RowsAffected()
	fmt.Fprintf(w, "   allowed by grant %s: %d row updated\n", grant.ID, affected)
	_, err = db.ExecContext(support, refund, 3)
	if !errors.Is(err, approval.ErrReviewRequired) {
		return fmt.Errorf("refund of order 3: want a review, got %v", err)
	}
	fmt.Fprintln(w, "   with id 3 the grant's condition does not hold: review again")

	fmt.Fprintln(w, "\n7. Two hours later the analyst's key (one hour) has expired.")
	clk.Advance(2 * time.Hour)
	_, err = db.QueryContext(analyst, "SELECT count(*) FROM orders")
	if !errors.Is(err, approval.ErrKeyExpired) {
		return fmt.Errorf("expired key: want ErrKeyExpired, got %v", err)
	}
	fmt.Fprintf(w, "   refused: %v\n", err)

	// Close flushes the audit trail; then read it back and verify its chain.
	if err := trail.Close(); err != nil {
		return err
	}
	checked, err := approval.VerifyAuditFiles(approval.AuditFiles(auditPath)...)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nAudit trail (%s): %d records, hash chain verified\n", filepath.Base(auditPath), checked)
	return printAudit(w, auditPath)
}

func printAudit(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		r, err := approval.DecodeAuditRecord(sc.Bytes())
		if err != nil {
			return err
		}
		text := r.Text
		if len(text) > 60 {
			text = text[:57] + "..."
		}
		rule := r.Rule
		if rule == "" { // refused before any rule: say why
			why, _, _ := strings.Cut(strings.TrimPrefix(r.Reason, "approval: "), ":")
			rule = "(" + why + ")"
		}
		fmt.Fprintf(w, "  %s  %-6s %-26s key %-8s %s\n", r.Time.Format(time.TimeOnly), r.Decision, rule, r.KeyID, text)
	}
	return sc.Err()
}
