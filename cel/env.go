package cel

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	celgo "cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
)

// DefaultCostBudget is the static cost budget per rule when WithCostBudget
// is not given. A rule whose worst-case estimate (with inputs at the caps of
// its [Limits]) stays within it runs without runtime cost tracking; a rule
// above it runs with a runtime cost limit of the same value. With the
// default limits, comparisons of scalar variables cost a few units,
// query.text.contains("x") about 10,500 (within the budget) and
// query.tables.exists(t, t.matches("^pg_")) about 425,000 (tracked).
const DefaultCostBudget uint64 = 100_000

// Env is the compiled rule environment: the vocabulary, the extensions, the
// policy's named constants, the input caps and the cost budget. An Env is
// immutable once built and safe for concurrent use; the zero value is not
// usable, build one with NewEnv.
type Env struct {
	env      *celgo.Env
	limits   Limits
	budget   uint64
	consts   map[string]constant
	pool     sync.Pool // of *activation
	patterns []*interpreter.AttributePattern
}

// EnvOption configures NewEnv. An invalid option is a NewEnv error.
type EnvOption func(*envConfig) error

type envConfig struct {
	constants map[string]any
	budget    uint64
	limits    Limits
}

// WithConstants declares named constants usable in rules by name, such as
// lists of roles (`key.role in admins`). Accepted values: string, bool,
// int, int32, int64, float32, float64, []string, []any, map[string]string
// and map[string]any (elements of lists and maps may themselves be any of
// these). A list whose elements all have the same type is typed as a list
// of that type, otherwise as list(dyn); maps likewise. Names must be plain
// identifiers that do not clash with the vocabulary, CEL keywords or the
// extensions' namespaces. WithConstants may be given more than once; a name
// given twice is an error.
func WithConstants(c map[string]any) EnvOption {
	return func(cfg *envConfig) error {
		for name, v := range c {
			if _, dup := cfg.constants[name]; dup {
				return fmt.Errorf("cel: constant %q declared twice", name)
			}
			if cfg.constants == nil {
				cfg.constants = make(map[string]any, len(c))
			}
			cfg.constants[name] = v
		}
		return nil
	}
}

// WithCostBudget sets the static cost budget per rule (default
// [DefaultCostBudget]). Zero is an error.
func WithCostBudget(n uint64) EnvOption {
	return func(cfg *envConfig) error {
		if n == 0 {
			return errors.New("cel: cost budget must be positive")
		}
		cfg.budget = n
		return nil
	}
}

// WithLimits sets the input caps (default [DefaultLimits]) used for the
// static cost estimates. The caller must reject inputs over the caps with
// [Limits.Check] (or [Env.Check]) before evaluating. Every cap must be
// positive.
func WithLimits(l Limits) EnvOption {
	return func(cfg *envConfig) error {
		if err := l.validate(); err != nil {
			return err
		}
		cfg.limits = l
		return nil
	}
}

// NewEnv builds an environment. It costs about a millisecond: build one per
// policy load, not per call.
func NewEnv(opts ...EnvOption) (*Env, error) {
	cfg := envConfig{budget: DefaultCostBudget, limits: DefaultLimits()}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("cel: nil EnvOption")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	e := &Env{limits: cfg.limits, budget: cfg.budget, consts: make(map[string]constant, len(cfg.constants))}

	celOpts := []celgo.EnvOption{
		celgo.OptionalTypes(),
		ext.Strings(),
		ext.Sets(),
		ext.Lists(),
		ext.Network(),
		ext.TwoVarComprehensions(),
		celgo.DefaultUTCTimeZone(true),
		celgo.CrossTypeNumericComparisons(true),
		celgo.ASTValidators(
			regexLiteralValidator{},
			celgo.ValidateDurationLiterals(),
			celgo.ValidateTimestampLiterals(),
			celgo.ValidateHomogeneousAggregateLiterals(),
			celgo.ValidateComprehensionNestingLimit(3),
		),
	}
	for _, v := range vocabulary() {
		celOpts = append(celOpts, celgo.VariableWithDoc(v.name, v.typ, v.doc))
	}

	names := make([]string, 0, len(cfg.constants))
	for name := range cfg.constants {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic errors
	for _, name := range names {
		if err := checkConstantName(name); err != nil {
			return nil, err
		}
		c, err := newConstant(cfg.constants[name])
		if err != nil {
			return nil, fmt.Errorf("cel: constant %q: %w", name, err)
		}
		e.consts[name] = c
		celOpts = append(celOpts, celgo.Constant(name, c.typ, c.val))
	}

	env, err := celgo.NewEnv(celOpts...)
	if err != nil {
		return nil, fmt.Errorf("cel: building environment: %w", err)
	}
	e.env = env
	e.patterns = []*interpreter.AttributePattern{
		celgo.AttributePattern("args"),
		celgo.AttributePattern("named_args"),
	}
	e.pool.New = func() any { return &activation{} }
	return e, nil
}

// Limits returns the input caps the environment was built with.
func (e *Env) Limits() Limits { return e.limits }

// CostBudget returns the static cost budget per rule.
func (e *Env) CostBudget() uint64 { return e.budget }

// Check reports whether in exceeds one of the environment's caps; see
// [Limits.Check].
func (e *Env) Check(in *Input) error { return e.limits.Check(in) }

// CheckSameStatement is [Limits.CheckSameStatement] with the environment's
// caps: for an input whose statement already passed Check under e.
func (e *Env) CheckSameStatement(in *Input) error { return e.limits.CheckSameStatement(in) }

// Constants returns the names of the declared constants, sorted.
func (e *Env) Constants() []string {
	names := make([]string, 0, len(e.consts))
	for n := range e.consts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// celKeywords are CEL's reserved words, not usable as identifiers.
var celKeywords = map[string]bool{
	"true": true, "false": true, "null": true, "in": true,
	"as": true, "break": true, "const": true, "continue": true, "else": true,
	"for": true, "function": true, "if": true, "import": true, "let": true,
	"loop": true, "package": true, "namespace": true, "return": true,
	"var": true, "void": true, "while": true,
}

// checkConstantName accepts plain identifiers that clash with nothing.
func checkConstantName(name string) error {
	if name == "" {
		return errors.New("cel: empty constant name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		digit := c >= '0' && c <= '9'
		if !letter && !(digit && i > 0) {
			return fmt.Errorf("cel: constant name %q is not an identifier ([A-Za-z_][A-Za-z0-9_]*)", name)
		}
	}
	if celKeywords[name] {
		return fmt.Errorf("cel: constant name %q is a CEL keyword", name)
	}
	if reservedRoots[name] {
		return fmt.Errorf("cel: constant name %q clashes with the rule vocabulary or an extension", name)
	}
	return nil
}

// constant is one declared constant.
type constant struct {
	typ  *celgo.Type
	val  ref.Val
	size uint64   // length for strings, lists and maps
	strs []string // the elements of a string or list of strings, for Commands
}

// newConstant converts a Go value into a typed CEL constant.
func newConstant(v any) (constant, error) {
	return convertConst(v, 0)
}

const maxConstDepth = 8

func convertConst(v any, depth int) (constant, error) {
	if depth > maxConstDepth {
		return constant{}, errors.New("nested deeper than 8 levels")
	}
	switch x := v.(type) {
	case string:
		return constant{typ: celgo.StringType, val: types.String(x), size: uint64(len(x)), strs: []string{x}}, nil
	case bool:
		return constant{typ: celgo.BoolType, val: types.Bool(x)}, nil
	case int:
		return constant{typ: celgo.IntType, val: types.Int(x)}, nil
	case int32:
		return constant{typ: celgo.IntType, val: types.Int(x)}, nil
	case int64:
		return constant{typ: celgo.IntType, val: types.Int(x)}, nil
	case float32:
		return constant{typ: celgo.DoubleType, val: types.Double(x)}, nil
	case float64:
		return constant{typ: celgo.DoubleType, val: types.Double(x)}, nil
	case []string:
		elems := make([]ref.Val, len(x))
		for i, s := range x {
			elems[i] = types.String(s)
		}
		return constant{
			typ:  listOfString,
			val:  types.NewRefValList(types.DefaultTypeAdapter, elems),
			size: uint64(len(x)),
			strs: append([]string(nil), x...),
		}, nil
	case []any:
		elems := make([]ref.Val, len(x))
		var elemType *celgo.Type
		var strs []string
		homogeneous := true
		for i, el := range x {
			c, err := convertConst(el, depth+1)
			if err != nil {
				return constant{}, fmt.Errorf("element %d: %w", i, err)
			}
			elems[i] = c.val
			switch {
			case i == 0:
				elemType = c.typ
			case homogeneous && !elemType.IsExactType(c.typ):
				homogeneous = false
			}
			if s, ok := el.(string); ok {
				strs = append(strs, s)
			}
		}
		if !homogeneous || elemType == nil {
			elemType = celgo.DynType
		}
		if len(strs) != len(x) {
			strs = nil
		}
		return constant{
			typ:  celgo.ListType(elemType),
			val:  types.NewRefValList(types.DefaultTypeAdapter, elems),
			size: uint64(len(x)),
			strs: strs,
		}, nil
	case map[string]string:
		m := make(map[ref.Val]ref.Val, len(x))
		for k, s := range x {
			m[types.String(k)] = types.String(s)
		}
		return constant{typ: mapStringToString, val: types.NewRefValMap(types.DefaultTypeAdapter, m), size: uint64(len(x))}, nil
	case map[string]any:
		m := make(map[ref.Val]ref.Val, len(x))
		var valType *celgo.Type
		homogeneous := true
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			c, err := convertConst(x[k], depth+1)
			if err != nil {
				return constant{}, fmt.Errorf("key %q: %w", k, err)
			}
			m[types.String(k)] = c.val
			switch {
			case i == 0:
				valType = c.typ
			case homogeneous && !valType.IsExactType(c.typ):
				homogeneous = false
			}
		}
		if !homogeneous || valType == nil {
			valType = celgo.DynType
		}
		return constant{
			typ:  celgo.MapType(celgo.StringType, valType),
			val:  types.NewRefValMap(types.DefaultTypeAdapter, m),
			size: uint64(len(x)),
		}, nil
	case nil:
		return constant{}, errors.New("null value (give a string, number, bool, list or map)")
	default:
		return constant{}, fmt.Errorf("unsupported type %T (give a string, number, bool, list or map)", v)
	}
}
