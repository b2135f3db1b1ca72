package casefile_test

import (
	"context"
	"fmt"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/approvaltest/casefile"
)

func ExampleRun() {
	policy, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: postgres
rules:
  - name: no-ddl
    effect: deny
    when: query.command in ["DROP", "TRUNCATE"]
  - name: readers
    effect: allow
    when: query.read_only && key.role == "analyst"
`), "policy.yaml")
	if err != nil {
		panic(err)
	}
	cases, err := casefile.Parse([]byte(`
defaults:
  key: {role: analyst}
cases:
  - name: analyst reads
    sql: SELECT id FROM orders WHERE id = $1
    args: [7]
    expect: allow
    rule: readers
  - name: analyst cannot drop
    sql: DROP TABLE orders
    expect: deny
    rule: no-ddl
  - name: analyst writes (wrong expectation)
    sql: DELETE FROM orders WHERE id = $1
    args: [7]
    expect: allow
`), "policy_cases.yaml")
	if err != nil {
		panic(err)
	}
	report, err := casefile.Run(context.Background(), policy, cases)
	if err != nil {
		panic(err)
	}
	for _, r := range report.Results {
		fmt.Println(r)
	}
	fmt.Println(report.Summary())
	// Output:
	// ok   analyst reads (allow by rule readers)
	// ok   analyst cannot drop (deny by rule no-ddl)
	// FAIL analyst writes (wrong expectation) (policy_cases.yaml:14)
	//     expected:  allow
	//     got:       deny by rule default
	//     why:       no rule allows it; the default is deny
	//     error:     approval: denied by default: no rule allows it; the default is deny
	//     statement: DELETE FROM orders WHERE id = $0
	//     - effect: expected allow, got deny
	// 3 cases, 1 failed
}
