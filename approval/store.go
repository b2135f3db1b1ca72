package approval

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Store keeps grants, pending requests and key revocations where a Ledger
// (and through it every Gate) and the approvers' tools can find them.
// Implementations: [MemStore] (in memory, zero setup), [FileStore] (one
// JSON file, for a single process that restarts) and the PostgreSQL store
// in store/postgres (many app instances).
//
// A Store is only used off the per-query hot path: a Ledger keeps a local
// index and re-reads the store when its change feed fires. The one
// exception is a grant with a maximum number of uses, whose counter must be
// shared: each use is counted in the store, atomically.
//
// Methods return [ErrNotFound] for a missing id; any other error means the
// store could not be reached or did not answer, and callers fail closed.
type Store interface {
	// Snapshot returns every grant (revoked ones included), pending
	// request and key revocation.
	Snapshot(ctx context.Context) (*StoreSnapshot, error)
	// AddGrant stores a new grant.
	AddGrant(ctx context.Context, g *Grant) error
	// RevokeGrant marks a grant revoked at the given time.
	RevokeGrant(ctx context.Context, id string, at time.Time) error
	// UseGrant counts one use of a grant with MaxUses > 0, atomically:
	// it returns ok=false without counting when the grant is used up or
	// revoked, and the uses counted including this one when ok.
	UseGrant(ctx context.Context, id string) (uses int64, ok bool, err error)
	// PutPending inserts a request, or merges it (see [MergePending]) into
	// the stored one with the same id.
	PutPending(ctx context.Context, p *PendingRequest) error
	// DeletePending removes a request (approved or rejected).
	DeletePending(ctx context.Context, id string) error
	// RevokeKey records that a provisioning key is revoked.
	RevokeKey(ctx context.Context, r Revocation) error
	// Changes subscribes to the change feed: each call returns a new
	// channel that receives a value (coalesced: one value may stand for
	// many changes) after any change, made by this process or another,
	// and when a lost connection is restored. Readers then take a new
	// Snapshot.
	Changes() <-chan struct{}
	// Close releases the store.
	Close() error
}

// StoreSnapshot is the full content of a store.
type StoreSnapshot struct {
	Grants      []*Grant          `json:"grants"`
	Pending     []*PendingRequest `json:"pending"`
	Revocations []Revocation      `json:"revocations"`
}

// Revocation records that a provisioning key is revoked, everywhere, from
// At on.
type Revocation struct {
	KeyID  string    `json:"key_id"`
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// ErrNotFound is returned for an unknown grant or request id. Check with
// errors.Is.
var ErrNotFound = errors.New("approval: not found")

// StoreError reports a store operation that failed. errors.Is(err,
// ErrStoreDown) holds, and Unwrap returns the store's own error.
type StoreError struct {
	Op  string // e.g. "add grant"
	Err error
}

// Error describes the failed operation.
func (e *StoreError) Error() string {
	return fmt.Sprintf("approval: store unavailable (%s): %v", e.Op, e.Err)
}

// Is matches ErrStoreDown.
func (e *StoreError) Is(target error) bool { return target == ErrStoreDown }

// Unwrap returns the underlying error.
func (e *StoreError) Unwrap() error { return e.Err }

// storeErr wraps a store failure, leaving ErrNotFound and validation
// errors as they are.
func storeErr(op string, err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidGrant) || errors.Is(err, ErrStoreDown) {
		return err
	}
	return &StoreError{Op: op, Err: err}
}

// notify sends a coalesced signal on ch without blocking.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

var (
	errStoreClosed = errors.New("store closed")
	errDuplicateID = errors.New("duplicate grant id")
	errEmptyKeyID  = errors.New("empty key id")
)

// changeFeed fans coalesced change signals out to subscribers. The zero
// value is ready to use.
type changeFeed struct {
	mu   sync.Mutex
	subs []chan struct{}
}

func (f *changeFeed) subscribe() <-chan struct{} {
	ch := make(chan struct{}, 1)
	f.mu.Lock()
	f.subs = append(f.subs, ch)
	f.mu.Unlock()
	return ch
}

func (f *changeFeed) broadcast() {
	f.mu.Lock()
	for _, ch := range f.subs {
		notify(ch)
	}
	f.mu.Unlock()
}

// ChangeFeed fans coalesced change signals out to any number of
// subscribers, for Store implementations outside this package. The zero
// value is ready to use; it is safe for concurrent use.
type ChangeFeed struct{ f changeFeed }

// Subscribe returns a new channel that receives a value after Broadcast.
func (c *ChangeFeed) Subscribe() <-chan struct{} { return c.f.subscribe() }

// Broadcast signals every subscriber without blocking.
func (c *ChangeFeed) Broadcast() { c.f.broadcast() }
