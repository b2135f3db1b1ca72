package sqlnorm

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
)

// FingerprintVersion is the tag that starts every fingerprint. It changes
// whenever the canonical form changes, so stored fingerprints never match
// a different canonical form silently.
const FingerprintVersion = "v1"

// Normalize lexes exactly one statement and returns what is known of it.
// A trailing semicolon followed only by whitespace and comments is allowed.
// Any rejection is an *Error (errors.Is(err, ErrRejected)).
func Normalize(opts Options, sql string) (*Statement, error) {
	st, err := normalize(&opts, sql)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func normalize(opts *Options, sql string) (*Statement, *Error) {
	return normalizeWith(opts, sql, false)
}

// normalizeWith is normalize; general turns off the renderer's fast paths
// (tests compare the two).
func normalizeWith(opts *Options, sql string, general bool) (*Statement, *Error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	w := getWork()
	defer putWork(w)
	// The lexer finds the first ; and pairs the brackets before it (the
	// statement, when nothing but the ; follows).
	toks, br, lerr := lex(opts, sql, w.toks[:0], w.match, w.stack)
	w.toks = toks
	if lerr != nil {
		return nil, lerr
	}
	w.match, w.stack = br.match, br.stack
	if len(toks) == 0 {
		return nil, reject(0, KindEmpty, "no statement")
	}
	end := br.end
	if end == 0 {
		return nil, reject(int(toks[0].start), KindEmpty, "empty statement before ;")
	}
	if end < len(toks)-1 {
		return nil, reject(int(toks[end+1].start), KindMultiple, "more than one statement (only one trailing ; is allowed)")
	}
	var bad *token
	if br.bad >= 0 {
		bad = &toks[br.bad]
	}
	return build(opts, sql, toks[:end], w, br.match[:end], bad, general)
}

// Split lexes text that may hold several statements separated by ; and
// returns each, normalised on its own. Empty statements (;;) are skipped.
// The whole text is lexed first, so a rejection anywhere rejects it all.
// A CREATE statement with a BEGIN body (BEGIN ATOMIC functions, MySQL
// procedures, SQLite triggers) is refused: its semicolons are the body's.
func Split(opts Options, sql string) ([]*Statement, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	w := getWork()
	defer putWork(w)
	toks, br, lerr := lex(&opts, sql, w.toks[:0], w.match, w.stack)
	w.toks = toks
	if lerr != nil {
		return nil, lerr
	}
	// The lexer's pairing covers the first statement only: each
	// statement's brackets are paired below.
	w.match, w.stack = br.match, br.stack
	var out []*Statement
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && toks[i].kind != tSemi {
			continue
		}
		if i > start {
			if k := compoundBody(sql, toks[start:i]); k >= 0 {
				return nil, reject(k, KindMultiple, "a compound statement body (CREATE ... BEGIN ... END) holds semicolons; it cannot be split safely")
			}
			match, _, bad := matchParens(toks[start:i], w.match[:0])
			w.match = match
			st, err := build(&opts, sql, toks[start:i], w, match, bad, false)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
		start = i + 1
	}
	if len(out) == 0 {
		return nil, reject(0, KindEmpty, "no statement")
	}
	return out, nil
}

// compoundBody returns the offset of BEGIN in a CREATE statement (a
// function, procedure, trigger or event body: BEGIN ATOMIC in PostgreSQL,
// BEGIN ... END in MySQL and SQLite), or -1. Its semicolons belong to the
// body, so cutting there would misreport what the server runs.
func compoundBody(sql string, toks []token) int {
	if len(toks) == 0 || toks[0].kind != tWord || !strings.EqualFold(sql[toks[0].start:toks[0].end], "create") {
		return -1
	}
	for _, tk := range toks[1:] {
		if tk.kind == tWord && strings.EqualFold(sql[tk.start:tk.end], "begin") {
			return int(tk.start)
		}
	}
	return -1
}

// work holds reusable buffers for one normalisation.
type work struct {
	toks  []token
	match []int32
	stack []int32 // the lexer's open brackets
	buf   []byte
	uses  []tableUse
	ctes  []cteScope
	fpar  []uint8
	st    Statement // facts gathered before the result is allocated
	lits  []string
	tabs  []string
	funcs []string
	used  int // the most entries of lits, tabs or funcs used since the last clear
}

var workPool = sync.Pool{New: func() any {
	return &work{toks: make([]token, 0, 64), match: make([]int32, 0, 64), buf: make([]byte, 0, 512)}
}}

func getWork() *work { return workPool.Get().(*work) }
func putWork(w *work) {
	if cap(w.toks) > 1<<16 || cap(w.buf) > 1<<20 || cap(w.uses) > 1<<12 || cap(w.ctes) > 1<<12 ||
		cap(w.lits) > 1<<12 || cap(w.tabs) > 1<<12 || cap(w.funcs) > 1<<12 {
		return
	}
	clear(w.uses) // do not keep the caller's text alive
	clear(w.ctes)
	if w.used > 0 {
		clear(w.lits[:min(w.used, cap(w.lits))])
		clear(w.tabs[:min(w.used, cap(w.tabs))])
		clear(w.funcs[:min(w.used, cap(w.funcs))])
		w.used = 0
	}
	w.st = Statement{}
	workPool.Put(w)
}

// build analyses and renders the tokens of one statement; match and bad
// are matchParens's answer for them.
func build(opts *Options, src string, toks []token, w *work, match []int32, bad *token, general bool) (*Statement, *Error) {
	if bad != nil {
		return nil, reject(int(bad.start), KindSyntax, "unbalanced parentheses or brackets")
	}
	// The facts are gathered in w and copied into one allocation at the end.
	w.st = Statement{Dialect: opts.Dialect, Literals: w.lits[:0], Tables: w.tabs[:0], Functions: w.funcs[:0]}
	a := analyzer{src: src, opts: *opts, t: toks, match: match, st: &w.st,
		uses: w.uses[:0], ctes: w.ctes[:0], funcParens: w.fpar[:0], general: general}
	e := a.run()
	w.used = max(w.used, len(w.st.Tables), len(w.st.Functions))
	if e != nil {
		return nil, e
	}
	buf := a.render(w.buf[:0])
	w.uses, w.ctes, w.fpar = a.uses, a.ctes, a.funcParens
	w.lits, w.tabs, w.funcs = w.st.Literals, w.st.Tables, w.st.Functions
	w.used = max(w.used, len(w.lits))
	sum := sha256.Sum256(buf)
	// Text and Fingerprint share one allocation.
	n := len(buf)
	buf = append(buf, FingerprintVersion...)
	buf = append(buf, ':')
	buf = appendHex(buf, &sum)
	w.buf = buf
	both := string(buf[len(opts.Dialect)+1:])
	cut := n - len(opts.Dialect) - 1
	w.st.Text, w.st.Fingerprint = both[:cut], both[cut:]
	return newStatement(&w.st), nil
}

// appendHex appends the lower-case hex digits of sum (as
// encoding/hex.AppendEncode writes them), eight digits at a time: four
// bytes are spread to one nibble per byte (high nibble first), and each
// nibble n becomes '0'+n, plus 'a'-'0'-10 when n >= 10, in all eight
// bytes at once (no byte can carry into the next).
func appendHex(buf []byte, sum *[sha256.Size]byte) []byte {
	const (
		ones = 0x0101010101010101
		low4 = 0x000F000F000F000F // the low nibble of each 16-bit lane
	)
	n := len(buf)
	buf = slices.Grow(buf, 2*sha256.Size)[:n+2*sha256.Size]
	h := (*[2 * sha256.Size]byte)(buf[n:]) // the digits go straight into buf
	for i := 0; i < sha256.Size; i += 4 {
		x := uint64(binary.LittleEndian.Uint32(sum[i:]))
		// One input byte per 16-bit lane, in order.
		x = (x | x<<16) & 0x0000FFFF0000FFFF
		x = (x | x<<8) & 0x00FF00FF00FF00FF
		// The high nibble in a lane's first byte, the low one in its second.
		x = x>>4&low4 | (x&low4)<<8
		letters := (x + 6*ones) >> 4 & ones // 1 where the nibble is >= 10
		binary.LittleEndian.PutUint64(h[2*i:], x+'0'*ones+letters*('a'-'0'-10))
	}
	return buf
}

// newStatement copies src, with its three fact lists, into one allocation
// (each list keeps its own capacity, so they cannot overlap). Empty lists
// are nil.
func newStatement(src *Statement) *Statement {
	nl, nt, nf := len(src.Literals), len(src.Tables), len(src.Functions)
	st, arena := allocStatement(nl + nt + nf)
	*st = *src
	st.Literals, st.Tables, st.Functions = nil, nil, nil
	if nl > 0 {
		st.Literals = arena[0:nl:nl]
		copy(st.Literals, src.Literals)
	}
	if nt > 0 {
		st.Tables = arena[nl : nl+nt : nl+nt]
		copy(st.Tables, src.Tables)
	}
	if nf > 0 {
		st.Functions = arena[nl+nt : nl+nt+nf : nl+nt+nf]
		copy(st.Functions, src.Functions)
	}
	return st
}

// Statements with room for their fact lists in the same allocation. A
// Statement is 176 bytes and a string 16 on 64-bit platforms, and the
// runtime puts an 8-byte header before an object with pointers larger
// than 512 bytes; each size here then fills one of its size classes (240,
// 256, 320, 384, 448, 576, 704, 1024, 1280, 1536, 1792, 2048 and 2304
// bytes), so a statement's lists cost no second allocation up to 132
// entries, and waste little room.
type (
	stmt4 struct {
		st Statement
		s  [4]string
	}
	stmt5 struct {
		st Statement
		s  [5]string
	}
	stmt9 struct {
		st Statement
		s  [9]string
	}
	stmt13 struct {
		st Statement
		s  [13]string
	}
	stmt17 struct {
		st Statement
		s  [17]string
	}
	stmt24 struct {
		st Statement
		s  [24]string
	}
	stmt32 struct {
		st Statement
		s  [32]string
	}
	stmt52 struct {
		st Statement
		s  [52]string
	}
	stmt68 struct {
		st Statement
		s  [68]string
	}
	stmt84 struct {
		st Statement
		s  [84]string
	}
	stmt100 struct {
		st Statement
		s  [100]string
	}
	stmt116 struct {
		st Statement
		s  [116]string
	}
	stmt132 struct {
		st Statement
		s  [132]string
	}
)

// allocStatement returns a new Statement and room for n strings, in one
// allocation unless n is large.
func allocStatement(n int) (*Statement, []string) {
	switch {
	case n == 0:
		return new(Statement), nil
	case n <= 4:
		b := new(stmt4)
		return &b.st, b.s[:n]
	case n <= 5:
		b := new(stmt5)
		return &b.st, b.s[:n]
	case n <= 9:
		b := new(stmt9)
		return &b.st, b.s[:n]
	case n <= 13:
		b := new(stmt13)
		return &b.st, b.s[:n]
	case n <= 17:
		b := new(stmt17)
		return &b.st, b.s[:n]
	case n <= 24:
		b := new(stmt24)
		return &b.st, b.s[:n]
	case n <= 32:
		b := new(stmt32)
		return &b.st, b.s[:n]
	case n <= 52:
		b := new(stmt52)
		return &b.st, b.s[:n]
	case n <= 68:
		b := new(stmt68)
		return &b.st, b.s[:n]
	case n <= 84:
		b := new(stmt84)
		return &b.st, b.s[:n]
	case n <= 100:
		b := new(stmt100)
		return &b.st, b.s[:n]
	case n <= 116:
		b := new(stmt116)
		return &b.st, b.s[:n]
	case n <= 132:
		b := new(stmt132)
		return &b.st, b.s[:n]
	}
	return new(Statement), make([]string, n)
}

// matchParens pairs ( with ) and [ with ] in the tokens before the first
// ; (end is its index, or len(toks)); bad is the token that breaks the
// pairing there, or nil. When bad is nil, match[i] is the index of the
// partner of each bracket i before end. The entries of other tokens are
// left as they were: every reader indexes match with a bracket (the
// tests fill the other entries with a value no index can take; see
// poisonMatch).
//
// The tokens' flags are the analyser's and are all zero here: the lexer
// clears them (emit), and an analyser marks only its own statement's
// tokens.
func matchParens(toks []token, match []int32) (m []int32, end int, bad *token) {
	if cap(match) < len(toks) {
		match = make([]int32, len(toks))
	}
	match = match[:len(toks)]
	if poisonMatch {
		poison(toks, match)
	}
	var stackArr [32]int32
	stack := stackArr[:0]
	end = len(toks)
	for i := range toks {
		// The four bracket kinds are consecutive: one compare skips
		// every other token.
		k := toks[i].kind
		if k < tLParen || k > tRBrack {
			if k == tSemi {
				end = i
				break
			}
			continue
		}
		switch k {
		case tLParen, tLBrack:
			stack = append(stack, int32(i))
		case tRParen, tRBrack:
			if len(stack) == 0 {
				return match, semiFrom(toks, i), &toks[i]
			}
			o := stack[len(stack)-1]
			want := tLParen
			if k == tRBrack {
				want = tLBrack
			}
			if toks[o].kind != want {
				return match, semiFrom(toks, i), &toks[i]
			}
			stack = stack[:len(stack)-1]
			match[o] = int32(i)
			match[i] = o
		}
	}
	if len(stack) > 0 {
		return match[:end], end, &toks[stack[len(stack)-1]]
	}
	return match[:end], end, nil
}

// poisonMatch is set by the tests: matchParens then fills match with
// math.MinInt32 before pairing, so that reading the entry of a token that
// is not a bracket, used as an index, panics; and it checks that every
// token's flags are clear.
var poisonMatch = false

func poison(toks []token, match []int32) {
	for i := range match {
		match[i] = math.MinInt32
	}
	for i := range toks {
		if toks[i].flags != 0 {
			panic("sqlnorm: token flags set before analysis")
		}
	}
}

// semiFrom returns the index of the first ; at or after i, or len(toks).
func semiFrom(toks []token, i int) int {
	for ; i < len(toks); i++ {
		if toks[i].kind == tSemi {
			return i
		}
	}
	return len(toks)
}
