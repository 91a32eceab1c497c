package journal

import (
	"strings"
	"sync"
	"testing"
)

// TestPoolEvictsOldestAcrossJournals: journals of one pool stay within its
// bound together, the oldest entries of any of them going first, each
// counted in its own journal's Overwritten; a journal that leaves gives its
// bytes back.
func TestPoolEvictsOldestAcrossJournals(t *testing.T) {
	pool := NewPool(40 * (entryOverhead + 1000))
	a, b := New(Config{Pool: pool}), New(Config{Pool: pool})
	body := []byte(`"` + strings.Repeat("x", 998) + `"`)
	red := NewRedactor(nil)
	for i := 0; i < 30; i++ {
		a.AddWithBodies(Entry{Method: "GET", Path: "/a"}, body, nil, red)
	}
	for i := 0; i < 30; i++ {
		b.AddWithBodies(Entry{Method: "GET", Path: "/b"}, body, nil, red)
	}
	if pool.Bytes() > pool.Limit() {
		t.Errorf("pool holds %d bytes, over its %d", pool.Bytes(), pool.Limit())
	}
	if got := a.Bytes() + b.Bytes(); got != pool.Bytes() {
		t.Errorf("journals hold %d bytes, the pool counts %d", got, pool.Bytes())
	}
	// a's entries were the oldest: they went first, and b kept all of its.
	if a.Overwritten() == 0 || b.Overwritten() != 0 || len(b.List(Filter{})) != 30 {
		t.Errorf("overwritten a=%d b=%d; b keeps %d", a.Overwritten(), b.Overwritten(), len(b.List(Filter{})))
	}
	pool.Leave(a)
	if pool.Bytes() != b.Bytes() {
		t.Errorf("after a left: pool %d, b %d", pool.Bytes(), b.Bytes())
	}
	b.Clear()
	if pool.Bytes() != 0 {
		t.Errorf("after clearing: pool %d", pool.Bytes())
	}
}

// TestPoolConcurrent: many journals written at once stay within the bound
// (run with -race).
func TestPoolConcurrent(t *testing.T) {
	pool := NewPool(64 << 10)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		j := New(Config{Pool: pool})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				j.AddWithBodies(Entry{Method: "POST", Path: "/x"}, []byte(`{"a":"`+strings.Repeat("y", 500)+`"}`), nil, NewRedactor(nil))
			}
		}()
	}
	wg.Wait()
	if pool.Bytes() > pool.Limit() {
		t.Errorf("pool holds %d bytes, over its %d", pool.Bytes(), pool.Limit())
	}
}
