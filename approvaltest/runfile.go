package approvaltest

import (
	"context"
	"testing"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/approvaltest/casefile"
)

// RunFile runs the cases file at casesPath against the policy file at
// policyPath, each case as a subtest named after it. A failing case
// reports expected and got (effect and rule), why the deciding rule
// matched, the error and the canonical statement. gateOpts are passed to
// each case's Gate (see casefile.Run).
//
// The same files run from the shell with `approvalctl test POLICY CASES`.
func RunFile(t *testing.T, policyPath, casesPath string, gateOpts ...approval.Option) {
	t.Helper()
	p, err := approval.LoadPolicy(policyPath)
	if err != nil {
		t.Fatalf("loading policy: %v", err)
	}
	f, err := casefile.Load(casesPath)
	if err != nil {
		t.Fatalf("loading cases: %v", err)
	}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			r, err := casefile.RunCase(context.Background(), p, f, c, gateOpts...)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Passed() {
				t.Error("\n" + r.String())
			}
		})
	}
}
