package main

import (
	"fmt"
	"strconv"

	"github.com/approvedsql/approvedsql/approval"
)

func runPending(e *env) int {
	fs, sf := newStoreFlagSet("pending", e)
	learned := fs.Bool("learned", false, "list the proposals recorded in learn mode instead")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: approvalctl pending [--store S] [--json] [--learned]\n\nList the statements waiting for review.")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return 2
	}
	if len(pos) != 0 {
		return cmdFail(e, "pending", fmt.Errorf("unexpected argument %q", pos[0]))
	}
	l, done, err := openLedger(sf.store)
	if err != nil {
		return cmdFail(e, "pending", err)
	}
	defer done()
	var ps []*approval.PendingRequest
	for _, p := range l.ListPending() {
		if p.Learned == *learned {
			ps = append(ps, p)
		}
	}
	if sf.json {
		if ps == nil {
			ps = []*approval.PendingRequest{}
		}
		if err := printJSON(e.stdout, ps); err != nil {
			return cmdFail(e, "pending", err)
		}
		return 0
	}
	if len(ps) == 0 {
		fmt.Fprintln(e.stdout, "no pending requests")
		return 0
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "ID\tCOUNT\tLAST SEEN\tKEY\tROLE\tSESSION\tSTATEMENT")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, strconv.FormatInt(p.Count, 10), fmtTime(p.LastSeen),
			cell(p.KeyID, 24), cell(p.Role, 16), cell(p.Session, 16), cell(p.Text, 70))
	}
	tw.Flush()
	return 0
}
