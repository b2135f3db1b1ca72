package approval

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// refSummarizeArgs is SummarizeArgs as it was first written (fmt and
// string concatenation), kept as the oracle of the append-based one.
func refSummarizeArgs(args []Arg, loggable func(i int, a Arg) bool) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, len(args))
	for i, a := range args {
		name := "$" + strconv.Itoa(a.Ordinal)
		if a.Name != "" {
			name = "@" + a.Name
		} else if a.Ordinal == 0 {
			name = "$" + strconv.Itoa(i+1)
		}
		if loggable != nil && loggable(i, a) {
			out[i] = name + "=" + refShowArg(a.Value)
		} else {
			out[i] = name + "=" + refRedactArg(a.Value)
		}
	}
	return out
}

func refRedactArg(v any) string {
	switch x := v.(type) {
	case nil:
		return "<null>"
	case string:
		return "<string len=" + strconv.Itoa(len(x)) + ">"
	case []byte:
		return "<bytes len=" + strconv.Itoa(len(x)) + ">"
	case bool:
		return "<bool>"
	case int64, int, int32:
		return "<int>"
	case float64, float32:
		return "<float>"
	case time.Time:
		return "<time>"
	default:
		return fmt.Sprintf("<%T>", v)
	}
}

func refShowArg(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		s = strconv.Quote(x)
	case []byte:
		s = fmt.Sprintf("%x", x)
	case time.Time:
		s = x.UTC().Format(time.RFC3339Nano)
	default:
		s = fmt.Sprint(v)
	}
	if len(s) > maxArgSummary {
		cut := maxArgSummary
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

type (
	tenantID  string
	stringerT struct{ n int }
)

func (s stringerT) String() string { return "stringer-" + strconv.Itoa(s.n) }

// argSamples are values of every kind a driver may pass, with strings and
// byte slices around the cut (multi-byte runes, invalid UTF-8, escapes
// across it).
func argSamples() []any {
	vals := []any{nil, true, false, int64(-42), 7, int32(3), int8(1), uint64(1 << 63), uint8(9), 3.25, float32(0.5),
		time.Date(2026, 11, 28, 12, 0, 0, 123456789, time.FixedZone("x", 3600)), time.Time{},
		"", "alice@example.com", "tab\tquote\"nl\n", tenantID("acme"), stringerT{5}, &stringerT{6},
		[]string{"a"}, map[string]int{"a": 1}, struct{ A int }{1}, errors.New("boom")}
	for n := 0; n <= 40; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 37)
		}
		vals = append(vals, b)
	}
	for _, r := range []string{"a", "é", "€", "𝄞", "\x00", "\xff", "\"", "\u2028", "\U0010FFFF"} {
		for n := 55; n <= 80; n++ {
			for _, prefix := range []string{"", "x", "xy", "xyz"} {
				vals = append(vals, prefix+strings.Repeat(r, n/len(r)+1)[:n])
				vals = append(vals, prefix+strings.Repeat("a", n)+r+strings.Repeat("b", 10))
			}
		}
	}
	return vals
}

func TestSummarizeArgsMatchesReference(t *testing.T) {
	vals := argSamples()
	args := make([]Arg, len(vals))
	for i, v := range vals {
		args[i] = Arg{Ordinal: i % 5, Value: v} // ordinal 0: numbered by position
		if i%7 == 3 {
			args[i].Name = "n" + strconv.Itoa(i)
		}
	}
	for _, tc := range []struct {
		name     string
		loggable func(int, Arg) bool
	}{
		{"redacted", nil},
		{"none loggable", func(int, Arg) bool { return false }},
		{"all loggable", func(int, Arg) bool { return true }},
		{"every other", func(i int, _ Arg) bool { return i%2 == 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := SummarizeArgs(args, tc.loggable), refSummarizeArgs(args, tc.loggable)
			if len(got) != len(want) {
				t.Fatalf("%d summaries, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("arg %d (%T): got %q, want %q", i, vals[i], got[i], want[i])
				}
			}
		})
	}
	if SummarizeArgs(nil, nil) != nil {
		t.Error("no arguments: want a nil summary")
	}
}

// The facts a queued record carries give the summaries SummarizeArgs gives
// at the time of the call, and a shown value the caller could change is
// never deferred.
func TestArgViewMatchesSummarizeArgs(t *testing.T) {
	vals := argSamples()
	for _, show := range []bool{false, true} {
		for n := 0; n <= inlineArgFacts+3; n++ {
			for start := 0; start+n <= len(vals); start += 3 {
				args := make([]Arg, n)
				for i := range args {
					args[i] = Arg{Ordinal: i + 1, Value: vals[start+i]}
				}
				loggable := func(int, Arg) bool { return show }
				var v argView
				if !v.capture(args, show) {
					mutable := false
					for _, a := range args {
						_, ok := deferArgFact(0, a, show)
						mutable = mutable || !ok
					}
					if !show || !mutable || v.n != 0 || v.more != nil {
						t.Fatalf("show=%v %v: not captured (view %d facts)", show, args, v.n)
					}
					continue
				}
				want := SummarizeArgs(args, loggable)
				facts := v.facts()
				if len(facts) != len(want) {
					t.Fatalf("%d facts for %d args", len(facts), len(want))
				}
				for i := range facts {
					if got := string(appendArgSummary(nil, &facts[i])); got != want[i] {
						t.Errorf("show=%v arg %T: deferred %q, at once %q", show, args[i].Value, got, want[i])
					}
				}
			}
		}
	}
}

// recordSink keeps every record it is given.
type recordSink struct {
	mu   sync.Mutex
	recs []Record
}

func (s *recordSink) Write(_ context.Context, batch []Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, batch...)
	return nil
}

// Records through an AuditTrail (arguments summarised by its writer) are
// those the Gate gives any other Auditor (summarised at the call): same
// fields, same argument summaries, whatever the caller does to its
// arguments once the call returned.
func TestAuditTrailRecordsMatchDirectAuditor(t *testing.T) {
	p := mustPolicy(t, logArgsPolicy+`  - name: try-wide
    effect: deny
    mode: dry-run
    when: size(query.tables) > 1
`)
	direct := &recAuditor{}
	sink := &recordSink{}
	trail, err := NewAuditTrail(sink, WithOverflow(OverflowBlock))
	if err != nil {
		t.Fatal(err)
	}
	gDirect := mustGate(t, p, WithClock(newTestClock()), WithAuditor(direct))
	gTrail := mustGate(t, p, WithClock(newTestClock()), WithAuditor(trail))
	key := WithKey(context.Background(), testKey("analyst"))
	ctxs := []context.Context{ // clean strings, and strings the writer must clean
		WithSource(key, Source{App: "shop", Labels: map[string]string{"z": "1"}}),
		WithSource(key, Source{App: "sh\xffop", Labels: map[string]string{"z\x00": "1"}}),
	}

	argSets := [][]any{
		nil,
		{"sku-42"},
		{[]byte("secret"), int64(7), tenantID("acme")},
		{1, 2, 3, 4},
		{"a", []byte{1, 2, 3}, 3.5, nil, true, time.Unix(1, 5), stringerT{1}},
		{strings.Repeat("€", 40), make([]byte, 50)},
	}
	stmts := []struct {
		cmd    string
		ro     bool
		tables []string
	}{
		{"SELECT", true, []string{"products"}},
		{"SELECT", true, []string{"orders", "customers"}},
		{"UPDATE", false, []string{"orders"}},
		{"SELECT", true, []string{"products", "prices"}},
	}
	var mutate [][]byte
	for n, vals := range argSets {
		ctx := ctxs[n%len(ctxs)]
		for _, s := range stmts {
			for _, g := range []*Gate{gDirect, gTrail} {
				args := make([]Arg, len(vals))
				for i, v := range vals {
					if b, ok := v.([]byte); ok { // each call its own slice, changed afterwards
						v = append([]byte(nil), b...)
						mutate = append(mutate, v.([]byte))
					}
					args[i] = Arg{Ordinal: i + 1, Value: v}
					if i == 2 {
						args[i].Name = "third"
					}
				}
				d := g.Decide(ctx, Request{Statement: stmt(s.cmd, s.ro, s.tables...), Args: args})
				if d.Allowed() {
					g.Finish(ctx, &d, Result{RowsAffected: 3})
				}
			}
		}
	}
	for _, b := range mutate {
		for i := range b {
			b[i] = 'X'
		}
		if len(b) > 0 {
			b = append(b[:0], "changed"...)
		}
	}
	if err := trail.Close(); err != nil {
		t.Fatal(err)
	}
	want, got := direct.all(), sink.recs
	if len(got) != len(want) || len(want) < 2*len(argSets)*len(stmts)/2 {
		t.Fatalf("%d records through the trail, %d direct", len(got), len(want))
	}
	dryRun := 0
	for i := range want {
		w, g := want[i], got[i]
		if g.Hash == "" || (i > 0 && g.Prev != got[i-1].Hash) {
			t.Errorf("record %d: not chained (prev %q hash %q)", i, g.Prev, g.Hash)
		}
		chainRecord(&w, g.Prev)
		if string(auditBody(&w)) != string(auditBody(&g)) || w.Hash != g.Hash {
			t.Errorf("record %d:\n trail  %s\n direct %s", i, auditBody(&g), auditBody(&w))
		}
		if strings.HasPrefix(w.Decision, "dry-run-") {
			dryRun++
		}
	}
	if dryRun == 0 {
		t.Error("no dry-run record compared")
	}
}
