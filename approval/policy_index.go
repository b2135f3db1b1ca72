package approval

import "github.com/approvedsql/approvedsql/cel"

// Rules are indexed twice. A policy first groups its rules by the commands
// they can match (Policy.rulesFor); then, inside one group, the rules of
// one effect can be indexed by a second string variable, the one that most
// of them pin to a few values (key.role == "app", source.app in [...]).
// The index maps each value named by a rule to the rules that can match
// it; a call whose value is named by no rule gets the rules that do not
// pin the variable. A rule left out is one that cel.Program.Values proves
// false, without error, for that value: skipping it changes no decision.
// Lists keep file order, so the first matching rule is the same.

// indexVariables are the variables a rule list may be indexed by.
var indexVariables = []string{
	"key.role", "source.app", "source.service", "source.route", "key.subject", "key.id",
	"key.session", "query.object", "query.fingerprint",
}

const (
	// minIndexedRules is the shortest list worth an index: below it,
	// evaluating the rules costs less than the lookup.
	minIndexedRules = 4
	// maxIndexEntries bounds the memory of one index (rule pointers over
	// all values).
	maxIndexEntries = 1 << 16
)

// ruleIndex is the index of one rule list; nil means no index.
type ruleIndex struct {
	variable string
	read     func(*cel.Input) string
	byValue  map[string][]*Rule
	other    []*Rule // the rules that do not pin the variable
}

// pick returns the rules of all that can match in.
func (x *ruleIndex) pick(all []*Rule, in *cel.Input) []*Rule {
	if x == nil {
		return all
	}
	if rs, ok := x.byValue[x.read(in)]; ok {
		return rs
	}
	return x.other
}

// indexRules returns the index of rules, or nil when no variable is
// pinned by at least two of them or the list is too short to gain.
func indexRules(rules []*Rule) *ruleIndex {
	if len(rules) < minIndexedRules {
		return nil
	}
	best, bestCount := "", 1
	for _, name := range indexVariables {
		n := 0
		for _, r := range rules {
			if r.prog.Values(name) != nil {
				n++
			}
		}
		if n > bestCount {
			best, bestCount = name, n
		}
	}
	if best == "" {
		return nil
	}
	x := &ruleIndex{variable: best, read: cel.StringReader(best), byValue: map[string][]*Rule{}}
	pinned := make([][]string, len(rules))
	for i, r := range rules {
		pinned[i] = r.prog.Values(best)
		if pinned[i] == nil {
			x.other = append(x.other, r)
		}
		for _, v := range pinned[i] {
			x.byValue[v] = nil
		}
	}
	if len(x.byValue)*(len(x.other)+1) > maxIndexEntries {
		return nil
	}
	for v := range x.byValue {
		var list []*Rule
		for i, r := range rules {
			if pinned[i] == nil || contains(pinned[i], v) {
				list = append(list, r)
			}
		}
		x.byValue[v] = list
	}
	return x
}
