package main

import (
	"context"
	"fmt"
	"time"
)

func runRevoke(e *env) int {
	fs, sf := newStoreFlagSet("revoke", e)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: approvalctl revoke GRANT_ID [--store S]\n\nEnd a grant now, on every instance.")
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
	l, done, err := openLedger(sf.store)
	if err != nil {
		return cmdFail(e, "revoke", err)
	}
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := l.RevokeGrant(ctx, pos[0]); err != nil {
		return cmdFail(e, "revoke", err)
	}
	if sf.json {
		printJSON(e.stdout, map[string]string{"revoked_grant": pos[0]})
		return 0
	}
	fmt.Fprintf(e.stdout, "revoked grant %s\n", pos[0])
	return 0
}

// runKeysRevoke implements "approvalctl keys revoke KEY_ID": e.args are
// the arguments after "revoke". The keys command dispatches to it.
func runKeysRevoke(e *env) int {
	fs, sf := newStoreFlagSet("keys revoke", e)
	reason := fs.String("reason", "", "why (kept with the revocation)")
	by := fs.String("by", currentUser(), "who revokes")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: approvalctl keys revoke KEY_ID [--reason TEXT] [--store S]\n\nDeny every call with this provisioning key, on every instance, from now on.")
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
		return cmdFail(e, "keys revoke", err)
	}
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := l.RevokeKey(ctx, pos[0], *by, *reason); err != nil {
		return cmdFail(e, "keys revoke", err)
	}
	if sf.json {
		printJSON(e.stdout, map[string]string{"revoked_key": pos[0]})
		return 0
	}
	fmt.Fprintf(e.stdout, "revoked key %s\n", pos[0])
	return 0
}
