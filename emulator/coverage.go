package emulator

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/credemu/credemu/emulator/family"
)

// coverage counts, for the whole server (every sandbox), how often each
// operation was called, which statuses it answered and which fault rules
// fired on it. It survives resets on purpose: a CI run resets between
// tests but wants one report for the run.
type coverage struct {
	mu       sync.Mutex
	families []family.Family
	// ops is api → operation id → counts, every operation listed, built
	// on first use (tables): it is a sixth of a millisecond of start-up.
	ops map[string]map[string]*opCoverage
	// sandboxes holds each sandbox's own counts (only of the operations it
	// called), for GET /_emulator/coverage?scope=sandbox: behind a proxy
	// that spreads sandboxes over replicas, a CI job asks for its own.
	sandboxes map[string]map[string]map[string]*opCoverage
}

type opCoverage struct {
	Method   string         `json:"method"`
	Paths    []string       `json:"paths"`
	Calls    int            `json:"calls"`
	Statuses map[string]int `json:"statuses"`
	Faults   map[string]int `json:"faults,omitempty"`
}

func newCoverage(s *Server) *coverage {
	return &coverage{families: s.families, sandboxes: map[string]map[string]map[string]*opCoverage{}}
}

// tables returns c.ops, building it the first time; c.mu is held.
func (c *coverage) tables() map[string]map[string]*opCoverage {
	if c.ops == nil {
		c.ops = map[string]map[string]*opCoverage{}
		for _, f := range c.families {
			c.ops[f.Name()] = map[string]*opCoverage{}
		}
		// The same list credemu operations prints.
		for _, op := range Operations(c.families) {
			c.ops[op.API][op.ID] = &opCoverage{Method: op.Method, Paths: op.Paths, Statuses: map[string]int{}}
		}
	}
	return c.ops
}

func (c *coverage) record(sandbox, api, op string, status int, fault string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	oc := c.tables()[api][op]
	if oc == nil {
		return
	}
	key := strconv.Itoa(status)
	if status == 0 {
		key = "dropped"
	}
	oc.count(key, fault)
	sb := c.sandboxes[sandbox]
	if sb == nil {
		sb = map[string]map[string]*opCoverage{}
		c.sandboxes[sandbox] = sb
	}
	if sb[api] == nil {
		sb[api] = map[string]*opCoverage{}
	}
	soc := sb[api][op]
	if soc == nil {
		soc = &opCoverage{Method: oc.Method, Paths: oc.Paths, Statuses: map[string]int{}}
		sb[api][op] = soc
	}
	soc.count(key, fault)
}

func (oc *opCoverage) count(status, fault string) {
	oc.Calls++
	oc.Statuses[status]++
	if fault != "" {
		if oc.Faults == nil {
			oc.Faults = map[string]int{}
		}
		oc.Faults[fault]++
	}
}

func (c *coverage) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.tables() {
		for _, oc := range m {
			oc.Calls, oc.Statuses, oc.Faults = 0, map[string]int{}, nil
		}
	}
	clear(c.sandboxes)
}

// forget drops a sandbox's own counts (the sandbox was dropped); what it
// called stays in the server's.
func (c *coverage) forget(sandbox string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.sandboxes, sandbox)
}

// CoverageReport is what GET /_emulator/coverage and --coverage-out give:
// per API, every operation with its calls, answered statuses and fired
// fault rules, and the operations never called.
type CoverageReport struct {
	APIs []APICoverage `json:"apis"`
}

// APICoverage is one API family's part of the report.
type APICoverage struct {
	API         string              `json:"api"`
	Operations  []OperationCoverage `json:"operations"`
	NeverCalled []string            `json:"neverCalled"`
}

// OperationCoverage is one operation's counts.
type OperationCoverage struct {
	Operation string `json:"operation"`
	opCoverage
}

// Coverage returns the coverage report of the server so far: every
// sandbox's calls together.
func (s *Server) Coverage() CoverageReport {
	return s.coverage.report(s.familyNames(), nil)
}

// SandboxCoverage returns the coverage report of one sandbox ("" the
// default): the same operations, counting only that sandbox's calls since
// it was made (or since the counts were last cleared).
func (s *Server) SandboxCoverage(sandbox string) CoverageReport {
	return s.coverage.report(s.familyNames(), &sandbox)
}

// report builds a report over every operation: the server's counts, or
// with sandbox those of that sandbox alone.
func (c *coverage) report(families []string, sandbox *string) CoverageReport {
	c.mu.Lock()
	defer c.mu.Unlock()
	var only map[string]map[string]*opCoverage
	if sandbox != nil {
		if only = c.sandboxes[*sandbox]; only == nil {
			only = map[string]map[string]*opCoverage{}
		}
	}
	ops := c.tables()
	var rep CoverageReport
	for _, name := range families {
		ac := APICoverage{API: name, Operations: []OperationCoverage{}, NeverCalled: []string{}}
		ids := make([]string, 0, len(ops[name]))
		for id := range ops[name] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			oc := *ops[name][id]
			if only != nil {
				oc.Calls, oc.Statuses, oc.Faults = 0, map[string]int{}, nil
				if soc := only[name][id]; soc != nil {
					oc = *soc
				}
			}
			oc.Statuses = copyCounts(oc.Statuses)
			oc.Faults = copyCounts(oc.Faults)
			ac.Operations = append(ac.Operations, OperationCoverage{Operation: id, opCoverage: oc})
			if oc.Calls == 0 {
				ac.NeverCalled = append(ac.NeverCalled, id)
			}
		}
		rep.APIs = append(rep.APIs, ac)
	}
	return rep
}

// MergeCoverage adds reports together, as from several replicas behind a
// load balancer: calls, statuses and fault counts are summed per API and
// operation, and an operation is never called only if no report called it.
// Reports of different credemu versions may list different operations;
// the merge lists every one.
func MergeCoverage(reports ...CoverageReport) CoverageReport {
	type key struct{ api, op string }
	ops := map[key]*opCoverage{}
	var apis []string
	opsOf := map[string][]string{}
	for _, r := range reports {
		for _, a := range r.APIs {
			if _, seen := opsOf[a.API]; !seen {
				apis = append(apis, a.API)
				opsOf[a.API] = nil
			}
			for _, o := range a.Operations {
				k := key{a.API, o.Operation}
				m := ops[k]
				if m == nil {
					m = &opCoverage{Method: o.Method, Paths: o.Paths, Statuses: map[string]int{}}
					ops[k] = m
					opsOf[a.API] = append(opsOf[a.API], o.Operation)
				}
				m.Calls += o.Calls
				for st, n := range o.Statuses {
					m.Statuses[st] += n
				}
				for f, n := range o.Faults {
					if m.Faults == nil {
						m.Faults = map[string]int{}
					}
					m.Faults[f] += n
				}
			}
		}
	}
	sort.Strings(apis)
	var out CoverageReport
	for _, api := range apis {
		ac := APICoverage{API: api, Operations: []OperationCoverage{}, NeverCalled: []string{}}
		ids := opsOf[api]
		sort.Strings(ids)
		for _, id := range ids {
			oc := ops[key{api, id}]
			ac.Operations = append(ac.Operations, OperationCoverage{Operation: id, opCoverage: *oc})
			if oc.Calls == 0 {
				ac.NeverCalled = append(ac.NeverCalled, id)
			}
		}
		out.APIs = append(out.APIs, ac)
	}
	return out
}

func copyCounts(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// WriteJSON writes the report as indented JSON.
func (r CoverageReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name    string      `xml:"name,attr"`
	Tests   int         `xml:"tests,attr"`
	Skipped int         `xml:"skipped,attr"`
	Cases   []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Skipped *junitSkipped `xml:"skipped,omitempty"`
	Out     string        `xml:"system-out,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes the report as JUnit XML: one suite per API, one test
// case per operation; an operation never called is a skipped case, so CI
// dashboards show the gap without failing the build.
func (r CoverageReport) WriteJUnit(w io.Writer) error {
	out := junitSuites{Name: "credemu coverage"}
	for _, a := range r.APIs {
		suite := junitSuite{Name: a.API}
		for _, op := range a.Operations {
			tc := junitCase{Class: a.API, Name: op.Operation}
			if op.Calls == 0 {
				tc.Skipped = &junitSkipped{Message: "never called"}
				suite.Skipped++
			} else {
				var parts []string
				for _, st := range sortedKeys(op.Statuses) {
					parts = append(parts, fmt.Sprintf("%s×%d", st, op.Statuses[st]))
				}
				tc.Out = fmt.Sprintf("%d calls; statuses %s", op.Calls, strings.Join(parts, ", "))
				if len(op.Faults) > 0 {
					var fs []string
					for _, f := range sortedKeys(op.Faults) {
						fs = append(fs, fmt.Sprintf("%s×%d", f, op.Faults[f]))
					}
					tc.Out += "; faults " + strings.Join(fs, ", ")
				}
			}
			suite.Cases = append(suite.Cases, tc)
			suite.Tests++
		}
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
