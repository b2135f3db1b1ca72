package approval

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// auditLine is the canonical encoding of a Record, field order fixed. The
// hash is appended after the body: hash = SHA-256(body), where the body is
// this object (prev included, hash excluded) encoded as below.
type auditLine struct {
	Time          string          `json:"time"`
	Decision      string          `json:"decision"`
	Rule          string          `json:"rule,omitempty"`
	Reason        string          `json:"reason,omitempty"`
	Fingerprint   string          `json:"fingerprint,omitempty"`
	Text          string          `json:"text,omitempty"`
	KeyID         string          `json:"key_id,omitempty"`
	Role          string          `json:"role,omitempty"`
	Session       string          `json:"session,omitempty"`
	Source        *auditSrc       `json:"source,omitempty"`
	Args          []string        `json:"args,omitempty"`
	PolicyVersion string          `json:"policy_version,omitempty"`
	LatencyNS     int64           `json:"latency_ns"`
	RowsAffected  int64           `json:"rows_affected"`
	ErrorClass    string          `json:"error_class,omitempty"`
	Prev          string          `json:"prev"`
	Hash          json.RawMessage `json:"hash,omitempty"` // only when decoding
}

type auditSrc struct {
	App     string            `json:"app,omitempty"`
	Service string            `json:"service,omitempty"`
	Address string            `json:"address,omitempty"`
	Route   string            `json:"route,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

const hashKey = `,"hash":"`

// auditTimeLayout is the canonical time: UTC, microseconds (the precision
// PostgreSQL keeps, so a record read back from the audit table encodes to
// the same bytes).
const auditTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// auditBody returns the canonical encoding of r without its hash: one
// JSON object, fields in a fixed order, empty optional fields left out,
// label keys sorted, times in UTC with microseconds. It is written by hand
// (no reflection) because the audit writer encodes every record.
func auditBody(r *Record) []byte {
	return appendAuditBody(make([]byte, 0, auditSizeHint(r)), r)
}

// auditSizeHint is about the length of r's encoded line.
func auditSizeHint(r *Record) int {
	n := 320 + len(r.Rule) + len(r.Reason) + len(r.Fingerprint) + len(r.Text) + len(r.KeyID) + len(r.Role) +
		len(r.Session) + len(r.PolicyVersion) + len(r.Prev) + len(r.Hash)
	for _, a := range r.Args {
		n += len(a) + 3
	}
	for k, v := range r.Source.Labels {
		n += len(k) + len(v) + 6
	}
	return n
}

// appendAuditBody appends the canonical encoding of r (see auditBody) to b.
func appendAuditBody(b []byte, r *Record) []byte { return appendAuditBodyStamped(b, r, nil) }

// appendAuditBodyStamped is appendAuditBody writing the time through st
// (nil: no reuse).
func appendAuditBodyStamped(b []byte, r *Record, st *auditStamp) []byte {
	b = append(b, `{"time":"`...)
	b = st.appendTime(b, r.Time)
	b = append(b, `","decision":`...)
	b = appendJSONString(b, r.Decision)
	b = appendField(b, "rule", r.Rule)
	b = appendField(b, "reason", r.Reason)
	b = appendField(b, "fingerprint", r.Fingerprint)
	b = appendField(b, "text", r.Text)
	b = appendField(b, "key_id", r.KeyID)
	b = appendField(b, "role", r.Role)
	b = appendField(b, "session", r.Session)
	if s := &r.Source; s.App != "" || s.Service != "" || s.Address != "" || s.Route != "" || len(s.Labels) > 0 {
		b = append(b, `,"source":{`...)
		n := len(b)
		b = appendField(b, "app", s.App)
		b = appendField(b, "service", s.Service)
		b = appendField(b, "address", s.Address)
		b = appendField(b, "route", s.Route)
		if len(s.Labels) > 0 {
			b = append(b, `,"labels":{`...)
			keys := make([]string, 0, len(s.Labels))
			for k := range s.Labels {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for i, k := range keys {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, k)
				b = append(b, ':')
				b = appendJSONString(b, s.Labels[k])
			}
			b = append(b, '}')
		}
		if len(b) > n && b[n] == ',' { // the first field carries no comma
			b = append(b[:n], b[n+1:]...)
		}
		b = append(b, '}')
	}
	if len(r.Args) > 0 {
		b = append(b, `,"args":[`...)
		for i, a := range r.Args {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, a)
		}
		b = append(b, ']')
	}
	b = appendField(b, "policy_version", r.PolicyVersion)
	b = append(b, `,"latency_ns":`...)
	b = strconv.AppendInt(b, int64(r.Latency), 10)
	b = append(b, `,"rows_affected":`...)
	b = strconv.AppendInt(b, r.RowsAffected, 10)
	b = appendField(b, "error_class", r.ErrorClass)
	b = append(b, `,"prev":`...)
	b = appendJSONString(b, r.Prev)
	return append(b, '}')
}

// appendAuditTime appends t in auditTimeLayout: the layout's fixed shape
// written digit by digit for years 0 to 9999, time.AppendFormat otherwise.
func appendAuditTime(b []byte, t time.Time) []byte { return (*auditStamp)(nil).appendTime(b, t) }

// auditStamp keeps the date and time of day of the last second it wrote:
// the records of one batch mostly share their second, and splitting a
// time into its calendar fields costs more than the rest of the stamp.
type auditStamp struct {
	unix int64 // the second written in prefix; valid when ok
	ok   bool
	f    [len("2006-01-02T15:04:05.000000Z")]byte
}

// appendTime is appendAuditTime, reusing the date and time of day when t
// falls in the second st last wrote. st may be nil.
func (st *auditStamp) appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	var local auditStamp
	if st == nil {
		st = &local
	}
	if unix := t.Unix(); !st.ok || unix != st.unix {
		year, month, day := t.Date()
		if year < 0 || year > 9999 {
			return t.AppendFormat(b, auditTimeLayout)
		}
		hour, minute, sec := t.Clock()
		f := &st.f
		putDigits(f[0:4], year)
		f[4] = '-'
		putDigits(f[5:7], int(month))
		f[7] = '-'
		putDigits(f[8:10], day)
		f[10] = 'T'
		putDigits(f[11:13], hour)
		f[13] = ':'
		putDigits(f[14:16], minute)
		f[16] = ':'
		putDigits(f[17:19], sec)
		f[19] = '.'
		f[26] = 'Z'
		st.unix, st.ok = unix, true
	}
	putDigits(st.f[20:26], t.Nanosecond()/1000)
	return append(b, st.f[:]...)
}

// putDigits writes the len(d) last decimal digits of v (v >= 0) into d,
// zero-padded.
func putDigits(d []byte, v int) {
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
}

// appendField appends ,"name":"value" unless value is empty.
func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// jsonPlain marks the ASCII bytes that appendJSONString copies as they are.
var jsonPlain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// load64 reads 8 bytes of s, little-endian (one load once compiled).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plainWord reports whether the 8 bytes of x are all ASCII that
// appendJSONString copies as they are: none below 0x20, none 0x80 or above,
// no quote, no backslash. (Bit tricks: a byte of v is zero exactly when
// (v-0x01)&^v has its top bit, and below n <= 0x80 when (v-n)&^v has it.)
func plainWord(x uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	special := x&highs | (x-0x20*ones)&^x&highs // >= 0x80, < 0x20
	q, bs := x^('"'*ones), x^('\\'*ones)
	special |= (q - ones) &^ q & highs   // a quote
	special |= (bs - ones) &^ bs & highs // a backslash
	return special == 0
}

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does without HTML escaping: quote, backslash, control characters, U+2028
// and U+2029; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainWord(load64(s[i:i+8])) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// auditHash returns the hex SHA-256 of a canonical body.
func auditHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// cleanText makes s valid UTF-8 without NUL (PostgreSQL text refuses
// both), replacing offending bytes with U+FFFD, so that a record is stored
// and read back by every sink exactly as it was hashed.
func cleanText(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c >= utf8.RuneSelf {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
			}
			return s
		}
	}
	return s
}

// cleanRecord applies cleanText to every string of r, copying the Args
// slice and Labels map when it changes them (they belong to the caller).
func cleanRecord(r *Record) {
	for _, p := range []*string{&r.Decision, &r.Rule, &r.Reason, &r.Fingerprint, &r.Text, &r.KeyID, &r.Role,
		&r.Session, &r.PolicyVersion, &r.ErrorClass, &r.Source.App, &r.Source.Service, &r.Source.Address, &r.Source.Route} {
		*p = cleanText(*p)
	}
	for i, a := range r.Args {
		if c := cleanText(a); c != a {
			args := append([]string(nil), r.Args...)
			for j := i; j < len(args); j++ {
				args[j] = cleanText(args[j])
			}
			r.Args = args
			break
		}
	}
	for k, v := range r.Source.Labels {
		if cleanText(k) != k || cleanText(v) != v {
			m := make(map[string]string, len(r.Source.Labels))
			for k, v := range r.Source.Labels {
				m[cleanText(k)] = cleanText(v)
			}
			r.Source.Labels = m
			break
		}
	}
}

// chainRecord sets r.Prev to prev and r.Hash to the hash of r's canonical
// encoding (which includes Prev). It truncates r.Time to microseconds, the
// canonical precision, and makes its strings valid UTF-8 without NUL (see
// cleanText).
func chainRecord(r *Record, prev string) {
	w := chainWriter{body: make([]byte, 0, auditSizeHint(r))}
	r.Hash = auditHash(w.encode(r, prev))
}

// chainWriter chains the batches of an AuditTrail's writer, reusing its
// buffers from one batch to the next.
type chainWriter struct {
	body    []byte
	summary []byte
	// With wantLines set, chain also leaves each record's line (as
	// EncodeAuditRecord writes it) in lines, record i ending at ends[i].
	wantLines bool
	lines     []byte
	ends      []int
	stamp     auditStamp
}

// encode makes r ready to be hashed (time canonical, Prev set, strings
// cleaned) and returns its canonical body, valid until the next call.
func (w *chainWriter) encode(r *Record, prev string) []byte {
	r.Time = r.Time.Truncate(time.Microsecond).UTC()
	r.Prev = prev
	w.body = appendAuditBodyStamped(w.body[:0], r, &w.stamp)
	if mayNeedCleaning(w.body) {
		cleanRecord(r)
		w.body = appendAuditBodyStamped(w.body[:0], r, &w.stamp)
	}
	return w.body
}

// mayNeedCleaning reports whether the canonical body of a record may hold
// a string that cleanText would change: the encoding writes a NUL as
// \u0000 and invalid UTF-8 as \ufffd, and whatever else it writes is
// clean. It walks the body's escapes in one pass, so those six characters
// written as text (an escaped backslash, then "u0000") do not match. (A
// real U+FFFD is written as itself, not escaped.)
func mayNeedCleaning(body []byte) bool {
	for {
		i := bytes.IndexByte(body, '\\')
		if i < 0 || i+6 > len(body) {
			return false
		}
		// An escape is a backslash and the byte after it (\" \\ \n …) or
		// \u and four hex digits: the next escape starts after it.
		if body[i+1] == 'u' {
			if h := string(body[i+2 : i+6]); h == "0000" || h == "fffd" {
				return true
			}
		}
		body = body[i+2:]
	}
}

// chain writes the argument summaries of each record of batch from its
// facts in args (same index), then chains the records from prev as
// chainRecord does, and returns the last hash. The summaries and hashes of
// a batch share one allocation, and the []string of its summaries another.
func (w *chainWriter) chain(batch []Record, args []argView, prev string) string {
	size, nargs := len(batch)*2*sha256.Size, 0
	for i := range args {
		nargs += args[i].n
		size += args[i].estimate()
	}
	var text strings.Builder
	text.Grow(size)
	var slab []string
	if nargs > 0 {
		slab = make([]string, nargs)
	}
	if cap(w.lines) > maxKeptAuditBuffer {
		w.lines = nil
	}
	w.lines, w.ends = w.lines[:0], w.ends[:0]
	for i := range batch {
		r := &batch[i]
		if facts := args[i].facts(); len(facts) > 0 {
			r.Args, slab = slab[:len(facts):len(facts)], slab[len(facts):]
			for j := range facts {
				w.summary = appendArgSummary(w.summary[:0], &facts[j])
				r.Args[j] = addText(&text, w.summary)
			}
		}
		sum := sha256.Sum256(w.encode(r, prev))
		var h [2 * sha256.Size]byte
		hex.Encode(h[:], sum[:])
		r.Hash = addText(&text, h[:])
		prev = r.Hash
		if w.wantLines { // the line is the body with the hash before its closing brace
			w.lines = append(w.lines, w.body[:len(w.body)-1]...)
			w.lines = append(w.lines, hashKey...)
			w.lines = append(w.lines, h[:]...)
			w.lines = append(w.lines, '"', '}', '\n')
			w.ends = append(w.ends, len(w.lines))
		}
	}
	if cap(w.body) > maxKeptAuditBuffer {
		w.body = nil
	}
	return prev
}

// addText appends b to t and returns the copy as a string sharing t's
// memory, which a strings.Builder never writes twice.
func addText(t *strings.Builder, b []byte) string {
	n := t.Len()
	t.Write(b)
	return t.String()[n:]
}

// EncodeAuditRecord returns r as one JSON Lines line (with the newline):
// the canonical encoding of the record, prev included, followed by its
// "hash" field. r.Hash must already be set (by an [AuditTrail]); the line
// carries r.Hash as it is, so a wrong hash is caught by VerifyAuditLog.
func EncodeAuditRecord(r *Record) []byte {
	return appendAuditLine(make([]byte, 0, auditSizeHint(r)), r)
}

// appendAuditLine appends r as EncodeAuditRecord encodes it.
func appendAuditLine(b []byte, r *Record) []byte {
	b = appendAuditBody(b, r)
	b = append(b[:len(b)-1], hashKey...) // the body's closing brace comes after the hash
	b = append(b, r.Hash...)
	return append(b, '"', '}', '\n')
}

// DecodeAuditRecord parses one line written by EncodeAuditRecord. It does
// not check the hash (see VerifyAuditLog).
func DecodeAuditRecord(line []byte) (*Record, error) {
	var l auditLine
	if err := json.Unmarshal(line, &l); err != nil {
		return nil, fmt.Errorf("approval: audit record: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, l.Time)
	if err != nil {
		return nil, fmt.Errorf("approval: audit record time: %w", err)
	}
	r := &Record{Time: t, Decision: l.Decision, Rule: l.Rule, Reason: l.Reason,
		Fingerprint: l.Fingerprint, Text: l.Text, KeyID: l.KeyID, Role: l.Role, Session: l.Session,
		Args: l.Args, PolicyVersion: l.PolicyVersion, Latency: time.Duration(l.LatencyNS),
		RowsAffected: l.RowsAffected, ErrorClass: l.ErrorClass, Prev: l.Prev}
	if l.Source != nil {
		r.Source = Source{l.Source.App, l.Source.Service, l.Source.Address, l.Source.Route, l.Source.Labels}
	}
	if len(l.Hash) > 0 {
		if err := json.Unmarshal(l.Hash, &r.Hash); err != nil {
			return nil, fmt.Errorf("approval: audit record hash: %w", err)
		}
	}
	return r, nil
}

// splitAuditLine separates a line (without newline) into its body (hash
// removed) and its hash. ok is false when the line does not end with a
// well-formed hash field.
func splitAuditLine(line []byte) (body []byte, hash string, ok bool) {
	i := bytes.LastIndex(line, []byte(hashKey))
	if i < 0 || len(line) != i+len(hashKey)+64+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, "", false
	}
	hash = string(line[i+len(hashKey) : i+len(hashKey)+64])
	if _, err := hex.DecodeString(hash); err != nil {
		return nil, "", false
	}
	body = make([]byte, 0, i+1)
	body = append(body, line[:i]...)
	body = append(body, '}')
	return body, hash, true
}
