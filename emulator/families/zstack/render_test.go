package zstack

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/api"
)

// TestAppendJSONIsMarshalJSON: the hand-written encoders write byte for
// byte what encoding/json writes.
func TestAppendJSONIsMarshalJSON(t *testing.T) {
	odd := "<\"é\u2028\\\x01&>\xff"
	total := 7
	attr := AttributeInventory{UUID: odd, Name: odd, Value: "", Type: "System", VirtualIDUuid: "v", CreateDate: odd, LastOpDate: "d"}
	for i, v := range []any{
		attr,
		VirtualIDInventory{},
		VirtualIDInventory{UUID: odd, Name: odd, Description: &odd, Type: "ZStack", State: "Enabled", Attributes: []AttributeInventory{attr, {}}},
		VirtualIDInventory{Attributes: []AttributeInventory{}},
		queryReply{},
		queryReply{Inventories: []any{}, Total: &total},
		queryReply{Inventories: []any{VirtualIDInventory{Name: odd}, map[string]any{"name": odd, "uuid": 1.0}}},
	} {
		want, err := api.MarshalJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(v.(api.JSONAppender).AppendJSON(nil))); diff != "" {
			t.Errorf("value %d (-MarshalJSON +AppendJSON):\n%s", i, diff)
		}
	}
}

// TestFormatDate: the hand-written date is time.Format's, in every zone,
// hour and year credemu's clock allows.
func TestFormatDate(t *testing.T) {
	zones := []*time.Location{time.UTC, DefaultTimeZone, time.FixedZone("-05:30", -5*3600-1800)}
	r := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	times := []time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC),
		time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 0; i < 5000; i++ {
		times = append(times, time.Unix(lo+r.Int64N(hi-lo), 0))
	}
	for _, tm := range times {
		for _, loc := range zones {
			if got, want := formatDate(tm, loc), tm.In(loc).Format(javaDate); got != want {
				t.Fatalf("formatDate(%v, %v) = %q, want %q", tm, loc, got, want)
			}
		}
	}
}
