package sqlnorm_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// fastPathProblem compares Normalize's answer (st, err) for sql with the
// answer of the general code alone (no renderer fast paths): the fast
// paths are an optimisation and must never change an output.
func fastPathProblem(o sqlnorm.Options, sql string, st *sqlnorm.Statement, err error) string {
	gst, gerr := sqlnorm.NormalizeGeneral(o, sql)
	if (err == nil) != (gerr == nil) || (err != nil && err.Error() != gerr.Error()) {
		return fmt.Sprintf("fast paths: error %v, general code: error %v (%s) for %q", err, gerr, modeName(o), sql)
	}
	if !reflect.DeepEqual(st, gst) {
		return fmt.Sprintf("fast paths: %+v\ngeneral code: %+v\n(%s) for %q", st, gst, modeName(o), sql)
	}
	return ""
}

// TestRenderFastPaths checks that the renderer's fast paths answer
// exactly as the general code does for every corpus input in every mode.
func TestRenderFastPaths(t *testing.T) {
	n := 0
	for _, inputs := range digestGroups(t) {
		for _, o := range fuzzModes {
			for _, sql := range inputs {
				st, err := sqlnorm.Normalize(o, sql)
				if p := fastPathProblem(o, sql, st, err); p != "" {
					t.Fatal(p)
				}
				n++
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d inputs compared", n)
	}
}
