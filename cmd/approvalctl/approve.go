package main

import (
	"context"
	"fmt"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

func runApprove(e *env) int {
	fs, sf := newStoreFlagSet("approve", e)
	forD := fs.Duration("for", 0, "how long the grant holds (default 8h)")
	scope := fs.String("scope", "key", "what the grant is bound to: key, role or session (taken from the request)")
	maxUses := fs.Int64("max-uses", 0, "number of calls allowed (0: unlimited within the window)")
	when := fs.String("when", "", "CEL condition the call must also meet, e.g. 'args[0] in key.labels.tenants'")
	reason := fs.String("reason", "", "why (kept with the grant)")
	by := fs.String("by", currentUser(), "who approves")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: approvalctl approve REQUEST_ID [--for 8h] [--scope key|role|session] [--max-uses N] [--when CEL] [--reason TEXT] [--store S] [--json]")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	kind, err := approval.ParseScopeKind(*scope)
	if err != nil {
		return cmdFail(e, "approve", err)
	}
	if *forD < 0 || *maxUses < 0 {
		return cmdFail(e, "approve", fmt.Errorf("--for and --max-uses must not be negative"))
	}
	l, done, err := openLedger(sf.store)
	if err != nil {
		return cmdFail(e, "approve", err)
	}
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	g, err := l.Approve(ctx, pos[0], approval.GrantSpec{Scope: kind, For: *forD, When: *when,
		MaxUses: *maxUses, By: *by, Reason: *reason})
	if err != nil {
		return cmdFail(e, "approve", err)
	}
	if sf.json {
		printJSON(e.stdout, g)
		return 0
	}
	fmt.Fprintf(e.stdout, "granted %s: %s %s until %s", g.ID, g.Scope.Kind, g.Scope.Value, fmtTime(g.Until))
	if g.MaxUses > 0 {
		fmt.Fprintf(e.stdout, ", %d use(s)", g.MaxUses)
	}
	if g.When != "" {
		fmt.Fprintf(e.stdout, ", when %s", g.When)
	}
	fmt.Fprintln(e.stdout)
	return 0
}

func runReject(e *env) int {
	return runLedgerAction(e, ledgerAction{
		name:    "reject",
		usage:   "usage: approvalctl reject REQUEST_ID [--store S]",
		jsonKey: "rejected",
		done:    "rejected",
		run: func(ctx context.Context, l *approval.Ledger, id string) error {
			return l.Reject(ctx, id)
		},
	})
}
