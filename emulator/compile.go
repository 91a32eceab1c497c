// Scenario compilation: a loaded scenario becomes a compiled one (every
// family's world, fault rules checked against the operation table), and a
// process-wide cache shares compiled scenarios between servers.

package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/clock"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/ids"
	"github.com/credemu/credemu/emulator/scenario"
)

// template returns f's state as a fresh sandbox of this scenario starts,
// built on first use and shared: requests to sandboxes whose own state is
// not built yet are authenticated against it.
func (c *compiled) template(f family.Family) api.State {
	c.tmplMu.Lock()
	defer c.tmplMu.Unlock()
	if st, ok := c.templates[f.Name()]; ok {
		return st
	}
	if c.templates == nil {
		c.templates = map[string]api.State{}
	}
	st := f.NewState(c.worlds[f.Name()], api.Env{Clock: clock.New(c.sc.Clock), IDs: ids.New(c.seed)})
	c.templates[f.Name()] = st
	return st
}

// compiled is a scenario with every family's world built from it.
type compiled struct {
	// templates are the states a fresh sandbox starts from, by family,
	// built on first use (see template).
	tmplMu    sync.Mutex
	templates map[string]api.State

	sc     *scenario.Scenario
	worlds map[string]api.World
	seed   uint64
	// stamps are the modification times of the files read, taken when
	// they were read: Watch compares with these, so an edit made between
	// loading and watching is not missed.
	stamps map[string]time.Time
}

// allOperations lists operations with the actions of dispatching routes
// in their place, which is what fault rules and the journal name.
func allOperations(ops []*api.Operation) []*api.Operation {
	var out []*api.Operation
	for _, op := range ops {
		if len(op.Actions) == 0 {
			out = append(out, op)
			continue
		}
		keys := make([]string, 0, len(op.Actions))
		for k := range op.Actions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, op.Actions[k])
		}
	}
	return out
}

// Loader returns the scenario loader configured with this server's families,
// for tools (credemu validate) that check scenarios without serving them.
func (s *Server) Loader() *scenario.Loader { return s.loader }

// CompileScenario loads and compiles a scenario without applying it, and
// returns every problem found.
func (s *Server) CompileScenario(name string, data []byte, dir string) error {
	_, err := s.compileLoaded(s.loader.Load(name, data, dir))
	return err
}

// compileLoaded compiles what the loader returned. A scenario that loaded
// with problems is still compiled, so that one run reports the loader's
// problems and the families' together.
func (s *Server) compileLoaded(sc *scenario.Scenario, loadErr error) (*compiled, error) {
	if sc == nil {
		return nil, loadErr
	}
	c, err := s.compile(sc)
	if loadErr == nil && err == nil {
		c.stamps = fileStamps(sc.Files)
		return c, nil
	}
	// Every problem, the loader's and the families', in file and line order.
	errs := scenario.Errors(sc.Files[0], loadErr)
	errs = append(errs, scenario.Errors(sc.Files[0], err)...)
	return nil, errs.Sorted().Capped()
}

func (s *Server) compile(sc *scenario.Scenario) (*compiled, error) {
	seed := sc.Seed
	if s.opts.seed != nil {
		seed = *s.opts.seed
		sc.Seed = seed
	}
	now := sc.Clock
	if now.IsZero() {
		now = time.Now().UTC()
	}
	c := &compiled{sc: sc, worlds: map[string]api.World{}, seed: seed}
	var errs scenario.ErrorList
	// One budget for the whole scenario: every family's generate: blocks
	// draw from it.
	budget := &scenario.Budget{Limit: s.opts.generateLimit, CountOnly: s.opts.countOnly}
	for _, f := range s.families {
		gen := scenario.NewGenerator(seed, f.Name(), now)
		gen.Budget = budget
		w, err := f.LoadWorld(sc.Sections[f.Name()], gen)
		if err != nil {
			errs = append(errs, scenario.Errors(sc.Files[0], err)...)
			continue
		}
		c.worlds[f.Name()] = w
	}
	if n := len(sc.Faults); n > fault.MaxRules {
		errs = append(errs, &scenario.Error{File: sc.Files[0], Msg: fmt.Sprintf("faults: %d rules; a scenario may hold at most %d", n, fault.MaxRules)})
	}
	if len(errs) > 0 {
		return nil, errs.Capped()
	}
	return c, nil
}

// checkRule checks the parts of a fault rule that need to know the families.
func (s *Server) checkRule(r *fault.Rule) error {
	m := r.Match
	if m.API != "" {
		if _, ok := s.byName[m.API]; !ok {
			return fmt.Errorf("match.api %q is not one of: %v", m.API, s.familyNames())
		}
	}
	if m.Operation != "" {
		found := false
		for fam, ops := range s.ops {
			if m.API != "" && fam != m.API {
				continue
			}
			if _, ok := ops[m.Operation]; ok {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("match.operation %q is not an operation of %s (see the README for the list)", m.Operation, orAll(m.API))
		}
	}
	return nil
}

func orAll(api string) string {
	if api == "" {
		return "any API"
	}
	return api
}

func (s *Server) familyNames() []string {
	out := make([]string, 0, len(s.families))
	for _, f := range s.families {
		out = append(out, f.Name())
	}
	sort.Strings(out)
	return out
}

// LoadScenario replaces a sandbox's scenario with the YAML in data and
// resets it. For the default sandbox ("") the new scenario also becomes the
// one later sandboxes start from.
func (s *Server) LoadScenario(sandboxName, name string, data []byte) error {
	c, err := s.compileLoaded(s.loader.Load(name, data, ""))
	if err != nil {
		return err
	}
	return s.applyScenario(sandboxName, c)
}

// applyScenario puts a compiled scenario in force in a sandbox; for the
// default sandbox it also becomes what later sandboxes start from.
func (s *Server) applyScenario(sandboxName string, c *compiled) error {
	sb, err := s.sandbox(sandboxName)
	if err != nil {
		return err
	}
	if sandboxName == "" {
		s.mu.Lock()
		s.base = c
		s.mu.Unlock()
	}
	sb.load(c)
	s.log.Info("scenario loaded", "scenario", c.sc.Name, "sandbox", sandboxName)
	return nil
}

// compileCache keeps compiled scenarios per process, so that the hundredth
// emulator a test binary starts on the same scenario does not parse and
// generate it again. Compiled worlds are never changed (every sandbox
// copies them), which is what makes sharing them safe.
var compileCache = struct {
	sync.Mutex
	entries map[string]cacheEntry
}{entries: map[string]cacheEntry{}}

type cacheEntry struct {
	c  *compiled
	at time.Time
}

// realClockReuse bounds how long a scenario on the real clock is reused:
// its generated objects carry the time it was compiled.
const realClockReuse = time.Minute

// cacheKey identifies the scenario source, the seed override and the
// families; "" means the source cannot be cached.
func (s *Server) cacheKey() string {
	o := s.opts
	h := sha256.New()
	switch {
	case o.scenarioYAML != nil:
		fmt.Fprintf(h, "yaml\x00%s\x00", o.scenarioName)
		h.Write(o.scenarioYAML)
	case !strings.ContainsAny(o.scenario, `/\`) && !strings.HasSuffix(o.scenario, ".yaml") && !strings.HasSuffix(o.scenario, ".yml"):
		fmt.Fprintf(h, "builtin\x00%s", o.scenario)
	default:
		fi, err := os.Stat(o.scenario)
		if err != nil {
			return ""
		}
		// Includes of a file on disk may change unseen: do not cache.
		data, err := os.ReadFile(o.scenario)
		if err != nil || strings.Contains(string(data), "include") {
			return ""
		}
		fmt.Fprintf(h, "file\x00%s\x00%d\x00%d", o.scenario, fi.Size(), fi.ModTime().UnixNano())
	}
	if o.seed != nil {
		fmt.Fprintf(h, "\x00seed=%d", *o.seed)
	}
	fmt.Fprintf(h, "\x00generate=%d,%t", o.generateLimit, o.countOnly)
	for _, f := range s.families {
		fmt.Fprintf(h, "\x00%s", f.Name())
	}
	return hex.EncodeToString(h.Sum(nil))
}

func cachedCompiled(key string) *compiled {
	if key == "" {
		return nil
	}
	compileCache.Lock()
	defer compileCache.Unlock()
	e, ok := compileCache.entries[key]
	if !ok || (e.c.sc.Clock.IsZero() && time.Since(e.at) > realClockReuse) {
		return nil
	}
	return e.c
}

func storeCompiled(key string, c *compiled) {
	if key == "" {
		return
	}
	compileCache.Lock()
	defer compileCache.Unlock()
	if len(compileCache.entries) > 256 {
		compileCache.entries = map[string]cacheEntry{}
	}
	compileCache.entries[key] = cacheEntry{c: c, at: time.Now()}
}
