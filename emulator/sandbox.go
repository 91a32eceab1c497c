package emulator

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"sync"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/clock"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/ids"
	"github.com/credemu/credemu/emulator/journal"
)

// SandboxHeader selects the sandbox a request (data or control) works in.
const SandboxHeader = "X-Emulator-Sandbox"

var sandboxNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// sandbox is one isolated world: its own objects, fault rules, journal,
// clock and id sequence. The default sandbox has the empty name.
type sandbox struct {
	name    string
	clock   *clock.Clock
	ids     *ids.Gen
	faults  *fault.Engine
	journal *journal.Journal
	states  map[string]api.State // by family; the map itself never changes

	mu  sync.Mutex // guards cur and serialises reset/load
	cur *compiled
}

func (s *Server) newSandbox(name string, c *compiled) *sandbox {
	sb := &sandbox{
		name:    name,
		clock:   clock.New(c.sc.Clock),
		ids:     ids.New(c.seed),
		faults:  fault.NewEngine(c.seed, c.sc.Faults),
		journal: journal.New(journal.Config{Entries: s.opts.journalCapacity, BodyLimit: s.opts.journalBodyLimit, Bytes: s.opts.journalBytes}),
		states:  map[string]api.State{},
		cur:     c,
	}
	env := api.Env{Clock: sb.clock, IDs: sb.ids}
	for _, f := range s.families {
		sb.states[f.Name()] = f.NewState(c.worlds[f.Name()], env)
	}
	return sb
}

// sandbox returns the named sandbox, creating it from the server's scenario
// on first use.
func (s *Server) sandbox(name string) (*sandbox, error) {
	if name != "" && !sandboxNameRE.MatchString(name) {
		return nil, fmt.Errorf("invalid %s %q: use 1 to 64 letters, digits, '.', '_' or '-'", SandboxHeader, name)
	}
	s.mu.RLock()
	sb := s.sandboxes[name]
	s.mu.RUnlock()
	if sb != nil {
		return sb, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sb = s.sandboxes[name]; sb == nil {
		sb = s.newSandbox(name, s.base)
		s.sandboxes[name] = sb
	}
	return sb, nil
}

func (s *Server) sandboxFor(r *http.Request) (*sandbox, error) {
	return s.sandbox(r.Header.Get(SandboxHeader))
}

// dropSandbox deletes a named sandbox; the default one cannot be dropped.
func (s *Server) dropSandbox(name string) bool {
	if name == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sandboxes[name]
	delete(s.sandboxes, name)
	return ok
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
	sb.faults.Load(c.seed, c.sc.Faults)
	sb.journal.Clear()
	for name, st := range sb.states {
		st.Reset(c.worlds[name])
	}
}

func (sb *sandbox) scenarioName() string {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.cur.sc.Name
}
