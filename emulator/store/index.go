package store

import "iter"

// Index is a map that forks as a Table does: a fork shares the map until
// either side writes, and the writer copies it. Families keep their
// secondary indexes (name → id) in one, so that a sandbox forked from a
// world shares those too.
type Index[K comparable, V any] struct {
	m      map[K]V
	shared bool
}

// NewIndex returns an empty index.
func NewIndex[K comparable, V any]() *Index[K, V] {
	return &Index[K, V]{m: map[K]V{}}
}

// Get returns the value under k.
func (x *Index[K, V]) Get(k K) (V, bool) {
	v, ok := x.m[k]
	return v, ok
}

// Has reports whether k is present.
func (x *Index[K, V]) Has(k K) bool { _, ok := x.m[k]; return ok }

// Len returns the number of keys.
func (x *Index[K, V]) Len() int { return len(x.m) }

// Set stores v under k.
func (x *Index[K, V]) Set(k K, v V) {
	x.own()
	x.m[k] = v
}

// Delete removes k.
func (x *Index[K, V]) Delete(k K) {
	if _, ok := x.m[k]; !ok {
		return
	}
	x.own()
	delete(x.m, k)
}

// All yields every key and value, in no particular order. The index must
// not be written during the loop.
func (x *Index[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for k, v := range x.m {
			if !yield(k, v) {
				return
			}
		}
	}
}

// Freeze marks x as shared before it is published, as Table.Freeze does.
func (x *Index[K, V]) Freeze() { x.shared = true }

// Fork returns an index with x's contents that shares x's map until either
// is written. Concurrent forks need a frozen x (Freeze).
func (x *Index[K, V]) Fork() *Index[K, V] {
	if !x.shared {
		x.shared = true
	}
	return &Index[K, V]{m: x.m, shared: true}
}

func (x *Index[K, V]) own() {
	if !x.shared {
		return
	}
	m := make(map[K]V, len(x.m)+1)
	for k, v := range x.m {
		m[k] = v
	}
	x.m, x.shared = m, false
}
