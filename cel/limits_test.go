package cel

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

func TestLimitsCheck(t *testing.T) {
	l := Limits{MaxArgs: 3, MaxArgLength: 8, MaxTextLength: 60, MaxStringLength: 12, MaxListLength: 2, MaxMapSize: 1}
	long := strings.Repeat("x", 13)
	cases := []struct {
		name       string
		mutate     func(*Input)
		cap, field string
		limit, got int
	}{
		{"within", func(*Input) {}, "", "", 0, 0},
		{"text", func(in *Input) { in.Query.Text = strings.Repeat("s", 61) }, CapTextLength, "query.text", 60, 61},
		{"fingerprint", func(in *Input) { in.Query.Fingerprint = long }, CapStringLength, "query.fingerprint", 12, 13},
		{"command", func(in *Input) { in.Query.Command = long }, CapStringLength, "query.command", 12, 13},
		{"key.role", func(in *Input) { in.Key.Role = long }, CapStringLength, "key.role", 12, 13},
		{"source.address", func(in *Input) { in.Source.Address = long }, CapStringLength, "source.address", 12, 13},
		{"object", func(in *Input) { in.Query.Object = long }, CapStringLength, "query.object", 12, 13},
		{"dialect", func(in *Input) { in.Query.Dialect = sqlnorm.Dialect(long) }, CapStringLength, "query.dialect", 12, 13},
		{"key.id", func(in *Input) { in.Key.ID = long }, CapStringLength, "key.id", 12, 13},
		{"key.subject", func(in *Input) { in.Key.Subject = long }, CapStringLength, "key.subject", 12, 13},
		{"key.session", func(in *Input) { in.Key.Session = long }, CapStringLength, "key.session", 12, 13},
		{"source.app", func(in *Input) { in.Source.App = long }, CapStringLength, "source.app", 12, 13},
		{"source.service", func(in *Input) { in.Source.Service = long }, CapStringLength, "source.service", 12, 13},
		{"source.route", func(in *Input) { in.Source.Route = long }, CapStringLength, "source.route", 12, 13},
		{"functions count", func(in *Input) { in.Query.Functions = []string{"a", "b", "c"} }, CapListLength, "query.functions", 2, 3},
		{"function name", func(in *Input) { in.Query.Functions = []string{long} }, CapStringLength, "query.functions", 12, 13},
		{"literals count", func(in *Input) { in.Query.Literals = []string{"1", "2", "3"} }, CapListLength, "query.literals", 2, 3},
		{"scope", func(in *Input) { in.Key.Scopes = []string{long} }, CapStringLength, "key.scopes", 12, 13},
		{"key label key", func(in *Input) { in.Key.Labels = map[string]string{long: "v"} }, CapStringLength, "key.labels", 12, 13},
		{"source labels count", func(in *Input) { in.Source.Labels = map[string]string{"a": "1", "b": "2"} }, CapMapSize, "source.labels", 1, 2},
		{"args count, positional only", func(in *Input) { in.Args = []any{1, 2, 3, 4}; in.NamedArgs = nil }, CapArgs, "args", 3, 4},
		{"tables count", func(in *Input) { in.Query.Tables = []string{"a", "b", "c"} }, CapListLength, "query.tables", 2, 3},
		{"table name", func(in *Input) { in.Query.Tables = []string{long} }, CapStringLength, "query.tables", 12, 13},
		{"literal", func(in *Input) { in.Query.Literals = []string{strings.Repeat("l", 61)} }, CapTextLength, "query.literals", 60, 61},
		{"scopes", func(in *Input) { in.Key.Scopes = []string{"a", "b", "c"} }, CapListLength, "key.scopes", 2, 3},
		{"key labels", func(in *Input) { in.Key.Labels = map[string]string{"a": "1", "b": "2"} }, CapMapSize, "key.labels", 1, 2},
		{"label value", func(in *Input) { in.Source.Labels = map[string]string{"a": long} }, CapStringLength, "source.labels", 12, 13},
		{"args count", func(in *Input) { in.Args = []any{1, 2}; in.NamedArgs = map[string]any{"a": 1, "b": 2} }, CapArgs, "args", 3, 4},
		{"string arg", func(in *Input) { in.Args = []any{"123456789"} }, CapArgLength, "args[0]", 8, 9},
		{"bytes arg", func(in *Input) { in.Args = []any{int64(1), []byte("123456789")} }, CapArgLength, "args[1]", 8, 9},
		{"named arg", func(in *Input) { in.Args = nil; in.NamedArgs = map[string]any{"n": "123456789"} }, CapArgLength, "named_args.n", 8, 9},
		{"named arg name", func(in *Input) { in.Args = nil; in.NamedArgs = map[string]any{long: 1} }, CapStringLength, "named_args", 12, 13},
		{"list arg", func(in *Input) { in.Args = []any{[]int64{1, 2, 3}} }, CapListLength, "args[0]", 2, 3},
		{"list arg element", func(in *Input) { in.Args = []any{[]string{"123456789"}} }, CapArgLength, "args[0]", 8, 9},
		{"struct arg", func(in *Input) { in.Args = []any{struct{}{}} }, CapArgType, "args[0]", 0, 0},
		{"map arg", func(in *Input) { in.Args = []any{map[string]int{}} }, CapArgType, "args[0]", 0, 0},
		{"nested list arg", func(in *Input) { in.Args = []any{[][]int{{1}}} }, CapArgType, "args[0]", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := smallInput()
			c.mutate(in)
			err := l.Check(in)
			if strings.HasPrefix(c.field, "query.") == l.statementWithin(in.Query) {
				t.Fatalf("statementWithin = %v for a case on %s", l.statementWithin(in.Query), c.field)
			}
			if l.statementWithin(in.Query) {
				// A statement already checked: the rest of the input
				// gets the same answer as from Check.
				if same := l.CheckSameStatement(in); fmt.Sprint(same) != fmt.Sprint(err) {
					t.Errorf("CheckSameStatement = %v, Check = %v", same, err)
				}
			}
			if c.cap == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || !errors.Is(err, ErrLimit) {
				t.Fatalf("Check: %v, want a *LimitError", err)
			}
			if le.Cap != c.cap || le.Field != c.field || le.Limit != c.limit || le.Got != c.got {
				t.Errorf("got %+v, want cap %s field %s limit %d got %d", le, c.cap, c.field, c.limit, c.got)
			}
			if !strings.Contains(le.Error(), c.field) {
				t.Errorf("Error() %q does not name %s", le.Error(), c.field)
			}
		})
	}
	if err := l.Check(nil); err != ErrNoStatement {
		t.Errorf("Check(nil) = %v", err)
	}
}

// smallInput fits the caps of TestLimitsCheck.
func smallInput() *Input {
	in := testInput()
	q := *in.Query
	q.Text = "UPDATE t SET a = $1"
	q.Fingerprint = "v1:ab"
	q.Tables = []string{"public.t"}
	q.Functions = nil
	q.Literals = []string{"42"}
	in.Query = &q
	in.Args = []any{int64(1), "short"}
	in.NamedArgs = map[string]any{"id": int64(7)}
	in.Key.Subject = "alice"
	in.Source.Address = "10.0.0.1"
	in.Key.Labels = map[string]string{"team": "pay"}
	in.Source.Labels = nil
	return in
}

func TestDefaultLimitsAcceptTestInput(t *testing.T) {
	if err := DefaultLimits().Check(testInput()); err != nil {
		t.Fatal(err)
	}
}

func TestLimitsAllArgTypes(t *testing.T) {
	in := testInput()
	in.Args = []any{nil, true, 1, int8(1), int16(1), int32(1), int64(1), uint(1), uint8(1), uint16(1), uint32(1), uint64(1),
		float32(1), 1.0, "s", []byte("b"), time.Now(), []string{"a"}, []int64{1}, [][]byte{[]byte("x")}}
	if err := DefaultLimits().Check(in); err != nil {
		t.Fatal(err)
	}
}

// TestLimitsWithinAgreesWithFull: the quick path never passes an input the
// full check refuses, and it passes the common inputs itself, including
// every scalar argument type the full check accepts (pgx hands Go ints
// through unconverted).
func TestLimitsWithinAgreesWithFull(t *testing.T) {
	l := Limits{MaxArgs: 3, MaxArgLength: 8, MaxTextLength: 60, MaxStringLength: 12, MaxListLength: 2, MaxMapSize: 1}
	long := strings.Repeat("x", 13)
	mutations := map[string]func(*Input){
		"text":          func(in *Input) { in.Query.Text = strings.Repeat("s", 61) },
		"fingerprint":   func(in *Input) { in.Query.Fingerprint = long },
		"key.role":      func(in *Input) { in.Key.Role = long },
		"source.app":    func(in *Input) { in.Source.App = long },
		"table":         func(in *Input) { in.Query.Tables = []string{long} },
		"literal":       func(in *Input) { in.Query.Literals = []string{strings.Repeat("l", 61)} },
		"scope":         func(in *Input) { in.Key.Scopes = []string{long} },
		"label value":   func(in *Input) { in.Source.Labels = map[string]string{"a": long} },
		"args count":    func(in *Input) { in.Args = []any{1, 2, 3, 4}; in.NamedArgs = nil },
		"string arg":    func(in *Input) { in.Args = []any{"123456789"}; in.NamedArgs = nil },
		"bytes arg":     func(in *Input) { in.Args = []any{[]byte("123456789")}; in.NamedArgs = nil },
		"struct arg":    func(in *Input) { in.Args = []any{struct{}{}}; in.NamedArgs = nil },
		"int slice arg": func(in *Input) { in.Args = []any{[]int{1, 2, 3}}; in.NamedArgs = nil },
	}
	for name, mutate := range mutations {
		in := smallInput()
		mutate(in)
		if l.full(in) == nil {
			t.Fatalf("%s: the full check accepts the mutated input; the case tests nothing", name)
		}
		if l.within(in) {
			t.Errorf("%s: within passes an input the full check refuses", name)
		}
	}
	for _, a := range []any{nil, true, 1, int8(1), int16(1), int32(1), int64(1), uint(1), uint8(1), uint16(1), uint32(1),
		uint64(1), float32(1), 1.0, "short", []byte("b"), time.Now()} {
		in := smallInput()
		in.Args, in.NamedArgs = []any{a}, nil
		if err := l.full(in); err != nil {
			t.Fatalf("%T: full check: %v", a, err)
		}
		if !l.within(in) {
			t.Errorf("%T: within sends an accepted scalar argument down the full path", a)
		}
	}
}
