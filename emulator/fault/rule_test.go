package fault_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/credemu/credemu/emulator/fault"
)

// FuzzRuleJSON decodes and validates arbitrary rule documents, as the
// control API does: no input may panic, and a rule that validates must
// be usable by the engine.
func FuzzRuleJSON(f *testing.F) {
	for _, s := range []string{
		`{"match": {"api": "avisi", "operation": "createCloudAccount"}, "after": 2, "times": 1, "respond": {"status": 500}}`,
		`{"match": {"body": {"a.b.0": [1, {"x": null}]}}, "probability": 0.5, "respond": {"kind": "already_exists"}}`,
		`{"respond": {"delay": "2s", "drop": "reset"}, "commit": true}`,
		`{"respond": {"delay": "-1s"}}`,
		`{"match": {"path": "/a/*/**", "headers": {"X": "*"}}, "respond": {"status": 404}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var r fault.Rule
		if json.Unmarshal([]byte(doc), &r) != nil {
			return
		}
		if r.Validate() != nil {
			return
		}
		e := fault.NewEngine(1, []fault.Rule{r})
		for i := 0; i < 3; i++ {
			e.Evaluate(&fault.Request{API: "avisi", Operation: "createCloudAccount", Method: "POST",
				Template: "/a/{b}", Path: "/a/b/c", Body: map[string]any{"a": map[string]any{"b": []any{1.0}}}})
		}
		if len(e.List()) != 1 {
			t.Fatal("rule lost")
		}
	})
}

func TestEngineAfterTimes(t *testing.T) {
	e := fault.NewEngine(1, []fault.Rule{{Match: fault.Match{Operation: "x"}, After: 2, Times: 2, Respond: fault.Respond{Status: 500}}})
	var got []bool
	for i := 0; i < 6; i++ {
		got = append(got, e.Evaluate(&fault.Request{Operation: "x"}) != nil)
	}
	want := []bool{false, false, true, true, false, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired %v, want %v", got, want)
		}
	}
	st := e.List()[0]
	if st.Matches != 6 || st.Fired != 2 {
		t.Errorf("counters %+v", st)
	}
	if e.Evaluate(&fault.Request{Operation: "y"}) != nil {
		t.Error("fired for another operation")
	}
}

// TestEngineIndexKeepsOrder checks that rules indexed apart (by API and
// operation, by API only, by operation only, by neither) are still tried in
// the order they were added, and that the engine refuses rules past its cap.
func TestEngineIndexKeepsOrder(t *testing.T) {
	e := fault.NewEngine(1, nil)
	add := func(api, op string, status int) {
		t.Helper()
		if _, err := e.Add(fault.Rule{Match: fault.Match{API: api, Operation: op}, Times: 1, Respond: fault.Respond{Status: status}}); err != nil {
			t.Fatal(err)
		}
	}
	add("", "", 501)
	add("avisi", "", 502)
	add("avisi", "getCloudAccount", 503)
	add("", "getCloudAccount", 504)
	add("zstack", "", 505)
	var got []int
	for range 5 {
		d := e.Evaluate(&fault.Request{API: "avisi", Operation: "getCloudAccount"})
		if d == nil {
			got = append(got, 0)
			continue
		}
		got = append(got, d.Err.Status)
	}
	if fmt.Sprint(got) != "[501 502 503 504 0]" {
		t.Errorf("fired %v, want each matching rule once, in order", got)
	}
	for i := len(e.List()); i < fault.MaxRules; i++ {
		add("zstack", "x", 500)
	}
	if _, err := e.Add(fault.Rule{Respond: fault.Respond{Status: 500}}); !errors.Is(err, fault.ErrTooManyRules) {
		t.Errorf("rule past the cap: %v", err)
	}
	e.Remove(1)
	add("", "", 500)
}

// TestEngineConcurrent evaluates from many goroutines while rules come and
// go (run with -race): requests read the rules without the lock, so a rule
// fires exactly its times, and a removed rule never fires afterwards.
func TestEngineConcurrent(t *testing.T) {
	e := fault.NewEngine(1, nil)
	id, err := e.Add(fault.Rule{Match: fault.Match{Operation: "x"}, Times: 100, Respond: fault.Respond{Status: 500}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var fired atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if e.Evaluate(&fault.Request{Operation: "x"}) != nil {
					fired.Add(1)
				}
			}
		}()
	}
	for i := 0; i < 50; i++ { // churn of rules that never match
		other, _ := e.Add(fault.Rule{Match: fault.Match{Operation: "y"}, Respond: fault.Respond{Status: 500}})
		e.Remove(other)
	}
	wg.Wait()
	if fired.Load() != 100 {
		t.Errorf("fired %d times, want 100", fired.Load())
	}
	e.Remove(id)
	if e.Evaluate(&fault.Request{Operation: "x"}) != nil {
		t.Error("a removed rule fired")
	}
}

// TestEngineHeaders: a rule's header names match whatever their case in
// the rule and in the request; a value must be one of the header's values,
// "*" any value of a header that is present; every header must match.
func TestEngineHeaders(t *testing.T) {
	for _, c := range []struct {
		name string
		rule map[string]string
		sent http.Header
		want bool
	}{
		{"exact", map[string]string{"X-Test": "a"}, http.Header{"X-Test": {"a"}}, true},
		{"rule in lower case", map[string]string{"x-test": "a"}, http.Header{"X-Test": {"a"}}, true},
		{"one of several values", map[string]string{"X-Test": "b"}, http.Header{"X-Test": {"a", "b"}}, true},
		{"another value", map[string]string{"X-Test": "a"}, http.Header{"X-Test": {"b"}}, false},
		{"value case counts", map[string]string{"X-Test": "a"}, http.Header{"X-Test": {"A"}}, false},
		{"any value", map[string]string{"X-Test": "*"}, http.Header{"X-Test": {""}}, true},
		{"any value of an absent header", map[string]string{"X-Test": "*"}, http.Header{"X-Other": {"a"}}, false},
		{"all must match", map[string]string{"X-Test": "a", "X-Other": "b"}, http.Header{"X-Test": {"a"}}, false},
		{"all match", map[string]string{"X-Test": "a", "x-other": "b"}, http.Header{"X-Test": {"a"}, "X-Other": {"b"}}, true},
	} {
		e := fault.NewEngine(1, []fault.Rule{{Match: fault.Match{Headers: c.rule}, Respond: fault.Respond{Status: 500}}})
		if got := e.Evaluate(&fault.Request{Header: c.sent}) != nil; got != c.want {
			t.Errorf("%s: rule %v, sent %v: fired %v, want %v", c.name, c.rule, c.sent, got, c.want)
		}
	}
}
