package approval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func testRecord(i int) *Record {
	return &Record{
		Time: time.Date(2026, 11, 28, 12, 0, 0, i, time.UTC), Decision: "allow", Rule: "r1",
		Reason: fmt.Sprintf("call %d", i), Fingerprint: "v1:abc", Text: "SELECT $1",
		KeyID: "k1", Role: "app", Source: Source{App: "shop", Labels: map[string]string{"b": "2", "a": "1"}},
		Args: []string{"$1=<int>"}, PolicyVersion: "7", Latency: 1500, RowsAffected: -1,
	}
}

// writeAuditFile writes n records through an AuditTrail into a new file and
// returns its path and lines.
func writeAuditFile(tb testing.TB, n int, opts ...FileSinkOption) (string, [][]byte) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "audit.jsonl")
	sink, err := NewFileSink(path, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := NewAuditTrail(sink, WithOverflow(OverflowBlock))
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := a.Record(testRecord(i)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return path, bytes.SplitAfter(b, []byte("\n"))[:n]
}

func TestAuditRoundTrip(t *testing.T) {
	_, lines := writeAuditFile(t, 3)
	var prev string
	for i, line := range lines {
		r, err := DecodeAuditRecord(bytes.TrimSpace(line))
		if err != nil {
			t.Fatal(err)
		}
		want := testRecord(i)
		chainRecord(want, prev)
		prev = want.Hash
		if r.Reason != want.Reason || !r.Time.Equal(want.Time) || r.Latency != want.Latency ||
			r.Source.Labels["a"] != "1" || r.Prev != want.Prev || r.Hash != want.Hash {
			t.Fatalf("line %d decoded %+v, want %+v", i+1, r, want)
		}
		if got := EncodeAuditRecord(r); !bytes.Equal(got, line) {
			t.Fatalf("re-encoding line %d:\n%s\n%s", i+1, got, line)
		}
	}
	if !bytes.Contains(lines[0], []byte(`"args":["$1=<int>"]`)) {
		t.Fatalf("args escaped or missing: %s", lines[0])
	}
}

func TestVerifyAuditLogTamper(t *testing.T) {
	_, lines := writeAuditFile(t, 6)
	join := func(ls ...[]byte) []byte { return bytes.Join(ls, nil) }
	edited := bytes.Replace(lines[2], []byte(`"decision":"allow"`), []byte(`"decision":"deny"`), 1)
	// an editor who also recomputes the edited record's hash
	r, _ := DecodeAuditRecord(bytes.TrimSpace(lines[2]))
	r.Decision = "deny"
	chainRecord(r, r.Prev)
	rehashed := EncodeAuditRecord(r)
	tests := []struct {
		name string
		log  []byte
		line int
		want string
	}{
		{"intact", join(lines...), 0, ""},
		{"edited", join(lines[0], lines[1], edited, lines[3], lines[4], lines[5]), 3, "altered"},
		{"edited and rehashed", join(lines[0], lines[1], rehashed, lines[3], lines[4], lines[5]), 4, "does not follow line 3"},
		{"deleted", join(lines[0], lines[1], lines[3], lines[4], lines[5]), 3, "deleted"},
		{"deleted first of pair", join(lines[0], lines[1], lines[2], lines[4], lines[5]), 4, "deleted"},
		{"reordered", join(lines[0], lines[1], lines[3], lines[2], lines[4], lines[5]), 3, "reordered"},
		{"moved back", join(lines[0], lines[1], lines[2], lines[4], lines[5], lines[3]), 4, "reordered"},
		{"repeated", join(lines[0], lines[1], lines[2], lines[2], lines[3]), 4, "repeats line 3"},
		{"hash stripped", join(lines[0], []byte("{\"decision\":\"allow\"}\n")), 2, "no hash"},
		{"truncated", join(lines[0], lines[1][:len(lines[1])-1]), 2, "incomplete"},
		{"chain restarted", join(lines[0], lines[1], freshLine(t)), 3, "new chain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyAuditLog(bytes.NewReader(tc.log))
			if tc.line == 0 {
				if err != nil {
					t.Fatalf("intact log: %v", err)
				}
				return
			}
			var ve *AuditVerifyError
			if !errors.As(err, &ve) || !errors.Is(err, ErrAuditTampered) {
				t.Fatalf("err = %v, want *AuditVerifyError", err)
			}
			if ve.Line != tc.line || !strings.Contains(ve.Reason, tc.want) {
				t.Fatalf("err = %v, want line %d mentioning %q", err, tc.line, tc.want)
			}
		})
	}
}

// freshLine returns one record of a new chain (prev "").
func freshLine(tb testing.TB) []byte {
	r := testRecord(99)
	chainRecord(r, "")
	return EncodeAuditRecord(r)
}

func TestAuditRotation(t *testing.T) {
	path, _ := writeAuditFile(t, 1) // measure one line
	st, _ := os.Stat(path)
	lineSize := st.Size()

	dir := t.TempDir()
	path = filepath.Join(dir, "audit.jsonl")
	write := func(from, n int) {
		sink, err := NewFileSink(path, WithMaxFileSize(lineSize*10+lineSize/2))
		if err != nil {
			t.Fatal(err)
		}
		a, err := NewAuditTrail(sink, WithOverflow(OverflowBlock), WithAuditBatch(7))
		if err != nil {
			t.Fatal(err)
		}
		for i := from; i < from+n; i++ {
			if err := a.Record(testRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write(0, 45)
	write(45, 20) // a second process resumes the chain
	files := AuditFiles(path)
	if len(files) < 7 { // about 10 records per file
		t.Fatalf("files %v, want at least 6 rotated + current", files)
	}
	seen := map[string]int{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if int64(len(b)) > lineSize*10+lineSize/2 {
			t.Errorf("%s is %d bytes, over the maximum", f, len(b))
		}
		for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			r, err := DecodeAuditRecord(l)
			if err != nil {
				t.Fatal(err)
			}
			seen[r.Reason]++
		}
	}
	for i := 0; i < 65; i++ {
		if n := seen[fmt.Sprintf("call %d", i)]; n != 1 {
			t.Errorf("record %d written %d times", i, n)
		}
	}
	n, err := VerifyAuditFiles(files...)
	if err != nil || n != 65 {
		t.Fatalf("VerifyAuditFiles = %d, %v", n, err)
	}
	// a rotated file removed: the next file does not continue the chain
	_, err = VerifyAuditFiles(append(files[:2:2], files[3:]...)...)
	var ve *AuditVerifyError
	if !errors.As(err, &ve) || ve.File != files[3] || ve.Line != 1 {
		t.Fatalf("missing file: %v", err)
	}
}

// gatedSink blocks each Write until released and counts what it wrote.
type gatedSink struct {
	mu      sync.Mutex
	gate    chan struct{}
	entered chan struct{}
	fails   int // fail this many writes first
	got     []string
	calls   int
}

func newGatedSink() *gatedSink {
	return &gatedSink{gate: make(chan struct{}), entered: make(chan struct{}, 100)}
}

func (s *gatedSink) Write(ctx context.Context, batch []Record) error {
	s.entered <- struct{}{}
	select {
	case <-s.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fails > 0 {
		s.fails--
		return errors.New("disk full")
	}
	for _, r := range batch {
		s.got = append(s.got, r.Reason)
	}
	return nil
}

func (s *gatedSink) open() { close(s.gate) }

func (s *gatedSink) records() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

func checkExactlyOnce(tb testing.TB, got []string, n int) {
	tb.Helper()
	if len(got) != n {
		tb.Fatalf("%d records written, want %d", len(got), n)
	}
	for i, r := range got {
		if want := fmt.Sprintf("call %d", i); r != want {
			tb.Fatalf("record %d is %q, want %q (order or duplicates)", i, r, want)
		}
	}
}

func TestAuditOverflowFailClosed(t *testing.T) {
	s := newGatedSink()
	a, err := NewAuditTrail(s, WithAuditBuffer(3), WithOverflow(OverflowFailClosed))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Record(testRecord(0)); err != nil {
		t.Fatal(err)
	}
	<-s.entered // the writer holds record 0 in the sink
	for i := 1; i <= 3; i++ {
		if err := a.Record(testRecord(i)); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if err := a.Record(testRecord(4)); !errors.Is(err, ErrAuditOverflow) {
		t.Fatalf("record into a full buffer: %v, want ErrAuditOverflow", err)
	}
	if err := a.Health(); !errors.Is(err, ErrAuditOverflow) {
		t.Fatalf("Health with a full buffer: %v", err)
	}
	if a.Refused() != 1 {
		t.Fatalf("Refused = %d, want 1", a.Refused())
	}
	s.open()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, s.records(), 4)
	if err := a.Health(); !errors.Is(err, ErrAuditClosed) {
		t.Fatalf("Health after Close: %v", err)
	}
	if err := a.Record(testRecord(5)); !errors.Is(err, ErrAuditClosed) {
		t.Fatalf("record after Close: %v", err)
	}
}

func TestAuditOverflowBlock(t *testing.T) {
	s := newGatedSink()
	a, err := NewAuditTrail(s, WithAuditBuffer(2), WithOverflow(OverflowBlock))
	if err != nil {
		t.Fatal(err)
	}
	a.Record(testRecord(0))
	<-s.entered
	a.Record(testRecord(1))
	a.Record(testRecord(2))
	done := make(chan error)
	go func() { done <- a.Record(testRecord(3)) }()
	select {
	case err := <-done:
		t.Fatalf("Record returned (%v) with the buffer full under block", err)
	case <-time.After(50 * time.Millisecond):
	}
	s.open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, s.records(), 4)
}

func TestAuditSinkErrorRetried(t *testing.T) {
	s := newGatedSink()
	s.fails = 3
	var mu sync.Mutex
	var reported []error
	a, err := NewAuditTrail(s, WithAuditRetry(time.Millisecond, 2*time.Millisecond),
		WithAuditErrorHandler(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		a.Record(testRecord(i))
	}
	<-s.entered
	s.mu.Lock()
	s.fails = 3
	s.mu.Unlock()
	s.open()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, s.records(), 10)
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 3 || !errors.Is(reported[0], ErrAuditSink) {
		t.Fatalf("reported %v, want 3 sink errors", reported)
	}
}

func TestAuditHealthWhileSinkFails(t *testing.T) {
	fail := make(chan bool, 1)
	fail <- true
	var mu sync.Mutex
	var got int
	sink := SinkFunc(func(ctx context.Context, b []Record) error {
		select {
		case f := <-fail:
			if f {
				return errors.New("network down")
			}
		default:
		}
		mu.Lock()
		got += len(b)
		mu.Unlock()
		return nil
	})
	errs := make(chan error, 10)
	a, _ := NewAuditTrail(sink, WithAuditRetry(20*time.Millisecond, 20*time.Millisecond),
		WithAuditErrorHandler(func(err error) { errs <- err }))
	a.Record(testRecord(0))
	<-errs
	if err := a.Health(); !errors.Is(err, ErrAuditSink) {
		t.Fatalf("Health while the sink fails: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got != 1 || a.Written() != 1 {
		t.Fatalf("written %d/%d, want 1", got, a.Written())
	}
}

func TestAuditCloseGivesUp(t *testing.T) {
	sink := SinkFunc(func(ctx context.Context, b []Record) error { return errors.New("gone") })
	a, _ := NewAuditTrail(sink, WithAuditRetry(time.Millisecond, time.Millisecond), WithAuditCloseTimeout(20*time.Millisecond))
	for i := 0; i < 5; i++ {
		a.Record(testRecord(i))
	}
	err := a.Close()
	if err == nil || !strings.Contains(err.Error(), "5 record(s) not written") || !errors.Is(err, ErrAuditSink) {
		t.Fatalf("Close with a dead sink: %v", err)
	}
}

func TestAuditConcurrentExactlyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	sink, _ := NewFileSink(path)
	a, _ := NewAuditTrail(sink, WithOverflow(OverflowBlock), WithAuditBuffer(16))
	var wg sync.WaitGroup
	const workers, each = 8, 250
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r := testRecord(i)
				r.Reason = fmt.Sprintf("w%d-%d", w, i)
				if err := a.Record(r); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	if err := VerifyAuditLog(f); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	seen := map[string]int{}
	for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		r, _ := DecodeAuditRecord(l)
		seen[r.Reason]++
	}
	if len(seen) != workers*each {
		t.Fatalf("%d distinct records, want %d", len(seen), workers*each)
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s written %d times", k, n)
		}
	}
}

func TestSlogSink(t *testing.T) {
	var buf bytes.Buffer
	s := NewSlogSink(slog.New(slog.NewJSONHandler(&buf, nil)), slog.LevelInfo)
	r := testRecord(1)
	chainRecord(r, "")
	if err := s.Write(context.Background(), []Record{*r}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"msg":"approval audit"`, `"decision":"allow"`, `"hash":"` + r.Hash, `"app":"shop"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("slog output lacks %s: %s", want, buf.String())
		}
	}
}

func TestSummarizeArgs(t *testing.T) {
	args := []Arg{{Ordinal: 1, Value: "alice@example.com"}, {Ordinal: 2, Value: int64(42)},
		{Name: "tenant", Ordinal: 3, Value: []byte{1, 2}}, {Ordinal: 4, Value: nil},
		{Ordinal: 5, Value: strings.Repeat("é", 50)}}
	tests := []struct {
		name     string
		loggable func(int, Arg) bool
		want     []string
	}{
		{"redacted", nil, []string{"$1=<string len=17>", "$2=<int>", "@tenant=<bytes len=2>", "$4=<null>", "$5=<string len=100>"}},
		{"loggable", func(int, Arg) bool { return true },
			[]string{`$1="alice@example.com"`, "$2=42", "@tenant=0102", "$4=NULL", `$5="` + strings.Repeat("é", 31) + "…"}},
		{"second only", func(i int, _ Arg) bool { return i == 1 },
			[]string{"$1=<string len=17>", "$2=42", "@tenant=<bytes len=2>", "$4=<null>", "$5=<string len=100>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SummarizeArgs(args, tc.loggable)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestAuditHealthHighWater(t *testing.T) {
	s := newGatedSink()
	a, _ := NewAuditTrail(s, WithAuditBuffer(16))
	a.Record(testRecord(0))
	<-s.entered
	for i := 1; i <= 13; i++ {
		a.Record(testRecord(i))
	}
	if err := a.Health(); err != nil {
		t.Fatalf("Health at 13/16: %v", err)
	}
	a.Record(testRecord(14))
	if err := a.Health(); !errors.Is(err, ErrAuditOverflow) {
		t.Fatalf("Health at 14/16: %v, want ErrAuditOverflow", err)
	}
	for i := 15; i <= 16; i++ { // the reserve still takes records of calls under way
		if err := a.Record(testRecord(i)); err != nil {
			t.Fatalf("record %d into the reserve: %v", i, err)
		}
	}
	s.open()
	a.Close()
	checkExactlyOnce(t, s.records(), 17)
}

func TestAuditCleansText(t *testing.T) {
	args := []string{"ok", "nul\x00", "bad\xff"}
	labels := map[string]string{"k\x00": "v"}
	r := &Record{Decision: "deny", Text: "SELECT '\xfe'", Args: args, Source: Source{Labels: labels}}
	chainRecord(r, "")
	if args[1] != "nul\x00" || labels["k\x00"] != "v" {
		t.Fatal("the caller's slice or map was changed")
	}
	want := []string{"ok", "nul\uFFFD", "bad\uFFFD"}
	if strings.Join(r.Args, "|") != strings.Join(want, "|") || r.Text != "SELECT '\uFFFD'" || r.Source.Labels["k\uFFFD"] != "v" {
		t.Fatalf("cleaned record %+v", r)
	}
	back, err := DecodeAuditRecord(EncodeAuditRecord(r))
	if err != nil || !bytes.Equal(auditBody(back), auditBody(r)) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestAuditTimeMatchesFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("east", 5*3600+1800), time.FixedZone("west", -11*3600)}
	times := []time.Time{
		time.Date(2026, 11, 28, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 1000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 15, 12, 30, 0, 500, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 999, time.UTC),
		{},
	}
	for _, base := range times {
		for _, z := range zones {
			tt := base.In(z)
			want := tt.UTC().Format(auditTimeLayout)
			if got := string(appendAuditTime([]byte("x"), tt)); got != "x"+want {
				t.Errorf("%v: got %s, want x%s", tt, got, want)
			}
		}
	}
	// One stamp reused, as the writer does, over times in the same
	// second, the next, back again, and out of the digit-by-digit range.
	var st auditStamp
	base := time.Date(2026, 11, 28, 23, 59, 59, 0, time.UTC)
	seq := []time.Time{base, base.Add(1500), base.Add(999_999_999), base.Add(time.Second), base.Add(time.Second + 7000),
		base, base.In(zones[1]), times[3], base.Add(2 * time.Second), times[4], base.Add(2*time.Second + 1000), {}}
	for _, tt := range seq {
		want := tt.UTC().Format(auditTimeLayout)
		if got := string(st.appendTime(nil, tt)); got != want {
			t.Errorf("reused stamp, %v: got %s, want %s", tt, got, want)
		}
	}
}

// mayNeedCleaning finds the escapes the encoding writes for a NUL and for
// invalid UTF-8, and nothing else: not the same six characters written as
// text (an escaped backslash and "u0000").
func TestMayNeedCleaning(t *testing.T) {
	for body, want := range map[string]bool{
		`{"a":"plain"}`:               false,
		`{"a":"say \"hi\""}`:          false,
		`{"a":"x\u0000y"}`:            true,
		`{"a":"\"\ufffd"}`:            true,
		`{"a":"\\u0000"}`:             false,
		`{"a":"\\\u0000"}`:            true,
		`{"a":"\u00e9","b":"\u0000"}`: true,
		`{"a":"\u00e9\n"}`:            false,
		`{"a":"end\n"}`:               false,
	} {
		if got := mayNeedCleaning([]byte(body)); got != want {
			t.Errorf("mayNeedCleaning(%s) = %v, want %v", body, got, want)
		}
	}
	// Whatever the encoder writes: a record with a NUL or invalid UTF-8 in
	// any string is found, a clean one is not.
	for _, s := range []string{"a\x00b", "\xff", "quote \" and \\ backslash", "\u0000 as text", "é"} {
		r := &Record{Time: time.Unix(0, 0), Decision: "allow", Text: s, RowsAffected: -1}
		dirty := strings.ContainsRune(s, 0) || !utf8.ValidString(s)
		if got := mayNeedCleaning(appendAuditBody(nil, r)); got != dirty {
			t.Errorf("text %q: mayNeedCleaning = %v, want %v", s, got, dirty)
		}
	}
}

// After a batch that emptied the buffer the writer lingers; the buffer
// filling to nudgeAt ends the linger, and so does Close.
func TestAuditLingerEndsWhenBufferFills(t *testing.T) {
	sink := &recordSink{}
	a, err := NewAuditTrail(sink, WithOverflow(OverflowBlock), WithAuditBuffer(8), withAuditLinger(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a.nudgeAt != 4 {
		t.Fatalf("nudgeAt = %d, want half the buffer", a.nudgeAt)
	}
	if err := a.Record(testRecord(0)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first record", func() bool { return a.Written() == 1 })
	for i := 1; i <= a.nudgeAt; i++ { // the writer lingers for an hour unless nudged
		if err := a.Record(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the records that filled the buffer to nudgeAt", func() bool { return a.Written() == uint64(1+a.nudgeAt) })
	if err := a.Record(testRecord(99)); err != nil { // below nudgeAt: only Close ends this linger
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the writer's linger")
	}
	if n := len(sink.recs); n != 2+a.nudgeAt {
		t.Fatalf("%d records written, want %d", n, 2+a.nudgeAt)
	}
}

// plainWord agrees with jsonPlain byte by byte: every byte value at every
// position, and random words mixing plain and special bytes.
func TestPlainWord(t *testing.T) {
	plain := func(w []byte) bool {
		for _, c := range w {
			if c >= 0x80 || !jsonPlain[c] {
				return false
			}
		}
		return true
	}
	check := func(w []byte) {
		if got := plainWord(load64(string(w))); got != plain(w) {
			t.Fatalf("plainWord(%q) = %v", w, got)
		}
	}
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			check(w)
		}
	}
	picks := []byte{0, 0x1f, 0x20, 0x21, '"', '\\', 'a', 0x7f, 0x80, 0xff, 0x5c, 0x22 + 0x80, 0x01}
	seed := uint64(1)
	for i := 0; i < 200000; i++ {
		w := make([]byte, 8)
		for j := range w {
			seed = seed*6364136223846793005 + 1442695040888963407
			if seed>>60 < 12 {
				w[j] = 'a' + byte(seed>>32)%26
			} else {
				w[j] = picks[(seed>>40)%uint64(len(picks))]
			}
		}
		check(w)
	}
}

// The lines the AuditTrail's writer encodes for a FileSink while chaining
// are those FileSink.Write encodes: same files, byte for byte, rotation
// included.
func TestFileSinkTrailLinesMatchWrite(t *testing.T) {
	const n, maxSize = 40, 2000
	viaTrail := filepath.Join(t.TempDir(), "audit.jsonl")
	sink, err := NewFileSink(viaTrail, WithMaxFileSize(maxSize))
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAuditTrail(sink, WithOverflow(OverflowBlock), WithAuditBatch(7))
	if err != nil {
		t.Fatal(err)
	}
	direct := filepath.Join(t.TempDir(), "audit.jsonl")
	ds, err := NewFileSink(direct, WithMaxFileSize(maxSize))
	if err != nil {
		t.Fatal(err)
	}
	var batch []Record
	prev := ""
	for i := 0; i < n; i++ {
		r := testRecord(i)
		r.Text = strings.Repeat("x", i*7) + "\x00\xff" // lines of many sizes, some cleaned
		if err := a.Record(r); err != nil {
			t.Fatal(err)
		}
		chainRecord(r, prev)
		prev = r.Hash
		if batch = append(batch, *r); len(batch) == 7 || i == n-1 {
			if err := ds.Write(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ds.Close(); err != nil {
		t.Fatal(err)
	}
	got, want := AuditFiles(viaTrail), AuditFiles(direct)
	if len(got) != len(want) || len(want) < 3 {
		t.Fatalf("%d files through the trail, %d written directly", len(got), len(want))
	}
	for i := range want {
		g, _ := os.ReadFile(got[i])
		w, _ := os.ReadFile(want[i])
		if !bytes.Equal(g, w) {
			t.Errorf("file %d differs:\ntrail  %q\ndirect %q", i, g, w)
		}
	}
	if n2, err := VerifyAuditFiles(got...); err != nil || n2 != n {
		t.Fatalf("VerifyAuditFiles = %d, %v", n2, err)
	}
}

func TestWithAuditLingerBounds(t *testing.T) {
	for _, d := range []time.Duration{-time.Nanosecond, MaxAuditLinger + time.Nanosecond} {
		if _, err := NewAuditTrail(&recordSink{}, WithAuditLinger(d)); err == nil {
			t.Errorf("WithAuditLinger(%v) accepted", d)
		}
	}
	for _, d := range []time.Duration{0, time.Millisecond, MaxAuditLinger} {
		a, err := NewAuditTrail(&recordSink{}, WithAuditLinger(d))
		if err != nil {
			t.Fatalf("WithAuditLinger(%v): %v", d, err)
		}
		if a.linger != d {
			t.Errorf("WithAuditLinger(%v): linger %v", d, a.linger)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
	}
	a, err := NewAuditTrail(&recordSink{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.linger != DefaultAuditLinger {
		t.Errorf("default linger %v, want %v", a.linger, DefaultAuditLinger)
	}
}

// With no linger every record is written as soon as the writer is free,
// without waiting for a batch to gather; with a linger of a second the
// records after the first wait for it (or for Close).
func TestAuditLingerZeroWritesAtOnce(t *testing.T) {
	for _, tc := range []struct {
		linger time.Duration
		prompt bool
	}{{0, true}, {MaxAuditLinger, false}} {
		sink := &recordSink{}
		a, err := NewAuditTrail(sink, WithOverflow(OverflowBlock), WithAuditLinger(tc.linger))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := a.Record(testRecord(i)); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				waitFor(t, "the first record", func() bool { return a.Written() == 1 })
			}
		}
		deadline := time.Now().Add(MaxAuditLinger / 2)
		for a.Written() < 3 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if got := a.Written() == 3; got != tc.prompt {
			t.Errorf("linger %v: all 3 written within %v: %v, want %v", tc.linger, MaxAuditLinger/2, got, tc.prompt)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if a.Written() != 3 {
			t.Errorf("linger %v: %d written after Close, want 3", tc.linger, a.Written())
		}
	}
}
