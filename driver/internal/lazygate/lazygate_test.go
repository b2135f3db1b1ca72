package lazygate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/approvedsql/approvedsql/approval"
)

func TestSource(t *testing.T) {
	loadErr := errors.New("bad policy")
	set := new(approval.Gate)
	cases := []struct {
		name    string
		env     string
		load    func(string) (*approval.Gate, error)
		set     *approval.Gate
		want    *approval.Gate
		wantErr error
		loads   int
	}{
		{"nothing configured", "", nil, nil, nil, nil, 0},
		{"set in code wins", "/p.yaml", nil, set, set, nil, 0},
		{"loaded once from env", "/p.yaml", func(string) (*approval.Gate, error) { return set, nil }, nil, set, nil, 1},
		{"load error kept", "/p.yaml", func(string) (*approval.Gate, error) { return nil, loadErr }, nil, nil, loadErr, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loads := 0
			s := &Source{Getenv: func(k string) string {
				if k != EnvPolicy {
					t.Errorf("read %s", k)
				}
				return tc.env
			}}
			s.Load = func(p string) (*approval.Gate, error) {
				loads++
				if tc.load == nil {
					t.Fatal("unexpected load")
				}
				return tc.load(p)
			}
			s.Set(tc.set)
			for i := 0; i < 3; i++ {
				g, err := s.Gate()
				if g != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
					t.Fatalf("Gate() = %p, %v; want %p, %v", g, err, tc.want, tc.wantErr)
				}
			}
			if loads != tc.loads {
				t.Errorf("loaded %d times, want %d", loads, tc.loads)
			}
		})
	}
}

func TestLoadsPolicyFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("version: v1\ndialect: postgres\nrules:\n  - {name: all, effect: allow, when: 'true'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("version: v1\ndialect: postgres\nrules:\n  - {name: x, effect: allow, when: 'key.rol == 1'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Source{Getenv: func(string) string { return good }}
	if g, err := s.Gate(); err != nil || g == nil || !strings.HasPrefix(g.Policy().Version(), "v1") {
		t.Fatalf("Gate() = %v, %v", g, err)
	}
	s = &Source{Getenv: func(string) string { return bad }}
	if g, err := s.Gate(); err == nil || g != nil || !strings.Contains(err.Error(), EnvPolicy) {
		t.Fatalf("Gate() = %v, %v; want the load error naming %s", g, err, EnvPolicy)
	}
}
