// Package store provides the in-memory collections API families keep their
// objects in. A Table copies values on the way in and out, so a handler can
// never change stored state by accident through a pointer it was handed, and
// it keeps insertion order, which is what list endpoints page through by
// default.
//
// Tables do no locking of their own: a family guards all of its tables with
// one lock, so that changes spanning several objects (moving the primary
// credential, say) are atomic.
//
// A scenario's world is built into frozen tables and indexes once, and
// every sandbox forks them (Fork): a fork shares the index and the values
// until it is first written, and then copies the index but not the values,
// because writes replace stored values rather than change them. A thousand
// sandboxes of a 20,000-object world cost one world until they write.
package store

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
)

// Table is an insertion-ordered map from string ids to values of type V.
// One map finds an id's slot in a slice that holds the values in order:
// a second map from id to value had cost every object a map entry more.
type Table[V any] struct {
	clone func(V) V
	pos   map[string]int // id → index into slots
	slots []slot[V]      // in insertion order; id "" marks a deleted slot
	holes int
	// shared: pos and slots belong to other tables too (Fork), so the
	// first write copies them.
	shared bool
}

type slot[V any] struct {
	id string
	v  V
}

// NewTable returns an empty table. clone must return a deep copy of a value.
func NewTable[V any](clone func(V) V) *Table[V] {
	return &Table[V]{clone: clone, pos: map[string]int{}}
}

// Len returns the number of values.
func (t *Table[V]) Len() int { return len(t.pos) }

// Get returns a copy of the value with the given id.
func (t *Table[V]) Get(id string) (V, bool) {
	i, ok := t.pos[id]
	if !ok {
		var zero V
		return zero, false
	}
	return t.clone(t.slots[i].v), true
}

// Peek returns the stored value itself, not a copy, for reading under the
// family's lock on hot paths (rendering a view): the caller must not change
// it or keep it past the lock, as with Scan.
func (t *Table[V]) Peek(id string) (V, bool) {
	i, ok := t.pos[id]
	if !ok {
		var zero V
		return zero, false
	}
	return t.slots[i].v, true
}

// PeekID is Peek for a table keyed by decimal integers: the key is
// formatted on the stack, so a lookup allocates nothing (a view of a
// credential looks up its type and owner by number).
func (t *Table[V]) PeekID(id int) (V, bool) {
	var buf [20]byte
	i, ok := t.pos[string(strconv.AppendInt(buf[:0], int64(id), 10))]
	if !ok {
		var zero V
		return zero, false
	}
	return t.slots[i].v, true
}

// Has reports whether id is present.
func (t *Table[V]) Has(id string) bool { _, ok := t.pos[id]; return ok }

// Put stores a copy of v under id. A new id goes to the end of the order; an
// existing one keeps its place.
func (t *Table[V]) Put(id string, v V) {
	t.put(id, t.clone(v))
}

// PutShared stores v itself, not a copy, under id. It is for values that
// are never changed in place, such as a scenario's world, which every
// sandbox starts from: the table's own writes replace values (Get, change,
// Put) rather than change them, so a sandbox that only reads an object
// need not hold a copy of it.
func (t *Table[V]) PutShared(id string, v V) { t.put(id, v) }

func (t *Table[V]) put(id string, v V) {
	t.own()
	if i, ok := t.pos[id]; ok {
		t.slots[i].v = v
		return
	}
	t.pos[id] = len(t.slots)
	t.slots = append(t.slots, slot[V]{id: id, v: v})
}

// Delete removes id and reports whether it was present. Deletion leaves a
// hole in the order that is compacted once holes outnumber values, so a
// delete costs O(1) amortised.
func (t *Table[V]) Delete(id string) bool {
	i, ok := t.pos[id]
	if !ok {
		return false
	}
	t.own()
	i = t.pos[id]
	delete(t.pos, id)
	t.slots[i] = slot[V]{}
	t.holes++
	if t.holes > len(t.pos) && t.holes > 32 {
		t.compact()
	}
	return true
}

func (t *Table[V]) compact() {
	out := make([]slot[V], 0, len(t.pos))
	for _, s := range t.slots {
		if s.id != "" {
			t.pos[s.id] = len(out)
			out = append(out, s)
		}
	}
	t.slots, t.holes = out, 0
}

// Scan calls fn for each value in insertion order until fn returns false.
// The value passed is the stored one, not a copy: fn must not change it or
// keep it past the call.
func (t *Table[V]) Scan(fn func(id string, v V) bool) {
	for _, s := range t.slots {
		if s.id == "" {
			continue
		}
		if !fn(s.id, s.v) {
			return
		}
	}
}

// Copies returns a copy of every value, in insertion order: what a
// snapshot writes.
func (t *Table[V]) Copies() []V {
	out := make([]V, 0, len(t.pos))
	t.Scan(func(_ string, v V) bool {
		out = append(out, t.clone(v))
		return true
	})
	return out
}

// Copy returns a shallow copy of *v: the clone of a value that holds no
// maps or slices of its own.
func Copy[T any](v *T) *T { c := *v; return &c }

// SortedCopies returns a copy of each of m's values, ordered by key: a
// snapshot writes a map in an order that does not change from run to run.
func SortedCopies[K comparable, V any, O cmp.Ordered](m map[K]V, clone func(V) V, key func(V) O) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, clone(v))
	}
	slices.SortFunc(out, func(a, b V) int { return cmp.Compare(key(a), key(b)) })
	return out
}

// Freeze marks t as shared before it is published to other goroutines:
// after it, Fork only reads t, so forks may be taken concurrently, and a
// write to t itself copies its index first.
func (t *Table[V]) Freeze() { t.shared = true }

// Fork returns a table with t's contents that shares t's index and values
// until either table is written; the one written first copies the index
// (about 60 bytes an object), never the values. Fork writes t unless t is
// frozen, so concurrent forks need a frozen t (Freeze).
func (t *Table[V]) Fork() *Table[V] {
	if !t.shared {
		t.shared = true
	}
	return &Table[V]{clone: t.clone, pos: t.pos, slots: t.slots, holes: t.holes, shared: true}
}

// Shared reports whether t still shares its index with another table.
func (t *Table[V]) Shared() bool { return t.shared }

// own gives t an index of its own before a write, compacting it on the way.
func (t *Table[V]) own() {
	if !t.shared {
		return
	}
	pos := make(map[string]int, len(t.pos))
	slots := make([]slot[V], 0, len(t.pos)+1)
	for _, s := range t.slots {
		if s.id != "" {
			pos[s.id] = len(slots)
			slots = append(slots, s)
		}
	}
	t.pos, t.slots, t.holes, t.shared = pos, slots, 0, false
}

// Clone returns a deep copy of the table.
func (t *Table[V]) Clone() *Table[V] {
	c := &Table[V]{clone: t.clone, pos: make(map[string]int, len(t.pos)), slots: make([]slot[V], 0, len(t.pos))}
	t.Scan(func(id string, v V) bool {
		c.pos[id] = len(c.slots)
		c.slots = append(c.slots, slot[V]{id: id, v: t.clone(v)})
		return true
	})
	return c
}

// Frozen returns a frozen table of items stored as they are, not copied,
// keyed by id: a world's objects, for sandboxes to Fork. Nothing may change
// the items afterwards.
func Frozen[V any](clone func(V) V, items []V, id func(V) string) *Table[V] {
	t := &Table[V]{clone: clone, pos: make(map[string]int, len(items)), slots: make([]slot[V], 0, len(items))}
	for _, v := range items {
		t.put(id(v), v)
	}
	t.Freeze()
	return t
}

// Lazy holds a value built on first use, once, however many goroutines ask:
// a world's frozen tables, which only the first sandbox to need them pays
// for.
type Lazy[T any] struct {
	once sync.Once
	v    T
}

// Get returns the value, building it with build on the first call.
func (l *Lazy[T]) Get(build func() T) T {
	l.once.Do(func() { l.v = build() })
	return l.v
}
