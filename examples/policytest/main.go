package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/approvaltest/casefile"
)

func main() {
	policy, cases := exampleFile("policy.yaml"), exampleFile("policy_cases.yaml")
	if len(os.Args) == 3 {
		policy, cases = os.Args[1], os.Args[2]
	} else if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: policytest [POLICY CASES]")
		os.Exit(1)
	}
	ok, err := run(os.Stdout, policy, cases)
	if err != nil {
		fmt.Fprintln(os.Stderr, "policytest:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// run decides every case of the cases file with the policy and prints one
// line per case (a full report for a failure). It reports whether all passed.
func run(w io.Writer, policyPath, casesPath string) (bool, error) {
	p, err := approval.LoadPolicy(policyPath)
	if err != nil {
		return false, err
	}
	f, err := casefile.Load(casesPath)
	if err != nil {
		return false, err
	}
	rep, err := casefile.Run(context.Background(), p, f)
	if err != nil {
		return false, err
	}
	for _, r := range rep.Results {
		fmt.Fprintln(w, r)
	}
	fmt.Fprintf(w, "%s: %s\n", filepath.Base(casesPath), rep.Summary())
	return rep.OK(), nil
}

// exampleFile finds a file of this directory whether the program runs from
// the repository root (go run ./examples/policytest) or from here.
func exampleFile(name string) string {
	if _, err := os.Stat(name); err == nil {
		return name
	}
	if _, src, _, ok := runtime.Caller(0); ok {
		return filepath.Join(filepath.Dir(src), name)
	}
	return name
}
