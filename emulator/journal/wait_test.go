package journal

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func ptr(n int) *int { return &n }

func entry(op, method, path string, status int, body string) Entry {
	e := Entry{API: "awx", Operation: op, Method: method, Path: path, Status: status}
	if body != "" {
		e.RequestBody = []byte(body)
	}
	return e
}

// TestWaitWakesOnAdd: a wait returns when the matching call is added, not
// at its deadline, which is ten minutes away: the test gives up after two
// (a bound that only ends a wait that would otherwise not end in time).
func TestWaitWakesOnAdd(t *testing.T) {
	j := New(Config{})
	done := make(chan Result, 1)
	go func() {
		done <- j.Wait(context.Background(), Expectation{Operation: "createUser", Count: ptr(1)}, 10*time.Minute)
	}()
	j.Add(entry("ping", "GET", "/api/v2/ping/", 200, ""))
	j.Add(entry("createUser", "POST", "/api/v2/users/", 201, ""))
	select {
	case res := <-done:
		if !res.OK || res.Matched != 1 || res.Waited == "" {
			t.Errorf("result %+v, want one match and the time waited", res)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the add did not wake the wait")
	}
}

func TestWaitOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		x       Expectation
		within  time.Duration
		entries []Entry
		ok      bool
		matched int
	}{
		{"holds at once", Expectation{Operation: "ping"}, time.Hour, []Entry{entry("ping", "GET", "/p", 200, "")}, true, 1},
		{"never comes", Expectation{Operation: "createUser"}, 20 * time.Millisecond, nil, false, 0},
		{"atMost holds for the whole window", Expectation{Operation: "ping", AtMost: ptr(1)}, 20 * time.Millisecond, []Entry{entry("ping", "GET", "/p", 200, "")}, true, 1},
		// Broken at once: it returns without waiting the hour.
		{"atMost broken", Expectation{Operation: "ping", AtMost: ptr(0)}, time.Hour, []Entry{entry("ping", "GET", "/p", 200, "")}, false, 1},
		{"body", Expectation{Operation: "createUser", Body: map[string]any{"username": "dave"}}, time.Hour,
			[]Entry{entry("createUser", "POST", "/u", 201, `{"username":"dave","password":"x"}`)}, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := New(Config{})
			for _, e := range tc.entries {
				j.Add(e)
			}
			res := j.Wait(context.Background(), tc.x, tc.within)
			if res.OK != tc.ok || res.Matched != tc.matched {
				t.Errorf("ok %v matched %d, want %v %d: %+v", res.OK, res.Matched, tc.ok, tc.matched, res)
			}
		})
	}
}

// TestWaitEndsWithContext: a client that hangs up ends the wait.
func TestWaitEndsWithContext(t *testing.T) {
	j := New(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res := j.Wait(ctx, Expectation{Operation: "ping"}, time.Hour); res.OK {
		t.Error("held without a call")
	}
}

func TestVerifySequence(t *testing.T) {
	j := New(Config{})
	for _, e := range []Entry{
		entry("ping", "GET", "/api/v2/ping/", 200, ""),
		entry("createUser", "POST", "/api/v2/users/", 201, `{"username":"dave"}`),
		entry("getUser", "GET", "/api/v2/users/3/", 200, ""),
		entry("createCredential", "POST", "/api/v2/credentials/", 400, `{"name":"x"}`),
		entry("deleteUser", "DELETE", "/api/v2/users/3/", 204, ""),
	} {
		j.Add(e)
	}
	steps := func(ops ...string) []Expectation {
		var out []Expectation
		for _, op := range ops {
			out = append(out, Expectation{Operation: op})
		}
		return out
	}
	tests := []struct {
		name  string
		steps []Expectation
		ok    bool
		diff  []Difference
	}{
		{"in order, others between", steps("ping", "getUser", "deleteUser"), true, nil},
		{"out of order", steps("getUser", "createUser"), false, []Difference{{Path: "sequence[1]", Want: "operation=createUser",
			Got: "out of order: its only match came before step 0's call", Call: "POST /api/v2/users/ → 201 (createUser)"}}},
		{"missing", steps("ping", "copyCredential"), false, []Difference{{Path: "sequence[1]", Want: "operation=copyCredential",
			Got: "no matching call after GET /api/v2/ping/ → 200 (ping)"}}},
		{"missing first", steps("copyCredential"), false, []Difference{{Path: "sequence[0]", Want: "operation=copyCredential", Got: "no matching call"}}},
		{"body of a step", []Expectation{{Operation: "createUser", Body: map[string]any{"username": "dave"}}, {Method: "DELETE"}}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := j.VerifySequence(tc.steps)
			if res.OK != tc.ok {
				t.Errorf("ok = %v: %+v", res.OK, res)
			}
			if diff := cmp.Diff(tc.diff, res.Diff); diff != "" {
				t.Errorf("diff (-want +got):\n%s", diff)
			}
		})
	}
	// A created credential was wanted; the closest call says the status differed.
	res := j.VerifySequence([]Expectation{{Operation: "createCredential", Status: 201}})
	if len(res.Closest) != 1 || !cmp.Equal(res.Closest[0].Differs, []Difference{{Path: "status", Want: 201, Got: 400}}) {
		t.Errorf("closest = %+v", res.Closest)
	}
}

func TestClosest(t *testing.T) {
	j := New(Config{})
	j.Add(entry("createUser", "POST", "/api/v2/users/", 400, `{"username":"dave"}`))
	j.Add(entry("listUsers", "GET", "/api/v2/users/", 200, ""))
	j.Add(entry("ping", "GET", "/api/v2/ping/", 200, ""))
	res := j.Verify(Expectation{Operation: "createUser", Status: 201})
	want := []Near{{Call: "POST /api/v2/users/ → 400 (createUser)", Differs: []Difference{{Path: "status", Want: 201, Got: 400}}}}
	if diff := cmp.Diff(want, res.Closest); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// By path: the same path with another method.
	res = j.Verify(Expectation{Method: "PUT", Path: "/api/v2/users/"})
	if len(res.Closest) != 2 || !strings.Contains(res.Closest[0].Call, "listUsers") {
		t.Errorf("closest by path = %+v", res.Closest)
	}
	// Something matched: no closest list.
	if res := j.Verify(Expectation{Operation: "ping", Count: ptr(2)}); res.Closest != nil {
		t.Errorf("closest listed though a call matched: %+v", res.Closest)
	}
}

func TestCheckExpectation(t *testing.T) {
	for _, tc := range []struct {
		x    Expectation
		want string
	}{
		{Expectation{Within: "abc"}, "not a duration"},
		{Expectation{Within: "6m"}, "not between"},
		{Expectation{Within: "-1s"}, "not between"},
		{Expectation{Count: ptr(-1)}, "negative"},
		{Expectation{Operation: "ping", Sequence: []Expectation{{Operation: "ping"}}}, "not beside it"},
		{Expectation{Sequence: []Expectation{{Operation: "ping", Count: ptr(2)}}}, "sequence[0]"},
		{Expectation{Within: "5m", Sequence: []Expectation{{Operation: "ping"}}}, ""},
	} {
		_, err := tc.x.Check()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.x, err, tc.want)
		}
	}
}
