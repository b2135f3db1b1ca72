// Command approvalctl works with approvedsql policies, keys, approvals and
// audit trails from the shell. Run "approvalctl help" for the commands.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// env is what a command may touch: its arguments and standard streams.
// Commands never call os.Exit themselves, so tests run them in-process.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	summary string
	run     func(e *env) int // exit code
}

// commands is the table of subcommands. Each lives in its own file.
var commands = map[string]command{
	"check":       {"decide one statement against a policy (exit 0 allow, 3 deny, 4 review)", runCheck},
	"lint":        {"load policy files and report every problem with its position", runLint},
	"keys":        {"signing keys and provisioning tokens: new-signing-key, issue, inspect, public, revoke", runKeys},
	"pending":     {"list statements waiting for review", runPending},
	"approve":     {"grant a pending request (approve ID [--for 8h] [--scope key|role|session] ...)", runApprove},
	"reject":      {"reject a pending request", runReject},
	"grants":      {"list grants", runGrants},
	"revoke":      {"revoke a grant by id", runRevoke},
	"audit":       {"audit tail | audit verify FILE", runAudit},
	"learn":       {"learn export: proposals from learn mode as policy rules", runLearn},
	"fingerprint": {"print the canonical form and facts of one statement", runFingerprint},
	"test":        {"run policy test files: approvalctl test POLICY CASES... (exit 0 all pass)", runTest},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "approvalctl: unknown command %q\n", args[0])
		usage(stderr)
		return 1
	}
	return c.run(&env{args: args[1:], stdin: stdin, stdout: stdout, stderr: stderr})
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: approvalctl COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
}
