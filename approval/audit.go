package approval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Sink receives batches of audit records, already chained (Prev and Hash
// set), in order. Write must write all of the batch or none of it: a batch
// that failed is written again. Sinks that hold resources implement
// io.Closer; the AuditTrail closes them.
type Sink interface {
	Write(ctx context.Context, batch []Record) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, batch []Record) error

// Write calls f.
func (f SinkFunc) Write(ctx context.Context, batch []Record) error { return f(ctx, batch) }

// ChainResumer is an optional interface of a Sink that holds earlier
// records (a file): LastHash returns the hash of the last record written,
// so a new AuditTrail continues the chain instead of starting a new one.
type ChainResumer interface {
	LastHash() (string, error)
}

// Overflow says what Record does when the buffer is full.
type Overflow uint8

const (
	// OverflowFailClosed: Record returns ErrAuditOverflow and the Gate
	// denies the call (the default: nothing waits, nothing is lost).
	OverflowFailClosed Overflow = iota
	// OverflowBlock: Record waits for room.
	OverflowBlock
)

// String names the policy ("fail-closed", "block").
func (o Overflow) String() string {
	if o == OverflowBlock {
		return "block"
	}
	return "fail-closed"
}

// ParseOverflow parses "fail-closed" or "block".
func ParseOverflow(s string) (Overflow, error) {
	switch s {
	case "fail-closed", "":
		return OverflowFailClosed, nil
	case "block":
		return OverflowBlock, nil
	}
	return 0, fmt.Errorf("approval: unknown audit overflow policy %q (want block or fail-closed)", s)
}

// ErrAuditClosed is returned by Record after Close.
var ErrAuditClosed = errors.New("approval: audit trail closed")

// AuditSinkError reports a sink write that failed; the batch is retried.
// errors.Is(err, ErrAuditSink) holds.
type AuditSinkError struct {
	Records int // records in the failed batch
	Err     error
}

// ErrAuditSink is matched by *AuditSinkError.
var ErrAuditSink = errors.New("approval: audit sink failed")

// Error describes the failed write.
func (e *AuditSinkError) Error() string {
	return fmt.Sprintf("approval: audit sink failed writing %d record(s): %v", e.Records, e.Err)
}

// Is matches ErrAuditSink.
func (e *AuditSinkError) Is(target error) bool { return target == ErrAuditSink }

// Unwrap returns the sink's error.
func (e *AuditSinkError) Unwrap() error { return e.Err }

// AuditTrail is the buffered [Auditor]: Record puts a copy of the record in
// a bounded buffer, and one background writer chains the records (each
// carries the hash of the one before: see [VerifyAuditLog]) and writes
// them to the sink in batches, retrying a failed batch until it is written.
// After a batch that emptied the buffer the writer waits (5ms by default,
// see [WithAuditLinger]; less when the buffer fills to half or Close is
// called) so that records gather into batches. Records from a [Gate] cost its caller no allocation: the writer
// formats their argument summaries from facts taken at the call.
// When the buffer is full, the overflow policy applies. Health reports a
// failing sink or a full buffer, so the Gate can deny while nothing can be
// recorded. Close flushes. Safe for concurrent use.
type AuditTrail struct {
	sink     Sink
	overflow Overflow
	batch    int
	retryMin time.Duration
	retryMax time.Duration
	closeTO  time.Duration
	onError  func(error)
	prev     string

	ch     chan queued
	mu     sync.RWMutex // Record holds R while sending; Close holds W
	closed bool
	done   chan struct{}
	quit   chan struct{} // closed when Close gives up retrying
	// writeCtx is the sink writes' context, cancelled when Close gives
	// up (a write in progress is abandoned) or is done.
	writeCtx    context.Context
	cancelWrite context.CancelFunc
	nudge       chan struct{} // ends the writer's linger (see WithAuditLinger)
	nudgeAt     int
	linger      time.Duration

	written  atomic.Uint64
	dropped  atomic.Uint64
	sinkErr  atomic.Pointer[healthErr]
	closeErr error
}

var _ Auditor = (*AuditTrail)(nil)

// AuditOption configures an AuditTrail; an invalid option is a
// NewAuditTrail error.
type AuditOption func(*AuditTrail) error

// WithAuditBuffer sets the buffer size in records (default 4096).
func WithAuditBuffer(n int) AuditOption {
	return func(a *AuditTrail) error {
		if n <= 0 {
			return fmt.Errorf("approval: WithAuditBuffer: %d is not positive", n)
		}
		a.ch = make(chan queued, n)
		return nil
	}
}

// WithOverflow sets the overflow policy (default OverflowFailClosed).
func WithOverflow(o Overflow) AuditOption {
	return func(a *AuditTrail) error {
		if o > OverflowBlock {
			return fmt.Errorf("approval: WithOverflow: unknown policy %d", o)
		}
		a.overflow = o
		return nil
	}
}

// WithAuditBatch sets the largest batch handed to the sink (default 256).
func WithAuditBatch(n int) AuditOption {
	return func(a *AuditTrail) error {
		if n <= 0 {
			return fmt.Errorf("approval: WithAuditBatch: %d is not positive", n)
		}
		a.batch = n
		return nil
	}
}

// WithAuditRetry sets the backoff between attempts to write a failed batch
// (default 50ms doubling to 5s).
func WithAuditRetry(min, max time.Duration) AuditOption {
	return func(a *AuditTrail) error {
		if min <= 0 || max < min {
			return fmt.Errorf("approval: WithAuditRetry: bad backoff %v..%v", min, max)
		}
		a.retryMin, a.retryMax = min, max
		return nil
	}
}

// WithAuditCloseTimeout bounds how long Close keeps retrying a failing
// sink before it gives up and reports the records not written (default 10s).
func WithAuditCloseTimeout(d time.Duration) AuditOption {
	return func(a *AuditTrail) error {
		if d <= 0 {
			return fmt.Errorf("approval: WithAuditCloseTimeout: %v is not positive", d)
		}
		a.closeTO = d
		return nil
	}
}

// WithAuditErrorHandler is called with each sink error (an
// *AuditSinkError, from the writer goroutine) and with each record refused
// under OverflowFailClosed (an error matching ErrAuditOverflow, from the
// caller of Record).
func WithAuditErrorHandler(f func(error)) AuditOption {
	return func(a *AuditTrail) error { a.onError = f; return nil }
}

// WithChainStart sets the hash the first record chains to (default: the
// sink's LastHash when it is a ChainResumer, else "": a new chain).
func WithChainStart(prev string) AuditOption {
	return func(a *AuditTrail) error { a.prev = prev; return nil }
}

// NewAuditTrail starts a buffered auditor writing to sink.
func NewAuditTrail(sink Sink, opts ...AuditOption) (*AuditTrail, error) {
	if sink == nil {
		return nil, errors.New("approval: NewAuditTrail: nil sink")
	}
	a := &AuditTrail{sink: sink, batch: 256, retryMin: 50 * time.Millisecond, retryMax: 5 * time.Second, linger: DefaultAuditLinger,
		closeTO: 10 * time.Second, done: make(chan struct{}), quit: make(chan struct{})}
	if cr, ok := sink.(ChainResumer); ok {
		h, err := cr.LastHash()
		if err != nil {
			return nil, fmt.Errorf("approval: audit sink: reading the last record: %w", err)
		}
		a.prev = h
	}
	for _, o := range opts {
		if err := o(a); err != nil {
			return nil, err
		}
	}
	if a.ch == nil {
		a.ch = make(chan queued, 4096)
	}
	a.writeCtx, a.cancelWrite = context.WithCancel(context.Background())
	a.nudge, a.nudgeAt = make(chan struct{}, 1), max(min(a.batch, cap(a.ch)/2), 1)
	go a.run()
	return a, nil
}

// queued is one record in an AuditTrail's buffer. A record from the Gate
// is kept compact: references to the immutable statement, key and source
// of its decision instead of copies of their strings, and its arguments
// as facts (see argView); the writer builds the Record. A Record handed to
// [AuditTrail.Record] is carried as a copy in ext.
type queued struct {
	ext *Record

	at                                  time.Time
	decision, rule, reason, fingerprint string
	keyID, policyVersion, errorClass    string
	stmt                                *sqlnorm.Statement // Text
	key                                 *Key               // Role, Session
	src                                 *Source
	latency                             time.Duration
	rowsAffected                        int64
	argSummary                          []string // the arguments summarised on the caller, when they could not be kept as facts
	args                                argView
}

// decisionName is the record's decision.
func (q *queued) decisionName() string {
	if q.ext != nil {
		return q.ext.Decision
	}
	return q.decision
}

// record returns the Record q stands for, without the summaries of the
// arguments kept as facts (the writer adds them).
func (q *queued) record() Record {
	var r Record
	q.fill(&r)
	return r
}

// fill sets *r to the Record q stands for (see record).
func (q *queued) fill(r *Record) {
	if q.ext != nil {
		*r = *q.ext
		return
	}
	*r = Record{
		Time:          q.at,
		Decision:      q.decision,
		Rule:          q.rule,
		Reason:        q.reason,
		Fingerprint:   q.fingerprint,
		KeyID:         q.keyID,
		PolicyVersion: q.policyVersion,
		Latency:       q.latency,
		RowsAffected:  q.rowsAffected,
		ErrorClass:    q.errorClass,
		Args:          q.argSummary,
	}
	if q.stmt != nil {
		r.Text = q.stmt.Text
	}
	if q.key != nil {
		r.Role, r.Session = q.key.Role, q.key.Session
	}
	if q.src != nil {
		r.Source = *q.src
	}
}

// Record queues a copy of r. Under OverflowFailClosed a full buffer returns
// ErrAuditOverflow at once; under OverflowBlock Record waits for room.
// After Close it returns ErrAuditClosed. The caller must not change the
// record's slices and maps afterwards.
func (a *AuditTrail) Record(r *Record) error {
	c := *r
	q := queued{ext: &c}
	return a.enqueue(&q)
}

// enqueue is Record for a queued record, which it copies.
func (a *AuditTrail) enqueue(q *queued) error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		return ErrAuditClosed
	}
	if a.overflow == OverflowBlock {
		a.ch <- *q
		a.nudgeIfFilling()
		return nil
	}
	if d := q.decisionName(); (d == "deny" || d == "review") && a.overReserve() {
		// The last eighth is kept for the records of calls already under
		// way; a refused call's own record must not take it (it is counted
		// and reported below like any refused record).
		return a.refuse()
	}
	select {
	case a.ch <- *q:
		a.nudgeIfFilling()
		return nil
	default:
		return a.refuse()
	}
}

// DefaultAuditLinger is how long the writer waits by default, after a
// batch that emptied the buffer, before it takes the next records (see
// [WithAuditLinger]).
const DefaultAuditLinger = 5 * time.Millisecond

// MaxAuditLinger bounds [WithAuditLinger].
const MaxAuditLinger = time.Second

// WithAuditLinger sets how long the writer waits, after a batch that
// emptied the buffer, before it takes the next records (default
// DefaultAuditLinger; the buffer filling to half and Close end the wait
// early). Records then gather into batches and callers seldom find the
// writer waiting on the buffer, which would make each of them wake it: at
// a few thousand calls a second, each wake-up and each small write costs
// the process more CPU than the call it records. A longer linger means
// fewer, larger writes; a shorter one that records reach the sink sooner
// (they are in memory meanwhile, as any buffered record is). 0 writes
// each record as soon as the writer is free; at most MaxAuditLinger.
func WithAuditLinger(d time.Duration) AuditOption {
	return func(a *AuditTrail) error {
		if d < 0 || d > MaxAuditLinger {
			return fmt.Errorf("approval: WithAuditLinger: %v is not within 0..%v", d, MaxAuditLinger)
		}
		a.linger = d
		return nil
	}
}

// withAuditLinger sets the writer's linger without the bound (tests).
func withAuditLinger(d time.Duration) AuditOption {
	return func(a *AuditTrail) error { a.linger = d; return nil }
}

// nudgeIfFilling ends the writer's linger once the buffer holds nudgeAt
// records.
func (a *AuditTrail) nudgeIfFilling() {
	if len(a.ch) >= a.nudgeAt {
		select {
		case a.nudge <- struct{}{}:
		default: // a nudge is already pending
		}
	}
}

// overReserve reports whether the buffer has reached the threshold at
// which Health reports ErrAuditOverflow under OverflowFailClosed.
func (a *AuditTrail) overReserve() bool {
	return len(a.ch) >= cap(a.ch)-cap(a.ch)/8
}

// refuse counts and reports one record refused under OverflowFailClosed.
func (a *AuditTrail) refuse() error {
	n := a.dropped.Add(1)
	if a.onError != nil {
		a.onError(fmt.Errorf("%w: record refused (%d so far)", ErrAuditOverflow, n))
	}
	return ErrAuditOverflow
}

// Health returns nil while records are being written; otherwise the
// sink's latest error (an *AuditSinkError), ErrAuditClosed, or, under
// OverflowFailClosed, ErrAuditOverflow as soon as the buffer is 7/8 full:
// the Gate then refuses new calls while the last eighth stays free for the
// records of calls already under way.
func (a *AuditTrail) Health() error {
	if h := a.sinkErr.Load(); h != nil {
		return h.err
	}
	if a.overflow == OverflowFailClosed && a.overReserve() {
		return ErrAuditOverflow
	}
	a.mu.RLock()
	closed := a.closed
	a.mu.RUnlock()
	if closed {
		return ErrAuditClosed
	}
	return nil
}

// Written returns the number of records written to the sink so far.
func (a *AuditTrail) Written() uint64 { return a.written.Load() }

// Refused returns the number of records Record refused with
// ErrAuditOverflow (each one is also reported to the error handler).
func (a *AuditTrail) Refused() uint64 { return a.dropped.Load() }

// Close stops accepting records, writes everything buffered (retrying a
// failing sink for up to the close timeout), closes the sink when it is an
// io.Closer and reports any record that could not be written.
func (a *AuditTrail) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		<-a.done
		return a.closeErr
	}
	a.closed = true
	close(a.ch)
	select { // the writer may be lingering
	case a.nudge <- struct{}{}:
	default:
	}
	a.mu.Unlock()
	t := time.AfterFunc(a.closeTO, func() {
		close(a.quit)
		a.cancelWrite()
	})
	<-a.done
	t.Stop()
	a.cancelWrite()
	if c, ok := a.sink.(io.Closer); ok {
		if err := c.Close(); err != nil && a.closeErr == nil {
			a.closeErr = fmt.Errorf("approval: closing audit sink: %w", err)
		}
	}
	return a.closeErr
}

func (a *AuditTrail) run() {
	defer close(a.done)
	var (
		w    chainWriter
		buf  = make([]Record, 0, a.batch)
		args = make([]argView, 0, a.batch)
		lost int
	)
	file, _ := a.sink.(*FileSink)
	w.wantLines = file != nil // the writer encodes the lines the file gets
	linger := time.NewTimer(a.linger)
	linger.Stop()
	for q := range a.ch {
		buf, args = append(buf[:0], Record{}), append(args[:0], q.args)
		q.fill(&buf[0])
		closed := false
	fill:
		for len(buf) < a.batch {
			select {
			case q, ok := <-a.ch:
				if !ok {
					closed = true
					break fill
				}
				buf, args = append(buf, Record{}), append(args, q.args)
				q.fill(&buf[len(buf)-1])
			default:
				break fill
			}
		}
		a.prev = w.chain(buf, args, a.prev)
		clear(args) // the facts of shown values are not kept
		if !a.write(buf, file, &w) {
			lost += len(buf)
			for range a.ch {
				lost++
			}
			break
		}
		if a.linger > 0 && len(buf) < a.batch && !closed { // the buffer was emptied: let records gather
			linger.Reset(a.linger)
			select {
			case <-linger.C:
			case <-a.nudge:
				linger.Stop()
			}
		}
	}
	if lost > 0 {
		a.closeErr = fmt.Errorf("approval: audit trail closed with %d record(s) not written: %w", lost, a.Health())
	}
}

// write writes one batch, retrying until it succeeds or Close gives up.
// A FileSink gets the lines w encoded while chaining.
func (a *AuditTrail) write(batch []Record, file *FileSink, w *chainWriter) bool {
	backoff := a.retryMin
	for {
		var err error
		if file != nil {
			err = file.writeLines(w.lines, w.ends)
		} else {
			err = a.sink.Write(a.writeCtx, batch)
		}
		if err == nil {
			a.written.Add(uint64(len(batch)))
			a.sinkErr.Store(nil)
			return true
		}
		serr := &AuditSinkError{Records: len(batch), Err: err}
		a.sinkErr.Store(&healthErr{serr})
		if a.onError != nil {
			a.onError(serr)
		}
		select {
		case <-a.quit:
			return false
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, a.retryMax)
	}
}
