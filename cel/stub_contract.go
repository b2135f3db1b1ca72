package cel

// CONTRACT STUB — the cel owner replaces this file with the real
// implementation. Signatures here are the agreed API approval uses.

import "errors"

// Env is the compiled rule environment: the vocabulary plus the policy's
// named constants. Safe for concurrent use.
type Env struct{}

// EnvOption configures NewEnv; an invalid option is a NewEnv error.
type EnvOption func(*envConfig) error

type envConfig struct{}

// WithConstants declares named constants/lists usable in rules
// (values: string, bool, int64, float64, []string, []any, map[string]any...).
func WithConstants(c map[string]any) EnvOption { return nil }

// WithCostBudget sets the static cost budget per rule (default documented).
func WithCostBudget(n uint64) EnvOption { return nil }

// NewEnv builds an environment.
func NewEnv(opts ...EnvOption) (*Env, error) { return nil, errors.New("not implemented") }

// CompileError is a load error at a position inside the rule text
// (1-based Line and Column) with CEL's own message and hint.
type CompileError struct {
	Line, Column int
	Msg          string
}

func (e *CompileError) Error() string { return e.Msg }

// Program is one compiled rule. Immutable and safe for concurrent use.
type Program struct{}

// Compile type-checks expr (must be bool) and checks its cost bound.
func (e *Env) Compile(expr string) (*Program, error) { return nil, errors.New("not implemented") }

// Eval returns true only when the rule evaluates to the literal true.
// Any evaluation error is returned (the caller denies).
func (p *Program) Eval(in *Input) (bool, error) { return false, errors.New("not implemented") }

// Partial evaluates with args and named_args unknown (in.ArgsKnown false).
// It returns Known=false when the result depends on the arguments.
func (p *Program) Partial(in *Input) (matched, known bool, err error) {
	return false, false, errors.New("not implemented")
}

// Commands returns the set of query.command values for which the rule can
// possibly be true, or nil when it cannot be narrowed (any command).
func (p *Program) Commands() []string { return nil }
