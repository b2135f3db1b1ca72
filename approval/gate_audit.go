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
			reason = dryRunWould(r.Effect)
		default:
			continue
		}
		var q queued
		g.newRecord(ctx, &q, d, dryRunDecision(r.Effect))
		q.rule, q.reason = r.Name, reason
		_ = g.record(&q) // the decision is unchanged whatever happens here
	}
}

// dryRunDecision is "dry-run-" + e.String(), without building it.
func dryRunDecision(e Effect) string {
	switch e {
	case Allow:
		return "dry-run-allow"
	case Review:
		return "dry-run-review"
	default:
		return "dry-run-deny"
	}
}

// dryRunWould is "rule in dry-run: would " + e.String(), without building it.
func dryRunWould(e Effect) string {
	switch e {
	case Allow:
		return "rule in dry-run: would allow"
	case Review:
		return "rule in dry-run: would review"
	default:
		return "rule in dry-run: would deny"
	}
}

// audit records a decision. Errors of the auditor on a denial change
// nothing (the call is refused anyway).
func (g *Gate) audit(ctx context.Context, d *Decision, decision string, res *Result) error {
	if g.auditor == nil {
		return nil
	}
	var q queued
	g.newRecord(ctx, &q, d, decision)
	if res != nil {
		q.rowsAffected = res.RowsAffected
		q.errorClass = errorClass(res.Err)
	}
	return g.record(&q)
}

// record hands q to the auditor. The AuditTrail takes it as it is (its
// writer summarises the arguments); any other Auditor gets a Record with
// the summaries written.
func (g *Gate) record(q *queued) error {
	if a, ok := g.auditor.(*AuditTrail); ok {
		return a.enqueue(q) // copies q, which stays on the caller's stack
	}
	rec := q.record()
	if facts := q.args.facts(); len(facts) > 0 {
		rec.Args = make([]string, len(facts))
		var b []byte
		for i := range facts {
			b = appendArgSummary(b[:0], &facts[i])
			rec.Args[i] = string(b)
		}
	}
	return g.auditor.Record(&rec)
}

// newRecord fills q with the record of decision d. The arguments are kept
// as facts (see argView) when they can be summarised later exactly as now.
func (g *Gate) newRecord(ctx context.Context, q *queued, d *Decision, decision string) {
	at, src := d.at, d.src
	if at.IsZero() { // a Decision not made by Decide
		at, src = g.clock.Now(), sourcePtrFromContext(ctx)
	}
	q.at, q.decision, q.rule, q.reason = at, decision, d.Rule, d.Reason
	q.fingerprint, q.keyID, q.policyVersion = d.Fingerprint, d.KeyID, d.PolicyVersion
	q.stmt, q.key, q.src = d.Statement, d.key, src
	q.latency, q.rowsAffected = d.Elapsed, -1
	if len(d.args) > 0 && !q.args.capture(d.args, d.logArgs) {
		if d.logArgs {
			q.argSummary = SummarizeArgs(d.args, showAll)
		} else {
			q.argSummary = SummarizeArgs(d.args, nil)
		}
	}
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
