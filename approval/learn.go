package approval

import "context"

var _ Learner = (*Ledger)(nil)

// Learn records the call's (fingerprint, role) pair as a proposed grant: a
// [PendingRequest] with Learned set, one per pair, counted. It is the
// Ledger's [Learner] method, used by a Gate in learn mode; `approvalctl
// learn export` turns the proposals into policy rules for review.
func (l *Ledger) Learn(ctx context.Context, c *Call) error {
	p, err := l.requestFor(c, true)
	if err != nil {
		return err
	}
	return l.queuePending(p)
}
