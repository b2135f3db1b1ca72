package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/approvedsql/approvedsql/approval"
)

// Store is the PostgreSQL approval.Store. Create one with Open.
type Store struct {
	cfg       *pgx.ConnConfig
	opTimeout time.Duration
	backoff   time.Duration
	slots     chan *pgx.Conn // a small pool: nil slots connect on use
	feed      approval.ChangeFeed

	listening atomic.Bool
	stop      context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

var _ approval.Store = (*Store)(nil)

// Option configures a Store; an invalid option is an Open error.
type Option func(*Store) error

// WithOpTimeout bounds every operation, connecting included (default 5s).
func WithOpTimeout(d time.Duration) Option {
	return func(s *Store) error {
		if d <= 0 {
			return fmt.Errorf("postgres store: WithOpTimeout: %v is not positive", d)
		}
		s.opTimeout = d
		return nil
	}
}

// WithConns sets how many connections operations may use at once
// (default 4); the change listener has one more of its own.
func WithConns(n int) Option {
	return func(s *Store) error {
		if n <= 0 {
			return fmt.Errorf("postgres store: WithConns: %d is not positive", n)
		}
		s.slots = make(chan *pgx.Conn, n)
		return nil
	}
}

// WithReconnectBackoff sets the longest wait between attempts to restore
// the change listener (default 1s; attempts start at a tenth of it).
func WithReconnectBackoff(d time.Duration) Option {
	return func(s *Store) error {
		if d <= 0 {
			return fmt.Errorf("postgres store: WithReconnectBackoff: %v is not positive", d)
		}
		s.backoff = d
		return nil
	}
}

// Open connects to PostgreSQL (dsn in any form pgx accepts), migrates the
// schema and starts listening for changes. It fails when the database
// cannot be reached at all.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	s := &Store{cfg: cfg, opTimeout: 5 * time.Second, backoff: time.Second, done: make(chan struct{})}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.slots == nil {
		s.slots = make(chan *pgx.Conn, 4)
	}
	for i := 0; i < cap(s.slots); i++ {
		s.slots <- nil
	}
	// the migration is bounded by ctx and a generous timeout, not by the
	// per-operation one: creating tables can take longer on a busy server
	if err := s.withTimeout(ctx, max(s.opTimeout, 30*time.Second), func(ctx context.Context, c *pgx.Conn) error { return migrate(ctx, c) }); err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	ready := make(chan error, 1)
	go s.listen(lctx, ready)
	select {
	case err := <-ready:
		if err != nil {
			cancel()
			<-s.done
			s.closeConns()
			return nil, fmt.Errorf("postgres store: listening for changes: %w", err)
		}
	case <-ctx.Done():
		cancel()
		<-s.done
		s.closeConns()
		return nil, ctx.Err()
	}
	return s, nil
}

// with runs f on a pooled connection, connecting as needed, within the
// operation timeout. A connection that failed is dropped.
func (s *Store) with(ctx context.Context, f func(ctx context.Context, c *pgx.Conn) error) error {
	return s.withTimeout(ctx, s.opTimeout, f)
}

func (s *Store) withTimeout(ctx context.Context, d time.Duration, f func(ctx context.Context, c *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var c *pgx.Conn
	select {
	case c = <-s.slots:
	case <-ctx.Done():
		return ctx.Err()
	}
	if c != nil && c.IsClosed() {
		c = nil
	}
	if c == nil {
		var err error
		if c, err = pgx.ConnectConfig(ctx, s.cfg); err != nil {
			s.slots <- nil
			return err
		}
	}
	err := f(ctx, c)
	if err != nil && (c.IsClosed() || ctx.Err() != nil || !isServerError(err)) {
		// the connection may be in an unknown state: drop it
		cctx, ccancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		c.Close(cctx)
		ccancel()
		c = nil
	}
	s.slots <- c
	return err
}

func isServerError(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe) || errors.Is(err, pgx.ErrNoRows) || errors.Is(err, approval.ErrNotFound)
}

// Listening reports whether the change listener is connected.
func (s *Store) Listening() bool { return s.listening.Load() }

// listen keeps a connection LISTENing and turns notifications into change
// signals. After a reconnection it signals too: changes may have been
// missed meanwhile.
func (s *Store) listen(ctx context.Context, ready chan<- error) {
	defer close(s.done)
	wait := s.backoff / 10
	first := true
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, func() {
			s.listening.Store(true)
			wait = s.backoff / 10
			if first {
				first = false
				ready <- nil
			} else {
				s.feed.Broadcast()
			}
		})
		s.listening.Store(false)
		if ctx.Err() != nil {
			return
		}
		if first {
			ready <- err
			return
		}
		s.feed.Broadcast() // readers resync (and learn the store is down)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, s.backoff)
	}
}

func (s *Store) listenOnce(ctx context.Context, up func()) error {
	cctx, cancel := context.WithTimeout(ctx, max(s.opTimeout, 5*time.Second))
	c, err := pgx.ConnectConfig(cctx, s.cfg)
	if err == nil {
		_, err = c.Exec(cctx, `LISTEN approvedsql_changes`)
	}
	cancel()
	if err != nil {
		if c != nil {
			c.Close(context.Background())
		}
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		c.Close(cctx)
		cancel()
	}()
	up()
	for {
		if _, err := c.WaitForNotification(ctx); err != nil {
			return err
		}
		s.feed.Broadcast()
	}
}

// Changes returns a new subscription to the change feed.
func (s *Store) Changes() <-chan struct{} { return s.feed.Subscribe() }

// Close stops listening and closes the connections.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.done
		s.closeConns()
	})
	return nil
}

func (s *Store) closeConns() {
	for i := 0; i < cap(s.slots); i++ {
		if c := <-s.slots; c != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			c.Close(ctx)
			cancel()
		}
	}
}

// Snapshot reads every grant, pending request and revocation in one
// consistent read.
func (s *Store) Snapshot(ctx context.Context) (*approval.StoreSnapshot, error) {
	snap := &approval.StoreSnapshot{}
	err := s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		*snap = approval.StoreSnapshot{}
		return pgx.BeginTxFunc(ctx, c, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id, fingerprint, text, scope_kind, scope_value, valid_from, valid_until,
				condition, max_uses, uses, approved_by, reason, request_id, created, revoked_at
				FROM approvedsql_grants ORDER BY id`)
			if err != nil {
				return err
			}
			for rows.Next() {
				g := &approval.Grant{}
				var kind string
				var revoked *time.Time
				if err := rows.Scan(&g.ID, &g.Fingerprint, &g.Text, &kind, &g.Scope.Value, &g.From, &g.Until,
					&g.When, &g.MaxUses, &g.Uses, &g.ApprovedBy, &g.Reason, &g.RequestID, &g.Created, &revoked); err != nil {
					rows.Close()
					return err
				}
				if g.Scope.Kind, err = approval.ParseScopeKind(kind); err != nil {
					rows.Close()
					return err
				}
				if revoked != nil {
					g.RevokedAt = *revoked
				}
				snap.Grants = append(snap.Grants, g)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			rows, err = tx.Query(ctx, `SELECT id, fingerprint, text, args, key_id, role, session, source,
				first_seen, last_seen, count, learned FROM approvedsql_pending ORDER BY id`)
			if err != nil {
				return err
			}
			for rows.Next() {
				p := &approval.PendingRequest{}
				var args, src []byte
				if err := rows.Scan(&p.ID, &p.Fingerprint, &p.Text, &args, &p.KeyID, &p.Role, &p.Session, &src,
					&p.FirstSeen, &p.LastSeen, &p.Count, &p.Learned); err != nil {
					rows.Close()
					return err
				}
				if err := json.Unmarshal(args, &p.Args); err != nil {
					rows.Close()
					return err
				}
				if err := json.Unmarshal(src, &p.Source); err != nil {
					rows.Close()
					return err
				}
				snap.Pending = append(snap.Pending, p)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			rows, err = tx.Query(ctx, `SELECT key_id, at, by, reason FROM approvedsql_revocations ORDER BY key_id`)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r approval.Revocation
				if err := rows.Scan(&r.KeyID, &r.At, &r.By, &r.Reason); err != nil {
					rows.Close()
					return err
				}
				snap.Revocations = append(snap.Revocations, r)
			}
			return rows.Err()
		})
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// AddGrant inserts a grant.
func (s *Store) AddGrant(ctx context.Context, g *approval.Grant) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO approvedsql_grants (id, fingerprint, text, scope_kind, scope_value,
			valid_from, valid_until, condition, max_uses, uses, approved_by, reason, request_id, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			g.ID, g.Fingerprint, g.Text, g.Scope.Kind.String(), g.Scope.Value, g.From, g.Until, g.When,
			g.MaxUses, g.Uses, g.ApprovedBy, g.Reason, g.RequestID, g.Created)
		return err
	})
}

// RevokeGrant marks a grant revoked (the first revocation time stands).
func (s *Store) RevokeGrant(ctx context.Context, id string, at time.Time) error {
	return s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `UPDATE approvedsql_grants SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`, id, at)
		if err == nil && tag.RowsAffected() == 0 {
			return approval.ErrNotFound
		}
		return err
	})
}

// UseGrant counts one use atomically, refusing a used-up or revoked grant.
func (s *Store) UseGrant(ctx context.Context, id string) (uses int64, ok bool, err error) {
	err = s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		err := c.QueryRow(ctx, `UPDATE approvedsql_grants SET uses = uses + 1
			WHERE id = $1 AND revoked_at IS NULL AND (max_uses = 0 OR uses < max_uses) RETURNING uses`, id).Scan(&uses)
		if err == nil {
			ok = true
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		err = c.QueryRow(ctx, `SELECT uses FROM approvedsql_grants WHERE id = $1`, id).Scan(&uses)
		if errors.Is(err, pgx.ErrNoRows) {
			return approval.ErrNotFound
		}
		return err
	})
	return uses, ok, err
}

// PutPending inserts a request or merges it into the stored one.
func (s *Store) PutPending(ctx context.Context, p *approval.PendingRequest) error {
	args, err := json.Marshal(p.Args)
	if err != nil {
		return err
	}
	if p.Args == nil {
		args = []byte("[]")
	}
	src, err := json.Marshal(p.Source)
	if err != nil {
		return err
	}
	return s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO approvedsql_pending AS p (id, fingerprint, text, args, key_id, role,
			session, source, first_seen, last_seen, count, learned)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (id) DO UPDATE SET
				count = p.count + excluded.count,
				first_seen = least(p.first_seen, excluded.first_seen),
				last_seen = greatest(p.last_seen, excluded.last_seen),
				text = CASE WHEN p.text = '' THEN excluded.text ELSE p.text END,
				args = CASE WHEN jsonb_array_length(p.args) = 0 THEN excluded.args ELSE p.args END`,
			p.ID, p.Fingerprint, p.Text, args, p.KeyID, p.Role, p.Session, src, p.FirstSeen, p.LastSeen, p.Count, p.Learned)
		return err
	})
}

// DeletePending removes a request.
func (s *Store) DeletePending(ctx context.Context, id string) error {
	return s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `DELETE FROM approvedsql_pending WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			return approval.ErrNotFound
		}
		return err
	})
}

// RevokeKey records a key revocation (the first one stands).
func (s *Store) RevokeKey(ctx context.Context, r approval.Revocation) error {
	if r.KeyID == "" {
		return errors.New("postgres store: revoke key: empty key id")
	}
	return s.with(ctx, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO approvedsql_revocations (key_id, at, by, reason) VALUES ($1, $2, $3, $4)
			ON CONFLICT (key_id) DO NOTHING`, r.KeyID, r.At, r.By, r.Reason)
		return err
	})
}
