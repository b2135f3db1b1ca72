package sqlnorm

import (
	"errors"
	"strconv"
	"sync"
	"testing"
)

func TestCacheHit(t *testing.T) {
	c := NewCache(100, 1<<20)
	a, err := c.Normalize(pg, "SELECT * FROM t WHERE id = 1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Normalize(pg, "SELECT * FROM t WHERE id = 1")
	if err != nil || a != b {
		t.Fatalf("second call not served from the cache: %p %p %v", a, b, err)
	}
	// Options are part of the key.
	d, err := c.Normalize(lite, "SELECT * FROM t WHERE id = 1")
	if err != nil || d == a || d.Dialect != SQLite {
		t.Fatalf("options not part of the key: %+v", d)
	}
	if n := c.Len(); n != 2 {
		t.Fatalf("Len %d", n)
	}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = c.Normalize(pg, "SELECT * FROM t WHERE id = 1")
	})
	if allocs != 0 {
		t.Fatalf("cache hit allocates %.1f times", allocs)
	}
}

func TestCacheRejections(t *testing.T) {
	c := NewCache(100, 1<<20)
	_, err1 := c.Normalize(pg, "SELECT 1; DROP TABLE t")
	_, err2 := c.Normalize(pg, "SELECT 1; DROP TABLE t")
	var e *Error
	if !errors.As(err1, &e) || e.Kind != KindMultiple || err1 != err2 {
		t.Fatalf("rejection not cached: %v %v", err1, err2)
	}
	if st, err := c.Normalize(Options{}, "SELECT 1"); err == nil || st != nil {
		t.Fatal("zero options accepted through the cache")
	}
}

func TestCacheBounds(t *testing.T) {
	tests := []struct {
		name       string
		maxEntries int
		maxBytes   int64
	}{
		{"entries bound", 64, 1 << 30},
		{"bytes bound", 1 << 20, 64 << 10},
		{"tiny", 1, 1 << 20},
		{"huge entry bound allocates lazily", 1 << 40, 256 << 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCache(tc.maxEntries, tc.maxBytes)
			for i := 0; i < 5000; i++ {
				sql := "SELECT * FROM t" + strconv.Itoa(i) + " WHERE a = 1"
				st, err := c.Normalize(pg, sql)
				if err != nil || st.Tables[0] != "t"+strconv.Itoa(i) {
					t.Fatalf("%q: %v", sql, err)
				}
				if i%3 == 0 {
					_, _ = c.Normalize(pg, "SELECT 'unterminated"+strconv.Itoa(i))
				}
				if c.Len() > tc.maxEntries || c.Bytes() > tc.maxBytes {
					t.Fatalf("after %d inserts: %d entries, %d bytes", i+1, c.Len(), c.Bytes())
				}
			}
			if c.Len() == 0 {
				t.Fatal("nothing cached")
			}
		})
	}
}

func TestCacheKeepsHotEntries(t *testing.T) {
	c := NewCache(16, 1<<20)
	hot := "SELECT * FROM hot"
	first, _ := c.Normalize(pg, hot)
	for i := 0; i < 200; i++ {
		_, _ = c.Normalize(pg, "SELECT * FROM cold"+strconv.Itoa(i))
		if st, _ := c.Normalize(pg, hot); st != first {
			// Second chance: an entry used between sweeps survives.
			t.Fatalf("hot entry evicted after %d cold inserts", i+1)
		}
	}
}

func TestCacheDisabled(t *testing.T) {
	c := NewCache(0, 0)
	a, err := c.Normalize(pg, "SELECT 1")
	if err != nil || a.Text != "SELECT $0" || c.Len() != 0 {
		t.Fatalf("disabled cache: %v %v", a, err)
	}
	if _, err := c.Normalize(pg, "SELECT 'x"); !errors.Is(err, ErrRejected) {
		t.Fatal(err)
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := NewCache(256, 1<<20)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				sql := "SELECT * FROM t" + strconv.Itoa((i*7+g)%400)
				st, err := c.Normalize(pg, sql)
				if err != nil || st.Command != "SELECT" {
					t.Errorf("%q: %v", sql, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if c.Len() > 256 {
		t.Fatalf("Len %d", c.Len())
	}
}
