package approval

import (
	"context"
	"errors"

	"github.com/approvedsql/approvedsql/cel"
)

// dryRunRules evaluates the rules marked `mode: dry-run` and audits each
// that would have changed the decision. They never affect it.
func (g *Gate) dryRunRules(ctx context.Context, rules []*Rule, d *Decision, in *cel.Input) {
	for _, r := range rules {
		ok, err := r.prog.Eval(in)
		var reason string
		switch {
		case err != nil:
			reason = "rule in dry-run: " + evalFailed
		case ok && r.Effect != d.Effect:
			reason = "rule in dry-run: would " + r.Effect.String()
		default:
			continue
		}
		rec := g.newRecord(ctx, d, "dry-run-"+r.Effect.String())
		rec.Rule, rec.Reason = r.Name, reason
		_ = g.auditor.Record(rec) // the decision is unchanged whatever happens here
	}
}

// audit records a decision. Errors of the auditor on a denial change
// nothing (the call is refused anyway).
func (g *Gate) audit(ctx context.Context, d *Decision, decision string, res *Result) error {
	if g.auditor == nil {
		return nil
	}
	rec := g.newRecord(ctx, d, decision)
	if res != nil {
		rec.RowsAffected = res.RowsAffected
		rec.ErrorClass = errorClass(res.Err)
	}
	return g.auditor.Record(rec)
}

func (g *Gate) newRecord(ctx context.Context, d *Decision, decision string) *Record {
	rec := &Record{
		Time:          g.clock.Now(),
		Decision:      decision,
		Rule:          d.Rule,
		Reason:        d.Reason,
		Fingerprint:   d.Fingerprint,
		KeyID:         d.KeyID,
		PolicyVersion: d.PolicyVersion,
		Latency:       d.Elapsed,
		RowsAffected:  -1,
	}
	if d.Statement != nil {
		rec.Text = d.Statement.Text
	}
	if d.key != nil {
		rec.Role, rec.Session = d.key.Role, d.key.Session
	}
	if src := sourcePtrFromContext(ctx); src != nil {
		rec.Source = *src
	}
	if d.logArgs {
		rec.Args = SummarizeArgs(d.args, showAll)
	} else {
		rec.Args = SummarizeArgs(d.args, nil)
	}
	return rec
}

func showAll(int, Arg) bool { return true }

func errorClass(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "error"
	}
}

// Finish reports the result of an allowed call and emits its audit record
// (decision "allow", "dry-run-deny" or "learn"). Decisions that were not
// allowed were audited by Decide and are ignored here, as are allowed
// prepare decisions (the execution is decided and audited on its own).
// An auditor's error cannot undo the call; an Auditor that must stop
// further calls reports it through [AuditHealth].
func (g *Gate) Finish(ctx context.Context, d *Decision, res Result) {
	if d == nil || d.Effect != Allow || d.Phase == Prepare {
		return
	}
	_ = g.audit(ctx, d, d.record, &res)
}
