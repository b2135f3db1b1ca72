package approval

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// loader turns a YAML policy into a Policy, collecting every error with
// its position.
type loader struct {
	file string
	src  []byte
	errs PolicyErrors
}

func (l *loader) errorf(n *yaml.Node, rule string, format string, args ...any) {
	e := &PolicyError{File: l.file, Rule: rule, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// maxPolicyBytes bounds the size of a policy file.
const maxPolicyBytes = 4 << 20

const maxConstantDepth = 8

func (l *loader) load() *Policy {
	if len(l.src) > maxPolicyBytes {
		l.errorf(nil, "", "policy larger than %d bytes", maxPolicyBytes)
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(l.src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			l.errorf(nil, "", "empty policy")
			return nil
		}
		l.yamlError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			l.yamlError(err)
		} else {
			l.errorf(&extra, "", "more than one YAML document")
		}
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		l.errorf(&doc, "", "empty policy")
		return nil
	}
	root := doc.Content[0]
	if !l.noAliases(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "", "policy must be a mapping")
		return nil
	}

	p := &Policy{limits: DefaultLimits(), def: Deny}
	fields := l.mapping(root, "", map[string]bool{
		"version": true, "dialect": true, "settings": false, "mode": false, "default": false,
		"anonymous": false, "constants": false, "limits": false, "rules": false,
	})
	if n := fields["version"]; n != nil {
		if s, ok := l.scalar(n, "", "version"); ok {
			if s == "" {
				l.errorf(n, "", "version must not be empty")
			}
			p.version = s
		}
	}
	if n := fields["dialect"]; n != nil {
		if s, ok := l.scalar(n, "", "dialect"); ok {
			switch d := sqlnorm.Dialect(s); d {
			case sqlnorm.Postgres, sqlnorm.MySQL, sqlnorm.SQLite:
				p.dialect = d
			default:
				l.errorf(n, "", "unknown dialect %q (postgres, mysql, sqlite)", s)
			}
		}
	}
	p.opts = sqlnorm.Options{Dialect: p.dialect}
	if n := fields["settings"]; n != nil {
		l.settings(n, &p.opts)
	}
	if n := fields["mode"]; n != nil {
		if s, ok := l.scalar(n, "", "mode"); ok {
			switch s {
			case "enforce":
				p.mode = Enforce
			case "dry-run":
				p.mode = DryRun
			case "learn":
				p.mode = Learn
			default:
				l.errorf(n, "", "unknown mode %q (enforce, dry-run, learn)", s)
			}
		}
	}
	if n := fields["default"]; n != nil {
		if s, ok := l.scalar(n, "", "default"); ok {
			switch s {
			case "deny":
				p.def = Deny
			case "review":
				p.def = Review
			default:
				l.errorf(n, "", "default must be deny or review, not %q", s)
			}
		}
	}
	if n := fields["anonymous"]; n != nil {
		p.anonymous, _ = l.boolean(n, "", "anonymous")
	}
	if n := fields["limits"]; n != nil {
		l.limitsSection(n, &p.limits)
	}
	var consts map[string]any
	if n := fields["constants"]; n != nil {
		consts = l.constants(n)
	}

	var ruleNodes []*yaml.Node
	if n := fields["rules"]; n != nil {
		if n.Kind != yaml.SequenceNode {
			l.errorf(n, "", "rules must be a list")
		} else {
			ruleNodes = n.Content
		}
	}
	p.rules = l.rules(ruleNodes)
	if len(l.errs) > 0 {
		return nil
	}

	envOpts := []cel.EnvOption{cel.WithLimits(p.limits.Input), cel.WithCostBudget(p.limits.CostBudget)}
	if len(consts) > 0 {
		envOpts = append(envOpts, cel.WithConstants(consts))
	}
	env, err := cel.NewEnv(envOpts...)
	if err != nil {
		at := fields["constants"]
		if at == nil {
			at = fields["limits"]
		}
		l.errs = append(l.errs, &PolicyError{File: l.file, Line: nodeLine(at), Column: nodeCol(at),
			Msg: "rule environment: " + err.Error(), Err: err})
		return nil
	}
	p.env = env
	for i, r := range p.rules {
		prog, err := env.Compile(r.When)
		if err != nil {
			l.compileError(ruleNodes[i], r, err)
			continue
		}
		r.prog = prog
		r.reason = "matched " + r.Effect.String() + " rule " + strconv.Quote(r.Name)
	}
	return p
}

func nodeLine(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func nodeCol(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Column
}

func (l *loader) yamlError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		l.errs = append(l.errs, &PolicyError{File: l.file, Line: line, Msg: "YAML: " + m[2], Err: err})
		return
	}
	l.errs = append(l.errs, &PolicyError{File: l.file, Msg: "YAML: " + strings.TrimPrefix(msg, "yaml: "), Err: err})
}

// noAliases refuses anchors and aliases: a policy is read as written.
func (l *loader) noAliases(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		l.errorf(n, "", "YAML anchors and aliases are not allowed in a policy")
		return false
	}
	for _, c := range n.Content {
		if !l.noAliases(c) {
			return false
		}
	}
	return true
}

// mapping checks a mapping's keys against known (name → required) and
// returns the value nodes by key. Unknown and duplicate keys are errors.
func (l *loader) mapping(n *yaml.Node, rule string, known map[string]bool) map[string]*yaml.Node {
	out := make(map[string]*yaml.Node, len(known))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.errorf(k, rule, "keys must be plain names")
			continue
		}
		if _, ok := known[k.Value]; !ok {
			l.errorf(k, rule, "unknown field %q (known: %s)", k.Value, keyList(known))
			continue
		}
		if _, dup := out[k.Value]; dup {
			l.errorf(k, rule, "field %q given twice", k.Value)
			continue
		}
		out[k.Value] = v
	}
	names := make([]string, 0, len(known))
	for name, required := range known {
		if required && out[name] == nil {
			names = append(names, name)
		}
	}
	sortStrings(names)
	for _, name := range names {
		l.errorf(n, rule, "missing required field %q", name)
	}
	return out
}

func keyList(m map[string]bool) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sortStrings(names)
	return strings.Join(names, ", ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (l *loader) scalar(n *yaml.Node, rule, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		l.errorf(n, rule, "%s must be a single value", field)
		return "", false
	}
	return n.Value, true
}

func (l *loader) boolean(n *yaml.Node, rule, field string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		l.errorf(n, rule, "%s must be true or false", field)
		return false, false
	}
	b, err := strconv.ParseBool(n.Value)
	if err != nil {
		l.errorf(n, rule, "%s must be true or false", field)
		return false, false
	}
	return b, true
}

func (l *loader) positive(n *yaml.Node, field string) (int64, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		l.errorf(n, "", "%s must be a positive integer", field)
		return 0, false
	}
	v, err := strconv.ParseInt(n.Value, 0, 64)
	if err != nil || v <= 0 {
		l.errorf(n, "", "%s must be a positive integer", field)
		return 0, false
	}
	return v, true
}

func (l *loader) settings(n *yaml.Node, opts *sqlnorm.Options) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "", "settings must be a mapping of name: value")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
			l.errorf(k, "", "settings must be a mapping of name: value")
			continue
		}
		if seen[k.Value] {
			l.errorf(k, "", "setting %q given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		if opts.Dialect == "" {
			continue // the dialect error is reported already
		}
		if err := opts.Set(k.Value, v.Value); err != nil {
			l.errs = append(l.errs, &PolicyError{File: l.file, Line: k.Line, Column: k.Column,
				Msg: fmt.Sprintf("setting %s: %v", k.Value, err), Err: err})
		}
	}
}

func (l *loader) limitsSection(n *yaml.Node, lim *Limits) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "", "limits must be a mapping")
		return
	}
	f := l.mapping(n, "", map[string]bool{
		"max_sql_bytes": false, cel.CapArgs: false, cel.CapArgLength: false, cel.CapTextLength: false,
		cel.CapStringLength: false, cel.CapListLength: false, cel.CapMapSize: false, "cost_budget": false,
	})
	const maxInt = int64(^uint(0) >> 1)
	set := func(name string, dst *int) {
		if v := f[name]; v != nil {
			if x, ok := l.positive(v, name); ok && x <= maxInt {
				*dst = int(x)
			}
		}
	}
	set("max_sql_bytes", &lim.MaxSQLBytes)
	set(cel.CapArgs, &lim.Input.MaxArgs)
	set(cel.CapArgLength, &lim.Input.MaxArgLength)
	set(cel.CapTextLength, &lim.Input.MaxTextLength)
	set(cel.CapStringLength, &lim.Input.MaxStringLength)
	set(cel.CapListLength, &lim.Input.MaxListLength)
	set(cel.CapMapSize, &lim.Input.MaxMapSize)
	if v := f["cost_budget"]; v != nil {
		if x, ok := l.positive(v, "cost_budget"); ok {
			lim.CostBudget = uint64(x)
		}
	}
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (l *loader) constants(n *yaml.Node) map[string]any {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "", "constants must be a mapping of name: value")
		return nil
	}
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || !identRE.MatchString(k.Value) {
			l.errorf(k, "", "constant name %q is not an identifier", k.Value)
			continue
		}
		if _, dup := out[k.Value]; dup {
			l.errorf(k, "", "constant %q given twice", k.Value)
			continue
		}
		if val, ok := l.value(v, 0); ok {
			out[k.Value] = val
		}
	}
	return out
}

// value converts a constant: scalars by their YAML type; lists of strings
// to []string, other lists to []any; mappings to map[string]any.
func (l *loader) value(n *yaml.Node, depth int) (any, bool) {
	if depth > maxConstantDepth {
		l.errorf(n, "", "constant nested deeper than %d levels", maxConstantDepth)
		return nil, false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return n.Value, true
		case "!!bool":
			b, err := strconv.ParseBool(n.Value)
			if err != nil {
				l.errorf(n, "", "invalid boolean %q", n.Value)
				return nil, false
			}
			return b, true
		case "!!int":
			i, err := strconv.ParseInt(n.Value, 0, 64)
			if err != nil {
				l.errorf(n, "", "integer %q out of range", n.Value)
				return nil, false
			}
			return i, true
		case "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				l.errorf(n, "", "invalid number %q", n.Value)
				return nil, false
			}
			return f, true
		default:
			l.errorf(n, "", "constant of type %s not supported (string, bool, int, float, list, map)", n.ShortTag())
			return nil, false
		}
	case yaml.SequenceNode:
		allStrings := true
		items := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, ok := l.value(c, depth+1)
			if !ok {
				return nil, false
			}
			if _, s := v.(string); !s {
				allStrings = false
			}
			items = append(items, v)
		}
		if allStrings {
			ss := make([]string, len(items))
			for i, v := range items {
				ss[i] = v.(string)
			}
			return ss, true
		}
		return items, true
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				l.errorf(k, "", "map keys must be strings")
				return nil, false
			}
			if _, dup := m[k.Value]; dup {
				l.errorf(k, "", "map key %q given twice", k.Value)
				return nil, false
			}
			v, ok := l.value(n.Content[i+1], depth+1)
			if !ok {
				return nil, false
			}
			m[k.Value] = v
		}
		return m, true
	}
	l.errorf(n, "", "unsupported constant")
	return nil, false
}

func (l *loader) rules(nodes []*yaml.Node) []*Rule {
	out := make([]*Rule, 0, len(nodes))
	names := map[string]bool{}
	for _, n := range nodes {
		r := &Rule{Line: n.Line, Column: n.Column}
		out = append(out, r)
		if n.Kind != yaml.MappingNode {
			l.errorf(n, "", "a rule must be a mapping with name, effect and when")
			continue
		}
		f := l.mapping(n, "", map[string]bool{
			"name": true, "effect": true, "when": true, "description": false, "mode": false,
			"log_args": false,
		})
		if v := f["name"]; v != nil {
			if s, ok := l.scalar(v, "", "name"); ok {
				switch {
				case strings.TrimSpace(s) == "":
					l.errorf(v, "", "rule name must not be empty")
				case s == "default" || strings.HasPrefix(s, "grant:"):
					l.errorf(v, "", "rule name %q is reserved", s)
				case names[s]:
					l.errorf(v, "", "rule name %q used twice", s)
				}
				names[s] = true
				r.Name = s
			}
		}
		if v := f["effect"]; v != nil {
			if s, ok := l.scalar(v, r.Name, "effect"); ok {
				switch s {
				case "allow":
					r.Effect = Allow
				case "deny":
					r.Effect = Deny
				case "review":
					r.Effect = Review
				default:
					l.errorf(v, r.Name, "effect must be allow, deny or review, not %q", s)
				}
			}
		}
		if v := f["when"]; v != nil {
			if s, ok := l.scalar(v, r.Name, "when"); ok {
				if strings.TrimSpace(s) == "" {
					l.errorf(v, r.Name, "when must not be empty")
				}
				r.When = s
			}
		}
		if v := f["description"]; v != nil {
			if s, ok := l.scalar(v, r.Name, "description"); ok {
				r.Description = s
			}
		}
		if v := f["log_args"]; v != nil {
			if s, ok := l.scalar(v, r.Name, "log_args"); ok {
				switch s {
				case "true":
					r.LogArgs = true
				case "false":
				default:
					l.errorf(v, r.Name, "log_args must be true or false, not %q", s)
				}
			}
		}
		if v := f["mode"]; v != nil {
			if s, ok := l.scalar(v, r.Name, "mode"); ok {
				switch s {
				case "enforce":
				case "dry-run":
					r.DryRun = true
				default:
					l.errorf(v, r.Name, "rule mode must be enforce or dry-run, not %q", s)
				}
			}
		}
	}
	return out
}
