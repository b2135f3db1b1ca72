package approval

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Mode says whether a policy's outcome is enforced.
type Mode uint8

// The modes. The zero value enforces.
const (
	// Enforce applies every decision.
	Enforce Mode = iota
	// DryRun evaluates everything, audits what would have been denied
	// ("dry-run-deny") and lets the call proceed.
	DryRun
	// Learn is DryRun that also hands calls no rule or grant allowed to
	// the [Learner], which records (fingerprint, role) pairs as proposed
	// grants.
	Learn
)

// String returns the mode as written in a policy file.
func (m Mode) String() string {
	switch m {
	case DryRun:
		return "dry-run"
	case Learn:
		return "learn"
	default:
		return "enforce"
	}
}

// Limits are the input caps and the cost budget of a policy, set in its
// `limits` section. A call with an input over a cap is denied with
// ErrInputTooLarge naming the cap. Rule costs are estimated statically with
// every input at its cap, so the caps are what bounds evaluation time.
type Limits struct {
	// MaxSQLBytes caps the raw statement text before it is lexed
	// (max_sql_bytes). Default 1 MiB.
	MaxSQLBytes int
	// Input caps what rules read: max_args, max_arg_length,
	// max_text_length, max_string_length, max_list_length, max_map_size
	// (see [cel.Limits] for each). Default [cel.DefaultLimits].
	Input cel.Limits
	// CostBudget is the static cost budget per rule (cost_budget); a rule
	// whose bound exceeds it runs with a runtime cost limit.
	// Default [cel.DefaultCostBudget].
	CostBudget uint64
}

// DefaultLimits returns the caps of a policy without a `limits` section.
func DefaultLimits() Limits {
	return Limits{MaxSQLBytes: 1 << 20, Input: cel.DefaultLimits(), CostBudget: cel.DefaultCostBudget}
}

// Rule is one rule of a policy, as written in the file.
type Rule struct {
	Name        string
	Effect      Effect
	When        string // CEL
	Description string
	DryRun      bool // `mode: dry-run`: evaluated and audited, never applied
	// LogArgs (`log_args: true`) shows argument values in the audit
	// records of calls this rule decides; otherwise they are redacted to
	// their type and size.
	LogArgs bool
	Line    int // position of the rule in the file
	Column  int

	prog   *cel.Program
	reason string // precomputed, so a decision does not build strings
}

// ruleSet is the rules that can match one command, grouped by effect in
// file order.
type ruleSet struct {
	deny, allow, review, dryRun []*Rule

	denyIx, allowIx, reviewIx *ruleIndex // see policy_index.go
}

// Policy is a loaded, compiled policy. Immutable and safe for concurrent
// use; replace it in a Gate with [Gate.SetPolicy].
type Policy struct {
	name      string
	version   string
	dialect   sqlnorm.Dialect
	opts      sqlnorm.Options
	mode      Mode
	def       Effect
	anonymous bool
	limits    Limits
	env       *cel.Env
	rules     []*Rule
	byCommand map[string]*ruleSet
	anyCmd    *ruleSet // for commands no rule names
	// readsUsage: some rule reads usage.*, so calls must be counted.
	readsUsage bool
}

// Name returns the name given at load (usually the file path).
func (p *Policy) Name() string { return p.name }

// Version returns the policy's `version` field, "+", and the first 12 hex
// digits of the SHA-256 of the file's content: two different files never
// share a version.
func (p *Policy) Version() string { return p.version }

// Dialect returns the policy's SQL dialect.
func (p *Policy) Dialect() sqlnorm.Dialect { return p.dialect }

// Options returns the lexer options (dialect and `settings`).
func (p *Policy) Options() sqlnorm.Options { return p.opts }

// Mode returns the policy's mode.
func (p *Policy) Mode() Mode { return p.mode }

// Default returns the effect when no rule matches: Deny or Review.
func (p *Policy) Default() Effect { return p.def }

// Anonymous reports whether calls without a key are evaluated (`anonymous:
// true`) rather than denied with ErrNoKey.
func (p *Policy) Anonymous() bool { return p.anonymous }

// Limits returns the input caps.
func (p *Policy) Limits() Limits { return p.limits }

// Rules returns the rules in file order.
func (p *Policy) Rules() []Rule {
	out := make([]Rule, len(p.rules))
	for i, r := range p.rules {
		out[i] = *r
	}
	return out
}

// rulesFor returns the rules that can match command.
func (p *Policy) rulesFor(command string) *ruleSet {
	if rs, ok := p.byCommand[command]; ok {
		return rs
	}
	return p.anyCmd
}

// LoadPolicy reads and compiles a YAML policy file.
func LoadPolicy(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("approval: policy: %w", err)
	}
	return ParsePolicy(data, path)
}

// ParsePolicy parses and compiles a YAML policy; name is used in errors.
// A policy that does not load returns [PolicyErrors] with every problem
// found, each at its file position.
func ParsePolicy(data []byte, name string) (*Policy, error) {
	l := &loader{file: name, src: data}
	p := l.load()
	if len(l.errs) > 0 {
		return nil, l.errs
	}
	sum := sha256.Sum256(data)
	p.name = name
	p.version += "+" + hex.EncodeToString(sum[:6])
	p.index()
	return p, nil
}

// index groups the rules by the commands they can match.
func (p *Policy) index() {
	build := func(cmd string) *ruleSet {
		rs := &ruleSet{}
		for _, r := range p.rules {
			if cmds := r.prog.Commands(); cmds != nil && (cmd == "" || !contains(cmds, cmd)) {
				continue
			}
			switch {
			case r.DryRun:
				rs.dryRun = append(rs.dryRun, r)
			case r.Effect == Deny:
				rs.deny = append(rs.deny, r)
			case r.Effect == Allow:
				rs.allow = append(rs.allow, r)
			default:
				rs.review = append(rs.review, r)
			}
		}
		rs.denyIx, rs.allowIx, rs.reviewIx = indexRules(rs.deny), indexRules(rs.allow), indexRules(rs.review)
		return rs
	}
	p.byCommand = make(map[string]*ruleSet)
	for _, r := range p.rules {
		for _, c := range r.prog.Commands() {
			if _, ok := p.byCommand[c]; !ok {
				p.byCommand[c] = build(c)
			}
		}
	}
	p.anyCmd = build("")
	for _, r := range p.rules {
		for _, v := range r.prog.Variables() {
			if strings.HasPrefix(v, "usage.") {
				p.readsUsage = true
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// WithDialect returns a copy of the policy that lexes statements as dialect
// d (the policy's settings stay applied). The rules are shared. It serves
// tools that try one policy against another dialect, such as `approvalctl
// check --dialect`.
func (p *Policy) WithDialect(d sqlnorm.Dialect) (*Policy, error) {
	switch d {
	case sqlnorm.Postgres, sqlnorm.MySQL, sqlnorm.SQLite:
	default:
		return nil, fmt.Errorf("approval: unknown dialect %q (postgres, mysql, sqlite)", d)
	}
	c := *p
	c.dialect, c.opts.Dialect = d, d
	return &c, nil
}

// Commands returns the statement commands the rule can match, or nil when
// it may match any (see cel Program.Commands). An empty, non-nil list
// means the rule can never match.
func (r *Rule) Commands() []string {
	if r.prog == nil {
		return nil
	}
	return r.prog.Commands()
}
