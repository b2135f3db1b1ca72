package approval

import (
	"errors"
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Option configures a Gate. An invalid option makes [NewGate] fail.
type Option func(*Gate) error

// Default sizes of a Gate's statement cache.
const (
	DefaultStatementCacheEntries = 10000
	DefaultStatementCacheBytes   = 32 << 20
)

// WithClock sets the clock for key validity, usage windows, `now` in rules
// and audit times. Default: time.Now.
func WithClock(c Clock) Option {
	return func(g *Gate) error {
		if c == nil {
			return errors.New("approval: WithClock: nil clock")
		}
		g.clock, g.wallClock = c, false
		return nil
	}
}

// WithApprovals sets where grants, pending requests and key revocations
// live. Default: none — no grants apply, no key is known revoked, and a
// review outcome is a denial (still matching ErrReviewRequired). When a
// also implements [Learner], learn mode records through it.
func WithApprovals(a Approvals) Option {
	return func(g *Gate) error {
		if a == nil {
			return errors.New("approval: WithApprovals: nil Approvals")
		}
		g.approvals = a
		if l, ok := a.(Learner); ok && g.learner == nil {
			g.learner = l
		}
		return nil
	}
}

// WithLearner sets where learn mode records proposed grants. Default: the
// Approvals value when it implements Learner; otherwise learn mode only
// audits.
func WithLearner(l Learner) Option {
	return func(g *Gate) error {
		if l == nil {
			return errors.New("approval: WithLearner: nil Learner")
		}
		g.learner = l
		return nil
	}
}

// WithUsage sets the sliding-window call counter behind `usage.*`.
// Default: a [MemoryUsage] with DefaultUsageEntries.
func WithUsage(u Usage) Option {
	return func(g *Gate) error {
		if u == nil {
			return errors.New("approval: WithUsage: nil Usage")
		}
		g.usage = u
		return nil
	}
}

// WithAuditor sets where audit records go. Default: none (no records).
// When a also implements [AuditHealth], a Gate denies every call while it
// reports an error.
func WithAuditor(a Auditor) Option {
	return func(g *Gate) error {
		if a == nil {
			return errors.New("approval: WithAuditor: nil Auditor")
		}
		g.auditor = a
		g.auditHealth, _ = a.(AuditHealth)
		return nil
	}
}

// WithVerifier sets how tokens from [WithToken] are verified. Default:
// none — a call carrying a token is denied with ErrUnknownKeyID.
func WithVerifier(v Verifier) Option {
	return func(g *Gate) error {
		if v == nil {
			return errors.New("approval: WithVerifier: nil Verifier")
		}
		g.verifier = v
		g.verifierEpoch, _ = v.(VerifierEpoch)
		return nil
	}
}

// WithKeyring verifies tokens with k (see [WithVerifier]).
func WithKeyring(k *Keyring) Option {
	return func(g *Gate) error {
		if k == nil {
			return errors.New("approval: WithKeyring: nil Keyring")
		}
		return WithVerifier(k)(g)
	}
}

// WithSkew sets the clock skew tolerated on a key's not-before and expiry,
// between 0 and 10 minutes. Default: [DefaultSkew] (30 s).
func WithSkew(d time.Duration) Option {
	return func(g *Gate) error {
		if d < 0 || d > 10*time.Minute {
			return errors.New("approval: WithSkew: skew must be between 0 and 10m")
		}
		g.skew = d
		return nil
	}
}

// WithStatementCache sets the cache through which SQL text is normalised
// (share one with the driver). Default: a new cache of
// DefaultStatementCacheEntries entries and DefaultStatementCacheBytes.
func WithStatementCache(c *sqlnorm.Cache) Option {
	return func(g *Gate) error {
		if c == nil {
			return errors.New("approval: WithStatementCache: nil cache")
		}
		g.stmts = c
		return nil
	}
}

// WithTokenCacheSize bounds how many verified tokens are remembered (0
// verifies every token on every call). Default: [DefaultTokenCacheSize].
func WithTokenCacheSize(n int) Option {
	return func(g *Gate) error {
		if n < 0 {
			return errors.New("approval: WithTokenCacheSize: negative size")
		}
		g.tokens = newTokenCache(n)
		return nil
	}
}

// WithReviewHint sets the one-line hint a review error carries, given the
// pending request id. Default: "approve with: approvalctl approve <id>".
func WithReviewHint(f func(requestID string) string) Option {
	return func(g *Gate) error {
		if f == nil {
			return errors.New("approval: WithReviewHint: nil function")
		}
		g.hint = f
		return nil
	}
}

// WithStatementCacheSize gives the Gate its own statement cache of at most
// entries statements and about maxBytes bytes of text (see
// [WithStatementCache] for the default).
func WithStatementCacheSize(entries int, maxBytes int64) Option {
	return func(g *Gate) error {
		if entries <= 0 || maxBytes <= 0 {
			return errors.New("approval: WithStatementCacheSize: sizes must be positive")
		}
		g.stmts = sqlnorm.NewCache(entries, maxBytes)
		return nil
	}
}
