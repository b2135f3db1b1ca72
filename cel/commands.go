package cel

import (
	"sort"
	"strings"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/traits"
)

// commandSet is a set of values of a string variable; nil means any value.
type commandSet map[string]struct{}

// narrowValues returns the values of the string variable name (such as
// query.command) for which the checked expression e can be true, or nil
// when it cannot tell. It is conservative: it narrows only through
//
//   - name == "X" (either side), name in ["X", "Y"] or name in a declared
//     list constant;
//   - a && b (intersection: both must hold);
//   - a || b (union, only when both sides narrow).
//
// Anything else (negation, ternaries, comprehensions, functions) means any
// value.
func narrowValues(a *ast.AST, e ast.Expr, name string) commandSet {
	if e.Kind() != ast.CallKind {
		return nil
	}
	call := e.AsCall()
	args := call.Args()
	switch call.FunctionName() {
	case operators.LogicalAnd:
		if len(args) != 2 {
			return nil
		}
		l, r := narrowValues(a, args[0], name), narrowValues(a, args[1], name)
		switch {
		case l == nil:
			return r
		case r == nil:
			return l
		}
		out := commandSet{}
		for c := range l {
			if _, ok := r[c]; ok {
				out[c] = struct{}{}
			}
		}
		return out
	case operators.LogicalOr:
		if len(args) != 2 {
			return nil
		}
		l, r := narrowValues(a, args[0], name), narrowValues(a, args[1], name)
		if l == nil || r == nil {
			return nil
		}
		out := commandSet{}
		for c := range l {
			out[c] = struct{}{}
		}
		for c := range r {
			out[c] = struct{}{}
		}
		return out
	case operators.Equals:
		if len(args) != 2 || call.IsMemberFunction() {
			return nil
		}
		for _, pair := range [2][2]ast.Expr{{args[0], args[1]}, {args[1], args[0]}} {
			if isVar(a, pair[0], name) {
				if s, ok := stringLiteral(a, pair[1]); ok {
					return commandSet{s: {}}
				}
			}
		}
		return nil
	case operators.In:
		if len(args) != 2 || !isVar(a, args[0], name) {
			return nil
		}
		return stringList(a, args[1])
	}
	return nil
}

// isVar reports whether e reads the variable name (and not, say, a
// comprehension variable that happens to be named query).
func isVar(a *ast.AST, e ast.Expr, name string) bool {
	if e.Kind() != ast.IdentKind {
		return false
	}
	ref, ok := a.ReferenceMap()[e.ID()]
	return ok && strings.TrimPrefix(ref.Name, ".") == name && ref.Value == nil
}

// stringLiteral returns the string a literal or a declared string
// constant stands for.
func stringLiteral(a *ast.AST, e ast.Expr) (string, bool) {
	switch e.Kind() {
	case ast.LiteralKind:
		s, ok := e.AsLiteral().(types.String)
		return string(s), ok
	case ast.IdentKind:
		if ref, ok := a.ReferenceMap()[e.ID()]; ok && ref.Value != nil {
			s, ok := ref.Value.(types.String)
			return string(s), ok
		}
	}
	return "", false
}

// stringList returns the elements of a list literal of strings or of a
// declared constant list of strings, or nil.
func stringList(a *ast.AST, e ast.Expr) commandSet {
	switch e.Kind() {
	case ast.ListKind:
		l := e.AsList()
		if len(l.OptionalIndices()) > 0 {
			return nil
		}
		out := commandSet{}
		for _, el := range l.Elements() {
			s, ok := stringLiteral(a, el)
			if !ok {
				return nil
			}
			out[s] = struct{}{}
		}
		return out
	case ast.IdentKind:
		ref, ok := a.ReferenceMap()[e.ID()]
		if !ok || ref.Value == nil {
			return nil
		}
		l, ok := ref.Value.(traits.Lister)
		if !ok {
			return nil
		}
		out := commandSet{}
		n, _ := l.Size().(types.Int)
		for i := types.Int(0); i < n; i++ {
			s, ok := l.Get(i).(types.String)
			if !ok {
				return nil
			}
			out[string(s)] = struct{}{}
		}
		return out
	}
	return nil
}

// sorted returns the set's members in order; nil stays nil, and an empty
// set (the rule can never be true) is an empty, non-nil slice.
func (s commandSet) sorted() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s))
	for c := range s {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// readVariables returns the sorted vocabulary variables a checked
// expression refers to.
func readVariables(a *ast.AST) []string {
	seen := map[string]bool{}
	for _, ref := range a.ReferenceMap() {
		if ref.Value != nil || ref.Name == "" {
			continue // a constant, or a function reference
		}
		name := strings.TrimPrefix(ref.Name, ".")
		if _, ok := lookupVar(name); ok {
			seen[name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
