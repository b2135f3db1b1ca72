package postgres

import (
	"context"
	"errors"
	"reflect"
	"testing"

	sqldriver "database/sql/driver"

	"github.com/jackc/pgx/v5"
)

type otherRewriter struct{}

func (otherRewriter) RewriteQuery(ctx context.Context, conn *pgx.Conn, sql string, args []any) (string, []any, error) {
	return "DROP TABLE users", nil, nil
}

func nvs(vals ...any) []sqldriver.NamedValue {
	out := make([]sqldriver.NamedValue, len(vals))
	for i, v := range vals {
		out[i] = sqldriver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func TestRewrite(t *testing.T) {
	cases := []struct {
		name     string
		query    string
		args     []sqldriver.NamedValue
		wantSQL  string
		wantArgs []any
		wantOpts int
		wantErr  bool
	}{
		{"no args", "SELECT 1", nil, "SELECT 1", nil, 0, false},
		{"plain args", "SELECT $1", nvs(int64(1)), "SELECT $1", []any{int64(1)}, 0, false},
		{"exec mode", "SELECT $1", nvs(pgx.QueryExecModeSimpleProtocol, int64(1)), "SELECT $1", []any{int64(1)}, 1, false},
		// pgx's Exec does not take result formats as options: they would be
		// parameter $1, shifting the arguments the Gate saw.
		{"result formats", "SELECT $1", nvs(pgx.QueryResultFormats{1}, pgx.QueryExecModeExec, "x"), "", nil, 0, true},
		{"result formats by oid", "SELECT $1", nvs(pgx.QueryResultFormatsByOID{25: 1}, "x"), "", nil, 0, true},
		{"mode later is a user arg", "SELECT $1, $2", nvs(int64(1), pgx.QueryExecModeExec), "SELECT $1, $2", []any{int64(1), pgx.QueryExecModeExec}, 0, false},
		{"named args", "SELECT * FROM t WHERE a = @a AND b = @b", nvs(pgx.NamedArgs{"a": 1, "b": "x"}),
			"SELECT * FROM t WHERE a = $1 AND b = $2", []any{1, "x"}, 0, false},
		{"named args with mode", "SELECT @a", nvs(pgx.QueryExecModeExec, pgx.StrictNamedArgs{"a": 1}), "SELECT $1", []any{1}, 1, false},
		{"strict named args missing", "SELECT @a, @b", nvs(pgx.StrictNamedArgs{"a": 1}), "", nil, 0, true},
		{"unknown rewriter", "SELECT 1", nvs(otherRewriter{}), "", nil, 0, true},
		// A named argument's value becomes a leading positional argument
		// after the rewrite: pgx would take it for an option again (a
		// QueryRewriter running other text, or an exec mode shifting the
		// arguments the Gate saw).
		{"named arg value is a rewriter", "SELECT @a", nvs(pgx.NamedArgs{"a": otherRewriter{}}), "", nil, 0, true},
		{"named arg value is an exec mode", "SELECT @a, @b", nvs(pgx.NamedArgs{"a": pgx.QueryExecModeSimpleProtocol, "b": "x"}), "", nil, 0, true},
		{"named arg value is result formats", "SELECT @a", nvs(pgx.StrictNamedArgs{"a": pgx.QueryResultFormats{1}}), "", nil, 0, true},
		{"named arg option value not first is a user arg", "SELECT @a, @b", nvs(pgx.NamedArgs{"a": 1, "b": pgx.QueryExecModeExec}),
			"SELECT $1, $2", []any{1, pgx.QueryExecModeExec}, 0, false},
		{"two rewriters", "SELECT @a", nvs(pgx.NamedArgs{"a": 1}, pgx.NamedArgs{"a": 2}), "", nil, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			call, err := rewrite(context.Background(), tc.query, tc.args)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("accepted: %+v", call)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if call.Query != tc.wantSQL {
				t.Errorf("query %q, want %q", call.Query, tc.wantSQL)
			}
			var got []any
			for _, a := range call.Args {
				got = append(got, a.Value)
			}
			if !reflect.DeepEqual(got, tc.wantArgs) {
				t.Errorf("args %#v, want %#v", got, tc.wantArgs)
			}
			if len(call.Options) != tc.wantOpts {
				t.Errorf("%d options, want %d", len(call.Options), tc.wantOpts)
			}
		})
	}
}

func TestRewriteErrorNotRetryable(t *testing.T) {
	_, err := rewrite(context.Background(), "SELECT 1", nvs(otherRewriter{}))
	if errors.Is(err, sqldriver.ErrBadConn) || errors.Is(err, sqldriver.ErrSkip) {
		t.Fatal(err)
	}
}

func TestRewriteRefusesSimpleProtocolMisreads(t *testing.T) {
	// Only calls with arguments are affected: without them pgx substitutes nothing.
	if _, err := rewrite(context.Background(), `SELECT 1 AS x$1`, nil); err != nil {
		t.Errorf("no arguments: %v", err)
	}
	if _, err := rewrite(context.Background(), `SELECT 1 AS x$1`, nvs("y")); err == nil {
		t.Error("misread with arguments accepted")
	}
	if _, err := rewrite(context.Background(), `SELECT 1 AS x$1`, nvs(pgx.QueryExecModeSimpleProtocol, "y")); err == nil {
		t.Error("misread with a mode and arguments accepted")
	}
	if _, err := rewrite(context.Background(), `SELECT @a, x$a$`, nvs(pgx.NamedArgs{"a": 1})); err == nil {
		t.Error("misread after the NamedArgs rewrite accepted")
	}
}
