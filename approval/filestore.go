package approval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// fileStoreVersion is the format version written in the file.
const fileStoreVersion = 1

// FileStore is a Store kept in one JSON file, for a single process that
// restarts: grants, revocations and pending requests survive a restart.
// Every change rewrites the file atomically (a temporary file in the same
// directory, synced, then renamed over the old one), under an exclusive
// lock on PATH.lock so that approvalctl can change the file while the
// application runs (on Unix; elsewhere only within one process). Changes
// made by another process are noticed by polling the file (see
// WithFilePoll). Safe for concurrent use.
type FileStore struct {
	path  string
	poll  time.Duration
	mu    sync.Mutex
	feed  changeFeed
	stop  chan struct{}
	done  chan struct{}
	close sync.Once
}

var _ Store = (*FileStore)(nil)

// FileStoreOption configures a FileStore.
type FileStoreOption func(*FileStore) error

// WithFilePoll sets how often the file is checked for changes made by
// another process (default 250ms).
func WithFilePoll(d time.Duration) FileStoreOption {
	return func(s *FileStore) error {
		if d <= 0 {
			return fmt.Errorf("approval: WithFilePoll: %v is not positive", d)
		}
		s.poll = d
		return nil
	}
}

type fileStoreDoc struct {
	Version int `json:"version"`
	storeState
}

// OpenFileStore opens the store at path, creating the file when it does
// not exist. A file that cannot be read or parsed is an error: nothing is
// silently reset.
func OpenFileStore(path string, opts ...FileStoreOption) (*FileStore, error) {
	s := &FileStore{path: path, poll: 250 * time.Millisecond, stop: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if err := s.mutate(func(*storeState) error { return nil }); err != nil {
		return nil, err
	}
	go s.watch()
	return s, nil
}

// Snapshot reads the file.
func (s *FileStore) Snapshot(ctx context.Context) (*StoreSnapshot, error) {
	st, err := s.read()
	if err != nil {
		return nil, err
	}
	return st.snapshot(), nil
}

// AddGrant stores a new grant.
func (s *FileStore) AddGrant(ctx context.Context, g *Grant) error {
	return s.mutate(func(st *storeState) error { return st.addGrant(g) })
}

// RevokeGrant marks a grant revoked.
func (s *FileStore) RevokeGrant(ctx context.Context, id string, at time.Time) error {
	return s.mutate(func(st *storeState) error { return st.revokeGrant(id, at) })
}

// UseGrant counts one use, atomically (across processes on Unix).
func (s *FileStore) UseGrant(ctx context.Context, id string) (uses int64, ok bool, err error) {
	err = s.mutate(func(st *storeState) error {
		var e error
		uses, ok, e = st.useGrant(id)
		if e == nil && !ok {
			return errNoChange
		}
		return e
	})
	if errors.Is(err, errNoChange) {
		err = nil
	}
	return uses, ok, err
}

// PutPending inserts or merges a request.
func (s *FileStore) PutPending(ctx context.Context, p *PendingRequest) error {
	return s.mutate(func(st *storeState) error { st.putPending(p); return nil })
}

// DeletePending removes a request.
func (s *FileStore) DeletePending(ctx context.Context, id string) error {
	return s.mutate(func(st *storeState) error { return st.deletePending(id) })
}

// RevokeKey records a key revocation.
func (s *FileStore) RevokeKey(ctx context.Context, r Revocation) error {
	return s.mutate(func(st *storeState) error { return st.revokeKey(r) })
}

// Changes returns a new subscription to the change feed.
func (s *FileStore) Changes() <-chan struct{} { return s.feed.subscribe() }

// Close stops watching the file.
func (s *FileStore) Close() error {
	s.close.Do(func() { close(s.stop); <-s.done })
	return nil
}

var errNoChange = errors.New("no change")

// mutate applies f to the file's content under the lock and writes the
// result atomically.
func (s *FileStore) mutate(f func(*storeState) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := lockFile(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("approval: file store lock: %w", err)
	}
	defer unlock()
	st, err := s.read()
	if err != nil {
		return err
	}
	if err := f(st); err != nil {
		return err
	}
	if err := s.write(st); err != nil {
		return err
	}
	s.feed.broadcast()
	return nil
}

func (s *FileStore) read() (*storeState, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		st := newStoreState()
		return &st, nil
	}
	if err != nil {
		return nil, err
	}
	var doc fileStoreDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("approval: file store %s: %w", s.path, err)
	}
	if doc.Version != fileStoreVersion {
		return nil, fmt.Errorf("approval: file store %s: unknown format version %d", s.path, doc.Version)
	}
	doc.storeState.fill()
	return &doc.storeState, nil
}

func (s *FileStore) write(st *storeState) error {
	b, err := json.MarshalIndent(fileStoreDoc{Version: fileStoreVersion, storeState: *st}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(s.path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o600)
	}
	if err == nil {
		err = os.Rename(name, s.path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all systems support it
		d.Close()
	}
	return nil
}

// watch polls the file and signals a change when its stamp moves.
func (s *FileStore) watch() {
	defer close(s.done)
	t := time.NewTicker(s.poll)
	defer t.Stop()
	last := stampOf(s.path)
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if cur := stampOf(s.path); cur != last {
				last = cur
				s.feed.broadcast()
			}
		}
	}
}

type fileStamp struct {
	mod  time.Time
	size int64
	ino  uint64
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{fi.ModTime(), fi.Size(), inodeOf(fi)}
}
