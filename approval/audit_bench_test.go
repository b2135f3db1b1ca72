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
