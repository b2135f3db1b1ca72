package approvaltest

import (
	"sync"
	"time"

	"github.com/approvedsql/approvedsql/approvaltest/casefile"
)

// Epoch is the instant a Kit's clock starts at, and the time keys made by
// [Key] and [ExpiredKey] are relative to: Monday 5 January 2026, 10:00 UTC
// (the default time of policy test cases too).
var Epoch = casefile.DefaultTime

// Clock is a fake clock for a Gate, a Ledger or a Keyring (it implements
// approval.Clock): time moves only when the test says so. Safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
