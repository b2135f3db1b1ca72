package approval

import (
	"context"
	"sort"
	"sync"
	"time"
)

// MemStore is a Store held in memory: the zero-setup default for one
// process. Nothing survives a restart. Safe for concurrent use; create one
// with [NewMemStore].
type MemStore struct {
	mu     sync.Mutex
	st     storeState
	feed   changeFeed
	closed bool
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{st: newStoreState()}
}

// Snapshot returns a deep copy of the content.
func (m *MemStore) Snapshot(ctx context.Context) (*StoreSnapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errStoreClosed
	}
	return m.st.snapshot(), nil
}

// AddGrant stores a new grant.
func (m *MemStore) AddGrant(ctx context.Context, g *Grant) error {
	return m.mutate(func(s *storeState) error { return s.addGrant(g) })
}

// RevokeGrant marks a grant revoked.
func (m *MemStore) RevokeGrant(ctx context.Context, id string, at time.Time) error {
	return m.mutate(func(s *storeState) error { return s.revokeGrant(id, at) })
}

// UseGrant counts one use, atomically.
func (m *MemStore) UseGrant(ctx context.Context, id string) (uses int64, ok bool, err error) {
	err = m.mutate(func(s *storeState) error {
		var e error
		uses, ok, e = s.useGrant(id)
		return e
	})
	return uses, ok, err
}

// PutPending inserts or merges a request.
func (m *MemStore) PutPending(ctx context.Context, p *PendingRequest) error {
	return m.mutate(func(s *storeState) error { s.putPending(p); return nil })
}

// DeletePending removes a request.
func (m *MemStore) DeletePending(ctx context.Context, id string) error {
	return m.mutate(func(s *storeState) error { return s.deletePending(id) })
}

// RevokeKey records a key revocation.
func (m *MemStore) RevokeKey(ctx context.Context, r Revocation) error {
	return m.mutate(func(s *storeState) error { return s.revokeKey(r) })
}

// Changes returns a new subscription to the change feed.
func (m *MemStore) Changes() <-chan struct{} { return m.feed.subscribe() }

// Close marks the store closed; later calls fail.
func (m *MemStore) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}

func (m *MemStore) mutate(f func(*storeState) error) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return errStoreClosed
	}
	err := f(&m.st)
	m.mu.Unlock()
	if err == nil {
		m.feed.broadcast()
	}
	return err
}

// storeState is the content shared by MemStore and FileStore.
type storeState struct {
	Grants      map[string]*Grant          `json:"grants"`
	Pending     map[string]*PendingRequest `json:"pending"`
	Revocations map[string]Revocation      `json:"revocations"`
}

func newStoreState() storeState {
	return storeState{
		Grants:      map[string]*Grant{},
		Pending:     map[string]*PendingRequest{},
		Revocations: map[string]Revocation{},
	}
}

func (s *storeState) fill() {
	if s.Grants == nil {
		s.Grants = map[string]*Grant{}
	}
	if s.Pending == nil {
		s.Pending = map[string]*PendingRequest{}
	}
	if s.Revocations == nil {
		s.Revocations = map[string]Revocation{}
	}
}

func (s *storeState) snapshot() *StoreSnapshot {
	out := &StoreSnapshot{
		Grants:      make([]*Grant, 0, len(s.Grants)),
		Pending:     make([]*PendingRequest, 0, len(s.Pending)),
		Revocations: make([]Revocation, 0, len(s.Revocations)),
	}
	for _, g := range s.Grants {
		out.Grants = append(out.Grants, g.Clone())
	}
	for _, p := range s.Pending {
		out.Pending = append(out.Pending, p.Clone())
	}
	for _, r := range s.Revocations {
		out.Revocations = append(out.Revocations, r)
	}
	sort.Slice(out.Grants, func(i, j int) bool { return out.Grants[i].ID < out.Grants[j].ID })
	sort.Slice(out.Pending, func(i, j int) bool { return out.Pending[i].ID < out.Pending[j].ID })
	sort.Slice(out.Revocations, func(i, j int) bool { return out.Revocations[i].KeyID < out.Revocations[j].KeyID })
	return out
}

func (s *storeState) addGrant(g *Grant) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if _, dup := s.Grants[g.ID]; dup {
		return &StoreError{Op: "add grant", Err: errDuplicateID}
	}
	s.Grants[g.ID] = g.Clone()
	return nil
}

func (s *storeState) revokeGrant(id string, at time.Time) error {
	g, ok := s.Grants[id]
	if !ok {
		return ErrNotFound
	}
	if g.RevokedAt.IsZero() {
		g.RevokedAt = at
	}
	return nil
}

func (s *storeState) useGrant(id string) (int64, bool, error) {
	g, ok := s.Grants[id]
	if !ok {
		return 0, false, ErrNotFound
	}
	if !g.RevokedAt.IsZero() || (g.MaxUses > 0 && g.Uses >= g.MaxUses) {
		return g.Uses, false, nil
	}
	g.Uses++
	return g.Uses, true, nil
}

func (s *storeState) putPending(p *PendingRequest) {
	s.Pending[p.ID] = MergePending(s.Pending[p.ID], p)
}

func (s *storeState) deletePending(id string) error {
	if _, ok := s.Pending[id]; !ok {
		return ErrNotFound
	}
	delete(s.Pending, id)
	return nil
}

func (s *storeState) revokeKey(r Revocation) error {
	if r.KeyID == "" {
		return &StoreError{Op: "revoke key", Err: errEmptyKeyID}
	}
	if old, ok := s.Revocations[r.KeyID]; ok && !old.At.IsZero() && old.At.Before(r.At) {
		return nil // the earliest revocation stands
	}
	s.Revocations[r.KeyID] = r
	return nil
}
