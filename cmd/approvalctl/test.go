package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/approvaltest/casefile"
)

const testUsage = `usage: approvalctl test [-v] POLICY CASES...

Run policy test files: each case (statement, arguments, key, source, time)
is decided by POLICY and compared with the effect, rule and cause it
expects. A failing case is reported with what was expected, what the
policy decided, the rule that decided and why. The file format is
documented in package approvaltest/casefile; the same files run in Go
tests with approvaltest.RunFile.

Exit status 0 when every case passes, 1 otherwise (a failing case, a file
that does not load, a usage error).

  -v    list passing cases too
`

func runTest(e *env) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, testUsage) }
	verbose := fs.Bool("v", false, "list passing cases too")
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return 1
	}
	policyPath := fs.Arg(0)
	p, err := approval.LoadPolicy(policyPath)
	if err != nil {
		var perrs approval.PolicyErrors
		if errors.As(err, &perrs) {
			for _, pe := range perrs {
				fmt.Fprintln(e.stderr, pe)
			}
		} else {
			fmt.Fprintf(e.stderr, "approvalctl test: %v\n", err)
		}
		return 1
	}
	code := 0
	for _, path := range fs.Args()[1:] {
		f, err := casefile.Load(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "approvalctl test: %v\n", err)
			code = 1
			continue
		}
		rep, err := casefile.Run(context.Background(), p, f)
		if err != nil {
			fmt.Fprintf(e.stderr, "approvalctl test: %s: %v\n", path, err)
			code = 1
			continue
		}
		for _, r := range rep.Results {
			if *verbose || !r.Passed() {
				fmt.Fprintln(e.stdout, r)
			}
		}
		status := "ok"
		if !rep.OK() {
			status, code = "FAIL", 1
		}
		fmt.Fprintf(e.stdout, "%s\t%s: %s\n", status, path, rep.Summary())
	}
	return code
}
