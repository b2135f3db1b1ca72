package approval

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestPolicyLoadErrorsGolden loads every testdata/load_errors/*.yaml and
// compares the error text with the .golden file beside it.
func TestPolicyLoadErrorsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/load_errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := LoadPolicy(f)
			if err == nil {
				t.Fatal("policy loaded, want errors")
			}
			var pe PolicyErrors
			if !errors.As(err, &pe) || len(pe) == 0 {
				t.Fatalf("error %T is not PolicyErrors: %v", err, err)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ\n got:\n%s\nwant:\n%s", got, want)
			}
			for _, e := range pe {
				if e.File != f || e.Line == 0 {
					t.Errorf("error without position: %v", e)
				}
			}
		})
	}
}

func TestPolicyCompileErrorPosition(t *testing.T) {
	tests := []struct {
		name, src  string
		line, col  int
		wantInText string // CEL places a select error at its dot
	}{
		{"plain", "version: x\ndialect: postgres\nrules:\n  - name: r\n    effect: allow\n    when: query.read_only && key.rol == 'a'\n",
			6, 33, ".rol"},
		{"double quoted", "version: x\ndialect: postgres\nrules:\n  - name: r\n    effect: allow\n    when: \"query.read_only && key.rol == 'a'\"\n",
			6, 34, ".rol"},
		{"literal block", "version: x\ndialect: postgres\nrules:\n  - name: r\n    effect: allow\n    when: |\n      query.read_only &&\n        key.rol == 'a'\n",
			8, 12, ".rol"},
		{"folded block", "version: x\ndialect: postgres\nrules:\n  - name: r\n    effect: allow\n    when: >\n      query.read_only &&\n      key.rol == 'a'\n",
			8, 10, ".rol"},
		{"flow rule", "version: x\ndialect: postgres\nrules:\n  - {name: r, effect: allow, when: 'key.rol == \"a\"'}\n",
			4, 40, ".rol"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePolicy([]byte(tc.src), "p.yaml")
			var pe PolicyErrors
			if !errors.As(err, &pe) || len(pe) != 1 {
				t.Fatalf("err = %v, want one PolicyError", err)
			}
			e := pe[0]
			var ce *cel.CompileError
			if !errors.As(e, &ce) {
				t.Errorf("cause is not a *cel.CompileError: %v", e.Err)
			}
			if e.Line != tc.line || e.Column != tc.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", e.Line, e.Column, tc.line, tc.col, e)
			}
			lines := strings.Split(tc.src, "\n")
			if at := lines[e.Line-1][e.Column-1:]; !strings.HasPrefix(at, tc.wantInText) {
				t.Errorf("position points at %q, want %q", at, tc.wantInText)
			}
			if e.Rule != "r" || !strings.Contains(e.Error(), "did you mean") {
				t.Errorf("error lacks rule or CEL's hint: %v", e)
			}
		})
	}
}

func TestPolicyFields(t *testing.T) {
	const src = `
version: "2026-11-28"
dialect: postgres
mode: learn
default: review
anonymous: true
constants:
  admins: [dba]
  max_rows: 100
  ratio: 0.5
  strict: true
  tenants: {acme: "a1", globex: "g2"}
  mixed: [1, "a"]
limits:
  max_sql_bytes: 1000
  max_args: 10
  max_arg_length: 100
  max_text_length: 1000
  max_string_length: 50
  max_list_length: 20
  max_map_size: 5
  cost_budget: 50000
rules:
  - name: admins
    effect: allow
    when: key.role in admins && strict && ratio < 1.0 && max_rows > 1 && tenants["acme"] == "a1" && size(mixed) == 2
    description: DBAs
  - name: trial
    effect: deny
    mode: dry-run
    when: query.command == "DROP"
`
	p := mustPolicy(t, src)
	if !strings.HasPrefix(p.Version(), "2026-11-28+") || len(p.Version()) != len("2026-11-28+")+12 {
		t.Errorf("version %q", p.Version())
	}
	if p.Mode() != Learn || p.Default() != Review || !p.Anonymous() || p.Dialect() != sqlnorm.Postgres || p.Name() != "test.yaml" {
		t.Errorf("mode %v default %v anonymous %v dialect %v", p.Mode(), p.Default(), p.Anonymous(), p.Dialect())
	}
	want := Limits{MaxSQLBytes: 1000, CostBudget: 50000, Input: cel.Limits{MaxArgs: 10, MaxArgLength: 100, MaxTextLength: 1000,
		MaxStringLength: 50, MaxListLength: 20, MaxMapSize: 5}}
	if p.Limits() != want {
		t.Errorf("limits %+v, want %+v", p.Limits(), want)
	}
	rules := p.Rules()
	if len(rules) != 2 || rules[0].Name != "admins" || rules[0].Effect != Allow || rules[0].Description != "DBAs" ||
		rules[1].Effect != Deny || !rules[1].DryRun || rules[1].Line != 28 {
		t.Errorf("rules %+v", rules)
	}
	// Same version string, different content: different versions.
	p2 := mustPolicy(t, strings.Replace(src, "DBAs", "DBA team", 1))
	if p2.Version() == p.Version() {
		t.Error("two different files share a version")
	}
	if d := DefaultLimits(); d.Input != cel.DefaultLimits() || d.CostBudget != cel.DefaultCostBudget {
		t.Errorf("default limits %+v", d)
	}
}

func TestPolicyRejectsInput(t *testing.T) {
	for name, src := range map[string]string{
		"empty":          "",
		"only comments":  "# nothing\n",
		"not a mapping":  "- a\n- b\n",
		"two documents":  "version: a\ndialect: postgres\n---\nversion: b\n",
		"huge":           "version: a\ndialect: postgres\n#" + strings.Repeat("x", maxPolicyBytes) + "\n",
		"rules not list": "version: a\ndialect: postgres\nrules: {a: b}\n",
		"duplicate key":  "version: a\nversion: b\ndialect: postgres\n",
		"deep constant":  "version: a\ndialect: postgres\nconstants:\n  c: [[[[[[[[[[1]]]]]]]]]]\n",
		"null constant":  "version: a\ndialect: postgres\nconstants:\n  c: ~\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParsePolicy([]byte(src), "x.yaml"); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestLoadPolicyMissingFile(t *testing.T) {
	if _, err := LoadPolicy(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Error("loaded a missing file")
	}
}

func TestPolicySettings(t *testing.T) {
	p := mustPolicy(t, "version: s\ndialect: postgres\nsettings:\n  standard_conforming_strings: off\n  client_encoding: UTF8\nrules: []\n")
	if o := p.Options(); o.Dialect != sqlnorm.Postgres || !o.NonStandardStrings {
		t.Errorf("options %+v", o)
	}
	p = mustPolicy(t, "version: s\ndialect: mysql\nsettings:\n  sql_mode: ANSI_QUOTES,NO_BACKSLASH_ESCAPES\nrules: []\n")
	if o := p.Options(); !o.ANSIQuotes || !o.NoBackslashEscapes {
		t.Errorf("options %+v", o)
	}
}

// TestDecideThroughLexer runs real SQL text through the Gate's statement
// cache and the policy's lexer settings.
func TestDecideThroughLexer(t *testing.T) {
	const src = `
version: l
dialect: postgres
settings:
  standard_conforming_strings: "off"
rules:
  - name: no-secrets
    effect: deny
    when: '"secrets" in query.tables'
  - name: reads
    effect: allow
    when: query.read_only && query.command == "SELECT"
`
	g := mustGate(t, mustPolicy(t, src), WithClock(newTestClock()))
	ctx := WithKey(context.Background(), testKey("app"))
	tests := []struct {
		sql    string
		effect Effect
		rule   string
		errs   []error
	}{
		{"SELECT id FROM orders WHERE id = $1", Allow, "reads", nil},
		{"select * from secrets", Deny, "no-secrets", []error{ErrDenied}},
		{"DELETE FROM orders", Deny, "default", []error{ErrDenied}},
		// With standard_conforming_strings off, \' does not end the string:
		// the text below is one literal (with it on, it is two statements;
		// see below).
		{`SELECT 'a\'; DROP TABLE orders; --'`, Allow, "reads", nil},
		{"SELECT 1; SELECT 2", Deny, "", []error{ErrDenied, sqlnorm.ErrRejected}},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			d := g.Decide(ctx, Request{SQL: tc.sql, Args: []Arg{{Ordinal: 1, Value: int64(1)}}})
			checkDecision(t, d, tc.effect, tc.rule, tc.errs...)
			if tc.effect == Allow && (d.Statement == nil || d.Fingerprint == "" || d.Fingerprint != d.Statement.Fingerprint) {
				t.Errorf("statement %+v fingerprint %q", d.Statement, d.Fingerprint)
			}
		})
	}
	// The same text under the default setting hides a second statement:
	// rejected.
	g.SetPolicy(mustPolicy(t, strings.Replace(src, `"off"`, `"on"`, 1)))
	d := g.Decide(ctx, Request{SQL: `SELECT 'a\'; DROP TABLE orders; --'`})
	checkDecision(t, d, Deny, "", ErrDenied, sqlnorm.ErrRejected)
}

// TestDocPolicyExample keeps the policy shown in doc.go loadable.
func TestDocPolicyExample(t *testing.T) {
	const src = `version: "2026-11-28"     # required; Policy.Version adds a content hash
dialect: postgres         # required: postgres, mysql or sqlite
settings:                 # lexer settings (sqlnorm Options.Set); unknown ones are errors
  standard_conforming_strings: "on"
mode: enforce             # enforce (default), dry-run or learn
default: deny             # deny (default) or review: when no rule matches
anonymous: false          # true: calls without a key are evaluated
constants:                # named values usable in rules
  readers: [analyst, support]
limits:                   # input caps and cost budget (see Limits)
  max_args: 256
rules:
  - name: no-ddl          # unique
    effect: deny          # allow, deny or review
    when: query.command in ["DROP", "TRUNCATE"]
    description: DDL goes through migrations
  - name: readers-select
    effect: allow
    when: query.read_only && key.role in readers
  - name: new-rule
    effect: deny
    mode: dry-run         # audited, never applied
    when: size(query.tables) > 3
`
	p := mustPolicy(t, src)
	if len(p.Rules()) != 3 || p.Limits().Input.MaxArgs != 256 || p.Options().NonStandardStrings {
		t.Errorf("doc policy: %+v %+v", p.Rules(), p.Limits())
	}
}
