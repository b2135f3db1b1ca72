package lazygate

import (
	"errors"
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
