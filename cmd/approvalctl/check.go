package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Exit codes of check.
const (
	exitAllow  = 0
	exitError  = 1
	exitDeny   = 3
	exitReview = 4
)

const checkUsage = `usage: approvalctl check --policy FILE [--key JSON | --token T --keyring FILE]
                        [--source JSON] [--arg V]... [--arg-json J]... [--dialect D]
                        [--prepare] [--tx] [--tx-read-only] SQL

Decide one statement against a policy, as the Gate would, and print
{"decision", "rule", "reason", "fingerprint", ...} as JSON.
Exit status: 0 allow, 3 deny, 4 review, 1 error.

--key is a JSON object named as in the rule vocabulary: id, subject, role,
scopes, labels, session, issued_at, not_before, expires_at (RFC 3339).
When absent, id is "check", issued_at now and expires_at one hour from now.
--source: app, service, address, route, labels.
--arg values are strings; --arg-json values are JSON (numbers without a
fraction become integers). Both fill the positional arguments in order.
No grants or pending requests are consulted: a review outcome is reported
as "review".

flags:
`

// checkOutput is what check prints.
type checkOutput struct {
	Decision      string `json:"decision"` // allow, deny, review
	Rule          string `json:"rule"`
	Reason        string `json:"reason"`
	Fingerprint   string `json:"fingerprint"`
	KeyID         string `json:"key_id,omitempty"`
	PolicyVersion string `json:"policy_version,omitempty"`
	DryRun        bool   `json:"dry_run,omitempty"`
	Error         string `json:"error,omitempty"`
}

// argList collects --arg and --arg-json in the order given.
type argList struct {
	args []approval.Arg
	json bool
}

func (a *argList) String() string { return "" }

func (a *argList) Set(v string) error {
	var val any = v
	if a.json {
		var err error
		if val, err = decodeJSONArg(v); err != nil {
			return err
		}
	}
	a.args = append(a.args, approval.Arg{Ordinal: len(a.args) + 1, Value: val})
	return nil
}

// argJSON is the --arg-json face of an argList.
type argJSON struct{ l *argList }

func (a argJSON) String() string { return "" }

func (a argJSON) Set(v string) error {
	a.l.json = true
	defer func() { a.l.json = false }()
	return a.l.Set(v)
}

// decodeJSONArg decodes one JSON argument as a driver would hand it over:
// integers as int64, other numbers as float64, arrays as []any.
func decodeJSONArg(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("--arg-json %q: %v", s, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("--arg-json %q: trailing data", s)
	}
	return convertJSONArg(v)
}

func convertJSONArg(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	case []any:
		for i := range x {
			c, err := convertJSONArg(x[i])
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	case map[string]any:
		return nil, errors.New("--arg-json: objects are not driver values")
	}
	return v, nil
}

// keyJSON is --key.
type keyJSON struct {
	ID        string            `json:"id"`
	Subject   string            `json:"subject"`
	Role      string            `json:"role"`
	Scopes    []string          `json:"scopes"`
	Labels    map[string]string `json:"labels"`
	Session   string            `json:"session"`
	IssuedAt  *time.Time        `json:"issued_at"`
	NotBefore *time.Time        `json:"not_before"`
	ExpiresAt *time.Time        `json:"expires_at"`
}

// sourceJSON is --source.
type sourceJSON struct {
	App     string            `json:"app"`
	Service string            `json:"service"`
	Address string            `json:"address"`
	Route   string            `json:"route"`
	Labels  map[string]string `json:"labels"`
}

func strictJSON(s string, v any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

func runCheck(e *env) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, checkUsage); fs.PrintDefaults() }
	policyPath := fs.String("policy", "", "policy file (required)")
	keyArg := fs.String("key", "", "provisioning key as JSON")
	token := fs.String("token", "", "signed provisioning token (with --keyring)")
	keyringPath := fs.String("keyring", "", "keyring file (JSON or PEM) to verify --token")
	sourceArg := fs.String("source", "", "request source as JSON")
	dialect := fs.String("dialect", "", "lex as this dialect instead of the policy's")
	prepare := fs.Bool("prepare", false, "decide at prepare time (arguments unknown)")
	txActive := fs.Bool("tx", false, "the call runs in a transaction")
	txRO := fs.Bool("tx-read-only", false, "the call runs in a read-only transaction")
	var args argList
	fs.Var(&args, "arg", "positional argument, as a string (repeatable)")
	fs.Var(argJSON{&args}, "arg-json", "positional argument, as JSON (repeatable)")

	pos, err := parseFlagsAnywhere(fs, e.args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllow
		}
		return exitError
	}
	if *policyPath == "" || len(pos) != 1 {
		fmt.Fprintln(e.stderr, "approvalctl check: need --policy FILE and exactly one SQL statement")
		fs.Usage()
		return exitError
	}
	if *keyArg != "" && *token != "" {
		fmt.Fprintln(e.stderr, "approvalctl check: give --key or --token, not both")
		return exitError
	}
	if (*token != "") != (*keyringPath != "") {
		fmt.Fprintln(e.stderr, "approvalctl check: --token needs --keyring (and --keyring a --token)")
		return exitError
	}

	policy, err := approval.LoadPolicy(*policyPath)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitError
	}
	if *dialect != "" {
		if policy, err = policy.WithDialect(sqlnorm.Dialect(*dialect)); err != nil {
			fmt.Fprintln(e.stderr, "approvalctl check:", err)
			return exitError
		}
	}
	var opts []approval.Option
	ctx := context.Background()
	now := time.Now()
	switch {
	case *keyArg != "":
		var kj keyJSON
		if err := strictJSON(*keyArg, &kj); err != nil {
			fmt.Fprintln(e.stderr, "approvalctl check: --key:", err)
			return exitError
		}
		k := approval.Key{ID: kj.ID, Subject: kj.Subject, Role: kj.Role, Scopes: kj.Scopes, Labels: kj.Labels,
			Session: kj.Session, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		if k.ID == "" {
			k.ID = "check"
		}
		if kj.IssuedAt != nil {
			k.IssuedAt = *kj.IssuedAt
		}
		if kj.NotBefore != nil {
			k.NotBefore = *kj.NotBefore
		}
		if kj.ExpiresAt != nil {
			k.ExpiresAt = *kj.ExpiresAt
		}
		ctx = approval.WithKey(ctx, k)
	case *token != "":
		ring, err := approval.LoadKeyring(*keyringPath)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitError
		}
		opts = append(opts, approval.WithKeyring(ring))
		ctx = approval.WithToken(ctx, *token)
	}
	if *sourceArg != "" {
		var sj sourceJSON
		if err := strictJSON(*sourceArg, &sj); err != nil {
			fmt.Fprintln(e.stderr, "approvalctl check: --source:", err)
			return exitError
		}
		ctx = approval.WithSource(ctx, approval.Source{App: sj.App, Service: sj.Service, Address: sj.Address,
			Route: sj.Route, Labels: sj.Labels})
	}
	gate, err := approval.NewGate(policy, opts...)
	if err != nil {
		fmt.Fprintln(e.stderr, "approvalctl check:", err)
		return exitError
	}
	req := approval.Request{SQL: pos[0], Args: args.args, Tx: approval.TxState{Active: *txActive || *txRO, ReadOnly: *txRO}}
	if *prepare {
		req.Phase = approval.Prepare
	}
	d := gate.Decide(ctx, req)
	out, code := checkResult(&d)
	if err := writeJSON(e.stdout, out); err != nil {
		fmt.Fprintln(e.stderr, "approvalctl check:", err)
		return exitError
	}
	return code
}

// checkResult turns a decision into the printed result and exit code. A
// review the Gate could not request (no approvals store here) is still
// reported as a review.
func checkResult(d *approval.Decision) (checkOutput, int) {
	out := checkOutput{Rule: d.Rule, Reason: d.Reason, Fingerprint: d.Fingerprint, KeyID: d.KeyID,
		PolicyVersion: d.PolicyVersion, DryRun: d.DryRun}
	switch {
	case d.Allowed():
		out.Decision = "allow"
		return out, exitAllow
	case errors.Is(d.Err, approval.ErrReviewRequired):
		out.Decision = "review"
		out.Error = d.Err.Error()
		return out, exitReview
	default:
		out.Decision = "deny"
		if d.Err != nil {
			out.Error = d.Err.Error()
		}
		return out, exitDeny
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseFlagsAnywhere parses flags that may come before or after the
// positional arguments; "--" ends the flags.
func parseFlagsAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
