package cel

import (
	"strings"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// errArgsUnknown is the value of args and named_args in Eval when the
// Input says they are not known (prepare time): a rule that reads them
// fails, and the caller denies, instead of seeing an empty list.
const errArgsUnknown = "args and named_args are not known for this call (Input.ArgsKnown is false): use Partial"

// errNowUnset is the value of now when Input.Now is the zero time.
const errNowUnset = "now is not set (Input.Now is the zero time)"

// maxArena is the largest map-value arena an activation keeps between
// evaluations.
const maxArena = 256

// activation feeds one Input to cel-go. It resolves each variable straight
// from the Input, without building a map; scalars are handed over without
// copying (see box.go); lists and maps are wrapped only when a rule reads
// them, and the wrapper is kept for the rest of that evaluation.
//
// An activation is used by one evaluation at a time: Env keeps a pool.
type activation struct {
	in       *Input
	patterns []*interpreter.AttributePattern
	lazy     [numVars]ref.Val // converted lists and maps, this evaluation only
	set      uint64           // bit i set when lazy[i] holds a value
	hostPart string           // source.ip when source.address carries a port

	// The list and map wrappers, reused from one evaluation to the next.
	tables, functions, literals, scopes strList
	args                                argList
	namedArgs                           argMap
	keyLabels, sourceLabels             strMap
	arena                               []string // map values read by this evaluation
}

var _ interpreter.Activation = (*activation)(nil)

// acquire takes an activation from the pool and points it at in.
func (e *Env) acquire(in *Input) *activation {
	a := e.pool.Get().(*activation)
	a.in = in
	return a
}

// release clears a and returns it to the pool.
func (e *Env) release(a *activation) {
	if a.set != 0 {
		for i := range a.lazy {
			if a.set&(1<<uint(i)) != 0 {
				a.lazy[i] = nil
			}
		}
		a.set = 0
	}
	a.in = nil
	a.hostPart = ""
	a.tables.reset(nil)
	a.functions.reset(nil)
	a.literals.reset(nil)
	a.scopes.reset(nil)
	a.args.reset(nil)
	a.namedArgs.reset(nil)
	a.keyLabels.reset(nil, nil)
	a.sourceLabels.reset(nil, nil)
	if cap(a.arena) > maxArena {
		a.arena = nil // do not keep an unusually large arena in the pool
	} else {
		clear(a.arena)
		a.arena = a.arena[:0]
	}
	a.patterns = nil
	e.pool.Put(a)
}

// Parent implements interpreter.Activation: there is none.
func (a *activation) Parent() interpreter.Activation { return nil }

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	id, ok := lookupVar(name)
	if !ok {
		return nil, false
	}
	in := a.in
	q := in.Query
	switch id {
	case vQueryText:
		return stringVal(&q.Text), true
	case vQueryFingerprint:
		return stringVal(&q.Fingerprint), true
	case vQueryCommand:
		return stringVal(&q.Command), true
	case vQueryObject:
		return stringVal(&q.Object), true
	case vQueryReadOnly:
		return types.Bool(q.ReadOnly), true
	case vQueryHasWhere:
		return types.Bool(q.HasWhere), true
	case vQueryParams:
		return types.Int(q.Params), true
	case vQueryDialect:
		return stringVal((*string)(&q.Dialect)), true
	case vKeyPresent:
		return types.Bool(in.Key.Present), true
	case vKeyID:
		return stringVal(&in.Key.ID), true
	case vKeySubject:
		return stringVal(&in.Key.Subject), true
	case vKeyRole:
		return stringVal(&in.Key.Role), true
	case vKeySession:
		return stringVal(&in.Key.Session), true
	case vKeyIssuedAt:
		return timestampVal(&in.Key.IssuedAt), true
	case vKeyExpiresAt:
		return timestampVal(&in.Key.ExpiresAt), true
	case vSourceApp:
		return stringVal(&in.Source.App), true
	case vSourceService:
		return stringVal(&in.Source.Service), true
	case vSourceAddress:
		return stringVal(&in.Source.Address), true
	case vSourceRoute:
		return stringVal(&in.Source.Route), true
	case vSourceIP:
		return a.sourceIP(), true
	case vTxActive:
		return types.Bool(in.Tx.Active), true
	case vTxReadOnly:
		return types.Bool(in.Tx.ReadOnly), true
	case vNow:
		if in.Now.IsZero() {
			// A forgotten clock must not make time-based rules pass.
			return types.NewErr(errNowUnset), true
		}
		return timestampVal(&in.Now), true
	case vUsageKeyCalls1m:
		return intVal(&in.Usage.KeyCalls1m), true
	case vUsageKeyCalls1h:
		return intVal(&in.Usage.KeyCalls1h), true
	case vUsageFingerprintCalls1m:
		return intVal(&in.Usage.FingerprintCalls1m), true
	}
	// Lists and maps: convert on first read.
	bit := uint64(1) << uint(id)
	if a.set&bit != 0 {
		return a.lazy[id], true
	}
	var v ref.Val
	switch id {
	case vQueryTables:
		a.tables.reset(q.Tables)
		v = &a.tables
	case vQueryFunctions:
		a.functions.reset(q.Functions)
		v = &a.functions
	case vQueryLiterals:
		a.literals.reset(q.Literals)
		v = &a.literals
	case vKeyScopes:
		a.scopes.reset(in.Key.Scopes)
		v = &a.scopes
	case vKeyLabels:
		a.keyLabels.reset(in.Key.Labels, &a.arena)
		v = &a.keyLabels
	case vSourceLabels:
		a.sourceLabels.reset(in.Source.Labels, &a.arena)
		v = &a.sourceLabels
	case vArgs:
		if !in.ArgsKnown {
			v = types.NewErr(errArgsUnknown)
		} else {
			a.args.reset(in.Args)
			v = &a.args
		}
	case vNamedArgs:
		if !in.ArgsKnown {
			v = types.NewErr(errArgsUnknown)
		} else {
			a.namedArgs.reset(in.NamedArgs)
			v = &a.namedArgs
		}
	default:
		return nil, false
	}
	a.lazy[id] = v
	a.set |= bit
	return v, true
}

// sourceIP returns source.address without a port: "10.0.0.1:5432" →
// "10.0.0.1", "[::1]:5432" → "::1"; an address without a port is
// returned as it is. It does not validate the address: ip() and cidr()
// do, and fail on a malformed one.
func (a *activation) sourceIP() any {
	addr := a.in.Source.Address
	host := addr
	if strings.HasPrefix(addr, "[") {
		if end := strings.IndexByte(addr, ']'); end > 0 {
			host = addr[1:end]
		}
	} else if strings.Count(addr, ":") == 1 {
		host = addr[:strings.IndexByte(addr, ':')]
	}
	if len(host) == len(addr) {
		return stringVal(&a.in.Source.Address)
	}
	a.hostPart = host
	return stringVal(&a.hostPart)
}

// partialActivation is an activation whose args and named_args are
// unknown. Being a single pointer, it converts to an interface without
// allocating.
type partialActivation struct{ *activation }

var _ interpreter.PartialActivation = partialActivation{}

// UnknownAttributePatterns implements interpreter.PartialActivation.
func (p partialActivation) UnknownAttributePatterns() []*interpreter.AttributePattern {
	return p.patterns
}

// AsPartialActivation lets cel-go find the unknown patterns through its
// execution frame.
func (p partialActivation) AsPartialActivation() (interpreter.PartialActivation, bool) {
	return p, true
}
