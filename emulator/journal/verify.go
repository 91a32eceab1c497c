package journal

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Expectation says how often requests matching it should have been made:
// exactly Count, or at least AtLeast and/or at most AtMost (with none set,
// at least once). Body, when set, must be a subset of the (redacted)
// request body.
type Expectation struct {
	API       string         `json:"api,omitempty"`
	Operation string         `json:"operation,omitempty"`
	Method    string         `json:"method,omitempty"`
	Path      string         `json:"path,omitempty"`
	Status    int            `json:"status,omitempty"`
	Count     *int           `json:"count,omitempty"`
	AtLeast   *int           `json:"atLeast,omitempty"`
	AtMost    *int           `json:"atMost,omitempty"`
	Body      map[string]any `json:"body,omitempty"`
	// Within makes the check wait, in real time, up to this long (e.g.
	// "5s", at most MaxWithin) for the expectation to hold.
	Within string `json:"within,omitempty"`
	// Sequence, instead of the fields above, lists steps whose matching
	// calls must have come in this order (others may come between).
	Sequence []Expectation `json:"sequence,omitempty"`
}

// Result is the outcome of checking an expectation.
type Result struct {
	OK      bool   `json:"ok"`
	Matched int    `json:"matched"`
	Want    string `json:"want"`
	// Diff lists, when the check fails, what was wanted against what came,
	// as JSON field paths: the count first, then, for calls that matched
	// everything but the body, where their bodies differ.
	Diff []Difference `json:"diff,omitempty"`
	// Calls lists the requests that matched the filter, oldest first.
	Calls []string `json:"calls"`
	// Closest lists, when nothing matched, the newest calls of the same
	// operation or path, with what differed.
	Closest []Near `json:"closest,omitempty"`
	// Waited is how long a check with within waited.
	Waited string `json:"waited,omitempty"`
}

// Difference is one way the journal differs from an expectation: at Path
// ("count", "atLeast", "atMost", or "body.inputs.username" for a call's
// body), Want was expected and Got came. Call names the request for a body
// difference.
type Difference struct {
	Path string `json:"path"`
	Want any    `json:"want"`
	Got  any    `json:"got"`
	Call string `json:"call,omitempty"`
}

// String writes the difference as one line, for test failures.
func (d Difference) String() string {
	w, _ := json.Marshal(d.Want)
	g, _ := json.Marshal(d.Got)
	if d.Call != "" {
		return fmt.Sprintf("%s: want %s, got %s (%s)", d.Path, w, g, d.Call)
	}
	return fmt.Sprintf("%s: want %s, got %s", d.Path, w, g)
}

// maxBodyDiffCalls is how many near-miss calls a failed check describes.
const maxBodyDiffCalls = 3

func (x *Expectation) filter() Filter {
	return Filter{API: x.API, Operation: x.Operation, Method: x.Method, Path: x.Path, Status: x.Status}
}

func (x *Expectation) wantText() string {
	var parts []string
	if x.Count != nil {
		parts = append(parts, fmt.Sprintf("exactly %d", *x.Count))
	}
	if x.AtLeast != nil {
		parts = append(parts, fmt.Sprintf("at least %d", *x.AtLeast))
	}
	if x.AtMost != nil {
		parts = append(parts, fmt.Sprintf("at most %d", *x.AtMost))
	}
	if len(parts) == 0 {
		parts = append(parts, "at least 1")
	}
	return strings.Join(parts, " and ")
}

// Verify checks the expectation against the journal.
func (j *Journal) Verify(x Expectation) Result {
	var calls []string
	var nearMisses []Entry
	n := 0
	for _, e := range j.List(x.filter()) {
		if len(x.Body) > 0 && !bodyMatches(e.RequestBody, x.Body) {
			nearMisses = append(nearMisses, e)
			continue
		}
		n++
		calls = append(calls, callText(e))
	}
	var diff []Difference
	switch {
	case x.Count != nil && n != *x.Count:
		diff = append(diff, Difference{Path: "count", Want: *x.Count, Got: n})
	case x.Count == nil && x.AtLeast == nil && x.AtMost == nil && n == 0:
		diff = append(diff, Difference{Path: "atLeast", Want: 1, Got: n})
	}
	if x.AtLeast != nil && n < *x.AtLeast {
		diff = append(diff, Difference{Path: "atLeast", Want: *x.AtLeast, Got: n})
	}
	if x.AtMost != nil && n > *x.AtMost {
		diff = append(diff, Difference{Path: "atMost", Want: *x.AtMost, Got: n})
	}
	r := Result{OK: len(diff) == 0, Matched: n, Want: x.wantText(), Calls: calls}
	if r.Calls == nil {
		r.Calls = []string{}
	}
	if !r.OK {
		// Calls that matched all but the body say how their bodies differ,
		// the newest first: usually the one the client just got wrong.
		for i := len(nearMisses) - 1; i >= 0 && len(nearMisses)-i <= maxBodyDiffCalls; i-- {
			e := nearMisses[i]
			var got any
			_ = json.Unmarshal(e.RequestBody, &got)
			diff = append(diff, bodyDiff("body", normalise(x.Body), got, callText(e))...)
		}
		r.Diff = diff
		if n == 0 && len(nearMisses) == 0 {
			r.Closest = closest(j.List(Filter{}), &x)
		}
	}
	return r
}

func callText(e Entry) string {
	return fmt.Sprintf("%s %s → %d (%s)", e.Method, e.Path, e.Status, e.Operation)
}

// normalise gives want the types a decoded JSON body has (float64 for
// numbers, []any for lists), so that it compares with one.
func normalise(want map[string]any) any {
	data, err := json.Marshal(want)
	if err != nil {
		return want
	}
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

// bodyDiff lists where got differs from want, want read as a subset: a key
// got lacks is "got": null with the path named.
func bodyDiff(path string, want, got any, call string) []Difference {
	wm, ok := want.(map[string]any)
	if !ok {
		if reflect.DeepEqual(want, got) {
			return nil
		}
		return []Difference{{Path: path, Want: want, Got: got, Call: call}}
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return []Difference{{Path: path, Want: want, Got: got, Call: call}}
	}
	keys := make([]string, 0, len(wm))
	for k := range wm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []Difference
	for _, k := range keys {
		out = append(out, bodyDiff(path+"."+k, wm[k], gm[k], call)...)
	}
	return out
}

// bodyMatches reports whether want is a subset of the JSON body: every key
// present with an equal value (objects compared as subsets in turn).
func bodyMatches(body json.RawMessage, want map[string]any) bool {
	var got any
	if json.Unmarshal(body, &got) != nil {
		return false
	}
	return subset(normalise(want), got)
}

func subset(want, got any) bool {
	wm, ok := want.(map[string]any)
	if !ok {
		return reflect.DeepEqual(want, got)
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range wm {
		if !subset(v, gm[k]) {
			return false
		}
	}
	return true
}
