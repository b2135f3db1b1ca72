package approval_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// A statement no rule allows meets review; an approver grants it to the
// caller's role for an hour, and the same call passes.
func ExampleLedger() {
	ctx := context.Background()
	ledger, err := approval.NewLedger(ctx, approval.NewMemStore())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ledger.Close()
	policy, _ := approval.ParsePolicy([]byte("version: \"1\"\ndialect: postgres\ndefault: review\nrules: []\n"), "policy.yaml")
	gate, _ := approval.NewGate(policy, approval.WithApprovals(ledger))

	ctx = approval.WithKey(ctx, approval.Key{ID: "key-1", Role: "billing", ExpiresAt: time.Now().Add(time.Hour)})
	req := approval.Request{SQL: "UPDATE invoices SET paid = true WHERE id = $1", Args: []approval.Arg{{Ordinal: 1, Value: int64(7)}}}

	d := gate.Decide(ctx, req)
	fmt.Println(d.Effect, strings.HasPrefix(d.RequestID, "r-"))

	g, err := ledger.Approve(ctx, d.RequestID, approval.GrantSpec{Scope: approval.ScopeRole, For: time.Hour, By: "ops", Reason: "month end"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(g.Scope, g.Until.Sub(g.From))

	d = gate.Decide(ctx, req)
	fmt.Println(d.Effect, d.Rule == "grant:"+g.ID)
	// Output:
	// review true
	// role:billing 1h0m0s
	// allow true
}
