package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// ledgerAction is one approver action on one id: reject, revoke, keys revoke.
type ledgerAction struct {
	name    string // command name, for usage and errors
	usage   string // usage line and description
	jsonKey string // key of the --json output
	done    string // "revoked grant" etc., printed before the id
	flags   func(fs *flag.FlagSet)
	run     func(ctx context.Context, l *approval.Ledger, id string) error
}

// runLedgerAction parses "ID [--store S] [flags]", opens the ledger and
// applies the action to the id.
func runLedgerAction(e *env, a ledgerAction) int {
	fs, sf := newStoreFlagSet(a.name, e)
	if a.flags != nil {
		a.flags(fs)
	}
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, a.usage)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 || pos[0] == "" {
		fs.Usage()
		return 2
	}
	l, done, err := openLedger(sf.store)
	if err != nil {
		return cmdFail(e, a.name, err)
	}
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := a.run(ctx, l, pos[0]); err != nil {
		return cmdFail(e, a.name, err)
	}
	if sf.json {
		printJSON(e.stdout, map[string]string{a.jsonKey: pos[0]})
		return 0
	}
	fmt.Fprintf(e.stdout, "%s %s\n", a.done, pos[0])
	return 0
}

func runRevoke(e *env) int {
	return runLedgerAction(e, ledgerAction{
		name:    "revoke",
		usage:   "usage: approvalctl revoke GRANT_ID [--store S]\n\nEnd a grant now, on every instance.",
		jsonKey: "revoked_grant",
		done:    "revoked grant",
		run: func(ctx context.Context, l *approval.Ledger, id string) error {
			return l.RevokeGrant(ctx, id)
		},
	})
}

// runKeysRevoke implements "approvalctl keys revoke KEY_ID": e.args are
// the arguments after "revoke". The keys command dispatches to it.
func runKeysRevoke(e *env) int {
	var reason, by *string
	return runLedgerAction(e, ledgerAction{
		name:    "keys revoke",
		usage:   "usage: approvalctl keys revoke KEY_ID [--reason TEXT] [--store S]\n\nDeny every call with this provisioning key, on every instance, from now on.",
		jsonKey: "revoked_key",
		done:    "revoked key",
		flags: func(fs *flag.FlagSet) {
			reason = fs.String("reason", "", "why (kept with the revocation)")
			by = fs.String("by", currentUser(), "who revokes")
		},
		run: func(ctx context.Context, l *approval.Ledger, id string) error {
			return l.RevokeKey(ctx, id, *by, *reason)
		},
	})
}
