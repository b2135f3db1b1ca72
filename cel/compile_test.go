package cel

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestCompileErrors: position (1-based line and column within the rule)
// and CEL's message, hint included.
func TestCompileErrors(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{"admins": []string{"dba"}}))
	cases := []struct {
		name, rule string
		line, col  int
		msg        []string
	}{
		{"misspelt field", `key.rol == "reader"`, 1, 4, []string{"undeclared reference to 'key.rol'", "did you mean 'key.role'?"}},
		{"misspelt field second line", "key.role == \"reader\" &&\n  query.comand == \"SELECT\"", 2, 8, []string{"'query.comand'", "did you mean 'query.command'?"}},
		{"misspelt constant", `key.role in admin`, 1, 13, []string{"undeclared reference to 'admin'"}},
		{"unknown root", `foo == 1`, 1, 1, []string{"undeclared reference to 'foo'"}},
		{"non-bool int", `query.params + 1`, 1, 1, []string{"must be a bool expression", "int"}},
		{"non-bool string", `key.role`, 1, 1, []string{"must be a bool expression", "string"}},
		{"non-bool dyn", `args[0]`, 1, 1, []string{"must be a bool expression", "dyn"}},
		{"type mismatch", `key.role == 1`, 1, 10, []string{"no matching overload for '_==_'"}},
		{"invalid regex member", `query.text.matches("(unclosed")`, 1, 20, []string{"invalid regular expression", "missing closing )"}},
		{"invalid regex global", `matches(key.role, "[z-a]")`, 1, 19, []string{"invalid regular expression", "invalid character class range"}},
		{"invalid regex in comprehension", "query.tables.exists(t,\n t.matches(\"a**\"))", 2, 12, []string{"invalid regular expression"}},
		{"invalid duration", `now - key.issued_at < duration("8 hours")`, 1, 32, []string{"invalid duration argument"}},
		{"invalid timestamp", `now < timestamp("tomorrow")`, 1, 17, []string{"invalid timestamp argument"}},
		{"invalid ip literal", `ip("10.0.0.300") == ip(source.ip)`, 1, 4, []string{"ip"}},
		{"empty", ``, 1, 1, []string{"empty rule"}},
		{"blank", " \n\t", 1, 1, []string{"empty rule"}},
		{"syntax", `key.role == `, 1, 13, []string{"Syntax error"}},
		{"mixed list literal", `key.role in ["a", 1]`, 1, 19, []string{"expected type 'string' but found 'int'"}},
		// CEL places a qualified name at its last dot; columns count code points, not bytes
		{"unicode column", `"é" == "é" && kez.role == ""`, 1, 18, []string{"undeclared reference to 'kez"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := env.Compile(c.rule)
			if err == nil {
				t.Fatalf("compiled: %v", p)
			}
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *CompileError", err, err)
			}
			if !errors.Is(err, ErrCompile) {
				t.Error("errors.Is(err, ErrCompile) is false")
			}
			if ce.Line != c.line || ce.Column != c.col {
				t.Errorf("position %d:%d, want %d:%d (%s)", ce.Line, ce.Column, c.line, c.col, ce.Msg)
			}
			for _, m := range c.msg {
				if !strings.Contains(ce.Msg, m) {
					t.Errorf("message %q does not contain %q", ce.Msg, m)
				}
			}
			if want := fmt.Sprintf("%d:%d: %s", c.line, c.col, ce.Msg); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestCompileErrorFormat(t *testing.T) {
	err := error(&CompileError{Line: 2, Column: 7, Msg: "boom"})
	if err.Error() != "2:7: boom" {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestCompileOnZeroEnv(t *testing.T) {
	var env Env
	if _, err := env.Compile("true"); err == nil {
		t.Error("Compile on a zero Env succeeded")
	}
}
