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
