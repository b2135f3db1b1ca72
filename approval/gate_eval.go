package approval

import (
	"context"
	"fmt"

	"github.com/approvedsql/approvedsql/cel"
)

// evalFailed is the reason of a decision by an evaluation error. CEL's
// message stays in the Cause: it may quote argument values, which audit
// records must not carry.
const evalFailed = "evaluation failed"

// evalError is a rule whose evaluation failed.
type evalError struct {
	rule string
	err  error
}

func (e *evalError) Error() string {
	return fmt.Sprintf("%v: rule %q: %v", ErrEvaluation, e.rule, e.err)
}

// Unwrap returns ErrEvaluation and the evaluation error.
func (e *evalError) Unwrap() []error { return []error{ErrEvaluation, e.err} }

// outcome is the policy's answer before the mode applies.
type outcome struct {
	effect  Effect
	rule    string
	reason  string
	cause   error
	grantID string
	ruleHit bool // a deny rule (or an evaluation error) decided
	logArgs bool // the deciding rule has log_args: true
}

// evaluate applies the rules at execution: deny rules, allow rules,
// grants, review rules, default; then the policy mode.
func (g *Gate) evaluate(ctx context.Context, p *Policy, rs *ruleSet, d *Decision, st *evalState) {
	o := g.outcome(ctx, p, rs, d, st)
	d.logArgs = o.logArgs
	if o.effect == Allow {
		d.Effect, d.Rule, d.Reason, d.Err = Allow, o.rule, o.reason, nil
		d.record = "allow"
		return
	}
	if p.mode != Enforce {
		d.Effect, d.Rule, d.DryRun, d.Err = Allow, o.rule, true, nil
		d.Reason = "would " + o.effect.String() + ": " + o.reason
		d.record = "dry-run-deny"
		if p.mode == Learn && !o.ruleHit && o.cause == nil {
			d.record = "learn"
			if g.learner != nil {
				if err := g.learner.Learn(ctx, &st.call); err != nil {
					d.Reason += " (learn failed: " + err.Error() + ")"
				}
			}
		}
		return
	}
	switch {
	case o.effect == Review && o.cause == nil && g.approvals != nil:
		id, err := g.approvals.Pending(ctx, &st.call)
		if err != nil {
			g.deny(d, o.rule, "review needed but the request could not be recorded", storeError("recording pending request", err))
			return
		}
		d.Effect, d.Rule, d.Reason, d.RequestID = Review, o.rule, o.reason, id
		d.Err = &DeniedError{Effect: Review, Rule: o.rule, Reason: o.reason, Fingerprint: d.Fingerprint,
			KeyID: d.KeyID, RequestID: id, Hint: g.hint(id)}
	case o.effect == Review && o.cause == nil:
		g.deny(d, o.rule, o.reason+" (no approvals configured: review cannot be requested)", ErrReviewRequired)
	default:
		g.deny(d, o.rule, o.reason, o.cause)
	}
}

func (g *Gate) outcome(ctx context.Context, p *Policy, rs *ruleSet, d *Decision, st *evalState) outcome {
	in := &st.in
	for _, r := range rs.denyIx.pick(rs.deny, in) {
		ok, err := r.prog.Eval(in)
		if err != nil {
			return outcome{effect: Deny, rule: r.Name, reason: evalFailed, cause: &evalError{r.Name, err}, ruleHit: true}
		}
		if ok {
			return outcome{effect: Deny, rule: r.Name, reason: r.reason, ruleHit: true, logArgs: r.LogArgs}
		}
	}
	for _, r := range rs.allowIx.pick(rs.allow, in) {
		ok, err := r.prog.Eval(in)
		if err != nil {
			return outcome{effect: Deny, rule: r.Name, reason: evalFailed, cause: &evalError{r.Name, err}, ruleHit: true}
		}
		if ok {
			return outcome{effect: Allow, rule: r.Name, reason: r.reason, logArgs: r.LogArgs}
		}
	}
	if g.approvals != nil {
		id, err := g.approvals.Grant(ctx, &st.call)
		if err != nil {
			return outcome{effect: Deny, reason: "grants unavailable", cause: storeError("looking up grants", err), ruleHit: true}
		}
		if id != "" {
			return outcome{effect: Allow, rule: "grant:" + id, reason: "granted by " + id, grantID: id}
		}
	}
	for _, r := range rs.reviewIx.pick(rs.review, in) {
		ok, err := r.prog.Eval(in)
		if err != nil {
			return outcome{effect: Deny, rule: r.Name, reason: evalFailed, cause: &evalError{r.Name, err}, ruleHit: true}
		}
		if ok {
			return outcome{effect: Review, rule: r.Name, reason: r.reason, logArgs: r.LogArgs}
		}
	}
	if p.def == Review {
		return outcome{effect: Review, rule: "default", reason: "no rule allows it; the default is review"}
	}
	return outcome{effect: Deny, rule: "default", reason: "no rule allows it; the default is deny"}
}

// prepare decides at prepare time, arguments unknown. It refuses only
// what is denied whatever the arguments: a deny rule known to match, or —
// with no Approvals configured (so no grant can apply) — every allow rule
// known not to match. Dry-run and learn policies refuse nothing here.
func (g *Gate) prepare(p *Policy, rs *ruleSet, d *Decision, in *cel.Input) {
	allow := func() {
		d.Effect, d.Rule, d.Reason, d.Err = Allow, "", "prepare: the execution will be decided with its arguments", nil
		d.record = "allow"
	}
	if p.mode != Enforce {
		allow()
		return
	}
	for _, r := range rs.denyIx.pick(rs.deny, in) {
		matched, known, err := r.prog.Partial(in)
		if err == nil && known && matched {
			g.deny(d, r.Name, r.reason, nil)
			return
		}
	}
	if g.approvals != nil {
		allow()
		return
	}
	for _, r := range rs.allowIx.pick(rs.allow, in) {
		matched, known, err := r.prog.Partial(in)
		if err != nil || !known || matched {
			allow()
			return
		}
	}
	g.deny(d, "default", "no rule can allow it whatever its arguments", nil)
}
