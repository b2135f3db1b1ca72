package sqlnorm

import (
	"crypto/sha256"
	"encoding/hex"
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
	if err := opts.validate(); err != nil {
		return nil, err
	}
	w := getWork()
	defer putWork(w)
	toks, lerr := lex(opts, sql, w.toks[:0])
	w.toks = toks
	if lerr != nil {
		return nil, lerr
	}
	if len(toks) == 0 {
		return nil, reject(0, KindEmpty, "no statement")
	}
	end := len(toks)
	for i := range toks {
		if toks[i].kind == tSemi {
			end = i
			break
		}
	}
	if end == 0 {
		return nil, reject(int(toks[0].start), KindEmpty, "empty statement before ;")
	}
	if end < len(toks)-1 {
		return nil, reject(int(toks[end+1].start), KindMultiple, "more than one statement (only one trailing ; is allowed)")
	}
	return build(opts, sql, toks[:end], w)
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
	toks, lerr := lex(&opts, sql, w.toks[:0])
	w.toks = toks
	if lerr != nil {
		return nil, lerr
	}
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
			st, err := build(&opts, sql, toks[start:i], w)
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
	buf   []byte
	uses  []tableUse
	ctes  []cteScope
	fpar  []uint8
}

var workPool = sync.Pool{New: func() any {
	return &work{toks: make([]token, 0, 64), match: make([]int32, 0, 64), buf: make([]byte, 0, 512)}
}}

func getWork() *work { return workPool.Get().(*work) }
func putWork(w *work) {
	if cap(w.toks) > 1<<16 || cap(w.buf) > 1<<20 || cap(w.uses) > 1<<12 || cap(w.ctes) > 1<<12 {
		return
	}
	clear(w.uses) // do not keep the caller's text alive
	clear(w.ctes)
	workPool.Put(w)
}

// build analyses and renders the tokens of one statement.
func build(opts *Options, src string, toks []token, w *work) (*Statement, *Error) {
	// Clear flags left from a previous statement of the same text (Split).
	for i := range toks {
		toks[i].flags = 0
	}
	match, err := matchParens(toks, w.match[:0])
	w.match = match
	if err != nil {
		return nil, reject(int(err.start), KindSyntax, "unbalanced parentheses or brackets")
	}
	st := &Statement{Dialect: opts.Dialect}
	// One backing array for the three fact lists (each can still grow on
	// its own: the three-index slices keep them from overlapping).
	nlit := 0
	for i := range toks {
		if toks[i].kind == tString || toks[i].kind == tNumber {
			nlit++
		}
	}
	const nTables, nFuncs = 4, 4
	arena := make([]string, nlit+nTables+nFuncs)
	st.Literals = arena[0:0:nlit]
	st.Tables = arena[nlit : nlit : nlit+nTables]
	st.Functions = arena[nlit+nTables : nlit+nTables : nlit+nTables+nFuncs]
	a := analyzer{src: src, opts: opts, t: toks, match: match, st: st,
		uses: w.uses[:0], ctes: w.ctes[:0], funcParens: w.fpar[:0]}
	if e := a.run(); e != nil {
		return nil, e
	}
	buf := a.render(w.buf[:0])
	w.uses, w.ctes, w.fpar = a.uses, a.ctes, a.funcParens
	sum := sha256.Sum256(buf)
	// Text and Fingerprint share one allocation.
	n := len(buf)
	buf = append(buf, FingerprintVersion...)
	buf = append(buf, ':')
	buf = hex.AppendEncode(buf, sum[:])
	w.buf = buf
	both := string(buf[len(opts.Dialect)+1:])
	cut := n - len(opts.Dialect) - 1
	st.Text, st.Fingerprint = both[:cut], both[cut:]
	if len(st.Literals) == 0 {
		st.Literals = nil
	}
	if len(st.Tables) == 0 {
		st.Tables = nil
	}
	if len(st.Functions) == 0 {
		st.Functions = nil
	}
	return st, nil
}

// matchParens pairs ( with ) and [ with ]; it returns the token that breaks
// the pairing when they do not balance.
func matchParens(toks []token, match []int32) ([]int32, *token) {
	if cap(match) < len(toks) {
		match = make([]int32, len(toks))
	}
	match = match[:len(toks)]
	var stackArr [32]int32
	stack := stackArr[:0]
	for i := range toks {
		match[i] = -1
		switch toks[i].kind {
		case tLParen, tLBrack:
			stack = append(stack, int32(i))
		case tRParen, tRBrack:
			if len(stack) == 0 {
				return match, &toks[i]
			}
			o := stack[len(stack)-1]
			want := tLParen
			if toks[i].kind == tRBrack {
				want = tLBrack
			}
			if toks[o].kind != want {
				return match, &toks[i]
			}
			stack = stack[:len(stack)-1]
			match[o] = int32(i)
			match[i] = o
		}
	}
	if len(stack) > 0 {
		return match, &toks[stack[len(stack)-1]]
	}
	return match, nil
}
