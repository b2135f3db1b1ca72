package driver

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
)

type recAuditor struct {
	recs []approval.Record
	err  error
}

func (a *recAuditor) Record(r *approval.Record) error {
	if a.err != nil {
		return a.err
	}
	a.recs = append(a.recs, *r)
	return nil
}

func TestUnwrap(t *testing.T) {
	t.Run("disabled by default", func(t *testing.T) {
		sqlDB, _, _ := openFake(t, allConn)
		c, _ := sqlDB.Conn(keyCtx())
		defer c.Close()
		err := c.Raw(func(dc any) error {
			_, err := Unwrap(keyCtx(), dc)
			return err
		})
		if !errors.Is(err, ErrUnwrapDisabled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("not wrapped", func(t *testing.T) {
		if _, err := Unwrap(context.Background(), &fakeConn{}); !errors.Is(err, ErrNotWrapped) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("audited", func(t *testing.T) {
		a := &recAuditor{}
		sqlDB, _, _ := openFake(t, allConn, WithUnwrap(a))
		ctx := keyCtx()
		c, _ := sqlDB.Conn(ctx)
		defer c.Close()
		var inner any
		if err := c.Raw(func(dc any) error {
			var err error
			inner, err = Unwrap(ctx, dc)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, ok := inner.(fakeConn63); !ok {
			t.Errorf("Unwrap returned %T, want the inner connection", inner)
		}
		if len(a.recs) != 1 || a.recs[0].Decision != "unwrap" || a.recs[0].KeyID != "k1" {
			t.Errorf("audit records %+v", a.recs)
		}
	})
	t.Run("audit failure refuses", func(t *testing.T) {
		a := &recAuditor{err: approval.ErrAuditOverflow}
		sqlDB, _, _ := openFake(t, allConn, WithUnwrap(a))
		c, _ := sqlDB.Conn(keyCtx())
		defer c.Close()
		err := c.Raw(func(dc any) error {
			inner, err := Unwrap(keyCtx(), dc)
			if inner != nil {
				t.Error("inner handed out despite the audit failure")
			}
			return err
		})
		if !errors.Is(err, approval.ErrAuditOverflow) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestInvalidOptionsFailClosed(t *testing.T) {
	cases := []struct {
		name string
		opt  Option
	}{
		{"nil option", nil},
		{"WithUnwrap nil", WithUnwrap(nil)},
		{"WithGateFunc nil", WithGateFunc(nil)},
		{"WithRewriter nil", WithRewriter(nil)},
		{"WithConnectCheck nil", WithConnectCheck(nil)},
		{"WithCallCheck nil", WithCallCheck(nil)},
		{"WithBeginSQL empty", WithBeginSQL("")},
		{"WithDialect unknown", WithDialect("oracle")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := Register("approvedsql-test-invalid-"+tc.name, fakeDriver{newFakeDB(0)}, nil, tc.opt); err == nil {
				t.Error("Register accepted an invalid option")
			}
			w := Wrap(fakeDriver{newFakeDB(0)}, nil, tc.opt)
			if _, err := w.Open("x"); err == nil {
				t.Error("Wrap's driver opened a connection despite an invalid option")
			}
			c := NewConnector(fakeConnector{fakeDriver{newFakeDB(0)}}, nil, tc.opt)
			if _, err := c.Connect(context.Background()); err == nil {
				t.Error("NewConnector's connector connected despite an invalid option")
			}
		})
	}
}

func TestRegister(t *testing.T) {
	name := "approvedsql-driver-test-register"
	if err := Register(name, fakeDriver{newFakeDB(allConn)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := Register(name, fakeDriver{newFakeDB(allConn)}, nil); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("duplicate Register: %v", err)
	}
	// No Gate: every statement is denied with ErrNoPolicy.
	db, err := sql.Open(name, "x")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(keyCtx(), "SELECT 1")
	mustDenied(t, err)
	if !errors.Is(err, approval.ErrNoPolicy) {
		t.Fatalf("err = %v, want ErrNoPolicy", err)
	}
}

func TestGateFunc(t *testing.T) {
	loadErr := errors.New("policy.yaml: line 3: bad rule")
	cases := []struct {
		name string
		fn   func() (*approval.Gate, error)
		want error
	}{
		{"nil gate", func() (*approval.Gate, error) { return nil, nil }, approval.ErrNoPolicy},
		{"load error", func() (*approval.Gate, error) { return nil, loadErr }, loadErr},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := sql.OpenDB(NewConnector(fakeConnector{fakeDriver{newFakeDB(allConn)}}, nil, WithGateFunc(tc.fn)))
			defer db.Close()
			_, err := db.ExecContext(keyCtx(), "SELECT 1")
			mustDenied(t, err)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// optionRewriter treats a leading string "mode:*" argument as a driver
// option and rewrites "@name" to "$1" for a leading map argument.
var optionRewriter = RewriterFunc(func(ctx context.Context, query string, args []sqldriver.NamedValue) (Call, error) {
	if len(args) > 0 {
		if s, ok := args[0].Value.(string); ok && strings.HasPrefix(s, "mode:") {
			return Call{Query: query, Args: args[1:], Options: args[:1]}, nil
		}
		if s, ok := args[0].Value.(string); ok && s == "rewriter:evil" {
			return Call{}, errors.New("unknown query rewriter")
		}
		if m, ok := args[0].Value.(map[string]any); ok {
			return Call{Query: strings.ReplaceAll(query, "@id", "$1"), Args: []sqldriver.NamedValue{{Ordinal: 1, Value: m["id"]}}}, nil
		}
	}
	return Call{Query: query, Args: args}, nil
})

func TestRewriter(t *testing.T) {
	sqlDB, fdb, d := openFake(t, allConn, WithRewriter(optionRewriter))
	ctx := keyCtx()
	t.Run("option not shown as an argument", func(t *testing.T) {
		d.reset()
		if _, err := sqlDB.ExecContext(ctx, "DELETE FROM t WHERE id = $1", "mode:simple", 5); err != nil {
			t.Fatal(err)
		}
		got := d.Requests()
		if len(got) != 1 || !reflect.DeepEqual(got[0].Args, []approval.Arg{{Ordinal: 1, Value: int64(5)}}) {
			t.Fatalf("requests %+v", got)
		}
		calls := fdb.Calls()
		last := calls[len(calls)-1]
		if len(last.Args) != 2 || last.Args[0].Value != "mode:simple" || last.Args[1].Value != int64(5) {
			t.Errorf("driver got %+v, want the option first", last.Args)
		}
	})
	t.Run("rewritten text is decided and run", func(t *testing.T) {
		d.reset()
		if _, err := sqlDB.ExecContext(ctx, "DELETE FROM t WHERE id = @id", map[string]any{"id": 3}); err != nil {
			t.Fatal(err)
		}
		got := d.Requests()
		if len(got) != 1 || got[0].SQL != "DELETE FROM t WHERE id = $1" {
			t.Fatalf("requests %+v", got)
		}
		calls := fdb.Calls()
		if last := calls[len(calls)-1]; last.Query != "DELETE FROM t WHERE id = $1" {
			t.Errorf("driver ran %q", last.Query)
		}
	})
	t.Run("refused option", func(t *testing.T) {
		_, err := sqlDB.ExecContext(ctx, "DELETE FROM t", "rewriter:evil")
		mustDenied(t, err)
		if !errors.Is(err, ErrRewrite) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("prepared statement text cannot be rewritten", func(t *testing.T) {
		st, err := sqlDB.PrepareContext(ctx, "DELETE FROM t WHERE id = @id")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = st.ExecContext(ctx, map[string]any{"id": 3})
		mustDenied(t, err)
		if !errors.Is(err, ErrRewrite) {
			t.Fatalf("err = %v", err)
		}
	})
}
