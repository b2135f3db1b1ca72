package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

func runLearn(e *env) int {
	if len(e.args) == 0 || e.args[0] != "export" {
		fmt.Fprintln(e.stderr, "usage: approvalctl learn export [--store S] [--out FILE] [--version V --dialect D]")
		return 2
	}
	sub := *e
	sub.args = e.args[1:]
	return runLearnExport(&sub)
}

// learnedRule is one exported rule: a fingerprint and the roles seen.
type learnedRule struct {
	fingerprint, text string
	roles             []string
	count             int64
	first, last       time.Time
}

func runLearnExport(e *env) int {
	fs, sf := newStoreFlagSet("learn export", e)
	out := fs.String("out", "", "write to this file instead of standard output")
	version := fs.String("version", "", "also write version: and dialect: so the output is a whole policy")
	dialect := fs.String("dialect", "", "dialect for a whole policy (with --version)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: approvalctl learn export [--store S] [--out FILE] [--version V --dialect D]\n\nWrite the proposals recorded in learn mode as policy rules for review:\none allow rule per fingerprint, for the roles seen, with the canonical text as a comment.")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return 2
	}
	if len(pos) != 0 || (*version == "") != (*dialect == "") {
		fs.Usage()
		return 2
	}
	l, done, err := openLedger(sf.store)
	if err != nil {
		return cmdFail(e, "learn export", err)
	}
	defer done()
	rules := collectLearned(l.ListPending())
	w := e.stdout
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			return cmdFail(e, "learn export", err)
		}
		w = f
	}
	writeLearned(w, rules, *version, *dialect, time.Now())
	if f != nil {
		if err := f.Close(); err != nil {
			return cmdFail(e, "learn export", err)
		}
		fmt.Fprintf(e.stderr, "wrote %d rule(s) to %s\n", len(rules), *out)
	}
	return 0
}

// collectLearned groups learned proposals by fingerprint.
func collectLearned(ps []*approval.PendingRequest) []*learnedRule {
	by := map[string]*learnedRule{}
	for _, p := range ps {
		if !p.Learned {
			continue
		}
		r := by[p.Fingerprint]
		if r == nil {
			r = &learnedRule{fingerprint: p.Fingerprint, text: p.Text, first: p.FirstSeen, last: p.LastSeen}
			by[p.Fingerprint] = r
		}
		r.roles = append(r.roles, p.Role)
		r.count += p.Count
		if p.FirstSeen.Before(r.first) {
			r.first = p.FirstSeen
		}
		if p.LastSeen.After(r.last) {
			r.last = p.LastSeen
		}
		if r.text == "" {
			r.text = p.Text
		}
	}
	out := make([]*learnedRule, 0, len(by))
	for _, r := range by {
		sort.Strings(r.roles)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].text != out[j].text {
			return out[i].text < out[j].text
		}
		return out[i].fingerprint < out[j].fingerprint
	})
	return out
}

// writeLearned writes the rules as YAML a reviewer can read and paste.
func writeLearned(w io.Writer, rules []*learnedRule, version, dialect string, now time.Time) {
	fmt.Fprintf(w, "# Proposed by approvalctl learn export at %s from calls seen in learn mode.\n", now.UTC().Format(time.RFC3339))
	fmt.Fprintln(w, "# Review every rule before merging: each allows one statement for the roles that ran it.")
	if version != "" {
		fmt.Fprintf(w, "version: %s\ndialect: %s\n", yamlQuote(version), yamlQuote(dialect))
	}
	if len(rules) == 0 {
		fmt.Fprintln(w, "rules: []")
		return
	}
	fmt.Fprintln(w, "rules:")
	used := map[string]int{}
	for _, r := range rules {
		for _, line := range strings.Split(r.text, "\n") {
			fmt.Fprintf(w, "  # %s\n", commentSafe(line))
		}
		fmt.Fprintf(w, "  - name: %s\n", ruleName(r.fingerprint, used))
		fmt.Fprintln(w, "    effect: allow")
		quoted := make([]string, len(r.roles))
		for i, role := range r.roles {
			quoted[i] = strconv.Quote(role)
		}
		cond := "query.fingerprint == " + strconv.Quote(r.fingerprint) + " && key.role in [" + strings.Join(quoted, ", ") + "]"
		fmt.Fprintf(w, "    when: %s\n", yamlQuote(cond))
		fmt.Fprintf(w, "    description: %s\n", yamlQuote(fmt.Sprintf("learned: %d call(s), %s to %s",
			r.count, r.first.UTC().Format(time.RFC3339), r.last.UTC().Format(time.RFC3339))))
	}
}

// ruleName derives a readable, unique rule name from a fingerprint.
func ruleName(fp string, used map[string]int) string {
	h := fp
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[i+1:]
	}
	h = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, h)
	if len(h) > 12 {
		h = h[:12]
	}
	name := "learned-" + h
	used[name]++
	if n := used[name]; n > 1 {
		name += "-" + strconv.Itoa(n)
	}
	return name
}

// yamlQuote writes s as a single-quoted YAML scalar.
func yamlQuote(s string) string {
	return "'" + strings.ReplaceAll(commentSafe(s), "'", "''") + "'"
}

// commentSafe removes line breaks and other control characters.
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
}
