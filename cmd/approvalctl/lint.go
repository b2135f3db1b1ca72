package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/approvedsql/approvedsql/approval"
)

const lintUsage = `usage: approvalctl lint FILE...

Load each policy file as the Gate would and print every problem at
FILE:LINE:COLUMN. Exit status 1 when any file does not load.
Rules that can never match are reported as warnings.
`

func runLint(e *env) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, lintUsage) }
	files, err := parseFlagsAnywhere(fs, e.args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	if len(files) == 0 {
		fs.Usage()
		return 1
	}
	code := 0
	for _, f := range files {
		p, err := approval.LoadPolicy(f)
		if err != nil {
			code = 1
			var perrs approval.PolicyErrors
			if errors.As(err, &perrs) {
				for _, pe := range perrs {
					fmt.Fprintln(e.stdout, pe)
				}
			} else {
				fmt.Fprintln(e.stdout, err)
			}
			continue
		}
		for _, r := range p.Rules() {
			if cmds := r.Commands(); cmds != nil && len(cmds) == 0 {
				fmt.Fprintf(e.stdout, "%s:%d:%d: warning: rule %q can never match (its query.command conditions exclude each other)\n",
					f, r.Line, r.Column, r.Name)
			}
		}
		fmt.Fprintf(e.stdout, "%s: ok: %d rules, mode %s, default %s, version %s\n",
			f, len(p.Rules()), p.Mode(), p.Default(), p.Version())
	}
	return code
}
