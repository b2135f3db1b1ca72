package cel

import (
	"regexp"

	celgo "cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
)

// regexLiteralValidator rejects, at compile time, a literal pattern that
// RE2 (Go's regexp) cannot compile, in every function that takes one:
// s.matches(p) and matches(s, p). cel-go's own ValidateRegexLiterals
// checks only the first argument of matches(), which misses the global
// form.
type regexLiteralValidator struct{}

// Name implements celgo.ASTValidator.
func (regexLiteralValidator) Name() string { return "approvedsql.regex_literals" }

// Validate implements celgo.ASTValidator.
func (regexLiteralValidator) Validate(_ *celgo.Env, _ celgo.ValidatorConfig, a *ast.AST, iss *celgo.Issues) {
	calls := ast.MatchDescendants(ast.NavigateAST(a), ast.KindMatcher(ast.CallKind))
	for _, e := range calls {
		call := e.AsCall()
		var idx int
		switch fn := call.FunctionName(); {
		case fn == "matches" && call.IsMemberFunction():
			idx = 0
		case fn == "matches":
			idx = 1
		default:
			continue
		}
		args := call.Args()
		if len(args) <= idx || args[idx].Kind() != ast.LiteralKind {
			continue
		}
		pattern, ok := args[idx].AsLiteral().(types.String)
		if !ok {
			continue
		}
		if _, err := regexp.Compile(string(pattern)); err != nil {
			iss.ReportErrorAtID(args[idx].ID(), "invalid regular expression in %s(): %v", call.FunctionName(), err)
		}
	}
}
