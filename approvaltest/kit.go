package approvaltest

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
)

// Kit is everything [Open] sets up for one test.
type Kit struct {
	// DB goes through the approvedsql wrapper onto Mock's connection.
	DB *sql.DB
	// Mock says what may reach the database.
	Mock sqlmock.Sqlmock
	// Gate decides every statement of DB.
	Gate *approval.Gate

	// The rest is set only when Open built the Gate (from a policy).

	// Clock is the Gate's, the Ledger's and the Keyring's clock.
	Clock *Clock
	// Keyring is a throwaway keyring the Gate verifies tokens with.
	Keyring *approval.Keyring
	// Ledger holds pending requests and grants, over a memory store.
	Ledger *approval.Ledger
	// Audit receives the Gate's audit records.
	Audit *Recorder
}

// Option configures [Open] and [New].
type Option func(*config)

type config struct {
	matcher    sqlmock.QueryMatcher
	converter  sqldriver.ValueConverter
	gateOpts   []approval.Option
	driverOpts []driver.Option
	start      time.Time
}

// WithQueryMatcher sets how sqlmock matches statements with expectations.
// Default: sqlmock.QueryMatcherEqual (exact text, after trimming spaces).
func WithQueryMatcher(m sqlmock.QueryMatcher) Option {
	return func(c *config) { c.matcher = m }
}

// WithValueConverter sets the sqlmock connection's value converter, as
// sqlmock.ValueConverterOption does. Default: driver.DefaultParameterConverter.
func WithValueConverter(vc sqldriver.ValueConverter) Option {
	return func(c *config) { c.converter = vc }
}

// WithGateOptions adds options to the Gate Open builds from a policy
// (after the Kit's clock, keyring, ledger and recorder, which they may
// replace). Ignored when Open is given a Gate.
func WithGateOptions(opts ...approval.Option) Option {
	return func(c *config) { c.gateOpts = append(c.gateOpts, opts...) }
}

// WithDriverOptions adds options to the driver wrapper (driver.WithDialect,
// say).
func WithDriverOptions(opts ...driver.Option) Option {
	return func(c *config) { c.driverOpts = append(c.driverOpts, opts...) }
}

// WithStart sets the time the Kit's clock starts at. Default: [Epoch].
func WithStart(t time.Time) Option {
	return func(c *config) { c.start = t }
}

// New is [Open] for the common case: the DB and its mock.
func New(tb testing.TB, gateOrPolicy any, opts ...Option) (*sql.DB, sqlmock.Sqlmock) {
	tb.Helper()
	k := Open(tb, gateOrPolicy, opts...)
	return k.DB, k.Mock
}

var mockSeq atomic.Uint64

// Open sets up a Kit. gateOrPolicy is an *approval.Gate (used as it is),
// an *approval.Policy, or a string naming a policy file; from a policy,
// Open builds a Gate with a fake [Clock] at [Epoch], a throwaway keyring,
// a Ledger over an approval.MemStore (so review rules record pending
// requests and grants apply) and a [Recorder].
//
// When the test ends, Open checks that every sqlmock expectation was met
// (mock.ExpectationsWereMet) and closes what it opened.
func Open(tb testing.TB, gateOrPolicy any, opts ...Option) *Kit {
	tb.Helper()
	cfg := config{matcher: sqlmock.QueryMatcherEqual, start: Epoch}
	for _, o := range opts {
		o(&cfg)
	}
	k := &Kit{}
	switch v := gateOrPolicy.(type) {
	case *approval.Gate:
		if v == nil {
			tb.Fatal("approvaltest: nil *approval.Gate")
		}
		k.Gate = v
	case *approval.Policy:
		if v == nil {
			tb.Fatal("approvaltest: nil *approval.Policy")
		}
		k.build(tb, v, cfg)
	case string:
		p, err := approval.LoadPolicy(v)
		if err != nil {
			tb.Fatalf("approvaltest: loading policy: %v", err)
		}
		k.build(tb, p, cfg)
	default:
		tb.Fatalf("approvaltest: Open wants an *approval.Gate, an *approval.Policy or a policy path, not %T", gateOrPolicy)
	}

	dsn := fmt.Sprintf("approvaltest_%d", mockSeq.Add(1))
	mockDB, mock, err := newMock(dsn, cfg)
	if err != nil {
		tb.Fatalf("approvaltest: sqlmock: %v", err)
	}
	k.Mock = mock
	k.DB = sql.OpenDB(&connector{dsn: dsn, drv: driver.Wrap(mockDB.Driver(), k.Gate, cfg.driverOpts...)})
	tb.Cleanup(func() {
		if err := mock.ExpectationsWereMet(); err != nil {
			tb.Errorf("approvaltest: sqlmock expectations not met: %v", err)
		}
		k.DB.Close()
		mockDB.Close()
	})
	return k
}

func newMock(dsn string, cfg config) (*sql.DB, sqlmock.Sqlmock, error) {
	if cfg.converter != nil {
		return sqlmock.NewWithDSN(dsn, sqlmock.QueryMatcherOption(cfg.matcher), sqlmock.ValueConverterOption(cfg.converter))
	}
	return sqlmock.NewWithDSN(dsn, sqlmock.QueryMatcherOption(cfg.matcher))
}

func (k *Kit) build(tb testing.TB, p *approval.Policy, cfg config) {
	tb.Helper()
	k.Clock = NewClock(cfg.start)
	k.Keyring = NewKeyring(tb, k.Clock)
	k.Audit = &Recorder{}
	store := approval.NewMemStore()
	l, err := approval.NewLedger(context.Background(), store, approval.WithLedgerClock(k.Clock))
	if err != nil {
		tb.Fatalf("approvaltest: NewLedger: %v", err)
	}
	k.Ledger = l
	tb.Cleanup(func() {
		l.Close()
		store.Close()
	})
	opts := append([]approval.Option{
		approval.WithClock(k.Clock),
		approval.WithKeyring(k.Keyring),
		approval.WithApprovals(l),
		approval.WithAuditor(k.Audit),
	}, cfg.gateOpts...)
	g, err := approval.NewGate(p, opts...)
	if err != nil {
		tb.Fatalf("approvaltest: NewGate: %v", err)
	}
	k.Gate = g
}

// Key returns a key for role valid at the Kit clock's current time (issued
// a minute ago, expiring in an hour), with id "test-<role>", subject "test"
// and session "test-session". Without a Kit clock it is [Key].
func (k *Kit) Key(role string) approval.Key {
	if k.Clock == nil {
		return Key(role)
	}
	now := k.Clock.Now()
	key := keyAt(role, now)
	key.IssuedAt, key.ExpiresAt = now.Add(-time.Minute), now.Add(time.Hour)
	return key
}

// ExpiredKey returns a key for role that expired an hour before the Kit
// clock's current time. Without a Kit clock it is [ExpiredKey].
func (k *Kit) ExpiredKey(role string) approval.Key {
	if k.Clock == nil {
		return ExpiredKey(role)
	}
	return keyAt(role, k.Clock.Now().Add(-25*time.Hour))
}

// Token issues a signed token for role from the Kit's keyring, valid for an
// hour from the Kit clock's current time. The Kit's Gate verifies it:
// use approval.WithToken(ctx, token).
func (k *Kit) Token(tb testing.TB, role string) string {
	tb.Helper()
	if k.Keyring == nil {
		tb.Fatal("approvaltest: Kit.Token: the Kit was opened with a Gate and has no keyring")
	}
	return Token(tb, k.Keyring, role, time.Hour)
}

// connector opens the wrapped sqlmock driver at its DSN.
type connector struct {
	dsn string
	drv sqldriver.Driver
}

func (c *connector) Connect(context.Context) (sqldriver.Conn, error) { return c.drv.Open(c.dsn) }

func (c *connector) Driver() sqldriver.Driver { return c.drv }
