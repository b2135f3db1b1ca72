package loadtest

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// EnvLong turns on the full-size runs.
const EnvLong = "APPROVEDSQL_LONG"

// long reports whether the full-size runs were asked for.
func long() bool { return os.Getenv(EnvLong) == "1" }

// size returns full when APPROVEDSQL_LONG=1, else ci.
func size(ci, full int) int {
	if long() {
		return full
	}
	return ci
}

// t0 is the tests' fixed "now" for injected clocks.
var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// jumpClock is a settable clock.
type jumpClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *jumpClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *jumpClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *jumpClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func mustPolicy(tb testing.TB, src string) *approval.Policy {
	tb.Helper()
	p, err := approval.ParsePolicy([]byte(src), "loadtest.yaml")
	if err != nil {
		tb.Fatalf("policy: %v\n%s", err, src)
	}
	return p
}

func mustGate(tb testing.TB, p *approval.Policy, opts ...approval.Option) *approval.Gate {
	tb.Helper()
	g, err := approval.NewGate(p, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// outcome classifies a call's error as the Gate's effect: nil is allow,
// ErrReviewRequired review, ErrDenied deny; anything else is "error".
func outcome(err error) string {
	switch {
	case err == nil:
		return "allow"
	case errors.Is(err, approval.ErrReviewRequired):
		return "review"
	case errors.Is(err, approval.ErrDenied):
		return "deny"
	default:
		return "error"
	}
}

// versionOf returns the number a policy's `version` field carries
// (Policy.Version is "N+hash").
func versionOf(tb testing.TB, v string) int {
	tb.Helper()
	n, err := strconv.Atoi(strings.SplitN(v, "+", 2)[0])
	if err != nil {
		tb.Fatalf("policy version %q: %v", v, err)
	}
	return n
}

// recorder is an Auditor that keeps every record by the call id carried in
// the source label "call".
type recorder struct {
	mu    sync.Mutex
	byID  map[string][]approval.Record
	total int
}

func newRecorder() *recorder { return &recorder{byID: map[string][]approval.Record{}} }

func (r *recorder) Record(rec *approval.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total++
	id := rec.Source.Labels["call"]
	r.byID[id] = append(r.byID[id], *rec)
	return nil
}

func (r *recorder) records(id string) []approval.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

// callCtx returns ctx carrying key and a source labelled with the call id.
func callCtx(ctx context.Context, key approval.Key, id string) context.Context {
	return approval.WithSource(approval.WithKey(ctx, key), approval.Source{App: "loadtest", Labels: map[string]string{"call": id}})
}

// tcpProxy forwards a local port to a server; stop closes the listener and
// every connection (the server seems gone), start listens again on the
// same port.
type tcpProxy struct {
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newTCPProxy(tb testing.TB, target string) *tcpProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &tcpProxy{target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	tb.Cleanup(func() { p.stop(); p.wg.Wait() })
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[s] = struct{}{}, struct{}{}
			p.mu.Unlock()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); io.Copy(s, c); s.Close(); c.Close() }()
			go func() { defer p.wg.Done(); io.Copy(c, s); c.Close(); s.Close() }()
		}
	}()
}

// stop makes the server unreachable: no new connections, existing ones cut.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// start makes it reachable again on the same address.
func (p *tcpProxy) start(tb testing.TB) {
	tb.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("proxy: listening again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
