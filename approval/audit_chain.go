package approval

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// auditLine is the canonical encoding of a Record, field order fixed. The
// hash is appended after the body: hash = SHA-256(body), where the body is
// this object (prev included, hash excluded) encoded as below.
type auditLine struct {
	Time          string          `json:"time"`
	Decision      string          `json:"decision"`
	Rule          string          `json:"rule,omitempty"`
	Reason        string          `json:"reason,omitempty"`
	Fingerprint   string          `json:"fingerprint,omitempty"`
	Text          string          `json:"text,omitempty"`
	KeyID         string          `json:"key_id,omitempty"`
	Role          string          `json:"role,omitempty"`
	Session       string          `json:"session,omitempty"`
	Source        *auditSrc       `json:"source,omitempty"`
	Args          []string        `json:"args,omitempty"`
	PolicyVersion string          `json:"policy_version,omitempty"`
	LatencyNS     int64           `json:"latency_ns"`
	RowsAffected  int64           `json:"rows_affected"`
	ErrorClass    string          `json:"error_class,omitempty"`
	Prev          string          `json:"prev"`
	Hash          json.RawMessage `json:"hash,omitempty"` // only when decoding
}

type auditSrc struct {
	App     string            `json:"app,omitempty"`
	Service string            `json:"service,omitempty"`
	Address string            `json:"address,omitempty"`
	Route   string            `json:"route,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

const hashKey = `,"hash":"`

// auditTimeLayout is the canonical time: UTC, microseconds (the precision
// PostgreSQL keeps, so a record read back from the audit table encodes to
// the same bytes).
const auditTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// auditBody returns the canonical encoding of r without its hash (one JSON
// object, no newline). encoding/json sorts map keys, so it is
// deterministic.
func auditBody(r *Record) []byte {
	l := auditLine{
		Time: r.Time.UTC().Format(auditTimeLayout), Decision: r.Decision, Rule: r.Rule,
		Reason: r.Reason, Fingerprint: r.Fingerprint, Text: r.Text, KeyID: r.KeyID,
		Role: r.Role, Session: r.Session, Args: r.Args, PolicyVersion: r.PolicyVersion,
		LatencyNS: int64(r.Latency), RowsAffected: r.RowsAffected, ErrorClass: r.ErrorClass,
		Prev: r.Prev,
	}
	s := r.Source
	if s.App != "" || s.Service != "" || s.Address != "" || s.Route != "" || len(s.Labels) > 0 {
		l.Source = &auditSrc{s.App, s.Service, s.Address, s.Route, s.Labels}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&l); err != nil {
		// only strings, ints and a string map: encoding cannot fail
		panic("approval: audit encoding: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// auditHash returns the hex SHA-256 of a canonical body.
func auditHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// chainRecord sets r.Prev to prev and r.Hash to the hash of r's canonical
// encoding (which includes Prev). It truncates r.Time to microseconds, the
// canonical precision.
func chainRecord(r *Record, prev string) {
	r.Time = r.Time.Truncate(time.Microsecond).UTC()
	r.Prev = prev
	r.Hash = auditHash(auditBody(r))
}

// EncodeAuditRecord returns r as one JSON Lines line (with the newline):
// the canonical encoding of the record, prev included, followed by its
// "hash" field. r.Hash must already be set (by an [AuditTrail]); the line
// carries r.Hash as it is, so a wrong hash is caught by VerifyAuditLog.
func EncodeAuditRecord(r *Record) []byte {
	body := auditBody(r)
	out := make([]byte, 0, len(body)+len(hashKey)+len(r.Hash)+3)
	out = append(out, body[:len(body)-1]...)
	out = append(out, hashKey...)
	out = append(out, r.Hash...)
	out = append(out, '"', '}', '\n')
	return out
}

// DecodeAuditRecord parses one line written by EncodeAuditRecord. It does
// not check the hash (see VerifyAuditLog).
func DecodeAuditRecord(line []byte) (*Record, error) {
	var l auditLine
	if err := json.Unmarshal(line, &l); err != nil {
		return nil, fmt.Errorf("approval: audit record: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, l.Time)
	if err != nil {
		return nil, fmt.Errorf("approval: audit record time: %w", err)
	}
	r := &Record{Time: t, Decision: l.Decision, Rule: l.Rule, Reason: l.Reason,
		Fingerprint: l.Fingerprint, Text: l.Text, KeyID: l.KeyID, Role: l.Role, Session: l.Session,
		Args: l.Args, PolicyVersion: l.PolicyVersion, Latency: time.Duration(l.LatencyNS),
		RowsAffected: l.RowsAffected, ErrorClass: l.ErrorClass, Prev: l.Prev}
	if l.Source != nil {
		r.Source = Source{l.Source.App, l.Source.Service, l.Source.Address, l.Source.Route, l.Source.Labels}
	}
	if len(l.Hash) > 0 {
		if err := json.Unmarshal(l.Hash, &r.Hash); err != nil {
			return nil, fmt.Errorf("approval: audit record hash: %w", err)
		}
	}
	return r, nil
}

// splitAuditLine separates a line (without newline) into its body (hash
// removed) and its hash. ok is false when the line does not end with a
// well-formed hash field.
func splitAuditLine(line []byte) (body []byte, hash string, ok bool) {
	i := bytes.LastIndex(line, []byte(hashKey))
	if i < 0 || len(line) != i+len(hashKey)+64+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, "", false
	}
	hash = string(line[i+len(hashKey) : i+len(hashKey)+64])
	if _, err := hex.DecodeString(hash); err != nil {
		return nil, "", false
	}
	body = make([]byte, 0, i+1)
	body = append(body, line[:i]...)
	body = append(body, '}')
	return body, hash, true
}
