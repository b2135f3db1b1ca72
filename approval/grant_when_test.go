package approval

import (
	"context"
	"errors"
	"testing"
)

func TestLedgerGrantCondition(t *testing.T) {
	l := newTestLedger(t, NewMemStore(), newFakeClock())
	ctx := context.Background()
	tenantKey := &Key{ID: "k-t", Role: "app", Session: "s", Labels: map[string]string{"tenant": "acme"}}
	call := func(arg any) *Call {
		c := testCall("fp", tenantKey, arg)
		c.Input.Key.Labels = tenantKey.Labels
		return c
	}
	rid, _ := l.Pending(ctx, call("acme"))
	g, err := l.Approve(ctx, rid, GrantSpec{When: `args[0] == key.labels["tenant"]`})
	if err != nil {
		t.Fatalf("Approve with a condition: %v", err)
	}
	tests := []struct {
		name string
		c    *Call
		want string
	}{
		{"condition true", call("acme"), g.ID},
		{"condition false", call("globex"), ""},
		{"condition errors (no such arg)", testCall("fp", tenantKey), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustGrant(t, l, tc.c); got != tc.want {
				t.Fatalf("grant %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("prepare: depends on args", func(t *testing.T) {
		c := call("acme")
		c.Request.Phase, c.Input.ArgsKnown = Prepare, false
		if got := mustGrant(t, l, c); got != "" {
			t.Fatalf("a grant whose condition depends on args passed at prepare (%s)", got)
		}
	})
	t.Run("refused conditions", func(t *testing.T) {
		for _, expr := range []string{`args[0] ==`, `key.rol == "x"`, `1 + 1`} {
			rid, _ := l.Pending(ctx, call("acme"))
			if _, err := l.Approve(ctx, rid, GrantSpec{When: expr}); !errors.Is(err, ErrInvalidGrant) {
				t.Errorf("condition %q: %v, want ErrInvalidGrant", expr, err)
			}
		}
	})
}
