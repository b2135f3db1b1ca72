package approval

import (
	"context"
	"io"
	"path/filepath"
	"testing"
)

func BenchmarkAuditTrailRecord(b *testing.B) {
	a, _ := NewAuditTrail(SinkFunc(func(context.Context, []Record) error { return nil }),
		WithOverflow(OverflowBlock), WithAuditBuffer(1<<16))
	r := testRecord(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := a.Record(r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	a.Close()
}

// BenchmarkAuditChainEncode is the writer's per-record cost: canonical
// encoding, SHA-256, line.
func BenchmarkAuditChainEncode(b *testing.B) {
	r := testRecord(1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		chainRecord(r, r.Hash)
		io.Discard.Write(EncodeAuditRecord(r))
	}
}

// BenchmarkAuditChainWriter is the AuditTrail writer's per-record cost as
// it runs: the argument summary written from its fact, canonical encoding
// into a reused buffer, SHA-256, and the line a FileSink writes (batches of
// one record: the writer's worst case).
func BenchmarkAuditChainWriter(b *testing.B) {
	var (
		w    chainWriter
		line []byte
		prev string
	)
	batch, args := make([]Record, 1), make([]argView, 1)
	tmpl := *testRecord(1)
	tmpl.Args = nil
	tmpl.Reason = `matched allow rule "r1"` // as a rule's reason reads: quotes to escape
	b.ReportAllocs()
	for b.Loop() {
		batch[0] = tmpl
		args[0].capture([]Arg{{Ordinal: 1, Value: int64(42)}}, false)
		prev = w.chain(batch, args, prev)
		line = appendAuditLine(line[:0], &batch[0])
		io.Discard.Write(line)
	}
}

// BenchmarkAuditFile is the end-to-end throughput into a JSON Lines file.
func BenchmarkAuditFile(b *testing.B) {
	sink, _ := NewFileSink(filepath.Join(b.TempDir(), "audit.jsonl"))
	a, _ := NewAuditTrail(sink, WithOverflow(OverflowBlock))
	r := testRecord(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Record(r)
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
}
