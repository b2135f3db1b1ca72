package cel

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentEval shares one Program between goroutines, each with its
// own inputs; run with -race. Each goroutine must see its own values,
// which would fail if pooled activations leaked state between calls.
func TestConcurrentEval(t *testing.T) {
	env := newTestEnv(t)
	p := mustCompile(t, env, `key.role == key.id && query.tables.size() == query.params && (args.size() == 0 || args[0] == query.params)`)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				in := testInput()
				q := *in.Query
				in.Query = &q
				in.Key.ID = fmt.Sprintf("role-%d-%d", g, i)
				in.Key.Role = in.Key.ID
				q.Params = i % 5
				q.Tables = make([]string, q.Params)
				in.Args = []any{int64(q.Params)}
				ok, err := p.Eval(in)
				if err != nil || !ok {
					errs <- fmt.Errorf("goroutine %d call %d: %v, %v", g, i, ok, err)
					return
				}
				in.Key.Role = "other"
				if ok, _ := p.Eval(in); ok {
					errs <- fmt.Errorf("goroutine %d call %d: stale value", g, i)
					return
				}
				if m, k, err := p.Partial(in); err != nil || m || k != true {
					errs <- fmt.Errorf("goroutine %d call %d: Partial = %v, %v, %v", g, i, m, k, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
