package cel

import (
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/traits"
)

// The fast path.
//
// Most rules are conjunctions of plain comparisons: query.command ==
// "SELECT", key.role in ["app", "batch"], key.expires_at > now,
// query.tables.exists(t, t in secret_tables). At Compile, the checked
// expression is translated into a tree of Go functions for the part of
// CEL that can be decided exactly without cel-go: comparisons of a
// vocabulary variable with a literal or constant, membership in string
// lists, the exists and all macros over string lists with such a
// predicate, startsWith/endsWith/contains with a literal, !, && and ||.
// Each node answers yes, no or unknown. Unknown is the answer for every
// expression outside that subset, and for any input on which CEL could
// fail (now unset). The logical operators follow CEL's commutative
// semantics, in which false && error is false and true || error is true,
// so a rule whose known part already decides it is decided without
// cel-go; otherwise cel-go evaluates the whole rule, as before.
//
// No node of the subset can fail in CEL, so a yes or no is exactly what
// cel-go would return. Rules compiled with a runtime cost limit get no
// fast path (a limit reached is an error, which the subset cannot model).
// TestFastPathAgreesWithCEL checks the agreement on generated rules and
// inputs.

// tri is the answer of a fast-path node.
type tri uint8

const (
	unknown tri = iota
	no
	yes
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

func (t tri) not() tri {
	switch t {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

// fastFn decides a node for one input.
type fastFn func(in *Input) tri

// fastCompiler builds the fast path of one checked expression.
type fastCompiler struct {
	a *ast.AST
}

// compileFast returns the rule's fast path, or nil when no part of it can
// be decided without cel-go.
func compileFast(a *ast.AST) fastFn {
	c := fastCompiler{a: a}
	return c.expr(a.Expr())
}

// expr translates e; nil means unknown for every input.
func (c *fastCompiler) expr(e ast.Expr) fastFn {
	switch e.Kind() {
	case ast.LiteralKind:
		if b, ok := e.AsLiteral().(types.Bool); ok {
			v := triOf(bool(b))
			return func(*Input) tri { return v }
		}
		return nil
	case ast.IdentKind:
		if id, ok := c.variable(e); ok {
			if get := boolVar(id); get != nil {
				return func(in *Input) tri { return triOf(get(in)) }
			}
			return nil
		}
		if v, ok := c.constant(e).(types.Bool); ok {
			t := triOf(bool(v))
			return func(*Input) tri { return t }
		}
		return nil
	case ast.CallKind:
		return c.call(e.AsCall())
	case ast.ComprehensionKind:
		return c.quantifier(e.AsComprehension())
	}
	return nil
}

func (c *fastCompiler) call(call ast.CallExpr) fastFn {
	args := call.Args()
	if call.IsMemberFunction() {
		return c.member(call)
	}
	switch call.FunctionName() {
	case operators.LogicalAnd:
		if len(args) != 2 {
			return nil
		}
		return and(c.expr(args[0]), c.expr(args[1]))
	case operators.LogicalOr:
		if len(args) != 2 {
			return nil
		}
		return or(c.expr(args[0]), c.expr(args[1]))
	case operators.LogicalNot:
		if len(args) != 1 {
			return nil
		}
		if f := c.expr(args[0]); f != nil {
			return func(in *Input) tri { return f(in).not() }
		}
		return nil
	case operators.Equals, operators.NotEquals:
		if len(args) != 2 {
			return nil
		}
		f := c.equals(args[0], args[1])
		if f == nil || call.FunctionName() == operators.Equals {
			return f
		}
		return func(in *Input) tri { return f(in).not() }
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		if len(args) != 2 {
			return nil
		}
		return c.compare(call.FunctionName(), args[0], args[1])
	case operators.In:
		if len(args) != 2 {
			return nil
		}
		return c.in(args[0], args[1], "")
	}
	return nil
}

func and(l, r fastFn) fastFn { return join(l, r, no) }

func or(l, r fastFn) fastFn { return join(l, r, yes) }

// join builds l && r (dominant no) or l || r (dominant yes): the dominant
// answer on either side decides, whatever the other side (CEL's
// commutative && and ||); the other answer needs both sides.
func join(l, r fastFn, dominant tri) fastFn {
	other := dominant.not()
	switch {
	case l == nil && r == nil:
		return nil
	case l == nil:
		l, r = r, l
		fallthrough
	case r == nil:
		return func(in *Input) tri {
			if l(in) == dominant {
				return dominant
			}
			return unknown
		}
	}
	return func(in *Input) tri {
		x := l(in)
		if x == dominant {
			return dominant
		}
		y := r(in)
		switch {
		case y == dominant:
			return dominant
		case x == other && y == other:
			return other
		}
		return unknown
	}
}

// variable returns the vocabulary variable e reads, if it is one (and not
// a constant or a comprehension variable).
func (c *fastCompiler) variable(e ast.Expr) (varID, bool) {
	if e.Kind() != ast.IdentKind {
		return 0, false
	}
	ref, ok := c.a.ReferenceMap()[e.ID()]
	if !ok || ref.Value != nil {
		return 0, false
	}
	return lookupVar(strings.TrimPrefix(ref.Name, "."))
}

// constant returns the value of a literal or a declared constant, or nil.
func (c *fastCompiler) constant(e ast.Expr) any {
	switch e.Kind() {
	case ast.LiteralKind:
		return e.AsLiteral()
	case ast.IdentKind:
		if ref, ok := c.a.ReferenceMap()[e.ID()]; ok && ref.Value != nil {
			return ref.Value
		}
	}
	return nil
}

// str returns a reader of the string that e is: a string variable, or a
// string literal or constant.
func (c *fastCompiler) str(e ast.Expr) func(*Input) string {
	if id, ok := c.variable(e); ok {
		return stringVar(id)
	}
	if s, ok := c.constant(e).(types.String); ok {
		v := string(s)
		return func(*Input) string { return v }
	}
	return nil
}

// list returns a reader of the string list that e is: a list variable, or
// a list literal of string literals or a string list constant.
func (c *fastCompiler) list(e ast.Expr) func(*Input) []string {
	if id, ok := c.variable(e); ok {
		return listVar(id)
	}
	if s, ok := c.constList(e); ok {
		return func(*Input) []string { return s }
	}
	return nil
}

// constList returns the strings of a list literal of string literals and
// constants, or of a declared list constant whose elements are all
// strings.
func (c *fastCompiler) constList(e ast.Expr) ([]string, bool) {
	if e.Kind() == ast.ListKind {
		l := e.AsList()
		if len(l.OptionalIndices()) > 0 {
			return nil, false
		}
		out := make([]string, 0, l.Size())
		for _, el := range l.Elements() {
			s, ok := c.constant(el).(types.String)
			if !ok {
				return nil, false
			}
			out = append(out, string(s))
		}
		return out, true
	}
	l, ok := c.constant(e).(traits.Lister)
	if !ok {
		return nil, false
	}
	n, ok := l.Size().(types.Int)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, int(n))
	for i := types.Int(0); i < n; i++ {
		s, ok := l.Get(i).(types.String)
		if !ok {
			return nil, false
		}
		out = append(out, string(s))
	}
	return out, true
}

func (c *fastCompiler) equals(x, y ast.Expr) fastFn {
	if l, r := c.str(x), c.str(y); l != nil && r != nil {
		return func(in *Input) tri { return triOf(l(in) == r(in)) }
	}
	if l, r := c.boolean(x), c.boolean(y); l != nil && r != nil {
		return func(in *Input) tri { return triOf(l(in) == r(in)) }
	}
	if l, r := c.integer(x), c.integer(y); l != nil && r != nil {
		return func(in *Input) tri { return triOf(l(in) == r(in)) }
	}
	if l, r := c.timestamp(x), c.timestamp(y); l != nil && r != nil {
		return func(in *Input) tri {
			a, aok := l(in)
			b, bok := r(in)
			if !aok || !bok {
				return unknown
			}
			return triOf(a.Equal(b))
		}
	}
	if l, r := c.list(x), c.list(y); l != nil && r != nil {
		// CEL's list equality: the same length and equal elements in order.
		return func(in *Input) tri { return triOf(slices.Equal(l(in), r(in))) }
	}
	return nil
}

// boolean returns a reader of a bool variable, literal or constant.
func (c *fastCompiler) boolean(e ast.Expr) func(*Input) bool {
	if id, ok := c.variable(e); ok {
		return boolVar(id)
	}
	if b, ok := c.constant(e).(types.Bool); ok {
		v := bool(b)
		return func(*Input) bool { return v }
	}
	return nil
}

// integer returns a reader of an int variable, literal or constant.
func (c *fastCompiler) integer(e ast.Expr) func(*Input) int64 {
	if id, ok := c.variable(e); ok {
		return intVar(id)
	}
	if n, ok := c.constant(e).(types.Int); ok {
		v := int64(n)
		return func(*Input) int64 { return v }
	}
	return nil
}

// timestamp returns a reader of a timestamp variable; ok is false when
// CEL would fail to read it (now unset).
func (c *fastCompiler) timestamp(e ast.Expr) func(*Input) (time.Time, bool) {
	if id, ok := c.variable(e); ok {
		return timeVar(id)
	}
	return nil
}

func (c *fastCompiler) compare(op string, x, y ast.Expr) fastFn {
	if l, r := c.integer(x), c.integer(y); l != nil && r != nil {
		switch op {
		case operators.Less:
			return func(in *Input) tri { return triOf(l(in) < r(in)) }
		case operators.LessEquals:
			return func(in *Input) tri { return triOf(l(in) <= r(in)) }
		case operators.Greater:
			return func(in *Input) tri { return triOf(l(in) > r(in)) }
		case operators.GreaterEquals:
			return func(in *Input) tri { return triOf(l(in) >= r(in)) }
		}
		return nil
	}
	if l, r := c.timestamp(x), c.timestamp(y); l != nil && r != nil {
		// CEL orders timestamps with time.Time's Before and After.
		var want func(a, b time.Time) bool
		switch op {
		case operators.Less:
			want = func(a, b time.Time) bool { return a.Before(b) }
		case operators.LessEquals:
			want = func(a, b time.Time) bool { return !a.After(b) }
		case operators.Greater:
			want = func(a, b time.Time) bool { return a.After(b) }
		case operators.GreaterEquals:
			want = func(a, b time.Time) bool { return !a.Before(b) }
		default:
			return nil
		}
		return func(in *Input) tri {
			a, aok := l(in)
			b, bok := r(in)
			if !aok || !bok {
				return unknown
			}
			return triOf(want(a, b))
		}
	}
	return nil
}

// in translates elem in list. iter, when set, is the name of the
// enclosing quantifier's variable, which elem may be.
func (c *fastCompiler) in(elem, list ast.Expr, iter string) fastFn {
	l := c.list(list)
	if l == nil {
		return nil
	}
	if iter != "" && isIdent(elem, iter) {
		return nil // handled by iterPredicate
	}
	s := c.str(elem)
	if s == nil {
		return nil
	}
	return func(in *Input) tri { return triOf(contains(l(in), s(in))) }
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	return e.Kind() == ast.IdentKind && e.AsIdent() == name
}

// member translates s.startsWith(lit), s.endsWith(lit) and
// s.contains(lit) on strings.
func (c *fastCompiler) member(call ast.CallExpr) fastFn {
	args := call.Args()
	if len(args) != 1 {
		return nil
	}
	var op func(s, sub string) bool
	switch call.FunctionName() {
	case overloads.StartsWith:
		op = strings.HasPrefix
	case overloads.EndsWith:
		op = strings.HasSuffix
	case overloads.Contains:
		op = strings.Contains
	default:
		return nil
	}
	s, sub := c.str(call.Target()), c.str(args[0])
	if s == nil || sub == nil {
		return nil
	}
	return func(in *Input) tri { return triOf(op(s(in), sub(in))) }
}

// quantifier translates list.exists(x, p) and list.all(x, p) over a
// string list, where p is a predicate on x alone (see iterPredicate).
func (c *fastCompiler) quantifier(comp ast.ComprehensionExpr) fastFn {
	if comp.HasIterVar2() {
		return nil
	}
	accu, iter := comp.AccuVar(), comp.IterVar()
	init, ok := comp.AccuInit().AsLiteral().(types.Bool)
	if comp.AccuInit().Kind() != ast.LiteralKind || !ok || !isIdent(comp.Result(), accu) {
		return nil
	}
	// The loop step is accu || p (exists) or accu && p (all).
	step := comp.LoopStep()
	if step.Kind() != ast.CallKind {
		return nil
	}
	sc := step.AsCall()
	want := operators.LogicalOr
	if init {
		want = operators.LogicalAnd
	}
	if sc.FunctionName() != want || len(sc.Args()) != 2 || !isIdent(sc.Args()[0], accu) {
		return nil
	}
	// The loop condition only stops early once the result is known; it
	// does not change the result when no predicate can fail.
	if !c.earlyExit(comp.LoopCondition(), accu, bool(init)) {
		return nil
	}
	pred := c.iterPredicate(sc.Args()[1], iter)
	if pred == nil {
		return nil
	}
	list := c.list(comp.IterRange())
	if list == nil {
		return nil
	}
	if init { // all
		return func(in *Input) tri {
			for _, x := range list(in) {
				if !pred(x) {
					return no
				}
			}
			return yes
		}
	}
	return func(in *Input) tri { // exists
		for _, x := range list(in) {
			if pred(x) {
				return yes
			}
		}
		return no
	}
}

// earlyExit reports whether cond is the loop condition of the exists
// (@not_strictly_false(!accu)) or all (@not_strictly_false(accu)) macro.
func (c *fastCompiler) earlyExit(cond ast.Expr, accu string, all bool) bool {
	if cond.Kind() != ast.CallKind {
		return false
	}
	call := cond.AsCall()
	if call.FunctionName() != operators.NotStrictlyFalse || len(call.Args()) != 1 {
		return false
	}
	arg := call.Args()[0]
	if all {
		return isIdent(arg, accu)
	}
	if arg.Kind() != ast.CallKind {
		return false
	}
	not := arg.AsCall()
	return not.FunctionName() == operators.LogicalNot && len(not.Args()) == 1 && isIdent(not.Args()[0], accu)
}

// iterPredicate translates a predicate on the quantifier variable iter:
// iter == s, s == iter, iter != s, iter in list, iter.startsWith(s),
// iter.endsWith(s), iter.contains(s), where s and list do not read iter,
// combined with !, && and ||.
func (c *fastCompiler) iterPredicate(e ast.Expr, iter string) func(string) bool {
	if e.Kind() != ast.CallKind {
		return nil
	}
	call := e.AsCall()
	args := call.Args()
	// Operands other than iter must be constants; a name equal to iter
	// is iter (it shadows any constant of that name).
	constStr := func(e ast.Expr) (string, bool) {
		if isIdent(e, iter) {
			return "", false
		}
		s, ok := c.constant(e).(types.String)
		return string(s), ok
	}
	if call.IsMemberFunction() {
		if len(args) != 1 || !isIdent(call.Target(), iter) {
			return nil
		}
		sub, ok := constStr(args[0])
		if !ok {
			return nil
		}
		switch call.FunctionName() {
		case overloads.StartsWith:
			return func(x string) bool { return strings.HasPrefix(x, sub) }
		case overloads.EndsWith:
			return func(x string) bool { return strings.HasSuffix(x, sub) }
		case overloads.Contains:
			return func(x string) bool { return strings.Contains(x, sub) }
		}
		return nil
	}
	switch call.FunctionName() {
	case operators.LogicalAnd, operators.LogicalOr:
		if len(args) != 2 {
			return nil
		}
		l, r := c.iterPredicate(args[0], iter), c.iterPredicate(args[1], iter)
		if l == nil || r == nil {
			return nil
		}
		if call.FunctionName() == operators.LogicalAnd {
			return func(x string) bool { return l(x) && r(x) }
		}
		return func(x string) bool { return l(x) || r(x) }
	case operators.LogicalNot:
		if len(args) != 1 {
			return nil
		}
		if f := c.iterPredicate(args[0], iter); f != nil {
			return func(x string) bool { return !f(x) }
		}
		return nil
	case operators.Equals, operators.NotEquals:
		if len(args) != 2 {
			return nil
		}
		var s string
		var ok bool
		switch {
		case isIdent(args[0], iter):
			s, ok = constStr(args[1])
		case isIdent(args[1], iter):
			s, ok = constStr(args[0])
		}
		if !ok {
			return nil
		}
		if call.FunctionName() == operators.Equals {
			return func(x string) bool { return x == s }
		}
		return func(x string) bool { return x != s }
	case operators.In:
		if len(args) != 2 || !isIdent(args[0], iter) {
			return nil
		}
		if isIdent(args[1], iter) {
			return nil
		}
		list, ok := c.constList(args[1])
		if !ok {
			return nil
		}
		if len(list) > 8 {
			set := make(map[string]struct{}, len(list))
			for _, s := range list {
				set[s] = struct{}{}
			}
			return func(x string) bool { _, ok := set[x]; return ok }
		}
		return func(x string) bool { return contains(list, x) }
	}
	return nil
}

// The readers of the vocabulary variables, by type; nil for a variable of
// another type (or one the fast path does not read, such as source.ip).

func stringVar(id varID) func(*Input) string {
	switch id {
	case vQueryText:
		return func(in *Input) string { return in.Query.Text }
	case vQueryFingerprint:
		return func(in *Input) string { return in.Query.Fingerprint }
	case vQueryCommand:
		return func(in *Input) string { return in.Query.Command }
	case vQueryObject:
		return func(in *Input) string { return in.Query.Object }
	case vQueryDialect:
		return func(in *Input) string { return string(in.Query.Dialect) }
	case vKeyID:
		return func(in *Input) string { return in.Key.ID }
	case vKeySubject:
		return func(in *Input) string { return in.Key.Subject }
	case vKeyRole:
		return func(in *Input) string { return in.Key.Role }
	case vKeySession:
		return func(in *Input) string { return in.Key.Session }
	case vSourceApp:
		return func(in *Input) string { return in.Source.App }
	case vSourceService:
		return func(in *Input) string { return in.Source.Service }
	case vSourceAddress:
		return func(in *Input) string { return in.Source.Address }
	case vSourceRoute:
		return func(in *Input) string { return in.Source.Route }
	}
	return nil
}

func boolVar(id varID) func(*Input) bool {
	switch id {
	case vQueryReadOnly:
		return func(in *Input) bool { return in.Query.ReadOnly }
	case vQueryHasWhere:
		return func(in *Input) bool { return in.Query.HasWhere }
	case vKeyPresent:
		return func(in *Input) bool { return in.Key.Present }
	case vTxActive:
		return func(in *Input) bool { return in.Tx.Active }
	case vTxReadOnly:
		return func(in *Input) bool { return in.Tx.ReadOnly }
	}
	return nil
}

func intVar(id varID) func(*Input) int64 {
	switch id {
	case vQueryParams:
		return func(in *Input) int64 { return int64(in.Query.Params) }
	case vUsageKeyCalls1m:
		return func(in *Input) int64 { return in.Usage.KeyCalls1m }
	case vUsageKeyCalls1h:
		return func(in *Input) int64 { return in.Usage.KeyCalls1h }
	case vUsageFingerprintCalls1m:
		return func(in *Input) int64 { return in.Usage.FingerprintCalls1m }
	}
	return nil
}

func timeVar(id varID) func(*Input) (time.Time, bool) {
	switch id {
	case vKeyIssuedAt:
		return func(in *Input) (time.Time, bool) { return in.Key.IssuedAt, true }
	case vKeyExpiresAt:
		return func(in *Input) (time.Time, bool) { return in.Key.ExpiresAt, true }
	case vNow:
		// A zero now fails in CEL (errNowUnset): unknown here.
		return func(in *Input) (time.Time, bool) { return in.Now, !in.Now.IsZero() }
	}
	return nil
}

func listVar(id varID) func(*Input) []string {
	switch id {
	case vQueryTables:
		return func(in *Input) []string { return in.Query.Tables }
	case vQueryFunctions:
		return func(in *Input) []string { return in.Query.Functions }
	case vQueryLiterals:
		return func(in *Input) []string { return in.Query.Literals }
	case vKeyScopes:
		return func(in *Input) []string { return in.Key.Scopes }
	}
	return nil
}
