package approval

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
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

// referenceBody is the canonical encoding done by encoding/json: the
// hand-written auditBody must produce the same bytes.
func referenceBody(r *Record) []byte {
	l := auditLine{
		Time: r.Time.UTC().Format(auditTimeLayout), Decision: r.Decision, Rule: r.Rule,
		Reason: r.Reason, Fingerprint: r.Fingerprint, Text: r.Text, KeyID: r.KeyID,
		Role: r.Role, Session: r.Session, Args: r.Args, PolicyVersion: r.PolicyVersion,
		LatencyNS: int64(r.Latency), RowsAffected: r.RowsAffected, ErrorClass: r.ErrorClass, Prev: r.Prev,
	}
	if s := r.Source; s.App != "" || s.Service != "" || s.Address != "" || s.Route != "" || len(s.Labels) > 0 {
		l.Source = &auditSrc{s.App, s.Service, s.Address, s.Route, s.Labels}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(&l)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func FuzzAuditEncoding(f *testing.F) {
	f.Add("SELECT * FROM t WHERE a = '<x>' & \"y\"", "tenant", "acme\u2028\x00\xff", "", int64(-1))
	f.Add("", "", "", "route\t\n\r\\", int64(7))
	f.Fuzz(func(t *testing.T, text, labelKey, labelVal, route string, rows int64) {
		r := testRecord(1)
		r.Text, r.Source.Route, r.RowsAffected = text, route, rows
		r.Time = time.Unix(rows/7, rows%1_000_000_000) // years far outside 0..9999 too
		r.Source.App = ""
		r.Source.Labels = nil
		if labelKey != "" {
			r.Source.Labels = map[string]string{labelKey: labelVal, "z" + labelKey: text}
		}
		r.Args = []string{labelVal, text}
		chainRecord(r, "p")
		got, want := auditBody(r), referenceBody(r)
		if !bytes.Equal(got, want) {
			t.Fatalf("encoding differs from encoding/json:\n got %s\nwant %s", got, want)
		}
		back, err := DecodeAuditRecord(EncodeAuditRecord(r))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(auditBody(back), got) {
			t.Fatalf("decode/encode is not stable:\n%s\n%s", auditBody(back), got)
		}
	})
}

func TestAuditEncodingMatchesJSON(t *testing.T) {
	recs := []*Record{testRecord(1), {Decision: "deny"}, {Decision: "x", Source: Source{Labels: map[string]string{"a": "1"}}},
		{Decision: "y", Source: Source{Route: "/r", Address: "10.0.0.1"}, Args: []string{"\u2029", "\x7f\x01", "\b\f\v"}}}
	for i, r := range recs {
		chainRecord(r, "")
		if got, want := auditBody(r), referenceBody(r); !bytes.Equal(got, want) {
			t.Errorf("record %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
