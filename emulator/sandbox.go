package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credemu/credemu/emulator/admin"
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/clock"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/ids"
	"github.com/credemu/credemu/emulator/journal"
)

// SandboxHeader selects the sandbox a request (data or control) works in.
const SandboxHeader = "X-Emulator-Sandbox"

// sandboxNameRE is a sandbox name; compiled on first use, as only named
// sandboxes need it.
var sandboxNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) })

// sandbox is one isolated world: its own objects, fault rules, journal,
// clock and id sequence. The default sandbox has the empty name.
//
// A family's state is built on the first request that needs it, so a new
// sandbox costs a few small structures until it is used, and a sandbox
// used with one API never copies the others' worlds.
type sandbox struct {
	name    string
	clock   *clock.Clock
	ids     *ids.Gen
	faults  *fault.Engine
	journal *journal.Journal
	env     api.Env
	// states holds each family's state once built, by family index.
	states   []atomic.Pointer[api.State]
	families []family.Family
	lastUsed atomic.Int64 // unix nanoseconds of the last request

	mu  sync.Mutex // guards cur and the building of states; serialises reset/load
	cur *compiled
	// budget is the server's memory budget for sandboxes' states, and
	// charged what this sandbox's built states count against it.
	budget  *stateBudget
	charged int64 // under mu
}

// ErrTooManySandboxes is returned when a new sandbox would pass the cap.
var ErrTooManySandboxes = admin.ErrTooManySandboxes

func (s *Server) newSandbox(name string, c *compiled) *sandbox {
	sb := &sandbox{
		name:     name,
		clock:    clock.New(c.sc.Clock),
		ids:      ids.New(c.seed),
		faults:   fault.NewEngine(c.seed, c.sc.Faults),
		journal:  journal.New(journal.Config{Entries: s.opts.journalCapacity, BodyLimit: s.opts.journalBodyLimit, Bytes: s.opts.journalBytes, Pool: s.journals}),
		states:   make([]atomic.Pointer[api.State], len(s.families)),
		families: s.families,
		cur:      c,
		budget:   s.stateBudget,
	}
	if pos := c.sc.IDSequence; pos != "" {
		_ = sb.ids.Resume(pos) // checked when the scenario was loaded
	}
	sb.env = api.Env{Clock: sb.clock, IDs: sb.ids}
	sb.touch()
	return sb
}

func (sb *sandbox) touch() { sb.lastUsed.Store(time.Now().UnixNano()) }

// stateBudget bounds the estimated bytes of the states named sandboxes
// build (family.Sizer), so that a thousand sandboxes of a large world are
// refused instead of exhausting memory.
type stateBudget struct {
	limit int64 // 0: none
	used  atomic.Int64
}

// ErrSandboxMemory is returned when building a sandbox's state would pass
// the sandbox memory budget.
var ErrSandboxMemory = errors.New("sandbox memory budget reached")

// estimate is what family i's state built from c takes, as its family
// estimates it (0 for a family that does not).
func (sb *sandbox) estimate(i int, c *compiled) int64 {
	if z, ok := c.worlds[sb.families[i].Name()].(family.Sizer); ok {
		return z.StateBytes()
	}
	return 0
}

// buildState is state with the sandbox memory budget checked: a named
// sandbox whose state would pass it gets ErrSandboxMemory. The default
// sandbox is not counted: it is the server's own.
func (sb *sandbox) buildState(i int) (api.State, error) {
	if p := sb.states[i].Load(); p != nil {
		return *p, nil
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if p := sb.states[i].Load(); p != nil {
		return *p, nil
	}
	if sb.counted() {
		est := sb.estimate(i, sb.cur)
		if used := sb.budget.used.Add(est); used > sb.budget.limit {
			sb.budget.used.Add(-est)
			return nil, fmt.Errorf("%w: %s's world in sandbox %q would take about %d MiB, and sandboxes hold about %d of the %d MiB allowed (--sandbox-memory); drop one with DELETE /_emulator/sandboxes/{name}",
				ErrSandboxMemory, sb.families[i].Name(), sb.name, est>>20, (used-est)>>20, sb.budget.limit>>20)
		}
		sb.charged += est
	}
	return sb.newStateLocked(i), nil
}

// counted reports whether the sandbox's states count against the budget.
func (sb *sandbox) counted() bool {
	return sb.name != "" && sb.budget != nil && sb.budget.limit > 0
}

// release gives back what the sandbox's states count against the budget,
// when the sandbox is dropped.
func (sb *sandbox) release() {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.budget != nil {
		sb.budget.used.Add(-sb.charged)
	}
	sb.charged = 0
}

// state returns family i's state, building it from the sandbox's scenario
// on first use.
func (sb *sandbox) state(i int) api.State {
	if p := sb.states[i].Load(); p != nil {
		return *p
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.stateLocked(i)
}

// stateLocked is state for a caller that holds sb.mu.
func (sb *sandbox) stateLocked(i int) api.State {
	if p := sb.states[i].Load(); p != nil {
		return *p
	}
	return sb.buildLocked(i)
}

// buildLocked builds family i's state and counts it against the sandbox
// memory budget without refusing it: a control call that needs the state
// (GET /state, a snapshot) is deliberate, as a scenario load is, and what
// it builds must be counted when requests later ask for more. Caller holds
// sb.mu.
func (sb *sandbox) buildLocked(i int) api.State {
	if sb.counted() {
		est := sb.estimate(i, sb.cur)
		sb.budget.used.Add(est)
		sb.charged += est
	}
	return sb.newStateLocked(i)
}

// newStateLocked builds family i's state; caller holds sb.mu.
func (sb *sandbox) newStateLocked(i int) api.State {
	f := sb.families[i]
	st := f.NewState(sb.cur.worlds[f.Name()], sb.env)
	sb.states[i].Store(&st)
	return st
}

// stateForAuth returns family i's state if built, else (built false) the
// state a fresh sandbox would start from, shared and built once per
// compiled scenario: a request is authenticated against it before the
// sandbox pays for a world of its own, so that one that fails
// authentication costs none.
func (sb *sandbox) stateForAuth(i int) (st api.State, built bool) {
	if p := sb.states[i].Load(); p != nil {
		return *p, true
	}
	sb.mu.Lock()
	c := sb.cur
	sb.mu.Unlock()
	return c.template(sb.families[i]), false
}

// sandbox returns the named sandbox, creating it from the server's scenario
// on first use. Before creating one it drops sandboxes idle for longer than
// the idle limit (always at the cap, else at most once a second:
// evictIdle); if the cap is still reached it refuses.
func (s *Server) sandbox(name string) (*sandbox, error) {
	if name != "" && !sandboxNameRE().MatchString(name) {
		return nil, fmt.Errorf("invalid %s %q: use 1 to 64 letters, digits, '.', '_' or '-'", SandboxHeader, quoteName(name))
	}
	s.mu.RLock()
	sb := s.sandboxes[name]
	s.mu.RUnlock()
	if sb != nil {
		sb.touch()
		return sb, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sb = s.sandboxes[name]; sb != nil {
		sb.touch()
		return sb, nil
	}
	limit := s.opts.maxSandboxes
	if len(s.sandboxes)-1 >= limit || time.Since(s.idleSwept) >= min(time.Second, s.opts.sandboxIdle/8) {
		s.evictIdle()
	}
	if len(s.sandboxes)-1 >= limit {
		return nil, fmt.Errorf("%w: %d named sandboxes are in use (the limit, --max-sandboxes); drop one with DELETE /_emulator/sandboxes/{name}, or wait: a sandbox unused for %s is dropped",
			ErrTooManySandboxes, limit, s.opts.sandboxIdle)
	}
	sb = s.newSandbox(name, s.base)
	s.sandboxes[name] = sb
	return sb, nil
}

// evictIdle drops named sandboxes unused for longer than the idle limit.
// It reads every sandbox, so a new one runs it only at the cap, or when a
// second (an eighth of the idle limit, if less) has passed since it last
// ran: a thousand sandboxes made one after another each read all the
// others. Caller holds s.mu.
func (s *Server) evictIdle() {
	s.idleSwept = time.Now()
	cutoff := s.idleSwept.Add(-s.opts.sandboxIdle).UnixNano()
	for n, sb := range s.sandboxes {
		if n != "" && sb.lastUsed.Load() < cutoff {
			delete(s.sandboxes, n)
			s.journals.Leave(sb.journal)
			s.coverage.forget(n)
			sb.release()
		}
	}
}

// quoteName cuts a rejected name to a short prefix for the error.
func quoteName(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

func (s *Server) sandboxFor(r *http.Request) (*sandbox, error) {
	return s.sandbox(r.Header.Get(SandboxHeader))
}

// DropSandbox deletes a named sandbox and reports whether it existed; the
// default one cannot be dropped.
func (s *Server) DropSandbox(name string) bool { return s.dropSandbox(name) }

func (s *Server) dropSandbox(name string) bool {
	if name == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sb, ok := s.sandboxes[name]
	if ok {
		delete(s.sandboxes, name)
		s.journals.Leave(sb.journal)
		s.coverage.forget(name)
		sb.release()
	}
	return ok
}

// worldsBuilt counts the family states the sandboxes have built: what
// their worlds cost, as a number (a sandbox builds a family's state on the
// first authenticated request to it).
func (s *Server) worldsBuilt() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, sb := range s.sandboxes {
		for i := range sb.states {
			if sb.states[i].Load() != nil {
				n++
			}
		}
	}
	return n
}

func (s *Server) sandboxNames() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.sandboxes))
	for n := range s.sandboxes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// reset returns the sandbox to its scenario's initial state.
func (sb *sandbox) reset() {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	sb.apply(sb.cur)
}

// load switches the sandbox to another compiled scenario.
func (sb *sandbox) load(c *compiled) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	sb.cur = c
	sb.apply(c)
}

func (sb *sandbox) apply(c *compiled) {
	sb.clock.Restart(c.sc.Clock)
	sb.ids.Reseed(c.seed)
	if pos := c.sc.IDSequence; pos != "" {
		_ = sb.ids.Resume(pos) // checked when the scenario was loaded
	}
	sb.faults.Load(c.seed, c.sc.Faults)
	sb.journal.Clear()
	var charged int64
	for i := range sb.states {
		if p := sb.states[i].Load(); p != nil {
			(*p).Reset(c.worlds[sb.families[i].Name()])
			charged += sb.estimate(i, c)
		}
	}
	// Another scenario's worlds may be larger or smaller: the budget counts
	// what is built now (a load is a deliberate call, so it is not refused).
	if sb.counted() {
		sb.budget.used.Add(charged - sb.charged)
		sb.charged = charged
	}
}

func (sb *sandbox) scenarioName() string {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.cur.sc.Name
}

// Reset puts a sandbox ("" for the default one) back to its scenario's
// initial state: objects, fault rules and counters, journal, clock and ids.
func (s *Server) Reset(sandboxName string) error {
	sb, err := s.sandbox(sandboxName)
	if err != nil {
		return err
	}
	sb.reset()
	return nil
}

// sweepEvery is how often, in real time, the server sweeps expired
// sessions and jobs out of every sandbox.
const sweepEvery = 30 * time.Second

// Sweep drops expired sessions and API jobs from every sandbox's built
// states, at each sandbox's virtual time. A started server does it every
// sweepEvery.
func (s *Server) Sweep() {
	s.mu.RLock()
	sbs := make([]*sandbox, 0, len(s.sandboxes))
	for _, sb := range s.sandboxes {
		sbs = append(sbs, sb)
	}
	s.mu.RUnlock()
	for _, sb := range sbs {
		now := sb.clock.Now()
		for i := range sb.states {
			if p := sb.states[i].Load(); p != nil {
				if sw, ok := (*p).(api.Sweeper); ok {
					sw.Sweep(now)
				}
			}
		}
	}
}

// sweeping runs Sweep every sweepEvery until the server closes.
func (s *Server) sweeping() {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.Sweep()
		case <-s.closing:
			return
		}
	}
}
