package approval

import (
	"context"
	"log/slog"
	"time"
)

// SlogSink writes each audit record as one log/slog record (message
// "approval audit") with the record's fields as attributes. Handler errors
// are returned, so the AuditTrail retries them; a handler that fails in the
// middle of a batch may then log a record twice (a slog handler cannot
// take back what it wrote). Use the FileSink for the tamper-evident trail.
type SlogSink struct {
	h     slog.Handler
	level slog.Level
}

var _ Sink = (*SlogSink)(nil)

// NewSlogSink returns a sink logging to l at level (nil l: slog.Default()).
func NewSlogSink(l *slog.Logger, level slog.Level) *SlogSink {
	if l == nil {
		l = slog.Default()
	}
	return &SlogSink{h: l.Handler(), level: level}
}

// Write logs every record of the batch.
func (s *SlogSink) Write(ctx context.Context, batch []Record) error {
	if !s.h.Enabled(ctx, s.level) {
		return nil
	}
	for i := range batch {
		r := &batch[i]
		rec := slog.NewRecord(time.Now(), s.level, "approval audit", 0)
		rec.AddAttrs(
			slog.Time("at", r.Time), slog.String("decision", r.Decision), slog.String("rule", r.Rule),
			slog.String("reason", r.Reason), slog.String("fingerprint", r.Fingerprint),
			slog.String("text", r.Text), slog.String("key_id", r.KeyID), slog.String("role", r.Role),
			slog.String("session", r.Session),
			slog.Group("source", "app", r.Source.App, "service", r.Source.Service,
				"address", r.Source.Address, "route", r.Source.Route),
			slog.Any("args", r.Args), slog.String("policy_version", r.PolicyVersion),
			slog.Duration("latency", r.Latency), slog.Int64("rows_affected", r.RowsAffected),
			slog.String("error_class", r.ErrorClass), slog.String("prev", r.Prev), slog.String("hash", r.Hash),
		)
		if err := s.h.Handle(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}
