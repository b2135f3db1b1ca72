package approval

import (
	"fmt"
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
	for i, a := range args {
		name := "$" + strconv.Itoa(a.Ordinal)
		if a.Name != "" {
			name = "@" + a.Name
		} else if a.Ordinal == 0 {
			name = "$" + strconv.Itoa(i+1)
		}
		if loggable != nil && loggable(i, a) {
			out[i] = name + "=" + showArg(a.Value)
		} else {
			out[i] = name + "=" + redactArg(a.Value)
		}
	}
	return out
}

func redactArg(v any) string {
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

func showArg(v any) string {
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
