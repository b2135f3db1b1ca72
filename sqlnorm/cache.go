package sqlnorm

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// Cache is a bounded cache of Normalize results keyed by options and raw
// text. Rejections are cached too. It holds at most the number of entries
// and about the number of bytes given to NewCache: a flood of unique texts
// evicts older entries (CLOCK, second chance) instead of growing memory.
//
// The cache is split into shards, each with its own lock; a hit takes a
// read lock on one shard and does not allocate. It is safe for concurrent
// use. Returned Statements and errors are shared and must not be modified.
type Cache struct {
	seed   maphash.Seed
	shards []cacheShard
	mask   uint64
}

type cacheKey struct {
	opts Options
	sql  string
}

type cacheEntry struct {
	key  cacheKey
	hash uint64
	st   *Statement
	err  error
	size int64
	live bool
	ref  atomic.Bool // used since the CLOCK hand last passed
}

type cacheShard struct {
	mu       sync.RWMutex
	m        map[uint64]int32 // hash of key -> slot
	slots    []cacheEntry
	max      int // entries
	free     []int32
	hand     int
	bytes    int64
	maxBytes int64
	_        [40]byte // keep shards on separate cache lines
}

// entryOverhead approximates the bytes a cached entry costs beyond its
// strings (Statement struct, slices, map slot).
const entryOverhead = 256

// NewCache returns a cache holding at most maxEntries results and about
// maxBytes bytes (raw text, canonical text, facts and a fixed per-entry
// overhead). Non-positive bounds disable caching: every call normalises.
func NewCache(maxEntries int, maxBytes int64) *Cache {
	c := &Cache{seed: maphash.MakeSeed()}
	if maxEntries <= 0 || maxBytes <= 0 {
		return c
	}
	n := 1
	for n < 16 && n*2*64 <= maxEntries && int64(n*2)*64*1024 <= maxBytes {
		n *= 2
	}
	c.shards = make([]cacheShard, n)
	c.mask = uint64(n - 1)
	per := maxEntries / n
	for i := range c.shards {
		s := &c.shards[i]
		s.m = make(map[uint64]int32, min(per, 1024))
		s.slots = make([]cacheEntry, 0, min(per, 1024))
		s.max = per
		s.maxBytes = maxBytes / int64(n)
	}
	return c
}

// Normalize returns the cached result for (opts, sql), normalising on a
// miss. Rejections are cached too (bounded the same way).
func (c *Cache) Normalize(opts Options, sql string) (*Statement, error) {
	if len(c.shards) == 0 {
		return Normalize(opts, sql)
	}
	h := maphash.String(c.seed, sql) ^ optsHash(&opts)
	s := &c.shards[h&c.mask]
	s.mu.RLock()
	if i, ok := s.m[h]; ok {
		e := &s.slots[i]
		if e.key.sql == sql && e.key.opts == opts {
			st, err := e.st, e.err
			if !e.ref.Load() {
				e.ref.Store(true)
			}
			s.mu.RUnlock()
			return st, err
		}
	}
	s.mu.RUnlock()
	return s.miss(cacheKey{opts: opts, sql: sql}, h)
}

// optsHash mixes the options into the key hash (the full options are
// compared on a hit).
func optsHash(o *Options) uint64 {
	v := uint64(len(o.Dialect))<<8 | uint64(o.LowerCaseTableNames)<<4
	if len(o.Dialect) > 0 {
		v |= uint64(o.Dialect[0]) << 16
	}
	if o.NonStandardStrings {
		v |= 1
	}
	if o.NoBackslashEscapes {
		v |= 2
	}
	if o.ANSIQuotes {
		v |= 4
	}
	return v * 0x9E3779B97F4A7C15
}

// miss normalises and inserts; kept apart so that the hit path does not
// move its arguments to the heap.
func (s *cacheShard) miss(key cacheKey, h uint64) (*Statement, error) {
	opts, sql := key.opts, key.sql
	st, nerr := normalize(&opts, sql)
	var err error
	size := int64(len(sql)) + entryOverhead
	if nerr != nil {
		err = nerr
		size += int64(len(nerr.Reason))
	} else {
		size += int64(len(st.Text) + len(st.Fingerprint))
		for _, l := range [...][]string{st.Tables, st.Functions, st.Literals} {
			for _, x := range l {
				size += int64(len(x)) + 16
			}
		}
	}
	s.insert(key, h, st, err, size)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// Len returns the number of cached entries.
func (c *Cache) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}

// Bytes returns the accounted size of the cached entries.
func (c *Cache) Bytes() int64 {
	var n int64
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += s.bytes
		s.mu.RUnlock()
	}
	return n
}

func (s *cacheShard) insert(key cacheKey, h uint64, st *Statement, err error, size int64) {
	if size > s.maxBytes {
		return // larger than the shard: never cached
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.m[h]; ok {
		if s.slots[i].key == key {
			return
		}
		s.remove(int(i)) // a hash collision: the newer text wins the slot
	}
	for s.bytes+size > s.maxBytes || (len(s.free) == 0 && len(s.slots) >= s.max) {
		if !s.evictOne() {
			return
		}
	}
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		s.slots = append(s.slots, cacheEntry{})
		i = int32(len(s.slots) - 1)
	}
	e := &s.slots[i]
	e.key, e.hash, e.st, e.err, e.size, e.live = key, h, st, err, size, true
	e.ref.Store(false)
	s.m[h] = i
	s.bytes += size
}

// evictOne evicts one entry chosen by the CLOCK hand (entries used since
// the hand last passed get a second chance). It reports false when the
// shard is empty.
func (s *cacheShard) evictOne() bool {
	if len(s.m) == 0 {
		return false
	}
	for {
		if s.hand >= len(s.slots) {
			s.hand = 0
		}
		i := s.hand
		s.hand++
		e := &s.slots[i]
		if !e.live {
			continue
		}
		if e.ref.Load() {
			e.ref.Store(false)
			continue
		}
		s.remove(i)
		return true
	}
}

func (s *cacheShard) remove(i int) {
	e := &s.slots[i]
	delete(s.m, e.hash)
	s.bytes -= e.size
	e.key, e.st, e.err, e.size, e.live = cacheKey{}, nil, nil, 0, false
	e.ref.Store(false)
	s.free = append(s.free, int32(i))
}
