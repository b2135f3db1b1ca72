package approval

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzVerifyAuditLog: any input either verifies or fails with a located
// *AuditVerifyError; it never panics, and every line of a log that
// verifies carries the hash of its own content.
func FuzzVerifyAuditLog(f *testing.F) {
	var log []byte
	prev := ""
	for i := 0; i < 3; i++ {
		r := testRecord(i)
		chainRecord(r, prev)
		prev = r.Hash
		log = append(log, EncodeAuditRecord(r)...)
	}
	f.Add(log)
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"prev":"","hash":"` + string(bytes.Repeat([]byte("0"), 64)) + `"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := VerifyAuditLog(bytes.NewReader(data))
		if err != nil {
			var ve *AuditVerifyError
			if !errors.As(err, &ve) || ve.Line < 1 {
				t.Fatalf("unlocated error: %v", err)
			}
			return
		}
		for _, line := range bytes.SplitAfter(data, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			body, hash, ok := splitAuditLine(bytes.TrimSuffix(line, []byte("\n")))
			if !ok || auditHash(body) != hash {
				t.Fatalf("verified a line whose hash does not hold: %q", line)
			}
		}
	})
}
