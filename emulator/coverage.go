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
)

// coverage counts, for the whole server (every sandbox), how often each
// operation was called, which statuses it answered and which fault rules
// fired on it. It survives resets on purpose: a CI run resets between
// tests but wants one report for the run.
type coverage struct {
	mu  sync.Mutex
	ops map[string]map[string]*opCoverage // api → operation id
}

type opCoverage struct {
	Method   string         `json:"method"`
	Paths    []string       `json:"paths"`
	Calls    int            `json:"calls"`
	Statuses map[string]int `json:"statuses"`
	Faults   map[string]int `json:"faults,omitempty"`
}

func newCoverage(s *Server) *coverage {
	c := &coverage{ops: map[string]map[string]*opCoverage{}}
	for _, f := range s.families {
		c.ops[f.Name()] = map[string]*opCoverage{}
	}
	// The same list credemu operations prints.
	for _, op := range Operations(s.families) {
		c.ops[op.API][op.ID] = &opCoverage{Method: op.Method, Paths: op.Paths, Statuses: map[string]int{}}
	}
	return c
}

func (c *coverage) record(api, op string, status int, fault string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	oc := c.ops[api][op]
	if oc == nil {
		return
	}
	oc.Calls++
	key := strconv.Itoa(status)
	if status == 0 {
		key = "dropped"
	}
	oc.Statuses[key]++
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
	for _, m := range c.ops {
		for _, oc := range m {
			oc.Calls, oc.Statuses, oc.Faults = 0, map[string]int{}, nil
		}
	}
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

// Coverage returns the coverage report of the server so far.
func (s *Server) Coverage() CoverageReport {
	c := s.coverage
	c.mu.Lock()
	defer c.mu.Unlock()
	var rep CoverageReport
	for _, name := range s.familyNames() {
		ac := APICoverage{API: name, Operations: []OperationCoverage{}, NeverCalled: []string{}}
		ids := make([]string, 0, len(c.ops[name]))
		for id := range c.ops[name] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			oc := *c.ops[name][id]
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
