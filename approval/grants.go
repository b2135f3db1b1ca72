package approval

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/approvedsql/approvedsql/cel"
)

// Ledger is the [Approvals] implementation over a [Store]: the Gate asks it
// for grants and key revocations, and approvers use it to list, approve,
// reject and revoke.
//
// The Gate's lookups (Grant, KeyRevoked) read a local, immutable index that
// is swapped atomically; they never wait on the network, except to count a
// use of a grant that has a maximum number of uses (that counter is shared
// and is counted in the store; when the store is down such a grant does
// not pass). The index is rebuilt from a store snapshot when the store's
// change feed fires and at a periodic resync, a backstop.
//
// When the store is down, cached grants keep working until they end,
// revocations already seen stay in force (a resync never undoes a
// revocation it has seen), new pending requests are kept locally (up to
// 10000) and written when the store returns, and everything that needs the store
// (approving, revoking, counting a limited grant) fails with an error
// matching [ErrStoreDown].
//
// A Ledger also implements [Learner]: in learn mode each new (fingerprint,
// role) pair is recorded as a proposed grant (a [PendingRequest] with
// Learned set).
//
// A Ledger is safe for concurrent use. Close stops its background work.
type Ledger struct {
	store    Store
	clock    Clock
	env      *cel.Env
	envErr   error
	envOnce  sync.Once
	lifetime time.Duration
	resync   time.Duration
	opTime   time.Duration
	argVals  bool
	onError  func(error)

	idx atomic.Pointer[ledgerIndex]

	syncMu sync.Mutex // serialises snapshots with this ledger's own writes

	mu       sync.Mutex // guards outbox and flushing
	outbox   map[string]*PendingRequest
	flushing map[string]*PendingRequest // requests taken out of outbox by a Flush under way

	changes   <-chan struct{}
	health    atomic.Pointer[healthErr]
	kick      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

type healthErr struct{ err error }

var _ Approvals = (*Ledger)(nil)

// LedgerOption configures a Ledger. An invalid option is a NewLedger error.
type LedgerOption func(*Ledger) error

// WithLedgerClock sets the clock used for grant windows and timestamps
// (default: time.Now). A call's own cel.Input.Now, set by the Gate, is used
// for the window check when present.
func WithLedgerClock(c Clock) LedgerOption {
	return func(l *Ledger) error {
		if c == nil {
			return errors.New("approval: WithLedgerClock: nil clock")
		}
		l.clock = c
		return nil
	}
}

// WithGrantLifetime sets the lifetime of a grant whose approver gives no
// end (default [DefaultGrantLifetime], 8h).
func WithGrantLifetime(d time.Duration) LedgerOption {
	return func(l *Ledger) error {
		if d <= 0 {
			return fmt.Errorf("approval: WithGrantLifetime: %v is not positive", d)
		}
		l.lifetime = d
		return nil
	}
}

// WithResyncInterval sets the periodic full resync, the backstop behind
// the store's change feed (default 10s).
func WithResyncInterval(d time.Duration) LedgerOption {
	return func(l *Ledger) error {
		if d <= 0 {
			return fmt.Errorf("approval: WithResyncInterval: %v is not positive", d)
		}
		l.resync = d
		return nil
	}
}

// WithStoreTimeout bounds each background store operation (default 5s).
func WithStoreTimeout(d time.Duration) LedgerOption {
	return func(l *Ledger) error {
		if d <= 0 {
			return fmt.Errorf("approval: WithStoreTimeout: %v is not positive", d)
		}
		l.opTime = d
		return nil
	}
}

// WithGrantEnv sets the CEL environment grant conditions are compiled in
// (default: cel.NewEnv() with no constants).
func WithGrantEnv(env *cel.Env) LedgerOption {
	return func(l *Ledger) error {
		if env == nil {
			return errors.New("approval: WithGrantEnv: nil environment")
		}
		l.env = env
		l.envOnce.Do(func() {})
		return nil
	}
}

// WithPendingArgValues keeps the example argument values of pending
// requests. By default they are redacted (type and size only).
func WithPendingArgValues(keep bool) LedgerOption {
	return func(l *Ledger) error { l.argVals = keep; return nil }
}

// WithLedgerErrorHandler is called with every background error (a failed
// resync or pending write). The latest one is also returned by Health.
func WithLedgerErrorHandler(f func(error)) LedgerOption {
	return func(l *Ledger) error { l.onError = f; return nil }
}

// NewLedger loads the store's content and starts following its change
// feed. It fails (with an error matching ErrStoreDown) when the first
// snapshot cannot be read: a Ledger that never saw the revocations cannot
// answer KeyRevoked.
func NewLedger(ctx context.Context, store Store, opts ...LedgerOption) (*Ledger, error) {
	if store == nil {
		return nil, errors.New("approval: NewLedger: nil store")
	}
	l := &Ledger{
		store:    store,
		clock:    ClockFunc(time.Now),
		lifetime: DefaultGrantLifetime,
		resync:   10 * time.Second,
		opTime:   5 * time.Second,
		outbox:   map[string]*PendingRequest{},
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	for _, o := range opts {
		if err := o(l); err != nil {
			return nil, err
		}
	}
	l.idx.Store(&ledgerIndex{})
	l.changes = store.Changes() // subscribe before the first snapshot: no change is missed
	if err := l.Refresh(ctx); err != nil {
		return nil, err
	}
	go l.loop()
	return l, nil
}

// grantEnv returns the environment for grant conditions.
func (l *Ledger) grantEnv() (*cel.Env, error) {
	l.envOnce.Do(func() { l.env, l.envErr = cel.NewEnv() })
	return l.env, l.envErr
}

// Grant returns the id of an active grant covering the call, or "".
// It is an Approvals method: the Gate asks it when no deny rule matched.
func (l *Ledger) Grant(ctx context.Context, c *Call) (string, error) {
	fp := callFingerprint(c)
	if fp == "" || c.Key == nil {
		return "", nil
	}
	idx := l.idx.Load()
	entries := idx.byFP[fp]
	if len(entries) == 0 {
		return "", nil
	}
	now := l.callNow(c)
	prepare := c.Request != nil && c.Request.Phase == Prepare ||
		c.Input != nil && !c.Input.ArgsKnown
	var storeFail error
	// entries are ordered unlimited grants first, so a limited grant's
	// counter (a store round trip) is used only when nothing else covers.
	for _, e := range entries {
		g := e.g
		if e.usedUp.Load() || g.Status(now) != GrantActive || !g.Scope.matches(c.Key) {
			continue
		}
		if g.When != "" {
			ok, err := e.condition(c.Input, prepare)
			if err != nil || !ok {
				continue // an unevaluable condition never grants
			}
		}
		if g.MaxUses == 0 || prepare {
			return g.ID, nil
		}
		uses, ok, err := l.useGrant(ctx, g.ID)
		if err != nil {
			storeFail = err
			continue
		}
		if uses >= g.MaxUses {
			e.usedUp.Store(true) // the last use: in force at once
		}
		if ok {
			return g.ID, nil
		}
	}
	if storeFail != nil {
		return "", storeFail
	}
	return "", nil
}

func (l *Ledger) useGrant(ctx context.Context, id string) (int64, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, l.opTime)
	defer cancel()
	uses, ok, err := l.store.UseGrant(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	return uses, ok, storeErr("use grant", err)
}

// KeyRevoked reports whether the key id was revoked. It reads the local
// index only.
func (l *Ledger) KeyRevoked(keyID string) (bool, error) {
	_, ok := l.idx.Load().revoked[keyID]
	return ok, nil
}

// Pending records a review request for the call, deduplicated by
// fingerprint and scope, and returns its id. The request is kept locally
// and written to the store in the background (again and again while the
// store is down).
func (l *Ledger) Pending(ctx context.Context, c *Call) (string, error) {
	p, err := l.requestFor(c, false)
	if err != nil {
		return "", err
	}
	if err := l.queuePending(p); err != nil {
		return "", err
	}
	return p.ID, nil
}

func (l *Ledger) requestFor(c *Call, learned bool) (*PendingRequest, error) {
	fp := callFingerprint(c)
	if fp == "" {
		return nil, errors.New("approval: call without a fingerprint")
	}
	now := l.clock.Now()
	p := &PendingRequest{Fingerprint: fp, Text: callText(c), Source: cloneSource(c.Source),
		FirstSeen: now, LastSeen: now, Count: 1, Learned: learned}
	if c.Key != nil {
		p.Role = c.Key.Role
		if !learned {
			p.KeyID, p.Session = c.Key.ID, c.Key.Session
		}
	}
	if !learned {
		p.Args = SummarizeArgs(c.Args, func(int, Arg) bool { return l.argVals })
	} else {
		p.Source = Source{}
	}
	p.ID = PendingID(p.Fingerprint, p.KeyID, p.Role, p.Session, learned)
	return p, nil
}

// maxQueued bounds the pending requests kept locally while the store is
// down; a new request beyond it is refused (the call is denied anyway).
const maxQueued = 10000

func (l *Ledger) queuePending(p *PendingRequest) error {
	l.mu.Lock()
	_, queued := l.outbox[p.ID]
	_, inFlight := l.flushing[p.ID]
	if !queued && !inFlight && len(l.outbox)+len(l.flushing) >= maxQueued {
		l.mu.Unlock()
		return &StoreError{Op: "queue pending", Err: fmt.Errorf("%d requests already waiting to be written", maxQueued)}
	}
	l.outbox[p.ID] = MergePending(l.outbox[p.ID], p)
	l.mu.Unlock()
	notify(l.kick)
	return nil
}

// Flush writes the locally kept pending requests to the store now. It
// returns an error matching ErrStoreDown when some could not be written
// (they stay queued).
func (l *Ledger) Flush(ctx context.Context) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	out := l.outbox
	l.outbox = map[string]*PendingRequest{}
	l.flushing = make(map[string]*PendingRequest, len(out))
	for id, p := range out {
		l.flushing[id] = p
	}
	l.mu.Unlock()
	var first error
	var written []*PendingRequest
	for id, p := range out {
		err := l.store.PutPending(ctx, p)
		if err == nil {
			written = append(written, p)
			delete(out, id)
			continue
		}
		first = storeErr("put pending", err)
		break // the store is down: keep the rest for the next attempt
	}
	// The requests not written go back to the outbox, the written ones into
	// the index, and the flushing set empties, all under l.mu: ListPending
	// sees every request exactly once, before, during and after.
	l.mu.Lock()
	for id, p := range out {
		l.outbox[id] = MergePending(l.outbox[id], p)
	}
	if len(written) > 0 { // in the index at once, as the store now has them
		l.applyLocal(func(s *StoreSnapshot) {
			byID := make(map[string]int, len(s.Pending))
			for i, p := range s.Pending {
				byID[p.ID] = i
			}
			for _, w := range written {
				if i, ok := byID[w.ID]; ok {
					s.Pending[i] = MergePending(s.Pending[i].Clone(), w)
				} else {
					s.Pending = append(s.Pending, w)
				}
			}
		})
	}
	l.flushing = nil
	l.mu.Unlock()
	return first
}

// Queued returns the number of pending requests not yet written to the
// store.
func (l *Ledger) Queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.outbox)
}

// Refresh reads a new snapshot from the store and swaps the index.
func (l *Ledger) Refresh(ctx context.Context) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	return l.refreshLocked(ctx)
}

func (l *Ledger) refreshLocked(ctx context.Context) error {
	snap, err := l.store.Snapshot(ctx)
	if err != nil {
		return storeErr("snapshot", err)
	}
	l.idx.Store(l.buildIndex(snap, l.idx.Load()))
	return nil
}

// Health returns the latest background error (a failed resync or pending
// write), or nil once the store answers again.
func (l *Ledger) Health() error {
	if h := l.health.Load(); h != nil {
		return h.err
	}
	return nil
}

func (l *Ledger) setHealth(err error) {
	if err == nil {
		l.health.Store(nil)
		return
	}
	l.health.Store(&healthErr{err})
	if l.onError != nil {
		l.onError(err)
	}
}

func (l *Ledger) loop() {
	defer close(l.done)
	t := time.NewTicker(l.resync)
	defer t.Stop()
	for {
		var err error
		select {
		case <-l.stop:
			return
		case <-l.kick:
			err = l.background(false)
		case _, ok := <-l.changes:
			if !ok { // the store closed its feed: rely on the periodic resync
				l.changes = nil
				continue
			}
			err = l.background(true)
		case <-t.C:
			err = l.background(true)
		}
		l.setHealth(err)
	}
}

func (l *Ledger) background(resync bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), l.opTime)
	defer cancel()
	ferr := l.Flush(ctx)
	if !resync && ferr == nil {
		return nil
	}
	rerr := l.Refresh(ctx)
	if ferr != nil {
		return ferr
	}
	return rerr
}

// Close stops the background work after a last attempt to write the
// pending requests kept locally; it reports those it could not write.
// It does not close the store.
func (l *Ledger) Close() error {
	var err error
	l.closeOnce.Do(func() {
		close(l.stop)
		<-l.done
		ctx, cancel := context.WithTimeout(context.Background(), l.opTime)
		defer cancel()
		if ferr := l.Flush(ctx); ferr != nil {
			err = fmt.Errorf("approval: %d pending request(s) not written: %w", l.Queued(), ferr)
		}
	})
	return err
}

func (l *Ledger) callNow(c *Call) time.Time {
	if c.Input != nil && !c.Input.Now.IsZero() {
		return c.Input.Now
	}
	return l.clock.Now()
}

func callFingerprint(c *Call) string {
	if c == nil {
		return ""
	}
	if c.Input != nil && c.Input.Query != nil {
		return c.Input.Query.Fingerprint
	}
	if c.Request != nil && c.Request.Statement != nil {
		return c.Request.Statement.Fingerprint
	}
	return ""
}

func callText(c *Call) string {
	if c.Input != nil && c.Input.Query != nil {
		return c.Input.Query.Text
	}
	if c.Request != nil && c.Request.Statement != nil {
		return c.Request.Statement.Text
	}
	return ""
}

// ledgerIndex is an immutable view of the store, swapped atomically.
type ledgerIndex struct {
	byFP    map[string][]*grantEntry // active-or-future grants by fingerprint
	grants  map[string]*grantEntry   // every grant
	pending map[string]*PendingRequest
	revoked map[string]Revocation
}

type grantEntry struct {
	g       *Grant // never modified
	prog    *cel.Program
	progErr error
	usedUp  atomic.Bool
}

func (e *grantEntry) condition(in *cel.Input, prepare bool) (bool, error) {
	if e.prog == nil || in == nil {
		return false, e.progErr
	}
	if prepare {
		matched, known, err := e.prog.Partial(in)
		return matched && known, err
	}
	return e.prog.Eval(in)
}

// buildIndex makes an index from a snapshot. Revocations (of keys and of
// grants) seen in old stay in force even when the snapshot lacks them.
func (l *Ledger) buildIndex(snap *StoreSnapshot, old *ledgerIndex) *ledgerIndex {
	ix := &ledgerIndex{
		byFP:    map[string][]*grantEntry{},
		grants:  make(map[string]*grantEntry, len(snap.Grants)),
		pending: make(map[string]*PendingRequest, len(snap.Pending)),
		revoked: make(map[string]Revocation, len(snap.Revocations)),
	}
	for k, r := range old.revoked {
		ix.revoked[k] = r
	}
	for _, r := range snap.Revocations {
		if _, seen := ix.revoked[r.KeyID]; !seen {
			ix.revoked[r.KeyID] = r
		}
	}
	for _, g := range snap.Grants {
		g = g.Clone()
		if oe, ok := old.grants[g.ID]; ok {
			if g.RevokedAt.IsZero() && !oe.g.RevokedAt.IsZero() {
				g.RevokedAt = oe.g.RevokedAt
			}
			if oe.g.Uses > g.Uses {
				g.Uses = oe.g.Uses
			}
		}
		e := l.newEntry(g, old.grants[g.ID])
		ix.grants[g.ID] = e
	}
	// a grant this ledger knew but the snapshot lacks (deleted from the
	// store) is gone; a revoked one stays listed as revoked.
	for id, oe := range old.grants {
		if _, ok := ix.grants[id]; !ok && !oe.g.RevokedAt.IsZero() {
			ix.grants[id] = oe
		}
	}
	for _, e := range ix.grants {
		if e.g.RevokedAt.IsZero() {
			ix.byFP[e.g.Fingerprint] = append(ix.byFP[e.g.Fingerprint], e)
		}
	}
	for _, es := range ix.byFP {
		sort.SliceStable(es, func(i, j int) bool {
			if (es[i].g.MaxUses == 0) != (es[j].g.MaxUses == 0) {
				return es[i].g.MaxUses == 0
			}
			return es[i].g.ID < es[j].g.ID
		})
	}
	for _, p := range snap.Pending {
		ix.pending[p.ID] = p.Clone()
	}
	return ix
}

func (l *Ledger) newEntry(g *Grant, old *grantEntry) *grantEntry {
	e := &grantEntry{g: g}
	if old != nil && old.g.When == g.When {
		e.prog, e.progErr = old.prog, old.progErr
	} else if g.When != "" {
		e.prog, e.progErr = l.compile(g.When)
	}
	if old != nil && old.usedUp.Load() {
		e.usedUp.Store(true)
	}
	if g.MaxUses > 0 && g.Uses >= g.MaxUses {
		e.usedUp.Store(true)
	}
	return e
}

func (l *Ledger) compile(expr string) (*cel.Program, error) {
	env, err := l.grantEnv()
	if err != nil {
		return nil, fmt.Errorf("%w: no CEL environment for the condition: %v", ErrInvalidGrant, err)
	}
	p, err := env.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("%w: condition %q: %v", ErrInvalidGrant, expr, err)
	}
	return p, nil
}

// applyLocal applies f to a snapshot of the current index and swaps in
// the index built from it, so this ledger's own changes are in force at
// once; it is called with syncMu held.
func (l *Ledger) applyLocal(f func(s *StoreSnapshot)) {
	old := l.idx.Load()
	snap := &StoreSnapshot{}
	for _, e := range old.grants {
		snap.Grants = append(snap.Grants, e.g)
	}
	for _, p := range old.pending {
		snap.Pending = append(snap.Pending, p)
	}
	for _, r := range old.revoked {
		snap.Revocations = append(snap.Revocations, r)
	}
	f(snap)
	l.idx.Store(l.buildIndex(snap, old))
}
