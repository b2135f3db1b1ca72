package approval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrAuditTampered is matched (errors.Is) by the *AuditVerifyError that
// VerifyAuditLog returns for a log that was altered.
var ErrAuditTampered = errors.New("approval: audit log tampered")

// AuditVerifyError says where an audit log breaks its hash chain.
type AuditVerifyError struct {
	File   string // set by VerifyAuditFiles
	Line   int    // 1-based line of the offending record
	Reason string
}

// Error gives the file, line and reason.
func (e *AuditVerifyError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("approval: audit log %s line %d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("approval: audit log line %d: %s", e.Line, e.Reason)
}

// Is matches ErrAuditTampered.
func (e *AuditVerifyError) Is(target error) bool { return target == ErrAuditTampered }

// VerifyAuditLog reads a JSON Lines audit log and checks its hash chain:
// every record's hash must be the SHA-256 of its canonical encoding, and
// every record's prev must be the hash of the record on the line before.
// An edited record fails its own hash; a deleted, inserted, repeated or
// reordered one breaks the chain where it happened. The error (an
// *AuditVerifyError) gives the line.
//
// The first record's prev is taken as given (a rotated file continues the
// previous one; see VerifyAuditFiles). Records cut off the end of a log
// leave no trace in the chain: compare the last hash with one kept
// elsewhere (for example the PostgreSQL audit table) to detect that.
func VerifyAuditLog(r io.Reader) error {
	_, _, err := verifyChain(r, "", false)
	return err
}

// VerifyAuditFiles verifies rotated audit files given oldest first, as one
// chain: each file's first record must continue the previous file's last.
// It returns the number of records checked.
func VerifyAuditFiles(paths ...string) (int, error) {
	prev, total := "", 0
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return total, err
		}
		last, n, err := verifyChain(f, prev, i > 0)
		f.Close()
		total += n
		if err != nil {
			var ve *AuditVerifyError
			if errors.As(err, &ve) {
				ve.File = p
			}
			return total, err
		}
		if n > 0 {
			prev = last
		}
	}
	return total, nil
}

// verifyChain checks one stream. When checkFirst is set, the first record's
// prev must equal prev.
func verifyChain(r io.Reader, prev string, checkFirst bool) (last string, n int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	type rec struct {
		hash, prev string
	}
	var recs []rec
	byHash := map[string]int{} // hash -> line
	for lineNo := 1; ; lineNo++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return "", len(recs), rerr
		}
		if len(line) == 0 && rerr == io.EOF {
			break
		}
		if line[len(line)-1] != '\n' {
			return "", len(recs), &AuditVerifyError{Line: lineNo, Reason: "last line is incomplete (no newline): truncated or appended to"}
		}
		line = line[:len(line)-1]
		body, hash, ok := splitAuditLine(line)
		if !ok {
			return "", len(recs), &AuditVerifyError{Line: lineNo, Reason: "not an audit record (no hash field at the end)"}
		}
		var head struct {
			Prev *string `json:"prev"`
		}
		if err := json.Unmarshal(body, &head); err != nil || head.Prev == nil {
			return "", len(recs), &AuditVerifyError{Line: lineNo, Reason: "record is not valid JSON with a prev field"}
		}
		if got := auditHash(body); got != hash {
			return "", len(recs), &AuditVerifyError{Line: lineNo, Reason: "record altered: its content does not match its hash"}
		}
		if j, dup := byHash[hash]; dup {
			return "", len(recs), &AuditVerifyError{Line: lineNo, Reason: fmt.Sprintf("record repeats line %d", j)}
		}
		byHash[hash] = lineNo
		recs = append(recs, rec{hash, *head.Prev})
		if rerr == io.EOF {
			break
		}
	}
	for i, x := range recs {
		lineNo := i + 1
		var want string
		switch {
		case i > 0:
			want = recs[i-1].hash
		case checkFirst:
			want = prev
		default:
			continue
		}
		if x.prev == want {
			continue
		}
		if i == 0 {
			return "", len(recs), &AuditVerifyError{Line: 1, Reason: "first record does not continue the previous file (records deleted at the boundary)"}
		}
		reason := fmt.Sprintf("chain broken: record does not follow line %d", lineNo-1)
		if j, ok := byHash[x.prev]; ok {
			if j > lineNo {
				reason += fmt.Sprintf("; it follows the record at line %d (records reordered)", j)
			} else {
				reason += fmt.Sprintf("; it follows the record at line %d (records inserted or moved in between)", j)
			}
		} else if x.prev == "" {
			reason += "; it starts a new chain (records inserted, or the log was restarted from nothing)"
		} else {
			reason += " nor any record in this file (records deleted before it)"
		}
		return "", len(recs), &AuditVerifyError{Line: lineNo, Reason: reason}
	}
	if len(recs) > 0 {
		last = recs[len(recs)-1].hash
	}
	return last, len(recs), nil
}
