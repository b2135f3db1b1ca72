package cel

import (
	"errors"
	"fmt"
	"strings"

	celgo "cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"
)

// Program is one compiled rule. It is immutable and safe for concurrent
// use; evaluate it as often as needed.
type Program struct {
	env     *Env
	src     string
	prg     celgo.Program // full evaluation
	partial celgo.Program // args and named_args unknown
	minCost uint64
	maxCost uint64
	tracked bool
	values  map[string][]string // narrowed string variables (see Values)
	vars    []string
	fast    fastFn // nil: always evaluated by cel-go (see fast.go)
}

// Compile parses and type-checks expr against the environment. The rule
// must be a bool expression; a syntax error, an undeclared name (with
// CEL's "did you mean" hint), a type error, a non-bool rule or an invalid
// regular expression literal is a *CompileError. The rule's static cost is
// estimated with inputs at the Env's caps; a rule whose bound exceeds the
// cost budget is compiled with a runtime cost limit equal to the budget
// (see NeedsRuntimeCost). Compile costs tens to hundreds of microseconds:
// compile once per policy load.
func (e *Env) Compile(expr string) (*Program, error) {
	if e == nil || e.env == nil {
		return nil, errors.New("cel: Compile on an Env not built by NewEnv")
	}
	if strings.TrimSpace(expr) == "" {
		return nil, &CompileError{Line: 1, Column: 1, Msg: "empty rule"}
	}
	checked, iss := e.env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		return nil, compileError(expr, iss)
	}
	if out := checked.OutputType(); !out.IsExactType(celgo.BoolType) {
		return nil, &CompileError{Line: 1, Column: 1,
			Msg: fmt.Sprintf("a rule must be a bool expression, this one is %s", out)}
	}
	est, err := e.env.EstimateCost(checked, sizeEstimator{limits: e.limits, consts: e.consts})
	if err != nil {
		return nil, &CompileError{Line: 1, Column: 1, Msg: "estimating cost: " + err.Error()}
	}
	p := &Program{env: e, src: expr, minCost: est.Min, maxCost: est.Max, tracked: est.Max > e.budget}

	opts := []celgo.ProgramOption{celgo.EvalOptions(celgo.OptOptimize)}
	if p.tracked {
		opts = append(opts, celgo.CostLimit(e.budget))
	}
	if p.prg, err = e.env.Program(checked, opts...); err != nil {
		return nil, &CompileError{Line: 1, Column: 1, Msg: "planning: " + err.Error()}
	}
	partialOpts := append([]celgo.ProgramOption{celgo.EvalOptions(celgo.OptOptimize, celgo.OptPartialEval)}, opts[1:]...)
	if p.partial, err = e.env.Program(checked, partialOpts...); err != nil {
		return nil, &CompileError{Line: 1, Column: 1, Msg: "planning partial evaluation: " + err.Error()}
	}
	native := checked.NativeRep()
	for _, name := range indexVariables {
		if vs := narrowValues(native, native.Expr(), name).sorted(); vs != nil {
			if p.values == nil {
				p.values = make(map[string][]string)
			}
			p.values[name] = vs
		}
	}
	p.vars = readVariables(native)
	if !p.tracked {
		p.fast = compileFast(native)
	}
	return p, nil
}

// compileError converts CEL's first issue into a *CompileError with a
// 1-based line and column.
func compileError(src string, iss *celgo.Issues) error {
	errs := iss.Errors()
	if len(errs) == 0 {
		return &CompileError{Line: 1, Column: 1, Msg: iss.Err().Error()}
	}
	first := errs[0]
	line, col := first.Location.Line(), first.Location.Column()
	if line < 1 {
		line = 1
	}
	if col < 0 {
		col = 0
	}
	return &CompileError{Line: line, Column: col + 1, Msg: first.Message}
}

// Source returns the rule text.
func (p *Program) Source() string { return p.src }

// Cost returns the static cost estimate of the rule (min and max, in CEL
// cost units) with inputs at the Env's caps.
func (p *Program) Cost() (min, max uint64) { return p.minCost, p.maxCost }

// NeedsRuntimeCost reports whether the rule's static bound exceeds the
// cost budget, so that it runs with a runtime cost limit (an evaluation
// that reaches the limit fails with ErrCostLimit).
func (p *Program) NeedsRuntimeCost() bool { return p.tracked }

// Commands returns the sorted set of query.command values for which the
// rule can be true, or nil when it cannot be narrowed (any command may
// match). An empty, non-nil result means the rule can never be true. The
// engine may skip the rule for any other command without evaluating it.
func (p *Program) Commands() []string { return p.Values("query.command") }

// indexVariables are the string variables Values can narrow.
var indexVariables = []string{
	"query.command", "query.object", "query.fingerprint",
	"key.id", "key.subject", "key.role", "key.session",
	"source.app", "source.service", "source.route",
}

// Values returns, for the string variable name, the sorted set of its
// values for which the rule can be true, or nil when the rule cannot be
// narrowed on it, as [Program.Commands] does for query.command (which is
// Values("query.command")). Variables that can be narrowed: query.command,
// query.object, query.fingerprint, key.id, key.subject, key.role,
// key.session, source.app, source.service and source.route; nil for any
// other. Read the variable's value in an Input with [StringReader].
func (p *Program) Values(name string) []string {
	vs, ok := p.values[name]
	if !ok {
		return nil
	}
	return append([]string{}, vs...)
}

// StringReader returns a function that reads the string variable name of
// an Input, as rules see it, or nil when name is not a string variable of
// the vocabulary that the engine reads directly (source.ip is computed).
func StringReader(name string) func(*Input) string {
	id, ok := lookupVar(name)
	if !ok {
		return nil
	}
	return stringVar(id)
}

// Variables returns the sorted names of the vocabulary variables the rule
// reads (constants excluded), so that the caller can skip gathering what
// no rule needs, such as usage.* counters.
func (p *Program) Variables() []string { return append([]string{}, p.vars...) }

// Eval evaluates the rule over in. It returns true only when the rule
// evaluates to the literal true; any evaluation error, and any result that
// is not a bool, is returned as an *EvalError (the caller denies). The
// rule must not be evaluated on an input over the Env's caps (check with
// Env.Check first). in must not be modified while Eval runs. When
// in.ArgsKnown is false, a rule that reads args or named_args fails: use
// Partial. Eval allocates nothing for rules that read only scalar
// variables; lists and maps are wrapped on first read.
func (p *Program) Eval(in *Input) (bool, error) {
	if p == nil || p.prg == nil {
		return false, errNoProgram
	}
	if in == nil || in.Query == nil {
		return false, ErrNoStatement
	}
	if p.fast != nil {
		switch p.fast(in) {
		case yes:
			return true, nil
		case no:
			return false, nil
		}
	}
	a := p.env.acquire(in)
	out, _, err := p.prg.Eval(a)
	p.env.release(a)
	if err != nil {
		return false, evalError(err)
	}
	switch v := out.(type) {
	case types.Bool:
		return bool(v), nil
	default:
		return false, &EvalError{Msg: fmt.Sprintf("rule produced %s, not a bool", out.Type().TypeName())}
	}
}

// Partial evaluates the rule with args and named_args unknown, as at
// prepare time (whatever in.ArgsKnown says). known is false when the
// result depends on the arguments; otherwise matched is the result. An
// evaluation error is returned with matched and known false.
func (p *Program) Partial(in *Input) (matched, known bool, err error) {
	if p == nil || p.partial == nil {
		return false, false, errNoProgram
	}
	if in == nil || in.Query == nil {
		return false, false, ErrNoStatement
	}
	if p.fast != nil { // the fast path never reads args or named_args
		switch p.fast(in) {
		case yes:
			return true, true, nil
		case no:
			return false, true, nil
		}
	}
	a := p.env.acquire(in)
	a.patterns = p.env.patterns
	out, _, err := p.partial.Eval(partialActivation{a})
	p.env.release(a)
	if err != nil {
		return false, false, evalError(err)
	}
	switch v := out.(type) {
	case types.Bool:
		return bool(v), true, nil
	case *types.Unknown:
		return false, false, nil
	default:
		return false, false, &EvalError{Msg: fmt.Sprintf("rule produced %s, not a bool", out.Type().TypeName())}
	}
}

// errNoProgram is returned by a nil or zero Program.
var errNoProgram = &EvalError{Msg: "nil or zero Program (build one with Env.Compile)"}

// evalError converts a cel-go evaluation error.
func evalError(err error) error {
	var cancelled interpreter.EvalCancelledError
	if errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded {
		return &EvalError{Msg: cancelled.Message, CostLimit: true}
	}
	return &EvalError{Msg: err.Error()}
}
