package fault

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credemu/credemu/emulator/api"
)

// Decision is what a firing rule asks the pipeline to do.
type Decision struct {
	// RuleID and RuleName identify the rule that fired.
	RuleID   int
	RuleName string
	// Delay holds the request before anything else.
	Delay time.Duration
	// Drop is "reset", "close" or "".
	Drop string
	// Commit runs the handler first and replaces its answer.
	Commit bool
	// Err is the error to answer with, or nil for delay-only rules.
	Err *api.Error
}

// Label names the rule for logs and the journal: its name, else "#id".
func (d *Decision) Label() string {
	if d.RuleName != "" {
		return d.RuleName
	}
	return "#" + strconv.Itoa(d.RuleID)
}

// Status is a rule with its counters, as listed by the control API.
type Status struct {
	ID   int  `json:"id"`
	Rule Rule `json:"rule"`
	// Matches counts requests that matched the rule's Match.
	Matches int `json:"matches"`
	// Fired counts the times the rule's effect was applied.
	Fired int `json:"fired"`
	// FromScenario is true for rules that came with the scenario.
	FromScenario bool `json:"fromScenario"`
	// Notes warn about effects a client may not see (see RetryNote).
	Notes []string `json:"notes,omitempty"`
}

// RetryNote warns that a dropped idempotent request may be retried by the
// client without its caller noticing: Go's net/http and Python's urllib3
// resend a GET, HEAD, OPTIONS, PUT or DELETE once on a fresh connection
// when a reused one is closed before any answer. A rule that drops only
// once then shows fired: 1 while the journal has the drop followed by a
// normal answer.
const RetryNote = "a drop of a GET, HEAD, OPTIONS, PUT or DELETE on a reused connection is retried once by Go's and Python's HTTP clients without telling their caller; with times: 1 the client may never see it (use times: 2, or match a POST)"

// notes returns the warnings that apply to r.
func notes(r *Rule) []string {
	if r.Respond.Drop == "" || r.Times != 1 {
		return nil
	}
	switch r.Match.Method {
	case "", "GET", "HEAD", "OPTIONS", "PUT", "DELETE":
		return []string{RetryNote}
	}
	return nil
}

// MaxRules is the most rules one sandbox may hold, scenario rules included.
const MaxRules = 1000

// ErrTooManyRules is returned by Add when the sandbox holds MaxRules rules.
var ErrTooManyRules = errors.New("too many fault rules")

// Engine evaluates rules in order; the first rule that fires wins. All
// counters are updated under one mutex, so concurrent requests see exact
// after/times semantics. Rules are indexed by the API and operation they
// name, so a request meets only the rules that can match it.
type Engine struct {
	mu    sync.Mutex
	seed  uint64
	rng   *rand.Rand
	base  []Rule
	rules []*Status
	// index is rebuilt, never changed, when rules change: requests read
	// it without the lock.
	index  atomic.Pointer[map[indexKey][]*indexed]
	nextID int
}

// indexKey is a rule's API and operation, "" where it names none.
type indexKey struct{ api, op string }

// indexed is a rule as the index holds it: its status, and its header
// conditions as Match.matches reads them.
type indexed struct {
	*Status
	headers []headerWant
}

// matches reports whether req meets the rule's Match.
func (x *indexed) matches(req *Request) bool { return x.Rule.Match.matches(req, x.headers) }

// reindex rebuilds the index after rules change. Caller holds the lock.
func (e *Engine) reindex() {
	index := make(map[indexKey][]*indexed, len(e.rules))
	for _, r := range e.rules {
		k := indexKey{r.Rule.Match.API, r.Rule.Match.Operation}
		index[k] = append(index[k], &indexed{Status: r, headers: r.Rule.Match.wantedHeaders()})
	}
	e.index.Store(&index)
}

// candidates returns, in rule order, the rules whose API and operation do
// not rule out a request to api/op. Caller holds the lock.
func (e *Engine) candidates(api, op string) []*indexed {
	p := e.index.Load()
	if p == nil || len(*p) == 0 {
		return nil
	}
	index := *p
	keys := [4]indexKey{{api, op}, {api, ""}, {"", op}, {"", ""}}
	var lists [4][]*indexed
	for i, k := range keys {
		if !slices.Contains(keys[:i], k) { // a request without api or op repeats keys
			lists[i] = index[k]
		}
	}
	n, nonEmpty, only := 0, 0, -1
	for i, l := range lists {
		if len(l) > 0 {
			n += len(l)
			nonEmpty++
			only = i
		}
	}
	switch nonEmpty {
	case 0:
		return nil
	case 1:
		return lists[only]
	}
	// Merge by id, which follows rule order.
	out := make([]*indexed, 0, n)
	var pos [4]int
	for len(out) < n {
		best := -1
		for i, l := range lists {
			if pos[i] < len(l) && (best < 0 || l[pos[i]].ID < lists[best][pos[best]].ID) {
				best = i
			}
		}
		out = append(out, lists[best][pos[best]])
		pos[best]++
	}
	return out
}

// NewEngine returns an engine holding the scenario's rules, drawing
// probabilities from a source seeded with seed.
func NewEngine(seed uint64, rules []Rule) *Engine {
	e := &Engine{}
	e.Load(seed, rules)
	return e
}

// Load replaces every rule with rules (the scenario's), zeroes the counters
// and reseeds the random source with seed.
func (e *Engine) Load(seed uint64, rules []Rule) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seed = seed
	e.base = append([]Rule(nil), rules...)
	e.rng = rand.New(rand.NewPCG(e.seed, e.seed^0x5851f42d4c957f2d))
	e.rules = nil
	e.nextID = 0
	for _, r := range e.base {
		e.nextID++
		e.rules = append(e.rules, &Status{ID: e.nextID, Rule: r, FromScenario: true})
	}
	e.reindex()
}

// Add appends a rule (already validated) and returns its id, or
// ErrTooManyRules when the engine already holds MaxRules.
func (e *Engine) Add(r Rule) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.rules) >= MaxRules {
		return 0, fmt.Errorf("%w: a sandbox holds at most %d; remove some with DELETE /_emulator/faults", ErrTooManyRules, MaxRules)
	}
	e.nextID++
	st := &Status{ID: e.nextID, Rule: r}
	e.rules = append(e.rules, st)
	e.reindex()
	return e.nextID, nil
}

// Remove deletes the rule with the given id and reports whether it existed.
func (e *Engine) Remove(id int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range e.rules {
		if r.ID == id {
			e.rules = append(e.rules[:i], e.rules[i+1:]...)
			e.reindex()
			return true
		}
	}
	return false
}

// Clear removes every rule, including the scenario's, until the next Load.
func (e *Engine) Clear() {
	e.mu.Lock()
	e.rules = nil
	e.reindex()
	e.mu.Unlock()
}

// List returns the rules with their counters.
func (e *Engine) List() []Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Status, len(e.rules))
	for i, r := range e.rules {
		out[i] = *r
		out[i].Notes = notes(&r.Rule)
	}
	return out
}

// Evaluate finds the first rule that fires for req and returns its decision,
// or nil when no rule fires. Counting and the random draw happen under the
// engine's lock, so "after 2, times 1" fires exactly once under any load.
func (e *Engine) Evaluate(req *Request) *Decision {
	// Most requests match no rule: finding that out needs no lock (rules
	// and the index are never changed in place), so concurrent requests
	// check at once. Only a match takes the lock, and then counts afresh
	// (another request may have used the rule up meanwhile).
	matched := false
	for _, r := range e.candidates(req.API, req.Operation) {
		if r.matches(req) {
			matched = true
			break
		}
	}
	if !matched {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.candidates(req.API, req.Operation) {
		if !r.matches(req) {
			continue
		}
		r.Matches++
		if r.Matches <= r.Rule.After {
			continue
		}
		if r.Rule.Times > 0 && r.Fired >= r.Rule.Times {
			continue
		}
		if p := r.Rule.Probability; p != nil && e.rng.Float64() >= *p {
			continue
		}
		r.Fired++
		return decide(r.Status)
	}
	return nil
}

func decide(s *Status) *Decision {
	rs := s.Rule.Respond
	d := &Decision{
		RuleID:   s.ID,
		RuleName: s.Rule.Name,
		Delay:    time.Duration(rs.Delay),
		Drop:     rs.Drop,
		Commit:   s.Rule.Commit,
	}
	if s.Rule.IsError() {
		kind, implied := rs.Kind, false
		if kind == "" {
			kind, implied = api.KindForStatus(rs.Status), true
		}
		d.Err = &api.Error{Kind: kind, Status: rs.Status, Message: rs.Message, Injected: true, KindImplied: implied}
	}
	return d
}
