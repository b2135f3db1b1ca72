package main

import (
	"fmt"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// grantView is one grant as the grants command shows it.
type grantView struct {
	*approval.Grant
	Status approval.GrantStatus `json:"status"`
}

func runGrants(e *env) int {
	fs, sf := newStoreFlagSet("grants", e)
	all := fs.Bool("all", false, "include expired, used-up and revoked grants")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: approvalctl grants [--all] [--store S] [--json]\n\nList the grants in force (and with --all, the others).")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return 2
	}
	if len(pos) != 0 {
		return cmdFail(e, "grants", fmt.Errorf("unexpected argument %q", pos[0]))
	}
	l, done, err := openLedger(sf.store)
	if err != nil {
		return cmdFail(e, "grants", err)
	}
	defer done()
	now := time.Now()
	views := []grantView{}
	for _, g := range l.ListGrants() {
		st := g.Status(now)
		if *all || st == approval.GrantActive || st == approval.GrantNotYetValid {
			views = append(views, grantView{g, st})
		}
	}
	if sf.json {
		printJSON(e.stdout, views)
		return 0
	}
	if len(views) == 0 {
		fmt.Fprintln(e.stdout, "no grants")
		return 0
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "ID\tSTATUS\tSCOPE\tUNTIL\tUSES\tBY\tSTATEMENT")
	for _, v := range views {
		uses := fmt.Sprint(v.Uses)
		if v.MaxUses > 0 {
			uses = fmt.Sprintf("%d/%d", v.Uses, v.MaxUses)
		}
		stmt := v.Text
		if stmt == "" {
			stmt = v.Fingerprint
		}
		if v.When != "" {
			stmt += "  [when " + v.When + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Status, cell(v.Scope.String(), 30),
			fmtTime(v.Until), uses, cell(v.ApprovedBy, 16), cell(stmt, 70))
	}
	tw.Flush()
	return 0
}
