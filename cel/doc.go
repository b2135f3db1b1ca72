// Package cel is the rule language of approvedsql: a CEL environment with
// a flat, typed vocabulary over one database call, compile-time checks,
// static cost bounds and an allocation-free activation.
//
// Rules are CEL expressions (cel.dev/cel-go) that must evaluate to a
// bool. A policy's rules are compiled once, when the policy loads, by
// [Env.Compile]; each [Program] is then evaluated for every call with an
// [Input] by [Program.Eval]. Only the literal true matches: any
// evaluation error is returned, and the caller denies.
//
//	env, err := cel.NewEnv(cel.WithConstants(map[string]any{"admins": []string{"dba"}}))
//	prg, err := env.Compile(`key.role in admins || (key.role == "reader" && query.read_only)`)
//	ok, err := prg.Eval(in) // in *cel.Input, checked with env.Check(in) first
//
// # Vocabulary
//
// Every name is declared as one typed variable (there is no `query` map:
// `query.text` is a variable of type string). A misspelt name is a compile
// error with CEL's hint, for example "undeclared reference to 'key.rol'
// (did you mean 'key.role'?)".
//
//	| variable                   | type                | from Input                           | meaning                                            |
//	|----------------------------|---------------------|--------------------------------------|----------------------------------------------------|
//	| query.text                 | string              | Query.Text                           | canonical statement text                           |
//	| query.fingerprint          | string              | Query.Fingerprint                    | fingerprint of the canonical text                  |
//	| query.command              | string              | Query.Command                        | SELECT, INSERT, ... (upper case)                   |
//	| query.object               | string              | Query.Object                         | object kind for DDL (TABLE, INDEX, ROLE, ...) or "" |
//	| query.read_only            | bool                | Query.ReadOnly                       | false when any part of the statement can write     |
//	| query.tables               | list(string)        | Query.Tables                         | tables, as the server resolves the names           |
//	| query.functions            | list(string)        | Query.Functions                      | functions called (folded names)                    |
//	| query.literals             | list(string)        | Query.Literals                       | literals replaced in the canonical text, in order  |
//	| query.has_where            | bool                | Query.HasWhere                       | UPDATE/DELETE with a WHERE clause                  |
//	| query.params               | int                 | Query.Params                         | number of bind parameters                          |
//	| query.dialect              | string              | Query.Dialect                        | postgres, mysql or sqlite                          |
//	| args                       | list(dyn)           | Args                                 | positional arguments after driver conversion       |
//	| named_args                 | map(string, dyn)    | NamedArgs                            | named arguments (sql.Named)                        |
//	| key.present                | bool                | Key.Present                          | false for an anonymous call                        |
//	| key.id                     | string              | Key.ID                               | key id                                             |
//	| key.subject                | string              | Key.Subject                          | who the key was issued to                          |
//	| key.role                   | string              | Key.Role                             | role                                               |
//	| key.scopes                 | list(string)        | Key.Scopes                           | scopes                                             |
//	| key.labels                 | map(string, string) | Key.Labels                           | labels                                             |
//	| key.session                | string              | Key.Session                          | session                                            |
//	| key.issued_at              | timestamp           | Key.IssuedAt                         | when the key was issued                            |
//	| key.expires_at             | timestamp           | Key.ExpiresAt                        | when the key expires                               |
//	| source.app                 | string              | Source.App                           | calling application                                |
//	| source.service             | string              | Source.Service                       | calling service                                    |
//	| source.address             | string              | Source.Address                       | client address, IP or IP:port                      |
//	| source.ip                  | string              | Source.Address                       | source.address without its port                    |
//	| source.route               | string              | Source.Route                         | route or handler                                   |
//	| source.labels              | map(string, string) | Source.Labels                        | labels                                             |
//	| tx.active                  | bool                | Tx.Active                            | inside a transaction                               |
//	| tx.read_only               | bool                | Tx.ReadOnly                          | the transaction is read-only                       |
//	| now                        | timestamp           | Now                                  | evaluation time, from the engine's clock           |
//	| usage.key_calls_1m         | int                 | Usage.KeyCalls1m                     | calls by this key in the last minute               |
//	| usage.key_calls_1h         | int                 | Usage.KeyCalls1h                     | calls by this key in the last hour                 |
//	| usage.fingerprint_calls_1m | int                 | Usage.FingerprintCalls1m             | calls of this fingerprint in the last minute       |
//
// Absent values are zero values: an anonymous call has key.present false
// and empty key strings; a nil list is an empty list. The exception is
// now: a zero Input.Now makes any rule reading it fail, so that a missing
// clock never lets a time-based rule pass. Arguments are
// converted by cel-go's type adapter: int64 → int, float64 → double,
// string, []byte → bytes, bool, time.Time → timestamp, nil → null.
//
// When Input.ArgsKnown is false (prepare time) a rule that reads args or
// named_args fails in Eval, so that an unknown argument never looks like
// an empty list; [Program.Partial] evaluates with them unknown instead.
//
// # Constants
//
// [WithConstants] declares the policy's named lists and values, usable by
// name: `key.role in admins`, `query.tables.all(t, t in allowed_tables)`.
//
// # Functions
//
// Beyond CEL's standard functions, macros, durations and timestamps
// (`now - key.issued_at < duration("8h")`, `now.getHours("UTC")`):
//
//   - strings (cel-go ext.Strings): lowerAscii, upperAscii, split, join,
//     replace, substring, trim, indexOf, format, ...;
//   - regular expressions: matches (RE2); a literal pattern that does not
//     compile is a compile error;
//   - sets (ext.Sets): sets.contains, sets.intersects, sets.equivalent;
//   - lists (ext.Lists): slice, flatten, distinct, sort, range, ...;
//   - network (ext.Network): ip, cidr, isIP, isCIDR,
//     `cidr("10.0.0.0/8").containsIP(source.ip)`, ip(...).isLoopback(), ...
//     (ip() refuses malformed addresses, IPv4-mapped IPv6 and zones: the
//     rule fails and the call is denied);
//   - two-variable comprehensions (ext.TwoVarComprehensions):
//     `key.labels.exists(k, v, k.startsWith("env") && v == "prod")`;
//   - optional values: `key.labels[?"team"].orValue("") == "payments"`.
//
// List and map literals must be homogeneous (`["a", 1]` is a compile
// error); wrap mixed values in dyn(). Numbers compare across types
// (`args[0] > 1.5` with an int argument). Timestamps without a zone
// argument use UTC (`now.getHours() == 12`).
//
// cel-go's ext.Regex (regex.replace, regex.extract) is not enabled: in
// cel-go v0.33.2 it breaks the environment's symbol catalog, which is
// where the "did you mean" hints come from.
//
// # Cost
//
// Inputs are capped by [Limits] (default [DefaultLimits]). Each rule's
// worst-case cost is estimated at compile time with every input at its
// cap ([Program.Cost]). A rule whose bound is within the cost budget
// ([WithCostBudget], default [DefaultCostBudget]) runs without runtime
// tracking; a rule above it runs with a runtime cost limit equal to the
// budget ([Program.NeedsRuntimeCost]), which costs a few hundred
// nanoseconds and four allocations more per evaluation
// (BenchmarkEvalRuntimeCost against BenchmarkEvalNoRuntimeCost). The caller must reject an input over a cap with
// [Env.Check] or [Limits.Check]; the error, a [*LimitError], names the cap.
// Comprehensions (exists, all, map, ...) may nest at most three deep.
//
// # Skipping rules
//
// [Program.Commands] returns the query.command values for which a rule can
// be true when a conjunction or disjunction of `query.command == "X"` /
// `query.command in [...]` terms says so, so that the engine can skip the
// rule for other statements without evaluating it. [Program.Values] does
// the same for key.role, source.app and the other string variables an
// engine can index rules by, and [StringReader] reads them. A rule left
// out this way is one that CEL evaluates to false without error.
// [Program.Variables]
// lists the variables a rule reads, so that the engine can skip gathering
// inputs (usage counters, say) that no rule needs.
//
// # Fast path
//
// At Compile the checked rule is also translated into Go functions for
// the part of CEL that cannot fail: comparisons of a variable with a
// literal or a constant (==, !=, <, <=, >, >= on strings, bools, ints and
// timestamps), `in` on string lists, exists and all over string lists
// with such a predicate, startsWith, endsWith and contains with a literal,
// !, && and ||. Eval and Partial first ask these functions, which answer
// yes, no or unknown: a known answer is the result (CEL's && and || are
// commutative, so false && <anything> is false even when the other side
// would fail); unknown, for any rule or input outside that subset (now
// unset, say), leaves the rule to cel-go. Rules evaluated under a runtime
// cost limit always go to cel-go. A typical role-and-command rule takes
// tens of nanoseconds this way instead of hundreds (BenchmarkFastPath);
// TestFastPathAgreesWithCEL checks on generated rules and inputs that the
// answers are cel-go's.
//
// # Concurrency and allocation
//
// An [Env] and its [Program]s are immutable and safe for concurrent use.
// Eval takes an activation from a pool and reads the Input directly, with
// no per-call map. Scalars are handed to cel-go without copying; the
// lists and maps are presented through wrappers kept in the pooled
// activation, so that size(), indexing, `in`, map lookups and
// comprehensions over the vocabulary allocate nothing either. (Operations
// such as list concatenation or equality with another list fall back to
// cel-go's own list, built on first use.) The Input must not be modified
// while a Program evaluates it.
package cel
