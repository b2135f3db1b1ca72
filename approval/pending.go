package approval

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// PendingRequest is a statement waiting for an approver. Requests are
// deduplicated by fingerprint and scope (key id, role, session): the same
// statement from the same key and session counts up one request.
type PendingRequest struct {
	ID          string    `json:"id"`
	Fingerprint string    `json:"fingerprint"`
	Text        string    `json:"text,omitempty"` // canonical text
	Args        []string  `json:"args,omitempty"` // example arguments, redacted unless loggable
	KeyID       string    `json:"key_id,omitempty"`
	Role        string    `json:"role,omitempty"`
	Session     string    `json:"session,omitempty"`
	Source      Source    `json:"source"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
	Count       int64     `json:"count"`
	// Learned marks a proposal recorded in learn mode (one per fingerprint
	// and role) rather than a call that met a review rule.
	Learned bool `json:"learned,omitempty"`
}

// Clone returns a deep copy of p.
func (p *PendingRequest) Clone() *PendingRequest {
	c := *p
	c.Args = append([]string(nil), p.Args...)
	c.Source = cloneSource(p.Source)
	return &c
}

// merge folds a later sighting of the same request into p.
func (p *PendingRequest) merge(o *PendingRequest) {
	if p.FirstSeen.IsZero() || (!o.FirstSeen.IsZero() && o.FirstSeen.Before(p.FirstSeen)) {
		p.FirstSeen = o.FirstSeen
	}
	if o.LastSeen.After(p.LastSeen) {
		p.LastSeen = o.LastSeen
	}
	p.Count += o.Count
	if p.Text == "" {
		p.Text = o.Text
	}
	if len(p.Args) == 0 {
		p.Args = append([]string(nil), o.Args...)
	}
}

// MergePending folds delta (a later sighting of the same request id) into
// cur and returns cur. Stores use it for their upsert: counts add up, first
// seen is the earliest, last seen the latest, text and example args are
// kept from the first sighting that had them.
func MergePending(cur, delta *PendingRequest) *PendingRequest {
	if cur == nil {
		return delta.Clone()
	}
	cur.merge(delta)
	return cur
}

// PendingID returns the deterministic id of the request for one
// fingerprint and scope. Every instance computes the same id, so a request
// seen on many app instances is one request in a shared store.
func PendingID(fingerprint, keyID, role, session string, learned bool) string {
	h := sha256.New()
	kind := "review"
	if learned {
		kind = "learn"
	}
	for _, s := range []string{kind, fingerprint, keyID, role, session} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	sum := h.Sum(nil)
	if learned {
		return "l-" + hex.EncodeToString(sum[:6])
	}
	return "r-" + hex.EncodeToString(sum[:6])
}

func cloneSource(s Source) Source {
	if s.Labels != nil {
		m := make(map[string]string, len(s.Labels))
		for k, v := range s.Labels {
			m[k] = v
		}
		s.Labels = m
	}
	return s
}
