package approval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// DefaultAuditFileMaxSize is the size at which a FileSink rotates: 64 MiB.
const DefaultAuditFileMaxSize = 64 << 20

// FileSink writes audit records as JSON Lines (one [EncodeAuditRecord]
// line per record) to a file, the default sink. When the file would grow
// past its maximum size it is renamed PATH.N (N = 1, 2, … oldest first) and
// a new PATH is started; the hash chain runs on across files (see
// [VerifyAuditFiles]). A batch is written whole or not at all: a failed
// write is cut back off the file before the error is returned, so a retry
// writes each record exactly once. Safe for concurrent use.
type FileSink struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	size    int64
	maxSize int64
	sync    bool
	buf     []byte // encoding buffer reused between batches
	ends    []int  // where each record's line ends in buf
}

var (
	_ Sink         = (*FileSink)(nil)
	_ ChainResumer = (*FileSink)(nil)
	_ io.Closer    = (*FileSink)(nil)
)

// FileSinkOption configures a FileSink.
type FileSinkOption func(*FileSink) error

// WithMaxFileSize sets the rotation size in bytes (default
// DefaultAuditFileMaxSize).
func WithMaxFileSize(n int64) FileSinkOption {
	return func(s *FileSink) error {
		if n <= 0 {
			return fmt.Errorf("approval: WithMaxFileSize: %d is not positive", n)
		}
		s.maxSize = n
		return nil
	}
}

// WithFileSync makes every batch fsync'd before Write returns (default
// off: records reach the operating system at once, the disk when it
// flushes; Close always syncs).
func WithFileSync(on bool) FileSinkOption {
	return func(s *FileSink) error { s.sync = on; return nil }
}

// NewFileSink opens (creating if needed) an audit file for appending.
func NewFileSink(path string, opts ...FileSinkOption) (*FileSink, error) {
	s := &FileSink{path: path, maxSize: DefaultAuditFileMaxSize}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *FileSink) open() error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	s.f, s.size = f, st.Size()
	return nil
}

// Write appends the batch, rotating first when a record would take the
// file past its maximum size.
func (s *FileSink) Write(ctx context.Context, batch []Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return errors.New("approval: audit file closed")
	}
	buf, ends := s.buf[:0], s.ends[:0]
	for i := range batch {
		buf = appendAuditLine(buf, &batch[i])
		ends = append(ends, len(buf))
	}
	if cap(buf) <= maxKeptAuditBuffer {
		s.buf, s.ends = buf[:0], ends[:0]
	}
	return s.appendLines(buf, ends)
}

// writeLines is Write for a batch already encoded by the AuditTrail's
// writer: record i is lines[ends[i-1]:ends[i]] (from 0 for the first).
func (s *FileSink) writeLines(lines []byte, ends []int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return errors.New("approval: audit file closed")
	}
	return s.appendLines(lines, ends)
}

// appendLines appends encoded records, rotating first when one would take
// the file past its maximum size.
func (s *FileSink) appendLines(lines []byte, ends []int) error {
	from, prev := 0, 0 // lines[from:prev] is waiting to be written
	for _, end := range ends {
		if s.size+int64(end-from) > s.maxSize && s.size+int64(prev-from) > 0 {
			if err := s.append(lines[from:prev]); err != nil {
				return err
			}
			from = prev
			if err := s.rotate(); err != nil {
				return err
			}
		}
		prev = end
	}
	return s.append(lines[from:prev])
}

// maxKeptAuditBuffer caps the encoding buffer a FileSink keeps between
// batches.
const maxKeptAuditBuffer = 1 << 20

// append writes b whole, or cuts a partial write back off.
func (s *FileSink) append(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	n, err := s.f.Write(b)
	if err == nil && s.sync {
		err = s.f.Sync()
	}
	if err != nil {
		if n > 0 {
			if terr := s.f.Truncate(s.size); terr != nil {
				return fmt.Errorf("approval: audit file: %v; cutting back the partial write failed too: %w", err, terr)
			}
		}
		return err
	}
	s.size += int64(n)
	return nil
}

func (s *FileSink) rotate() error {
	if err := s.f.Sync(); err != nil {
		return err
	}
	if err := s.f.Close(); err != nil {
		return err
	}
	s.f = nil
	n := 1
	if old := rotatedFiles(s.path); len(old) > 0 {
		last := old[len(old)-1]
		n, _ = strconv.Atoi(last[len(s.path)+1:])
		n++
	}
	if err := os.Rename(s.path, s.path+"."+strconv.Itoa(n)); err != nil {
		if oerr := s.open(); oerr != nil {
			return fmt.Errorf("approval: audit rotation: %v; reopening: %w", err, oerr)
		}
		return err
	}
	return s.open()
}

// LastHash returns the hash of the last record in the file, or in the
// newest rotated file when the file is empty ("" when there is none).
func (s *FileSink) LastHash() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	files := append(AuditFiles(s.path), "")
	for i := len(files) - 2; i >= 0; i-- {
		h, err := lastHashOf(files[i])
		if err != nil || h != "" {
			return h, err
		}
	}
	return "", nil
}

// Close syncs and closes the file.
func (s *FileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	return err
}

// AuditFiles returns the audit files of path, oldest first: the rotated
// PATH.1, PATH.2, … then PATH itself (when it exists).
func AuditFiles(path string) []string {
	out := rotatedFiles(path)
	if _, err := os.Stat(path); err == nil {
		out = append(out, path)
	}
	return out
}

func rotatedFiles(path string) []string {
	matches, _ := filepath.Glob(escapeGlob(path) + ".*")
	type nf struct {
		n int
		p string
	}
	var fs []nf
	for _, m := range matches {
		n, err := strconv.Atoi(strings.TrimPrefix(m, path+"."))
		if err == nil && n > 0 {
			fs = append(fs, nf{n, m})
		}
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].n < fs[j].n })
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.p
	}
	return out
}

func escapeGlob(p string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(p)
}

// lastHashOf reads the hash of the last complete line of a file.
func lastHashOf(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", nil
		}
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	const window = 1 << 20
	off := max(st.Size()-window, 0)
	b := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
		return "", err
	}
	b = bytes.TrimRight(b, "\n")
	if len(b) == 0 {
		return "", nil
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	} else if off > 0 {
		return "", fmt.Errorf("approval: audit file %s: last line longer than %d bytes", path, window)
	}
	_, h, ok := splitAuditLine(b)
	if !ok {
		return "", fmt.Errorf("approval: audit file %s: last line is not an audit record", path)
	}
	return h, nil
}
