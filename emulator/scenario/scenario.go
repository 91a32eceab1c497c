// Package scenario loads YAML scenarios: the world a sandbox starts from
// (who may call, what exists) and the faults it injects. It owns the parts
// shared by every API family (name, seed, clock, includes, faults) and hands
// each family its own sections, which the family decodes with the strict
// helpers here so that every error names file, line and column.
package scenario

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"gopkg.in/yaml.v3"

	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/ids"
)

// DefaultSeed is used when neither the scenario nor the caller sets a seed,
// so that two runs of the same scenario still produce the same ids.
const DefaultSeed = 1

// Scenario is a loaded scenario, before the families compile their sections.
type Scenario struct {
	// Name is the scenario's name (from the file, else the file name).
	Name string
	// Description is free text for listings.
	Description string
	// Seed drives generated data, ids and fault probabilities.
	Seed uint64
	// Clock is the fixed start of the virtual clock; zero means real time.
	Clock time.Time
	// IDSequence, when set, is where the sandbox's id sequence resumes
	// (ids.Gen.Position): a snapshot writes it, so that ids handed out
	// after loading it continue as they would have.
	IDSequence string
	// Faults are the scenario's fault rules, includes first.
	Faults []fault.Rule
	// Sections holds each family's sections, keyed by family name, in
	// include order (included files before the file that includes them).
	Sections map[string][]Section
	// Files lists every file read, the scenario first.
	Files []string
}

// Loader reads scenarios. Families lists the top-level keys that belong to
// API families; CheckRule, when set, checks a fault rule against the known
// APIs and operations.
type Loader struct {
	Families  []string
	CheckRule func(*fault.Rule) error
	// Fixtures resolves includes that are not found next to the including
	// file; "fixtures/" at the start of an include path is stripped first.
	Fixtures fs.FS
	// Scenarios resolves built-in scenario names.
	Scenarios fs.FS
}

// header is the shared part of a scenario file; family keys are kept as raw
// nodes and checked against Loader.Families.
type header struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Seed        *uint64           `yaml:"seed"`
	Clock       yaml.Node         `yaml:"clock"`
	IDSequence  Located[string]   `yaml:"idSequence"`
	Include     []Located[string] `yaml:"include"`
	Faults      yaml.Node         `yaml:"faults"`
}

const maxIncludeDepth = 16

// Builtins lists the names of the built-in scenarios.
func (l *Loader) Builtins() []string {
	if l.Scenarios == nil {
		return nil
	}
	entries, _ := fs.ReadDir(l.Scenarios, ".")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Resolve loads a scenario given as a built-in name or a file path. A name
// with no path separator and no .yaml/.yml suffix is looked up among the
// built-ins first.
func (l *Loader) Resolve(nameOrPath string) (*Scenario, error) {
	if l.Scenarios != nil && !strings.ContainsAny(nameOrPath, `/\`) &&
		!strings.HasSuffix(nameOrPath, ".yaml") && !strings.HasSuffix(nameOrPath, ".yml") {
		data, err := fs.ReadFile(l.Scenarios, nameOrPath+".yaml")
		if err == nil {
			return l.Load("builtin:"+nameOrPath+".yaml", data, "")
		}
		if _, statErr := os.Stat(nameOrPath); statErr != nil {
			return nil, &UnknownError{Name: nameOrPath, Builtins: l.Builtins()}
		}
	} else if _, statErr := os.Stat(nameOrPath); errors.Is(statErr, fs.ErrNotExist) {
		return nil, &UnknownError{Name: nameOrPath, Builtins: l.Builtins(), Path: true}
	}
	return l.LoadFile(nameOrPath)
}

// UnknownError is Resolve's answer for a scenario that is neither a
// built-in nor an existing file: a mistyped name, which a command line
// reports as a usage error.
type UnknownError struct {
	// Name is what was asked for.
	Name string
	// Builtins are the built-in scenarios' names.
	Builtins []string
	// Path is whether Name looked like a file path.
	Path bool
}

// Error says what was asked for and what there is.
func (e *UnknownError) Error() string {
	if e.Path {
		return fmt.Sprintf("scenario file %s does not exist (built-in scenarios: %s)", e.Name, strings.Join(e.Builtins, ", "))
	}
	return fmt.Sprintf("no built-in scenario %q and no such file (built-ins: %s)", e.Name, strings.Join(e.Builtins, ", "))
}

// LoadFile reads and loads a scenario file from disk.
func (l *Loader) LoadFile(file string) (*Scenario, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return l.Load(file, data, filepath.Dir(file))
}

// Load loads a scenario from data. name is used in error messages; dir, when
// not empty, is where relative includes are looked for on disk. When the
// file has problems Load returns them all as an ErrorList together with
// what it could load, so that the families can report their problems too.
func (l *Loader) Load(name string, data []byte, dir string) (*Scenario, error) {
	sc := &Scenario{Sections: map[string][]Section{}, Seed: DefaultSeed}
	var errs ErrorList
	l.loadFile(sc, name, data, dir, true, map[string]bool{}, 0, &errs)
	if len(errs) > 0 {
		return sc, errs.Capped()
	}
	if sc.Name == "" {
		base := path.Base(filepath.ToSlash(name))
		sc.Name = strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
	}
	return sc, nil
}

func (l *Loader) loadFile(sc *Scenario, name string, data []byte, dir string, top bool, seen map[string]bool, depth int, errs *ErrorList) {
	sc.Files = append(sc.Files, name)
	doc, builtin := parsedBuiltin(data)
	var builtinName string
	if builtin != nil {
		builtinName = builtin.Name
	}
	if doc == nil {
		doc = new(yaml.Node)
		if err := yaml.Unmarshal(data, doc); err != nil {
			*errs = append(*errs, yamlErrors(name, err)...)
			return
		}
	}
	if n := expandedNodes(doc, MaxExpandedNodes+1); n > MaxExpandedNodes {
		*errs = append(*errs, &Error{File: name, Line: 1, Column: 1,
			Msg: fmt.Sprintf("the document expands through its aliases to more than %d YAML nodes; a scenario may not (use generate: for bulk data)", MaxExpandedNodes)})
		return
	}
	root := resolve(doc)
	if root == nil {
		return // an empty file is an empty world
	}
	if root.Kind != yaml.MappingNode {
		*errs = append(*errs, &Error{File: name, Line: root.Line, Column: root.Column,
			Msg: "expected a mapping of scenario keys at the top level, got " + kindName(root)})
		return
	}
	// Split the document into the shared header and the family sections.
	hdr := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line, Column: root.Column}
	known := map[string]bool{}
	for _, f := range l.Families {
		known[f] = true
	}
	shared := structFields(reflectTypeOf[header]())
	// This file's family sections go after those of the files it includes,
	// so that it can refer to what they define.
	type ownSection struct {
		family string
		sec    Section
	}
	var own []ownSection
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case known[k.Value]:
			own = append(own, ownSection{k.Value, Section{File: name, Node: v, Builtin: builtinName}})
		case shared[k.Value] != nil:
			if !top && (k.Value == "name" || k.Value == "description" || k.Value == "seed" || k.Value == "clock" || k.Value == "idSequence") {
				*errs = append(*errs, &Error{File: name, Line: k.Line, Column: k.Column,
					Msg: fmt.Sprintf("%q may only be set in the top-level scenario, not in an included file", k.Value)})
				continue
			}
			hdr.Content = append(hdr.Content, k, v)
		default:
			keys := append(sortedKeys(shared), l.Families...)
			sort.Strings(keys)
			*errs = append(*errs, &Error{File: name, Line: k.Line, Column: k.Column,
				Msg: fmt.Sprintf("unknown key %q; expected one of: %s", k.Value, strings.Join(keys, ", "))})
		}
	}
	var h header
	if builtin != nil && builtin.Header != nil {
		h = *builtin.Header // what DecodeNode makes of hdr, generated
	} else if err := DecodeNode(name, hdr, &h); err != nil {
		*errs = append(*errs, Errors(name, err)...)
	}
	if top {
		sc.Name, sc.Description = h.Name, h.Description
		if h.Seed != nil {
			sc.Seed = *h.Seed
		}
		if h.Clock.Kind != 0 {
			t, err := parseClock(&h.Clock)
			if err != nil {
				*errs = append(*errs, &Error{File: name, Line: h.Clock.Line, Column: h.Clock.Column, Msg: err.Error()})
			}
			sc.Clock = t
		}
		if pos := h.IDSequence; pos.Value != "" {
			if err := ids.New(0).Resume(pos.Value); err != nil {
				*errs = append(*errs, &Error{File: name, Line: pos.Line, Column: pos.Column, Msg: "idSequence: " + err.Error()})
			}
			sc.IDSequence = pos.Value
		}
	}
	for _, inc := range h.Include {
		if depth >= maxIncludeDepth {
			*errs = append(*errs, &Error{File: name, Line: inc.Line, Column: inc.Column, Msg: "includes nested too deeply (a cycle?)"})
			continue
		}
		incName, incData, incDir, err := l.readInclude(dir, inc.Value)
		if err != nil {
			*errs = append(*errs, &Error{File: name, Line: inc.Line, Column: inc.Column, Msg: err.Error()})
			continue
		}
		if seen[incName] {
			*errs = append(*errs, &Error{File: name, Line: inc.Line, Column: inc.Column,
				Msg: fmt.Sprintf("%s is included more than once (or includes itself)", inc.Value)})
			continue
		}
		seen[incName] = true
		l.loadFile(sc, incName, incData, incDir, false, seen, depth+1, errs)
	}
	for _, o := range own {
		sc.Sections[o.family] = append(sc.Sections[o.family], o.sec)
	}
	if h.Faults.Kind != 0 {
		l.loadFaults(sc, name, &h.Faults, errs)
	}
}

func (l *Loader) loadFaults(sc *Scenario, file string, node *yaml.Node, errs *ErrorList) {
	var rules []Located[fault.Rule]
	if err := DecodeNode(file, node, &rules); err != nil {
		*errs = append(*errs, Errors(file, err)...)
		return
	}
	for _, lr := range rules {
		r := lr.Value
		err := r.Validate()
		if err == nil && l.CheckRule != nil {
			err = l.CheckRule(&r)
		}
		if err != nil {
			for _, e := range splitJoined(err) {
				*errs = append(*errs, &Error{File: file, Line: lr.Line, Column: lr.Column, Msg: "fault rule: " + e.Error()})
			}
			continue
		}
		sc.Faults = append(sc.Faults, r)
	}
}

func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// readInclude finds an include next to the including file on disk, else in
// the embedded fixtures.
func (l *Loader) readInclude(dir, inc string) (name string, data []byte, incDir string, err error) {
	if dir != "" {
		p := inc
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, inc)
		}
		if data, err := os.ReadFile(p); err == nil {
			return p, data, filepath.Dir(p), nil
		}
	}
	if l.Fixtures != nil {
		p := path.Clean(strings.TrimPrefix(filepath.ToSlash(inc), "fixtures/"))
		if data, err := fs.ReadFile(l.Fixtures, p); err == nil {
			return "builtin:fixtures/" + p, data, "", nil
		}
	}
	return "", nil, "", fmt.Errorf("include %q not found next to the scenario or among the built-in fixtures", inc)
}

func parseClock(n *yaml.Node) (time.Time, error) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return time.Time{}, errors.New("clock: expected an RFC 3339 time such as 2026-01-01T00:00:00Z, or \"real\"")
	}
	if n.Value == "real" || n.Value == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, n.Value)
	if err != nil {
		return time.Time{}, fmt.Errorf("clock: expected an RFC 3339 time such as 2026-01-01T00:00:00Z, or \"real\", got %q", n.Value)
	}
	return t.UTC(), nil
}

// Generator makes repeatable fake data for a scenario's generate: blocks.
// Each family takes its own generator, derived from the scenario seed and the
// family name, so adding one family's data does not change another's.
type Generator struct {
	*gofakeit.Faker
	// Now is the time generated data is relative to (the scenario clock, or
	// the load time for a real clock).
	Now time.Time
	// Budget bounds what the scenario's generate: blocks may make, across
	// every family and organisation (nil: no bound).
	Budget *Budget
}

// Budget is the number of objects the generate: blocks of one scenario may
// make together, credentials included: each block alone may be modest, and
// a scenario of many still exhaust memory (20 organisations of a million
// accounts each). CountOnly makes families check the counts without
// building the objects, as credemu validate does.
type Budget struct {
	Limit     int
	CountOnly bool
	used      int
}

// DefaultGenerateLimit is the default Budget: the built-in large scenario
// generates 100,000 objects.
const DefaultGenerateLimit = 500_000

// Reserve takes n objects from the generator's budget for what (a phrase
// such as "avisi organisation bulk: cloud accounts and their credentials")
// and says whether they are to be built: false when the budget only counts.
// An error says the scenario would pass its budget.
func (g *Generator) Reserve(what string, n int) (build bool, err error) {
	if g.Budget == nil {
		return true, nil
	}
	b := g.Budget
	if n < 0 || n > b.Limit-b.used {
		return false, fmt.Errorf("%s: %d generated objects would make %d in this scenario, more than the %d allowed across every family and organisation, credentials included (--max-generated)",
			what, n, b.used+max(n, 0), b.Limit)
	}
	b.used += n
	return !b.CountOnly, nil
}

// NewGenerator returns a generator for one family of a scenario.
func NewGenerator(seed uint64, family string, now time.Time) *Generator {
	h := seed
	for _, c := range family {
		h = h*1099511628211 + uint64(c)
	}
	return &Generator{Faker: gofakeit.New(int64(h)), Now: now}
}

// MaxExpandedNodes bounds the YAML nodes a scenario file may expand to
// through aliases: a few kilobytes of nested aliases can otherwise stand
// for billions of nodes (the "billion laughs" attack), which every later
// walk of the document would follow.
const MaxExpandedNodes = 1_000_000

// expandedNodes counts the nodes aliases in n stand for, every alias
// expanded, stopping as soon as the count reaches limit. Nodes written out
// are not counted: their number is bounded by the file's size, and a
// snapshot of a large world has millions.
func expandedNodes(n *yaml.Node, limit int) int {
	count := 0
	var walk func(*yaml.Node, bool)
	walk = func(n *yaml.Node, aliased bool) {
		if n == nil || count >= limit {
			return
		}
		if aliased {
			count++
		}
		if n.Kind == yaml.AliasNode {
			walk(n.Alias, true)
			return
		}
		for _, c := range n.Content {
			walk(c, aliased)
			if count >= limit {
				return
			}
		}
	}
	walk(n, false)
	return count
}
