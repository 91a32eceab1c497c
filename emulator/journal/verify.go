package journal

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/go-cmp/cmp"
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
}

// Result is the outcome of checking an expectation.
type Result struct {
	OK      bool   `json:"ok"`
	Matched int    `json:"matched"`
	Want    string `json:"want"`
	// Diff shows, when the check fails, what was expected against what
	// came (cmp.Diff, "-want +got").
	Diff string `json:"diff,omitempty"`
	// Calls lists the requests that matched the filter, oldest first.
	Calls []string `json:"calls"`
}

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
	n := 0
	for _, e := range j.List(x.filter()) {
		if len(x.Body) > 0 && !bodyMatches(e.RequestBody, x.Body) {
			continue
		}
		n++
		calls = append(calls, fmt.Sprintf("%s %s → %d (%s)", e.Method, e.Path, e.Status, e.Operation))
	}
	ok := true
	switch {
	case x.Count != nil && n != *x.Count,
		x.AtLeast != nil && n < *x.AtLeast,
		x.AtMost != nil && n > *x.AtMost,
		x.Count == nil && x.AtLeast == nil && x.AtMost == nil && n == 0:
		ok = false
	}
	r := Result{OK: ok, Matched: n, Want: x.wantText(), Calls: calls}
	if r.Calls == nil {
		r.Calls = []string{}
	}
	if !ok {
		type view struct {
			Requests string
			Filter   Filter
			Body     map[string]any
		}
		r.Diff = cmp.Diff(view{x.wantText(), x.filter(), x.Body}, view{fmt.Sprintf("%d", n), x.filter(), x.Body})
	}
	return r
}

// bodyMatches reports whether want is a subset of the JSON body: every key
// present with an equal value (objects compared as subsets in turn).
func bodyMatches(body json.RawMessage, want map[string]any) bool {
	var got any
	if json.Unmarshal(body, &got) != nil {
		return false
	}
	norm, err := json.Marshal(want)
	if err != nil {
		return false
	}
	var w any
	_ = json.Unmarshal(norm, &w)
	return subset(w, got)
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
