package approval

import (
	"hash/maphash"
	"sync"
	"time"
)

// tokenCache remembers successful token verifications so that a token is
// verified once for its lifetime, not on every call (an Ed25519 check costs
// tens of µs). It is bounded and sharded: no global lock on the hot path.
// It stores only what Verify returned; the caller still checks expiry,
// not-before and revocation on every call.
type tokenCache struct {
	seed   maphash.Seed
	shards [tokenShards]tokenShard
	per    int // max entries per shard
}

const tokenShards = 16

type tokenShard struct {
	mu sync.RWMutex
	m  map[string]tokenEntry
}

type tokenEntry struct {
	key   *Key
	epoch uint64
}

// DefaultTokenCacheSize is the number of verified tokens a Gate remembers by
// default.
const DefaultTokenCacheSize = 16384

func newTokenCache(size int) *tokenCache {
	c := &tokenCache{seed: maphash.MakeSeed(), per: (size + tokenShards - 1) / tokenShards}
	for i := range c.shards {
		c.shards[i].m = make(map[string]tokenEntry)
	}
	return c
}

func (c *tokenCache) shard(token string) *tokenShard {
	return &c.shards[maphash.String(c.seed, token)%tokenShards]
}

// get returns the cached key of token when it was verified under epoch.
func (c *tokenCache) get(token string, epoch uint64) *Key {
	if c.per == 0 {
		return nil
	}
	s := c.shard(token)
	s.mu.RLock()
	e, ok := s.m[token]
	s.mu.RUnlock()
	if !ok || e.epoch != epoch {
		return nil
	}
	return e.key
}

// put remembers a verified key. When the shard is full it first drops
// expired entries, then arbitrary ones.
func (c *tokenCache) put(token string, k *Key, epoch uint64, now time.Time) {
	if c.per == 0 {
		return
	}
	s := c.shard(token)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= c.per {
		for t, e := range s.m {
			if !now.Before(e.key.ExpiresAt) || e.epoch != epoch {
				delete(s.m, t)
			}
		}
		for t := range s.m {
			if len(s.m) < c.per {
				break
			}
			delete(s.m, t)
		}
	}
	s.m[token] = tokenEntry{key: k, epoch: epoch}
}
