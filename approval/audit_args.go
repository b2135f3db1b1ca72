package approval

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
)

// maxArgSummary caps one loggable argument's text in a summary.
const maxArgSummary = 64

// SummarizeArgs returns a one-string-per-argument summary for audit
// records and pending requests. An argument is shown only when loggable
// returns true for it (loggable may be nil: nothing is shown); otherwise
// only its type and size appear, e.g. "$1=<string len=11>". Shown values
// are cut to 64 bytes.
func SummarizeArgs(args []Arg, loggable func(i int, a Arg) bool) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, len(args))
	var b []byte
	for i, a := range args {
		f := argFactOf(i, a, loggable != nil && loggable(i, a))
		b = appendArgSummary(b[:0], &f)
		out[i] = string(b)
	}
	return out
}

// argKind says how one argument appears in its summary.
type argKind uint8

const (
	argNull   argKind = iota // <null>
	argString                // <string len=n>
	argBytes                 // <bytes len=n>
	argBool                  // <bool>
	argInt                   // <int>
	argFloat                 // <float>
	argTime                  // <time>
	argOther                 // <T>, the Go type of the value
	argShown                 // the value itself, cut to maxArgSummary bytes
)

// argFact is what the summary of one argument is made of. It is taken
// when the call is decided, so that the summary can be written later (by
// the AuditTrail's writer) exactly as it would have been then: a redacted
// argument keeps only its type and length, a shown one its value, and
// only values that cannot change afterwards are kept (see deferArgFact).
type argFact struct {
	name string // the argument's name ("@name"), or "" for "$ord"
	ord  int
	n    int // length of a redacted string or []byte
	// v is the value of an argShown fact, or the reflect.Type of an
	// argOther one.
	v    any
	kind argKind
}

// argFactOf returns the fact summarising args[i] = a, shown or redacted.
func argFactOf(i int, a Arg, show bool) argFact {
	f := argFact{name: a.Name, ord: a.Ordinal}
	if a.Name == "" && a.Ordinal == 0 {
		f.ord = i + 1
	}
	if show {
		f.kind, f.v = argShown, a.Value
		return f
	}
	switch x := a.Value.(type) {
	case nil:
		f.kind = argNull
	case string:
		f.kind, f.n = argString, len(x)
	case []byte:
		f.kind, f.n = argBytes, len(x)
	case bool:
		f.kind = argBool
	case int64, int, int32:
		f.kind = argInt
	case float64, float32:
		f.kind = argFloat
	case time.Time:
		f.kind = argTime
	default:
		f.kind, f.v = argOther, reflect.TypeOf(x)
	}
	return f
}

// deferArgFact is argFactOf for a summary written after the call returned:
// ok is false for a shown value the caller could still change (a []byte,
// or any type but the immutable basic ones and time.Time), whose summary
// must then be written at once.
func deferArgFact(i int, a Arg, show bool) (f argFact, ok bool) {
	if show {
		switch a.Value.(type) {
		case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
			float32, float64, time.Time:
		default:
			return argFact{}, false
		}
	}
	return argFactOf(i, a, show), true
}

// appendArgSummary appends the summary of one argument, e.g.
// "$1=<string len=11>", "@tenant=42".
func appendArgSummary(b []byte, f *argFact) []byte {
	if f.name != "" {
		b = append(b, '@')
		b = append(b, f.name...)
	} else {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(f.ord), 10)
	}
	b = append(b, '=')
	switch f.kind {
	case argNull:
		return append(b, "<null>"...)
	case argString:
		b = append(b, "<string len="...)
		b = strconv.AppendInt(b, int64(f.n), 10)
		return append(b, '>')
	case argBytes:
		b = append(b, "<bytes len="...)
		b = strconv.AppendInt(b, int64(f.n), 10)
		return append(b, '>')
	case argBool:
		return append(b, "<bool>"...)
	case argInt:
		return append(b, "<int>"...)
	case argFloat:
		return append(b, "<float>"...)
	case argTime:
		return append(b, "<time>"...)
	case argOther:
		b = append(b, '<')
		b = append(b, f.v.(reflect.Type).String()...) // as fmt's %T
		return append(b, '>')
	default:
		return appendShownArg(b, f.v)
	}
}

// appendShownArg appends a shown value: NULL, a quoted string, hex bytes,
// an RFC 3339 UTC time or fmt's %v, cut to maxArgSummary bytes (at a rune
// boundary, "…" added). Only as much of a long string or []byte is
// formatted as the cut keeps.
func appendShownArg(b []byte, v any) []byte {
	start := len(b)
	switch x := v.(type) {
	case nil:
		return append(b, "NULL"...)
	case string:
		// Quoting writes at least one byte per input byte, so the first
		// maxArgSummary+1 bytes of the quote of x[:maxArgSummary+6] are those
		// of x's (a rune cut at the end starts past them) and both are cut.
		if len(x) > maxArgSummary+6 {
			x = x[:maxArgSummary+6]
		}
		b = strconv.AppendQuote(b, x)
	case []byte:
		// Two hex digits a byte: maxArgSummary/2+1 bytes are always cut.
		if len(x) > maxArgSummary/2+1 {
			x = x[:maxArgSummary/2+1]
		}
		b = hex.AppendEncode(b, x)
	case time.Time:
		b = x.UTC().AppendFormat(b, time.RFC3339Nano)
	default:
		b = fmt.Append(b, v)
	}
	if len(b)-start > maxArgSummary {
		cut := maxArgSummary
		for cut > 0 && !utf8.RuneStart(b[start+cut]) {
			cut--
		}
		b = append(b[:start+cut], "…"...)
	}
	return b
}

// inlineArgFacts is how many argument facts a queued record holds without
// an allocation.
const inlineArgFacts = 4

// argView is the bounded copy of a call's arguments a queued record
// carries instead of their summaries: the AuditTrail's writer writes the
// summaries, off the caller's goroutine.
type argView struct {
	n      int
	inline [inlineArgFacts]argFact
	more   []argFact // all n facts when n > inlineArgFacts
}

// capture fills v for args, shown when show is set. It returns false,
// leaving v empty, when a shown value could change after the call (see
// deferArgFact): the caller must summarise at once.
func (v *argView) capture(args []Arg, show bool) bool {
	facts := v.inline[:]
	if len(args) > inlineArgFacts {
		v.more = make([]argFact, len(args))
		facts = v.more
	}
	for i, a := range args {
		f, ok := deferArgFact(i, a, show)
		if !ok {
			*v = argView{}
			return false
		}
		facts[i] = f
	}
	v.n = len(args)
	return true
}

// facts returns the captured facts.
func (v *argView) facts() []argFact {
	if v.n > inlineArgFacts {
		return v.more
	}
	return v.inline[:v.n]
}

// estimate returns about how many bytes the summaries take.
func (v *argView) estimate() int {
	n := 0
	for i := range v.facts() {
		f := &v.facts()[i]
		n += len(f.name) + 24
		if f.kind == argShown {
			n += maxArgSummary + len("…")
		}
	}
	return n
}
