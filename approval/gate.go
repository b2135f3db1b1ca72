package approval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Gate decides whether calls may proceed. Create it with [NewGate]; it is
// safe for concurrent use and takes no global lock on the decision path.
type Gate struct {
	policy atomic.Pointer[Policy]

	clock         Clock
	wallClock     bool // clock is time.Now: Elapsed reads only the monotonic clock
	approvals     Approvals
	learner       Learner
	usage         Usage
	auditor       Auditor
	auditHealth   AuditHealth
	verifier      Verifier
	verifierEpoch VerifierEpoch
	skew          time.Duration
	stmts         *sqlnorm.Cache
	tokens        *tokenCache
	hint          func(requestID string) string

	states sync.Pool // *evalState
}

// evalState is the per-call scratch space, pooled so a decision does not
// allocate.
type evalState struct {
	in    cel.Input
	call  Call
	req   Request
	args  []any
	named map[string]any
	// The statement that last passed the caps of seenPolicy on this
	// state, and the policy's rules for its command: the same statement
	// under the same policy again has only the rest of its input
	// measured, and its rules at hand.
	seenStmt   *sqlnorm.Statement
	seenPolicy *Policy
	seenRules  *ruleSet
	// The text this state last normalised and its statement: the same
	// text under the same options again skips the statement cache.
	normSQL  string
	normOpts sqlnorm.Options
	normStmt *sqlnorm.Statement
}

// NewGate returns a Gate enforcing policy (required).
func NewGate(policy *Policy, opts ...Option) (*Gate, error) {
	if policy == nil {
		return nil, ErrNoPolicy
	}
	g := &Gate{
		clock:     systemClock{},
		wallClock: true,
		skew:      DefaultSkew,
		hint:      defaultHint,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("approval: nil Option")
		}
		if err := o(g); err != nil {
			return nil, err
		}
	}
	if g.usage == nil {
		g.usage = NewMemoryUsage(0)
	}
	if g.stmts == nil {
		g.stmts = sqlnorm.NewCache(DefaultStatementCacheEntries, DefaultStatementCacheBytes)
	}
	if g.tokens == nil {
		g.tokens = newTokenCache(DefaultTokenCacheSize)
	}
	g.states.New = func() any { return new(evalState) }
	g.policy.Store(policy)
	return g, nil
}

// systemClock is the default Clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func defaultHint(id string) string { return "approve with: approvalctl approve " + id }

// SetPolicy atomically replaces the policy. Calls in flight finish on the
// policy they started with. A nil policy is ignored.
func (g *Gate) SetPolicy(p *Policy) {
	if p != nil {
		g.policy.Store(p)
	}
}

// Policy returns the policy in force.
func (g *Gate) Policy() *Policy { return g.policy.Load() }

// ReloadFile loads the policy file at path and puts it in force. When it
// fails to load, the policy in force stays and the error says why (a
// [PolicyErrors] for a policy with errors).
func (g *Gate) ReloadFile(path string) error {
	p, err := LoadPolicy(path)
	if err != nil {
		return err
	}
	g.SetPolicy(p)
	return nil
}

// Decide decides one call. See the package documentation for the order of
// checks and the semantics. A Decision that is not Allowed carries a
// *DeniedError in Err. Denials and reviews are audited here; allowed calls
// are audited by [Gate.Finish] once the driver returns.
func (g *Gate) Decide(ctx context.Context, req Request) Decision {
	start := g.clock.Now()
	p := g.policy.Load()
	d := Decision{Effect: Deny, Phase: req.Phase, PolicyVersion: p.version, at: start}
	st := g.states.Get().(*evalState)
	st.req = req
	g.decide(ctx, p, &d, st, start)
	if g.wallClock {
		d.Elapsed = time.Since(start) // one monotonic read
	} else {
		d.Elapsed = g.clock.Now().Sub(start)
	}
	if d.Effect != Allow {
		g.audit(ctx, &d, d.Effect.String(), nil)
	}
	g.release(st)
	return d
}

func (g *Gate) release(st *evalState) {
	st.req = Request{}
	st.call = Call{}
	clear(st.args)
	st.args = st.args[:0]
	clear(st.named)
	st.in = cel.Input{Args: st.in.Args[:0]}
	g.states.Put(st)
}

// decide fills d; st.req holds the request.
func (g *Gate) decide(ctx context.Context, p *Policy, d *Decision, st *evalState, now time.Time) {
	req := &st.req
	lim := &p.limits
	d.args = req.Args
	cv := callValuesFrom(ctx) // key, token and source: one lookup
	if cv != nil {
		d.src = cv.source
	}

	if g.auditHealth != nil {
		if err := g.auditHealth.Health(); err != nil {
			g.deny(d, "", "audit trail unavailable", err)
			return
		}
	}

	if now.IsZero() {
		g.deny(d, "", "", ErrClock)
		return
	}

	// The statement.
	stmt := req.Statement
	if stmt == nil {
		if len(req.SQL) > lim.MaxSQLBytes {
			g.deny(d, "", "", capError("max_sql_bytes", len(req.SQL), lim.MaxSQLBytes))
			return
		}
		if st.normStmt != nil && st.normSQL == req.SQL && st.normOpts == p.opts {
			stmt = st.normStmt // Normalize is a function of (opts, text)
		} else {
			var err error
			stmt, err = g.stmts.Normalize(p.opts, req.SQL)
			if err != nil {
				g.deny(d, "", "statement rejected by the lexer", err)
				return
			}
			st.normSQL, st.normOpts, st.normStmt = req.SQL, p.opts, stmt
		}
	} else if stmt.Dialect != p.dialect {
		g.deny(d, "", "statement normalised for dialect "+string(stmt.Dialect)+", policy is "+string(p.dialect), nil)
		return
	}
	d.Statement = stmt
	d.Fingerprint = stmt.Fingerprint

	// The key.
	key, err := g.key(ctx, cv, now)
	if key != nil {
		d.KeyID = key.ID
		d.key = key
	}
	if err != nil {
		g.deny(d, "", "", err)
		return
	}
	if key == nil && !p.anonymous {
		g.deny(d, "", "no provisioning key in the context and the policy does not allow anonymous calls", ErrNoKey)
		return
	}

	// The rule input.
	in := &st.in
	in.Query = stmt
	in.ArgsKnown = req.Phase == Execute
	in.Now = now
	in.Tx = cel.TxVars{Active: req.Tx.Active, ReadOnly: req.Tx.ReadOnly}
	st.args = st.args[:0]
	for i := range req.Args {
		a := &req.Args[i]
		st.args = append(st.args, a.Value)
		if a.Name != "" {
			if st.named == nil {
				st.named = make(map[string]any)
			}
			st.named[a.Name] = a.Value
		}
	}
	in.Args = st.args
	if len(st.named) > 0 {
		in.NamedArgs = st.named
	} else {
		in.NamedArgs = nil
	}
	if key != nil {
		in.Key = cel.KeyVars{Present: true, ID: key.ID, Subject: key.Subject, Role: key.Role, Scopes: key.Scopes,
			Labels: key.Labels, Session: key.Session, IssuedAt: key.IssuedAt, ExpiresAt: key.ExpiresAt}
	} else {
		in.Key = cel.KeyVars{}
	}
	if src := d.src; src != nil {
		in.Source = cel.SourceVars{App: src.App, Service: src.Service, Address: src.Address, Route: src.Route, Labels: src.Labels}
		st.call.Source = *src
	} else {
		in.Source = cel.SourceVars{}
	}
	if st.seenStmt == stmt && st.seenPolicy == p {
		err = p.env.CheckSameStatement(in)
	} else if err = p.env.Check(in); err == nil {
		st.seenStmt, st.seenPolicy, st.seenRules = stmt, p, p.rulesFor(stmt.Command)
	}
	if err != nil {
		g.deny(d, "", "", limitError(err))
		return
	}
	if req.Phase == Execute && (p.readsUsage || g.approvals != nil) {
		// Counted only when something can read the counts: a rule of
		// this policy, or a grant condition.
		in.Usage = g.usage.Observe(d.KeyID, stmt.Fingerprint, now)
	} else {
		in.Usage = cel.UsageVars{}
	}
	st.call.Input = in
	st.call.Key = key
	st.call.Args = req.Args
	st.call.Request = req

	rs := st.seenRules // set above for this statement and policy
	if req.Phase == Prepare {
		g.prepare(p, rs, d, in)
		return
	}
	g.evaluate(ctx, p, rs, d, st)
	if g.auditor != nil && len(rs.dryRun) > 0 {
		g.dryRunRules(ctx, rs.dryRun, d, in)
	}
}

// key returns the call's key: a verified token when the context carries
// one (it takes precedence), else the struct set by WithKey; nil when
// neither. The key is checked for validity at now and for revocation.
func (g *Gate) key(ctx context.Context, cv *callValues, now time.Time) (*Key, error) {
	if cv == nil {
		return nil, nil
	}
	var key *Key
	if cv.hasToken {
		tok := cv.token
		if tok == "" {
			// An empty credential is not the absence of one: an app that
			// forwards a missing header must not fall back to anonymous.
			return nil, &TokenError{Hash: TokenHash(tok), Err: ErrMalformedToken, Reason: "empty token"}
		}
		if len(tok) > MaxTokenBytes {
			return nil, &TokenError{Hash: TokenHash(tok), Err: ErrMalformedToken, Reason: "longer than MaxTokenBytes"}
		}
		if g.verifier == nil {
			return nil, &TokenError{Hash: TokenHash(tok), Err: ErrUnknownKeyID, Reason: "no verifier configured"}
		}
		var epoch uint64
		if g.verifierEpoch != nil {
			epoch = g.verifierEpoch.Epoch()
		} else {
			// A verifier that cannot say when its keys change is asked
			// again once per ReverifyInterval.
			epoch = uint64(now.UnixNano() / int64(ReverifyInterval))
		}
		key = g.tokens.get(tok, epoch)
		if key == nil {
			k, err := g.verifier.Verify(ctx, tok)
			if err != nil {
				var te *TokenError
				if !errors.As(err, &te) {
					// Keep the verifier's classification, never its text:
					// it might quote the token.
					err = &TokenError{Hash: TokenHash(tok), Err: classifyVerifierError(err), Reason: "rejected by the verifier"}
				}
				return nil, err
			}
			key = &k
			g.tokens.put(tok, key, epoch, now)
		}
	} else {
		key = cv.key
		if key == nil {
			return nil, nil
		}
	}
	if key.ID == "" {
		return key, errKeyWithoutID
	}
	if err := key.ValidAt(now, g.skew); err != nil {
		return key, &keyError{err: err, key: key, now: now}
	}
	if g.approvals != nil {
		revoked, err := g.approvals.KeyRevoked(key.ID)
		if err != nil {
			return key, storeError("checking key revocation", err)
		}
		if revoked {
			return key, ErrKeyRevoked
		}
	}
	return key, nil
}

// ReverifyInterval is how long the Gate reuses a verification by a
// [Verifier] that does not implement [VerifierEpoch]: a token is verified
// again in each new interval, so that a signing key the verifier drops
// stops serving cached tokens within it. (Revocation and expiry are checked
// on every call whatever the verifier.)
const ReverifyInterval = time.Minute

// ErrClock is the cause of a denial taken because the Gate's clock read
// the zero time: key validity, usage windows and `now` cannot be judged
// against it.
var ErrClock = errors.New("approval: clock unavailable (read the zero time)")

// errKeyWithoutID refuses a key that could be neither revoked nor audited.
var errKeyWithoutID = fmt.Errorf("%w: the key has no id (needed for revocation and audit)", ErrNoKey)

func classifyVerifierError(err error) error {
	for _, s := range []error{ErrKeyExpired, ErrKeyNotYetValid, ErrKeyRevoked, ErrUnknownKeyID, ErrBadSignature, ErrMalformedToken, ErrStoreDown} {
		if errors.Is(err, s) {
			return s
		}
	}
	return ErrMalformedToken
}

// keyError explains a key refused for its validity window.
type keyError struct {
	err error
	key *Key
	now time.Time
}

func (e *keyError) Error() string {
	switch {
	case e.key.ExpiresAt.IsZero():
		return e.err.Error() + ": key " + e.key.ID + " has no expiry (every key must expire)"
	case e.err == ErrKeyExpired:
		return e.err.Error() + ": key " + e.key.ID + " expired at " + e.key.ExpiresAt.UTC().Format(time.RFC3339)
	default:
		return e.err.Error() + ": key " + e.key.ID + " valid from " + e.key.NotBefore.UTC().Format(time.RFC3339)
	}
}

func (e *keyError) Unwrap() error { return e.err }

func storeError(what string, err error) error {
	if errors.Is(err, ErrStoreDown) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrStoreDown, what, err)
}

// limitError marks an input over a size cap with ErrInputTooLarge; an
// argument of a type rules cannot read stays as cel reported it.
func limitError(err error) error {
	var le *cel.LimitError
	if errors.As(err, &le) && le.Cap != cel.CapArgType {
		return fmt.Errorf("%w: %s: %s over %d (%d)", ErrInputTooLarge, le.Cap, le.Field, le.Limit, le.Got)
	}
	return err
}

func capError(name string, got, limit int) error {
	return fmt.Errorf("%w: %s (%d > %d)", ErrInputTooLarge, name, got, limit)
}

// deny fills d as a denial.
func (g *Gate) deny(d *Decision, rule, reason string, cause error) {
	if reason == "" && cause != nil {
		// DeniedError's message already says "approval: denied".
		reason = strings.TrimPrefix(cause.Error(), "approval: ")
	}
	d.Effect = Deny
	d.Rule = rule
	d.Reason = reason
	d.Err = &DeniedError{Effect: Deny, Rule: rule, Reason: reason, Fingerprint: d.Fingerprint, KeyID: d.KeyID, Cause: cause}
}
