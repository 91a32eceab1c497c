package journal

import (
	"sync"
	"sync/atomic"
)

// DefaultPoolBytes bounds the journals of one process together: each
// sandbox's journal has its own bound, and a thousand sandboxes of 64 MiB
// each would pass any machine's memory.
const DefaultPoolBytes = 256 << 20

// Pool bounds the bytes of many journals together. When their entries pass
// the bound, the oldest entries of all of them go first (counted in each
// journal's Overwritten), whichever sandbox they belong to.
type Pool struct {
	limit int64
	total atomic.Int64
	// stamp orders entries across journals, oldest first.
	stamp atomic.Int64

	mu       sync.Mutex // serialises eviction; guards journals
	journals map[*Journal]struct{}
}

// NewPool returns a pool of limit bytes (DefaultPoolBytes when limit <= 0).
func NewPool(limit int64) *Pool {
	if limit <= 0 {
		limit = DefaultPoolBytes
	}
	return &Pool{limit: limit, journals: map[*Journal]struct{}{}}
}

// Bytes reports the bytes the pool's journals hold together.
func (p *Pool) Bytes() int64 { return p.total.Load() }

// Limit reports the pool's bound.
func (p *Pool) Limit() int64 { return p.limit }

func (p *Pool) join(j *Journal) {
	p.mu.Lock()
	p.journals[j] = struct{}{}
	p.mu.Unlock()
}

// Leave takes j out of the pool and gives back what it holds; j must not
// be written afterwards (its sandbox is gone).
func (p *Pool) Leave(j *Journal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.journals, j)
	j.mu.Lock()
	p.total.Add(-j.bytes)
	j.bytes, j.pool = 0, nil
	j.recs, j.head, j.n = nil, 0, 0
	j.mu.Unlock()
}

// shrink evicts the oldest entries of all journals until the pool is
// within its bound. Called with no journal's lock held: it takes the pool's
// lock, then one journal's at a time.
func (p *Pool) shrink() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.total.Load() > p.limit {
		var oldest *Journal
		var at int64
		for j := range p.journals {
			j.mu.Lock()
			if j.n > 0 && (oldest == nil || j.recs[j.head].stamp < at) {
				oldest, at = j, j.recs[j.head].stamp
			}
			j.mu.Unlock()
		}
		if oldest == nil {
			return
		}
		oldest.mu.Lock()
		if oldest.n > 0 {
			oldest.evictOldest()
		}
		oldest.mu.Unlock()
	}
}
