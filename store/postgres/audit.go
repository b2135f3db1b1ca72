package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/approvedsql/approvedsql/approval"
)

// AuditSink writes audit records to the approvedsql_audit table, one
// INSERT per batch. Each instance writes its own hash chain, named by its
// instance name; a batch written again after an error is not duplicated
// (hashes are unique). Use it as the sink of an [approval.AuditTrail].
type AuditSink struct {
	s        *Store
	instance string
}

var (
	_ approval.Sink         = (*AuditSink)(nil)
	_ approval.ChainResumer = (*AuditSink)(nil)
)

// NewAuditSink returns a sink writing through s. instance names this
// application instance's chain ("" means host name and process id).
func NewAuditSink(s *Store, instance string) *AuditSink {
	if instance == "" {
		h, _ := os.Hostname()
		instance = fmt.Sprintf("%s-%d", h, os.Getpid())
	}
	return &AuditSink{s: s, instance: instance}
}

// Instance returns the chain name.
func (a *AuditSink) Instance() string { return a.instance }

// Write inserts the batch in one statement.
func (a *AuditSink) Write(ctx context.Context, batch []approval.Record) error {
	n := len(batch)
	times := make([]time.Time, n)
	var decision, rule, reason, fp, text, keyID, role, session, pv, ec, prev, hash = make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	src, args := make([]string, n), make([]string, n)
	lat, rows := make([]int64, n), make([]int64, n)
	for i := range batch {
		r := &batch[i]
		if r.Hash == "" {
			return errors.New("postgres audit sink: record without hash (use an approval.AuditTrail)")
		}
		times[i], decision[i], rule[i], reason[i], fp[i] = r.Time, r.Decision, r.Rule, r.Reason, r.Fingerprint
		text[i], keyID[i], role[i], session[i], pv[i] = r.Text, r.KeyID, r.Role, r.Session, r.PolicyVersion
		ec[i], prev[i], hash[i], lat[i], rows[i] = r.ErrorClass, r.Prev, r.Hash, int64(r.Latency), r.RowsAffected
		s, _ := json.Marshal(r.Source)
		as, _ := json.Marshal(r.Args)
		if r.Args == nil {
			as = []byte("[]")
		}
		src[i], args[i] = string(s), string(as)
	}
	return a.s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO approvedsql_audit (instance, time, decision, rule, reason, fingerprint,
			text, key_id, role, session, source, args, policy_version, latency_ns, rows_affected, error_class, prev, hash)
			SELECT $1, t, d, ru, re, f, tx, k, ro, se, so::jsonb, a::jsonb, pv, l, rw, ec, p, h
			FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
				$9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::bigint[],
				$16::text[], $17::text[], $18::text[])
				AS u(t, d, ru, re, f, tx, k, ro, se, so, a, pv, l, rw, ec, p, h)
			ON CONFLICT (hash) DO NOTHING`,
			a.instance, times, decision, rule, reason, fp, text, keyID, role, session, src, args, pv, lat, rows, ec, prev, hash)
		return err
	})
}

// LastHash returns the hash of this instance's last record ("" if none),
// so a restarted instance continues its chain.
func (a *AuditSink) LastHash() (string, error) {
	var h string
	err := a.s.with(context.Background(), func(ctx context.Context, c *pgx.Conn) error {
		err := c.QueryRow(ctx, `SELECT hash FROM approvedsql_audit WHERE instance = $1 ORDER BY id DESC LIMIT 1`, a.instance).Scan(&h)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return h, err
}

// TailAudit returns the last n audit records (all instances), oldest first.
func (s *Store) TailAudit(ctx context.Context, n int) ([]approval.Record, error) {
	var out []approval.Record
	err := s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		out = out[:0]
		rows, err := c.Query(ctx, `SELECT time, decision, rule, reason, fingerprint, text, key_id, role, session,
			source, args, policy_version, latency_ns, rows_affected, error_class, prev, hash
			FROM (SELECT * FROM approvedsql_audit ORDER BY id DESC LIMIT $1) x ORDER BY id`, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// AuditInstances returns the names of the chains in the audit table.
func (s *Store) AuditInstances(ctx context.Context) ([]string, error) {
	var out []string
	err := s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT DISTINCT instance FROM approvedsql_audit ORDER BY instance`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return out, err
}

// AuditChain writes one instance's audit records, in the order they were
// written, as JSON Lines (see approval.EncodeAuditRecord) to w, ready for
// approval.VerifyAuditLog. It reads the whole chain in one statement
// bounded by the context, not by the per-operation timeout.
func (s *Store) AuditChain(ctx context.Context, instance string, w io.Writer) error {
	return s.withTimeout(ctx, max(s.opTimeout, 5*time.Minute), func(ctx context.Context, c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT time, decision, rule, reason, fingerprint, text, key_id, role, session,
			source, args, policy_version, latency_ns, rows_affected, error_class, prev, hash
			FROM approvedsql_audit WHERE instance = $1 ORDER BY id`, instance)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				return err
			}
			if _, err := w.Write(approval.EncodeAuditRecord(&r)); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

func scanAudit(rows pgx.Rows) (approval.Record, error) {
	var r approval.Record
	var src, args []byte
	var lat int64
	if err := rows.Scan(&r.Time, &r.Decision, &r.Rule, &r.Reason, &r.Fingerprint, &r.Text, &r.KeyID,
		&r.Role, &r.Session, &src, &args, &r.PolicyVersion, &lat, &r.RowsAffected, &r.ErrorClass,
		&r.Prev, &r.Hash); err != nil {
		return r, err
	}
	r.Latency = time.Duration(lat)
	if err := json.Unmarshal(src, &r.Source); err != nil {
		return r, err
	}
	if err := json.Unmarshal(args, &r.Args); err != nil {
		return r, err
	}
	return r, nil
}
