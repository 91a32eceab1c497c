package store_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/store"
)

type item struct{ Tags []string }

func cloneItem(i *item) *item { return &item{Tags: append([]string(nil), i.Tags...)} }

func ids(t *store.Table[*item]) []string {
	var out []string
	t.Scan(func(id string, _ *item) bool { out = append(out, id); return true })
	return out
}

func TestCopiesInAndOut(t *testing.T) {
	tb := store.NewTable(cloneItem)
	in := &item{Tags: []string{"a"}}
	tb.Put("1", in)
	in.Tags[0] = "changed-after-put"
	out, _ := tb.Get("1")
	out.Tags[0] = "changed-after-get"
	again, _ := tb.Get("1")
	if again.Tags[0] != "a" {
		t.Fatalf("stored value changed through a pointer: %v", again.Tags)
	}
}

func TestOrderSurvivesDeletesAndCompaction(t *testing.T) {
	tb := store.NewTable(cloneItem)
	var want []string
	for i := 0; i < 200; i++ {
		tb.Put(fmt.Sprint(i), &item{})
	}
	for i := 0; i < 200; i++ {
		if i%3 != 0 {
			tb.Delete(fmt.Sprint(i))
		} else {
			want = append(want, fmt.Sprint(i))
		}
	}
	tb.Put("0", &item{Tags: []string{"updated"}}) // keeps its place
	tb.Put("new", &item{})
	want = append(want, "new")
	if diff := cmp.Diff(want, ids(tb)); diff != "" {
		t.Fatalf("order (-want +got):\n%s", diff)
	}
	if tb.Len() != len(want) || tb.Delete("1") || !tb.Has("0") {
		t.Fatal("len/delete/has")
	}
	c := tb.Clone()
	tb.Delete("0")
	if !c.Has("0") {
		t.Fatal("clone shares state")
	}
}

func TestPeekID(t *testing.T) {
	tb := store.NewTable(cloneItem)
	tb.Put("7", &item{Tags: []string{"seven"}})
	tb.Put("1234567", &item{Tags: []string{"big"}})
	for _, tc := range []struct {
		id   int
		want string
	}{{7, "seven"}, {1234567, "big"}, {8, ""}, {-7, ""}} {
		got := ""
		if v, ok := tb.PeekID(tc.id); ok {
			got = v.Tags[0]
		}
		if got != tc.want {
			t.Errorf("PeekID(%d) = %q, want %q", tc.id, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { tb.PeekID(1234567) }); n != 0 {
		t.Errorf("PeekID allocates %v times", n)
	}
}

// TestPutSharedIsReplacedNotChanged: a shared value is what Peek sees, a
// Get is still a copy, and a Put after a change replaces it, leaving the
// shared value as it was.
func TestPutSharedIsReplacedNotChanged(t *testing.T) {
	shared := &item{Tags: []string{"world"}}
	tb := store.NewTable(func(v *item) *item { c := *v; return &c })
	tb.PutShared("1", shared)
	if p, _ := tb.Peek("1"); p != shared {
		t.Fatal("Peek of a shared value is not the value itself")
	}
	got, _ := tb.Get("1")
	got.Tags = []string{"sandbox"}
	tb.Put("1", got)
	if shared.Tags[0] != "world" {
		t.Errorf("the shared value was changed: %q", shared.Tags)
	}
	if p, _ := tb.Peek("1"); p.Tags[0] != "sandbox" {
		t.Errorf("after Put: %q", p.Tags)
	}
}

func TestForksShareUntilWritten(t *testing.T) {
	base := store.NewTable(cloneItem)
	for i := 0; i < 100; i++ {
		base.Put(fmt.Sprint(i), &item{Tags: []string{fmt.Sprint(i)}})
	}
	base.Delete("3")
	base.Freeze()
	a, b := base.Fork(), base.Fork()
	if !a.Shared() || !b.Shared() {
		t.Fatal("a fork that was not written should share its index")
	}
	a.Put("new", &item{})
	a.Delete("5")
	if a.Shared() || !b.Shared() {
		t.Fatal("a written fork should own its index; an unwritten one should still share")
	}
	b.Put("7", &item{Tags: []string{"b's"}})
	want := func(tb *store.Table[*item], id string, present bool) {
		t.Helper()
		if tb.Has(id) != present {
			t.Errorf("Has(%q) = %v, want %v", id, !present, present)
		}
	}
	want(a, "new", true)
	want(a, "5", false)
	want(base, "new", false)
	want(base, "5", true)
	want(b, "new", false)
	want(b, "5", true)
	want(a, "3", false)
	if v, _ := base.Get("7"); v.Tags[0] != "7" {
		t.Errorf("a fork's write reached the base: %v", v.Tags)
	}
	if v, _ := a.Get("7"); v.Tags[0] != "7" {
		t.Errorf("one fork's write reached another: %v", v.Tags)
	}
	if v, _ := b.Get("7"); v.Tags[0] != "b's" {
		t.Errorf("b's write: %v", v.Tags)
	}
	// Order survives the copy: base's order, a's new id last.
	got := ids(a)
	if got[0] != "0" || got[len(got)-1] != "new" || len(got) != 99 {
		t.Errorf("a's order: first %s, last %s, %d ids", got[0], got[len(got)-1], len(got))
	}
	// A write to the frozen base copies its own index and leaves forks be.
	base.Delete("0")
	want(a, "0", true)
	want(b, "0", true)
}

func TestConcurrentForksOfAFrozenTable(t *testing.T) {
	base := store.NewTable(cloneItem)
	for i := 0; i < 50; i++ {
		base.Put(fmt.Sprint(i), &item{})
	}
	base.Freeze()
	idx := store.NewIndex[string, int]()
	idx.Set("x", 1)
	idx.Freeze()
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			f, x := base.Fork(), idx.Fork()
			f.Put(fmt.Sprint(100+g), &item{})
			f.Delete("1")
			x.Set("y", g)
			x.Delete("x")
			done <- f.Len() == 50 && !f.Has("1") && x.Len() == 1
		}()
	}
	for g := 0; g < 8; g++ {
		if !<-done {
			t.Error("a fork saw another's writes")
		}
	}
	if base.Len() != 50 || !base.Has("1") || !idx.Has("x") || idx.Has("y") {
		t.Error("forks' writes reached the base")
	}
}

func TestIndexForks(t *testing.T) {
	base := store.NewIndex[string, string]()
	base.Set("a", "1")
	base.Set("b", "2")
	f := base.Fork()
	f.Set("c", "3")
	f.Delete("a")
	f.Delete("absent")
	got := map[string]string{}
	for k, v := range f.All() {
		got[k] = v
	}
	if diff := cmp.Diff(map[string]string{"b": "2", "c": "3"}, got); diff != "" {
		t.Errorf("fork (-want +got):\n%s", diff)
	}
	if v, ok := base.Get("a"); !ok || v != "1" || base.Has("c") || base.Len() != 2 {
		t.Error("a fork's writes reached the base")
	}
	base.Set("d", "4")
	if f.Has("d") {
		t.Error("the base's write after the fork reached the fork")
	}
}

// TestSnapshotCopies: Copies gives every value in insertion order and
// SortedCopies a map's values by key, each a copy that can be changed
// without touching what is stored.
func TestSnapshotCopies(t *testing.T) {
	tb := store.NewTable(cloneItem)
	for _, id := range []string{"b", "a", "c"} {
		tb.Put(id, &item{Tags: []string{id}})
	}
	tb.Delete("a")
	got := tb.Copies()
	if diff := cmp.Diff([]*item{{Tags: []string{"b"}}, {Tags: []string{"c"}}}, got); diff != "" {
		t.Errorf("Copies (-want +got):\n%s", diff)
	}
	got[0].Tags[0] = "changed"
	if v, _ := tb.Peek("b"); v.Tags[0] != "b" {
		t.Errorf("a copy shares the stored value: %v", v.Tags)
	}

	m := map[int]*item{3: {Tags: []string{"z"}}, 1: {Tags: []string{"y"}}, 2: {Tags: []string{"x"}}}
	sorted := store.SortedCopies(m, cloneItem, func(i *item) string { return i.Tags[0] })
	if diff := cmp.Diff([]*item{{Tags: []string{"x"}}, {Tags: []string{"y"}}, {Tags: []string{"z"}}}, sorted); diff != "" {
		t.Errorf("SortedCopies (-want +got):\n%s", diff)
	}
	sorted[0].Tags[0] = "changed"
	if m[2].Tags[0] != "x" {
		t.Errorf("SortedCopies shares the map's value: %v", m[2].Tags)
	}
	if c := store.Copy(m[1]); c == m[1] || c.Tags[0] != "y" {
		t.Errorf("Copy returned %p %v for %p", c, c.Tags, m[1])
	}
}
