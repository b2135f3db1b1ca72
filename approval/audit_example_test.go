package approval_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// An AuditTrail chains records into a JSON Lines file; VerifyAuditLog finds
// the line where the file was changed.
func ExampleVerifyAuditLog() {
	dir, _ := os.MkdirTemp("", "audit")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "audit.jsonl")

	sink, _ := approval.NewFileSink(path)
	trail, _ := approval.NewAuditTrail(sink, approval.WithOverflow(approval.OverflowBlock))
	for _, d := range []string{"allow", "deny", "review"} {
		trail.Record(&approval.Record{Time: time.Unix(0, 0), Decision: d, Rule: "default"})
	}
	trail.Close()

	f, _ := os.Open(path)
	fmt.Println("intact:", approval.VerifyAuditLog(f))
	f.Close()

	b, _ := os.ReadFile(path)
	forged := strings.Replace(string(b), `"decision":"deny"`, `"decision":"allow"`, 1)
	fmt.Println("edited:", approval.VerifyAuditLog(strings.NewReader(forged)))
	// Output:
	// intact: <nil>
	// edited: approval: audit log line 2: record altered: its content does not match its hash
}
