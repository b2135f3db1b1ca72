package approval

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Approve answers a pending request with a grant built from spec: the
// fingerprint and the scope's value (key id, role or session) come from the
// request. The grant is written to the store, the request removed, and the
// grant is in force on this Ledger at once (on others when their change
// feed fires). A grant without an end is refused; without a given end it
// holds for the Ledger's default lifetime.
func (l *Ledger) Approve(ctx context.Context, requestID string, spec GrantSpec) (*Grant, error) {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	p := l.findPending(requestID)
	if p == nil {
		if err := l.refreshLocked(ctx); err != nil {
			return nil, err
		}
		if p = l.findPending(requestID); p == nil {
			return nil, fmt.Errorf("%w: pending request %q", ErrNotFound, requestID)
		}
	}
	kind := spec.Scope
	if kind == ScopeInvalid {
		kind = ScopeKey
		if p.Learned { // a learned proposal is per role
			kind = ScopeRole
		}
	}
	scope := GrantScope{Kind: kind}
	switch kind {
	case ScopeKey:
		scope.Value = p.KeyID
	case ScopeRole:
		scope.Value = p.Role
	case ScopeSession:
		scope.Value = p.Session
	default:
		return nil, fmt.Errorf("%w: invalid scope kind %d", ErrInvalidGrant, kind)
	}
	if scope.Value == "" {
		return nil, fmt.Errorf("%w: request %s has no %s to scope the grant to", ErrInvalidGrant, p.ID, kind)
	}
	g, err := l.newGrant(p.Fingerprint, p.Text, scope, spec)
	if err != nil {
		return nil, err
	}
	g.RequestID = p.ID
	if err := l.store.AddGrant(ctx, g); err != nil {
		return nil, storeErr("add grant", err)
	}
	if err := l.store.DeletePending(ctx, p.ID); err != nil && !errors.Is(err, ErrNotFound) {
		return nil, storeErr("delete pending", err)
	}
	l.dropQueued(p.ID)
	l.applyLocal(func(s *StoreSnapshot) {
		s.Grants = append(s.Grants, g)
		s.Pending = dropPending(s.Pending, p.ID)
	})
	return g.Clone(), nil
}

// AddGrant writes a grant for a fingerprint without a pending request
// (for example one prepared ahead of a deployment).
func (l *Ledger) AddGrant(ctx context.Context, fingerprint, text string, scope GrantScope, spec GrantSpec) (*Grant, error) {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	g, err := l.newGrant(fingerprint, text, scope, spec)
	if err != nil {
		return nil, err
	}
	if err := l.store.AddGrant(ctx, g); err != nil {
		return nil, storeErr("add grant", err)
	}
	l.applyLocal(func(s *StoreSnapshot) { s.Grants = append(s.Grants, g) })
	return g.Clone(), nil
}

func (l *Ledger) newGrant(fingerprint, text string, scope GrantScope, spec GrantSpec) (*Grant, error) {
	now := l.clock.Now()
	from := spec.From
	if from.IsZero() {
		from = now
	}
	until := spec.Until
	if until.IsZero() {
		d := spec.For
		if d < 0 {
			return nil, fmt.Errorf("%w: negative lifetime %v", ErrInvalidGrant, d)
		}
		if d == 0 {
			d = l.lifetime
		}
		until = from.Add(d)
	}
	g := &Grant{
		ID: newID("g-"), Fingerprint: fingerprint, Text: text, Scope: scope,
		From: from, Until: until, When: strings.TrimSpace(spec.When), MaxUses: spec.MaxUses,
		ApprovedBy: spec.By, Reason: spec.Reason, Created: now,
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if g.When != "" {
		if _, err := l.compile(g.When); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Reject removes a pending request without granting it.
func (l *Ledger) Reject(ctx context.Context, requestID string) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	queued := l.dropQueued(requestID)
	err := l.store.DeletePending(ctx, requestID)
	if errors.Is(err, ErrNotFound) && queued {
		err = nil
	}
	if err != nil {
		return storeErr("delete pending", err)
	}
	l.applyLocal(func(s *StoreSnapshot) { s.Pending = dropPending(s.Pending, requestID) })
	return nil
}

// RevokeGrant ends a grant now, here at once and everywhere once the
// store's change feed reaches the other instances.
func (l *Ledger) RevokeGrant(ctx context.Context, grantID string) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	at := l.clock.Now()
	if err := l.store.RevokeGrant(ctx, grantID, at); err != nil {
		return storeErr("revoke grant", err)
	}
	l.applyLocal(func(s *StoreSnapshot) {
		for i, g := range s.Grants {
			if g.ID == grantID && g.RevokedAt.IsZero() {
				c := g.Clone()
				c.RevokedAt = at
				s.Grants[i] = c
			}
		}
	})
	return nil
}

// RevokeKey revokes a provisioning key by id: every call with it is denied
// from now on, here at once and everywhere once the change feed reaches
// the other instances.
func (l *Ledger) RevokeKey(ctx context.Context, keyID, by, reason string) error {
	if keyID == "" {
		return errors.New("approval: RevokeKey: empty key id")
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	r := Revocation{KeyID: keyID, At: l.clock.Now(), By: by, Reason: reason}
	if err := l.store.RevokeKey(ctx, r); err != nil {
		return storeErr("revoke key", err)
	}
	l.applyLocal(func(s *StoreSnapshot) { s.Revocations = append(s.Revocations, r) })
	return nil
}

// ListPending returns the pending requests known here (the store's and
// those kept locally, not yet written), most recently seen first.
func (l *Ledger) ListPending() []*PendingRequest {
	// Under l.mu a request is in exactly one of the index (written), the
	// flushing set (being written) and the outbox (queued), or in the index
	// and the outbox with counts to add (see Flush).
	l.mu.Lock()
	ix := l.idx.Load()
	m := make(map[string]*PendingRequest, len(ix.pending))
	for id, p := range ix.pending {
		m[id] = p.Clone()
	}
	for id, p := range l.flushing {
		m[id] = MergePending(m[id], p)
	}
	for id, p := range l.outbox {
		m[id] = MergePending(m[id], p)
	}
	l.mu.Unlock()
	out := make([]*PendingRequest, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].LastSeen.Equal(out[j].LastSeen) {
			return out[i].LastSeen.After(out[j].LastSeen)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ListGrants returns every grant known here, revoked and expired ones
// included (see Grant.Status), newest first.
func (l *Ledger) ListGrants() []*Grant {
	ix := l.idx.Load()
	out := make([]*Grant, 0, len(ix.grants))
	for _, e := range ix.grants {
		g := e.g.Clone()
		if e.usedUp.Load() && g.MaxUses > 0 && g.Uses < g.MaxUses {
			g.Uses = g.MaxUses
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Revocations returns the key revocations known here, by key id.
func (l *Ledger) Revocations() []Revocation {
	ix := l.idx.Load()
	out := make([]Revocation, 0, len(ix.revoked))
	for _, r := range ix.revoked {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].KeyID < out[j].KeyID })
	return out
}

func (l *Ledger) findPending(id string) *PendingRequest {
	var p *PendingRequest
	l.mu.Lock() // as in ListPending
	defer l.mu.Unlock()
	if sp, ok := l.idx.Load().pending[id]; ok {
		p = sp.Clone()
	}
	if q, ok := l.flushing[id]; ok {
		p = MergePending(p, q)
	}
	if q, ok := l.outbox[id]; ok {
		p = MergePending(p, q)
	}
	return p
}

func (l *Ledger) dropQueued(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.outbox[id]
	delete(l.outbox, id)
	return ok
}

func dropPending(ps []*PendingRequest, id string) []*PendingRequest {
	out := ps[:0:0]
	for _, p := range ps {
		if p.ID != id {
			out = append(out, p)
		}
	}
	return out
}
