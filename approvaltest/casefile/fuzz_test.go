package casefile

import (
	"context"
	"os"
	"testing"

	"github.com/approvedsql/approvedsql/approval"
)

// FuzzParse: any input either fails to parse or yields cases that run
// without panicking against a small policy.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/cases.yaml", "testdata/failing.yaml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("cases:\n  - {name: a, sql: SELECT 1, expect: allow, args: [1, x, null, 2.5]}\n"))
	p, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: postgres
rules:
  - name: args
    effect: deny
    when: size(args) > 0 && args[0] == "x"
  - name: readers
    effect: allow
    when: query.read_only && key.role == "analyst"
`), "p.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if len(file.Cases) > 20 {
			return
		}
		rep, err := Run(context.Background(), p, file)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		for _, r := range rep.Results {
			_ = r.String()
			if r.Passed() != (len(r.Problems) == 0) {
				t.Fatal("Passed disagrees with Problems")
			}
		}
	})
}
