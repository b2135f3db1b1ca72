// Package casefile reads and runs policy test files: YAML lists of calls
// (statement, arguments, key, source, time) with the decision each one must
// get from a policy (effect, and optionally the deciding rule and the cause).
//
// It is the one implementation behind [github.com/approvedsql/approvedsql/approvaltest.RunFile]
// (cases as subtests of a Go test) and `approvalctl test POLICY CASES` (exit
// status 0 when every case passes, 1 otherwise). It does not import package
// testing.
//
// # File format
//
//	# policy_cases.yaml — cases for policy.yaml
//	defaults:                         # optional; applied to every case
//	  time: 2026-01-05T10:00:00Z      # the Gate's clock (default: DefaultTime)
//	  key: {role: analyst}            # the provisioning key in the context
//	  source: {app: billing}
//	cases:
//	  - name: analyst reads orders    # required, unique
//	    sql: SELECT id FROM orders WHERE customer_id = $1
//	    args: [42]                    # positional arguments, $1, $2…
//	    expect: allow                 # allow, deny or review (required)
//	    rule: readers-select          # optional: the deciding rule ("default", "grant:…")
//	  - name: nobody drops tables
//	    sql: DROP TABLE orders
//	    key: {role: admin}            # replaces the default key as a whole
//	    expect: deny
//	    rule: no-ddl
//	  - name: calls without a key are refused
//	    sql: SELECT 1
//	    anonymous: true               # no key in the context
//	    expect: deny
//	    cause: no-key                 # optional: the error the denial must match
//
// Case fields: name, sql, args, named_args (map, as sql.Named), key
// (id, subject, role, scopes, labels, session, issued_at, not_before,
// expires_at — the names of the rule vocabulary; times in RFC 3339),
// anonymous, source (app, service, address, route, labels), time, tx
// (active, read_only), phase (execute or prepare), usage (key_calls_1m,
// key_calls_1h, fingerprint_calls_1m: what usage.* reads), expect, rule,
// cause. Unknown fields are errors, so that a misspelt field can never
// make a case pass vacuously.
//
// A key without issued_at was issued an hour before the case's time; a key
// without expires_at expires an hour after it; a key without id is named
// "case-<role>". Argument values are YAML scalars: integers become int64,
// other numbers float64, then string, bool and null, as a driver would pass
// them.
//
// Causes: no-key, key-expired, key-not-yet-valid, key-revoked,
// input-too-large, evaluation, store-down, rejected (the lexer refused the
// text) and no-policy. See [Causes].
//
// # Running
//
// [Run] decides every case with a fresh [approval.Gate] over the policy
// (clock at the case's time, usage windows answering the case's usage),
// through [approval.Gate.Decide] exactly as the driver asks it, with an
// Approvals stand-in that grants nothing, revokes nothing and accepts every
// review request, so that a review rule yields the effect review. The
// statement never reaches a database.
package casefile
