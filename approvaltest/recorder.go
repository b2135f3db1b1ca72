package approvaltest

import (
	"sync"

	"github.com/approvedsql/approvedsql/approval"
)

// Recorder is an approval.Auditor that keeps every record in memory, so a
// test can check what was audited. Safe for concurrent use; the zero value
// is ready to use.
type Recorder struct {
	mu      sync.Mutex
	records []approval.Record
}

// Record keeps a copy of r.
func (a *Recorder) Record(r *approval.Record) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records = append(a.records, *r)
	return nil
}

// Records returns the records so far, oldest first.
func (a *Recorder) Records() []approval.Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]approval.Record(nil), a.records...)
}

// Decisions returns the Decision field of each record so far ("allow",
// "deny", "review", …), oldest first.
func (a *Recorder) Decisions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, len(a.records))
	for i, r := range a.records {
		out[i] = r.Decision
	}
	return out
}

// Reset forgets the records so far.
func (a *Recorder) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records = nil
}
