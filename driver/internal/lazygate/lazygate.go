package lazygate

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/approvedsql/approvedsql/approval"
)

// EnvPolicy names the environment variable holding the policy file path.
const EnvPolicy = "APPROVEDSQL_POLICY"

// Source supplies a Gate. The zero value is ready: no Gate set, policy
// from the environment. Safe for concurrent use.
type Source struct {
	set atomic.Pointer[approval.Gate]

	once   sync.Once
	loaded *approval.Gate
	err    error

	// Getenv and Load replace os.Getenv and the policy loader in tests.
	Getenv func(string) string
	Load   func(path string) (*approval.Gate, error)
}

// Set makes g the Gate; nil returns to the environment's policy.
func (s *Source) Set(g *approval.Gate) { s.set.Store(g) }

// Gate returns the Gate set in code, else the one loaded from the
// environment on first use (the load is attempted once; its error is
// returned on every call), else nil and no error: no policy configured.
func (s *Source) Gate() (*approval.Gate, error) {
	if g := s.set.Load(); g != nil {
		return g, nil
	}
	s.once.Do(s.loadFromEnv)
	return s.loaded, s.err
}

func (s *Source) loadFromEnv() {
	getenv := s.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	path := getenv(EnvPolicy)
	if path == "" {
		return
	}
	load := s.Load
	if load == nil {
		load = loadGate
	}
	s.loaded, s.err = load(path)
	if s.err != nil {
		s.err = fmt.Errorf("%s=%s: %w", EnvPolicy, path, s.err)
	}
}

func loadGate(path string) (*approval.Gate, error) {
	p, err := approval.LoadPolicy(path)
	if err != nil {
		return nil, err
	}
	return approval.NewGate(p)
}
