package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// runCmd runs approvalctl in-process and returns exit code and output.
func runCmd(tb testing.TB, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// callFor builds a Call for a real normalised statement.
func callFor(tb testing.TB, sql string, key *approval.Key) *approval.Call {
	tb.Helper()
	st, err := sqlnorm.Normalize(sqlnorm.Options{Dialect: sqlnorm.Postgres}, sql)
	if err != nil {
		tb.Fatal(err)
	}
	return &approval.Call{Input: &cel.Input{Query: st, ArgsKnown: true}, Key: key,
		Request: &approval.Request{SQL: sql, Statement: st}, Args: []approval.Arg{{Ordinal: 1, Value: "secret"}}}
}

// seedStore records pending requests and learned proposals in a new file
// store, as an application would, and returns the store path.
func seedStore(tb testing.TB, pending []*approval.Call, learned []*approval.Call) (string, []string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "approvals.json")
	st, err := approval.OpenFileStore(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	l, err := approval.NewLedger(context.Background(), st)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, c := range pending {
		id, err := l.Pending(context.Background(), c)
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, c := range learned {
		if err := l.Learn(context.Background(), c); err != nil {
			tb.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, ids
}

var (
	keyAlice = &approval.Key{ID: "k-alice", Role: "app", Session: "s1"}
	keyBob   = &approval.Key{ID: "k-bob", Role: "report", Session: "s2"}
)

func TestApprovalWorkflowCLI(t *testing.T) {
	path, ids := seedStore(t, []*approval.Call{
		callFor(t, "SELECT * FROM accounts WHERE id = $1", keyAlice),
		callFor(t, "DELETE FROM sessions WHERE id = $1", keyBob),
	}, nil)

	code, out, errs := runCmd(t, "pending", "--store", path)
	if code != 0 || !strings.Contains(out, ids[0]) || !strings.Contains(out, "SELECT * FROM accounts") || !strings.Contains(out, "k-alice") {
		t.Fatalf("pending: %d\n%s%s", code, out, errs)
	}
	_, out, _ = runCmd(t, "pending", "--json", "--store", path)
	var ps []approval.PendingRequest
	if err := json.Unmarshal([]byte(out), &ps); err != nil || len(ps) != 2 {
		t.Fatalf("pending --json: %v\n%s", err, out)
	}
	if strings.Contains(out, "secret") {
		t.Fatal("pending shows an argument value that is not loggable")
	}

	code, out, errs = runCmd(t, "approve", ids[0], "--store", path, "--for", "1h", "--scope", "role", "--max-uses", "3", "--reason", "ticket 42", "--by", "ops")
	if code != 0 || !strings.Contains(out, "granted g-") || !strings.Contains(out, "role app") || !strings.Contains(out, "3 use(s)") {
		t.Fatalf("approve: %d\n%s%s", code, out, errs)
	}
	if code, _, errs = runCmd(t, "reject", ids[1], "--store", path); code != 0 {
		t.Fatalf("reject: %s", errs)
	}
	if _, out, _ = runCmd(t, "pending", "--store", path); !strings.Contains(out, "no pending requests") {
		t.Fatalf("pending after approve and reject:\n%s", out)
	}
	if code, _, errs = runCmd(t, "approve", ids[1], "--store", path); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("approving a rejected request: %d %s", code, errs)
	}

	_, out, _ = runCmd(t, "grants", "--json", "--store", path)
	var gs []struct {
		approval.Grant
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &gs); err != nil || len(gs) != 1 {
		t.Fatalf("grants --json: %v\n%s", err, out)
	}
	g := gs[0]
	if g.Status != "active" || g.Scope.Kind != approval.ScopeRole || g.MaxUses != 3 || g.Reason != "ticket 42" ||
		g.ApprovedBy != "ops" || g.Until.Sub(g.From) != time.Hour {
		t.Fatalf("grant %+v", g)
	}
	if _, out, _ = runCmd(t, "grants", "--store", path); !strings.Contains(out, g.ID) || !strings.Contains(out, "0/3") {
		t.Fatalf("grants table:\n%s", out)
	}
	if code, out, errs = runCmd(t, "revoke", g.ID, "--store", path); code != 0 || !strings.Contains(out, "revoked grant") {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	if _, out, _ = runCmd(t, "grants", "--store", path); !strings.Contains(out, "no grants") {
		t.Fatalf("revoked grant listed as in force:\n%s", out)
	}
	if _, out, _ = runCmd(t, "grants", "--all", "--store", path); !strings.Contains(out, "revoked") {
		t.Fatalf("grants --all:\n%s", out)
	}

	var o, e bytes.Buffer
	if code := runKeysRevoke(&env{args: []string{"k-bob", "--store", path, "--reason", "left"}, stdout: &o, stderr: &e}); code != 0 {
		t.Fatalf("keys revoke: %s", e.String())
	}
	st, _ := approval.OpenFileStore(path)
	defer st.Close()
	l, err := approval.NewLedger(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if r, _ := l.KeyRevoked("k-bob"); !r {
		t.Fatal("key not revoked in the store")
	}
}

func TestStoreCommandsErrors(t *testing.T) {
	t.Setenv(storeEnvVar, "")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no store", []string{"pending"}, 1, "no store"},
		{"approve without id", []string{"approve", "--store", "x.json"}, 2, "usage"},
		{"bad scope", []string{"approve", "r-1", "--scope", "planet", "--store", "x.json"}, 1, "unknown grant scope"},
		{"negative uses", []string{"approve", "r-1", "--max-uses", "-1", "--store", "x.json"}, 1, "negative"},
		{"unknown request", []string{"reject", "r-nope", "--store", "STORE"}, 1, "not found"},
		{"unknown grant", []string{"revoke", "g-nope", "--store", "STORE"}, 1, "not found"},
		{"unreadable store", []string{"grants", "--store", "BAD"}, 1, "approvalctl grants"},
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o600)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string(nil), tc.args...)
			for i, a := range args {
				switch a {
				case "STORE":
					args[i] = filepath.Join(dir, "s.json")
				case "BAD":
					args[i] = bad
				case "x.json":
					args[i] = filepath.Join(dir, "x.json")
				}
			}
			code, out, errs := runCmd(t, args...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("exit %d (want %d)\n%s%s", code, tc.code, out, errs)
			}
		})
	}
}

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args []string
		pos  string
		for_ string
	}{
		{[]string{"ID", "--for", "1h"}, "ID", "1h0m0s"},
		{[]string{"--for", "2h", "ID"}, "ID", "2h0m0s"},
		{[]string{"--for", "2h", "--", "--ID"}, "--ID", "2h0m0s"},
		{[]string{"A", "B", "--for", "3h"}, "A,B", "3h0m0s"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			fs, _ := newStoreFlagSet("x", &env{stderr: &bytes.Buffer{}})
			d := fs.Duration("for", 0, "")
			pos, err := parseInterleaved(fs, tc.args)
			if err != nil || strings.Join(pos, ",") != tc.pos || d.String() != tc.for_ {
				t.Fatalf("pos %v for %v err %v", pos, d, err)
			}
		})
	}
}
