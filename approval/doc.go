// Package approval decides whether a SQL statement may run: it
// authenticates the caller's provisioning key, evaluates the team's CEL
// rules over the statement, its arguments and the key, consults grants and
// pending requests, and says allow, deny or review with a typed error.
// It never imports database/sql; the driver package asks a [Gate].
//
// # Keys
//
// A [Key] travels in the context: [WithKey] for a key built in-process, or
// [WithToken] for a signed token. Tokens are JWTs signed with Ed25519
// (algorithm EdDSA, pinned: "none", HMAC and RSA tokens are refused) with a
// "kid" header naming the signing key, so keys rotate. A [Keyring] issues
// them ([Keyring.Issue]), verifies them, and is saved as JSON or PEM
// ([Keyring.ExportJSON], [Keyring.ExportPEM], [LoadKeyring]). A team plugs
// its own identity provider with a [Verifier] (or a Keyring with a
// [ClaimsMapper]).
//
// When both are in the context, the token wins. Each failure denies with
// its own error, matched with errors.Is through the [*DeniedError]:
//
//	no key (policy not anonymous), or a   ErrNoKey
//	  Key without ID
//	token not a well-formed JWT / no jti  ErrMalformedToken
//	  or exp claim, no kid header
//	kid not in the keyring                ErrUnknownKeyID
//	bad signature or algorithm            ErrBadSignature
//	past expires-at (+ skew), or a Key    ErrKeyExpired
//	  without ExpiresAt
//	before not-before (− skew)            ErrKeyNotYetValid
//	revoked (Approvals.KeyRevoked)        ErrKeyRevoked
//
// Time comes from the Gate's [Clock] ([WithClock]); skew defaults to
// [DefaultSkew] (30 s, [WithSkew]). A token never appears in an error or an
// audit record: a [TokenError] names it by [TokenHash]. A Gate verifies a
// token once and caches the result per token (bounded,
// [WithTokenCacheSize]); expiry, not-before and revocation are still checked
// on every call, and a [Keyring] key removal empties the cache
// ([VerifierEpoch]).
//
// Anonymous calls (no key, no token) are denied with ErrNoKey unless the
// policy says `anonymous: true`; then rules run with key.present false (and
// empty key.* fields), and should test it. A token that fails verification
// is never treated as anonymous.
//
// # Policy files
//
//	version: "2026-11-28"     # required; Policy.Version adds a content hash
//	dialect: postgres         # required: postgres, mysql or sqlite
//	settings:                 # lexer settings (sqlnorm Options.Set); unknown ones are errors
//	  standard_conforming_strings: "on"
//	mode: enforce             # enforce (default), dry-run or learn
//	default: deny             # deny (default) or review: when no rule matches
//	anonymous: false          # true: calls without a key are evaluated
//	constants:                # named values usable in rules
//	  readers: [analyst, support]
//	limits:                   # input caps and cost budget (see Limits)
//	  max_args: 256
//	rules:
//	  - name: no-ddl          # unique
//	    effect: deny          # allow, deny or review
//	    when: query.command in ["DROP", "TRUNCATE"]
//	    description: DDL goes through migrations
//	  - name: readers-select
//	    effect: allow
//	    when: query.read_only && key.role in readers
//	  - name: new-rule
//	    effect: deny
//	    mode: dry-run         # audited, never applied
//	    when: size(query.tables) > 3
//
// Unknown fields, duplicate names, a misspelt variable, a non-bool rule or
// an invalid regex literal are load errors ([PolicyErrors]) at
// file:line:column; CEL's messages (with its "did you mean" hints) are
// placed at the position inside the `when` text. The vocabulary of rules
// is the cel package's. [LoadPolicy] and [ParsePolicy] compile every rule
// once; evaluation never compiles.
//
// # Semantics
//
// For a call at execution, in order, the first failing check decides:
//
//  0. The Gate's clock: a zero time denies (ErrClock), since every key
//     would look valid.
//  1. Audit health: an [Auditor] that is [AuditHealth] and unhealthy denies.
//  2. The raw text over max_sql_bytes denies (ErrInputTooLarge); text the
//     lexer rejects denies with the *sqlnorm.Error as the cause.
//  3. The key (above), then its revocation.
//  4. Inputs over a cap deny with ErrInputTooLarge naming the cap; an
//     argument of a type rules cannot read is denied too (cel's arg_type).
//  5. The call is counted in the usage windows ([Usage]; denied calls
//     count too, so usage.* sees attempts) when something can read the
//     counts: a rule of the policy in force that reads usage.* (dry-run
//     rules included), or any grant condition, so always when the Gate has
//     [Approvals]. Otherwise counting is skipped; it starts when a policy
//     that reads usage.* comes into force, as it does when the process
//     starts (the default [MemoryUsage] lives in memory).
//  6. Rules that cannot match the statement's command (cel
//     Program.Commands) are skipped without evaluation, and so are rules
//     pinned to other values of the variable that most rules of the same
//     command and effect pin (key.role, source.app, …; cel
//     Program.Values): such a rule is false, without error, for this call,
//     so skipping it changes nothing. Then: every deny
//     rule, in file order — any match denies; then allow rules in file
//     order — the first match allows; then a grant ([Approvals.Grant]) —
//     allows; then review rules in file order — the first match is a
//     review; else the default (deny or review).
//
// Only a rule evaluating to the literal true matches. An evaluation error
// in any rule evaluated denies, naming the rule (ErrEvaluation), so a deny
// rule can never be bypassed by making it fail; CEL's message is in the
// error's Cause, not in the (audited) reason, since it may quote argument
// values. A deny rule beats a grant.
//
// A review records a pending request ([Approvals.Pending]) and fails with
// a *DeniedError of Effect Review (errors.Is ErrReviewRequired) carrying the
// request id and a hint of how to approve it ([WithReviewHint]). Without
// Approvals configured, a review cannot be requested: the call is denied
// (Effect Deny, errors.Is matches both ErrDenied and ErrReviewRequired).
// A grant or review store that fails denies (ErrStoreDown).
//
// # Modes
//
// In dry-run mode the rules' outcome is computed and audited but not
// applied: a call the rules would deny or send to review is allowed with
// Decision.DryRun set, and Finish records it as "dry-run-deny". Learn mode
// is dry-run that also hands each call no rule or grant allowed (and no
// deny rule matched) to the [Learner] and records it as "learn". Both
// modes relax only the rules' outcome (including evaluation errors): key
// failures, lexer rejections, caps and audit health still deny. A single
// rule can be tried with `mode: dry-run`: it is evaluated after the
// decision and audited ("dry-run-deny", "dry-run-allow", …) when it would
// have changed it; it never changes a decision.
//
// # Prepare
//
// At [Prepare] the arguments are unknown; rules run with partial
// evaluation and usage windows are neither counted nor read (zero). The
// Gate refuses only what is denied whatever the arguments: a deny rule
// known to match; or, when no Approvals is configured (no grant can
// apply), every allow rule known not to match. Anything unknown or failing
// passes: each execution of the prepared statement is decided again with
// its arguments. Dry-run and learn policies refuse nothing at prepare.
//
// # Decisions, audit and reload
//
// [Gate.Decide] returns a [Decision] (effect, rule, reason, fingerprint,
// key id, policy version, elapsed time); when not allowed, Err is a
// [*DeniedError] (errors.Is ErrDenied or ErrReviewRequired, and its Cause).
// No error of this package wraps driver.ErrBadConn or driver.ErrSkip.
// Denials and reviews are audited by Decide; allowed calls by
// [Gate.Finish] with the call's result.
//
// [Gate.SetPolicy] replaces the policy atomically; calls in flight finish
// on the policy they started with. [Gate.ReloadFile] leaves the old policy
// in force when the new one fails to load, and returns why.
//
// # Approvals, stores and audit
//
// A [Ledger] is the [Approvals] (and [Learner]) a Gate uses for grants,
// pending requests and key revocations: it keeps a local, immutable index
// of a [Store] so that the per-query lookups never wait on the network,
// and follows the store's change feed. Stores: [NewMemStore] (zero setup),
// [OpenFileStore] (one process that restarts), and the PostgreSQL store in
// package store/postgres for many app instances. Approvers call
// [Ledger.Approve], [Ledger.Reject], [Ledger.RevokeGrant] and
// [Ledger.RevokeKey] (or the approvalctl commands). A grant always ends
// (default lifetime [DefaultGrantLifetime]), may carry a CEL condition over
// the call and a maximum number of uses.
//
// An [AuditTrail] is the [Auditor] with a bounded buffer and an explicit
// overflow policy (block, or fail closed so that new calls are denied),
// over a [Sink]: a hash-chained JSON Lines file ([NewFileSink]), log/slog
// ([NewSlogSink]) or the PostgreSQL table of store/postgres.
// [VerifyAuditLog] and [VerifyAuditFiles] detect edited, deleted and
// reordered records.
//
// # Concurrency and cost
//
// Policy, Keyring and Gate are safe for concurrent use. Decide takes no
// global lock: the policy is an atomic pointer, rule inputs are pooled,
// usage windows and the token cache are sharded. For a cached statement
// and a key in the context a decision does not allocate (see the
// benchmarks). Rule lists are indexed (see Semantics, step 6), and rules
// made of plain comparisons are decided without cel-go (see the cel
// package's Fast path), so the cost of a decision follows the number of
// rules that can match a call, not the size of the policy.
package approval
