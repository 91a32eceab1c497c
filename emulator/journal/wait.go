package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxWithin bounds how long one verify call may wait.
const MaxWithin = 5 * time.Minute

// maxClosest is how many closest calls a failed check lists.
const maxClosest = 3

// Near is a call that came closest to an expectation nothing matched: it
// shares the operation or the path, and Differs says what did not match.
type Near struct {
	Call    string       `json:"call"`
	Differs []Difference `json:"differs"`
}

// Check validates an expectation before it is run: counts are not
// negative, within parses and is at most MaxWithin, and a sequence's steps
// are plain matches (no counts, waits or nested sequences). It returns the
// wait within asks for.
func (x *Expectation) Check() (time.Duration, error) {
	var within time.Duration
	if x.Within != "" {
		d, err := time.ParseDuration(x.Within)
		if err != nil {
			return 0, fmt.Errorf("within: %q is not a duration such as 5s or 2m", x.Within)
		}
		if d < 0 || d > MaxWithin {
			return 0, fmt.Errorf("within: %s is not between 0 and %s", d, MaxWithin)
		}
		within = d
	}
	for _, n := range []*int{x.Count, x.AtLeast, x.AtMost} {
		if n != nil && *n < 0 {
			return 0, errors.New("counts must not be negative")
		}
	}
	if len(x.Sequence) == 0 {
		return within, nil
	}
	if x.API != "" || x.Operation != "" || x.Method != "" || x.Path != "" || x.Status != 0 || x.Body != nil ||
		x.Count != nil || x.AtLeast != nil || x.AtMost != nil {
		return 0, errors.New("sequence: give the matches as steps of the sequence, not beside it")
	}
	for i, st := range x.Sequence {
		if st.Count != nil || st.AtLeast != nil || st.AtMost != nil || st.Within != "" || len(st.Sequence) > 0 {
			return 0, fmt.Errorf("sequence[%d]: a step matches one call: no count, atLeast, atMost, within or sequence", i)
		}
	}
	return within, nil
}

// Check runs the expectation once: a sequence, or a count.
func (j *Journal) Check(x Expectation) Result {
	if len(x.Sequence) > 0 {
		return j.VerifySequence(x.Sequence)
	}
	return j.Verify(x)
}

// Wait checks x until it holds or within has passed, in real time (the
// virtual clock does not move it), without polling: every change of the
// journal wakes it. An expectation with atMost waits the whole window,
// since a later call could still break it, but fails as soon as it is
// broken. ctx ends the wait early (a client that hung up).
func (j *Journal) Wait(ctx context.Context, x Expectation, within time.Duration) Result {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	start := time.Now()
	for {
		changed := j.Changed()
		res := j.Check(x)
		done := false
		switch {
		case x.AtMost != nil && res.Matched > *x.AtMost:
			done = true // broken; no later call can mend it
		case res.OK && x.AtMost == nil:
			done = true
		}
		if within == 0 {
			return res
		}
		if done {
			res.Waited = time.Since(start).Round(time.Millisecond).String()
			return res
		}
		select {
		case <-changed:
		case <-deadline.C:
			res = j.Check(x)
			res.Waited = time.Since(start).Round(time.Millisecond).String()
			return res
		case <-ctx.Done():
			res = j.Check(x)
			res.Waited = time.Since(start).Round(time.Millisecond).String()
			return res
		}
	}
}

// describe names a step by the fields it sets.
func (x *Expectation) describe() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("api", x.API)
	add("operation", x.Operation)
	add("method", x.Method)
	add("path", x.Path)
	if x.Status != 0 {
		add("status", fmt.Sprint(x.Status))
	}
	if x.Body != nil {
		b, _ := json.Marshal(x.Body)
		add("body", string(b))
	}
	if len(parts) == 0 {
		return "any call"
	}
	return strings.Join(parts, " ")
}

func (x *Expectation) matches(e *Entry) bool {
	f := x.filter()
	return f.match(e) && (len(x.Body) == 0 || bodyMatches(e.RequestBody, x.Body))
}

// VerifySequence checks that calls matching the steps came in this order,
// each after the one before (other calls may come between). The diff names
// the first step that is missing, or that came only before its forerunner.
func (j *Journal) VerifySequence(steps []Expectation) Result {
	entries := j.List(Filter{})
	res := Result{Calls: []string{}}
	var want []string
	for _, st := range steps {
		want = append(want, st.describe())
	}
	res.Want = "in order: " + strings.Join(want, ", then ")
	pos := 0 // entries[pos:] are after the previous step's call
	for i := range steps {
		st := &steps[i]
		found := -1
		for k := pos; k < len(entries); k++ {
			if st.matches(&entries[k]) {
				found = k
				break
			}
		}
		if found >= 0 {
			res.Matched++
			res.Calls = append(res.Calls, callText(entries[found]))
			pos = found + 1
			continue
		}
		d := Difference{Path: fmt.Sprintf("sequence[%d]", i), Want: st.describe()}
		earlier := -1
		for k := pos - 1; k >= 0; k-- {
			if st.matches(&entries[k]) {
				earlier = k
				break
			}
		}
		switch {
		case earlier >= 0 && i > 0:
			d.Got = "out of order: its only match came before step " + fmt.Sprint(i-1) + "'s call"
			d.Call = callText(entries[earlier])
		case i > 0:
			d.Got = "no matching call after " + res.Calls[i-1]
		default:
			d.Got = "no matching call"
		}
		res.Diff = []Difference{d}
		if earlier < 0 {
			res.Closest = closest(entries, st)
		}
		return res
	}
	res.OK = true
	return res
}

// closest lists the newest calls that share the expectation's operation
// or path (or, lacking both, its API and method), with what differs.
func closest(entries []Entry, x *Expectation) []Near {
	var out []Near
	for k := len(entries) - 1; k >= 0 && len(out) < maxClosest; k-- {
		e := &entries[k]
		related := (x.Operation != "" && e.Operation == x.Operation) ||
			(x.Path != "" && (&Filter{Path: x.Path}).match(e))
		if x.Operation == "" && x.Path == "" {
			related = (x.API == "" || e.API == x.API) && (x.Method == "" || strings.EqualFold(e.Method, x.Method))
		}
		if !related {
			continue
		}
		var d []Difference
		diff := func(field, want, got string) {
			if want != "" && !strings.EqualFold(want, got) {
				d = append(d, Difference{Path: field, Want: want, Got: got})
			}
		}
		diff("api", x.API, e.API)
		diff("operation", x.Operation, e.Operation)
		diff("method", x.Method, e.Method)
		if x.Path != "" && !(&Filter{Path: x.Path}).match(e) {
			d = append(d, Difference{Path: "path", Want: x.Path, Got: e.Path})
		}
		if x.Status != 0 && x.Status != e.Status {
			d = append(d, Difference{Path: "status", Want: x.Status, Got: e.Status})
		}
		if len(x.Body) > 0 && !bodyMatches(e.RequestBody, x.Body) {
			var got any
			_ = json.Unmarshal(e.RequestBody, &got)
			d = append(d, bodyDiff("body", normalise(x.Body), got, "")...)
		}
		if len(d) == 0 {
			continue
		}
		out = append(out, Near{Call: callText(*e), Differs: d})
	}
	return out
}
