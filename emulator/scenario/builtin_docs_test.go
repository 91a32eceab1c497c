package scenario

import (
	"flag"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/credemu/credemu/emulator/internal/golit"
	"github.com/credemu/credemu/fixtures"
	"github.com/credemu/credemu/scenarios"
)

// The -update flag golit.Check reads, defined here as emulatortest defines
// it for the packages that import it (this one cannot: emulatortest
// imports it).
var _ = flag.Bool("update", false, "write generated files again from their sources")

// builtinSources are the files whose parse builtin_docs_gen.go holds,
// each by its path in the repository: every built-in scenario and each
// fixture one of them includes.
func builtinSources(t *testing.T) (names, sources []string) {
	t.Helper()
	scens, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, name := range scens {
		data, err := fs.ReadFile(scenarios.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		names, sources = append(names, "scenarios/"+name), append(sources, string(data))
		var head struct {
			Include []string `yaml:"include"`
		}
		if err := yaml.Unmarshal(data, &head); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, inc := range head.Include {
			if seen[inc] {
				continue
			}
			seen[inc] = true
			data, err := fs.ReadFile(fixtures.FS, strings.TrimPrefix(inc, "fixtures/"))
			if err != nil {
				t.Fatalf("%s includes %s: %v", name, inc, err)
			}
			names, sources = append(names, inc), append(sources, string(data))
		}
	}
	return names, sources
}

// docOf is source with the document yaml.v3 parses from it, its nodes in
// document order.
func docOf(name, source string) (builtinDoc, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(source), &doc); err != nil {
		return builtinDoc{}, err
	}
	h, err := headerOf(name, &doc)
	if err != nil {
		return builtinDoc{}, err
	}
	d := builtinDoc{Name: name, Source: source}
	if h.Clock.Kind == 0 && h.Faults.Kind == 0 {
		d.Header = &h
	}
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n.Kind == yaml.AliasNode {
			return fmt.Errorf("line %d: an alias, which a generated document does not hold; leave the file to the parser", n.Line)
		}
		d.Nodes = append(d.Nodes, builtinNode{Kind: uint32(n.Kind), Style: uint32(n.Style), Tag: n.Tag, Value: n.Value, Anchor: n.Anchor,
			HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment, Line: n.Line, Column: n.Column, Children: len(n.Content)})
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return d, walk(&doc)
}

// headerOf decodes the header of a file whose document is doc, as the
// loader does: its shared keys, without the family sections.
func headerOf(name string, doc *yaml.Node) (header, error) {
	root := resolve(doc)
	hdr := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line, Column: root.Column}
	shared := structFields(reflectTypeOf[header]())
	for i := 0; i+1 < len(root.Content); i += 2 {
		if shared[root.Content[i].Value] != nil {
			hdr.Content = append(hdr.Content, root.Content[i], root.Content[i+1])
		}
	}
	var h header
	err := DecodeNode(name, hdr, &h)
	return h, err
}

// TestBuiltinDocsGenerated: builtin_docs_gen.go holds the parse of every
// built-in scenario and of the fixtures they include, as yaml.v3 parses
// them now, so that an edit of one cannot be lost on the way to the
// server (and were it lost, the edited file would only be parsed again).
// -update writes the file again.
func TestBuiltinDocsGenerated(t *testing.T) {
	var want []builtinDoc
	names, sources := builtinSources(t)
	for i, src := range sources {
		d, err := docOf(names[i], src)
		if err != nil {
			t.Fatalf("%.40q: %v", src, err)
		}
		want = append(want, d)
	}
	lit, err := golit.Literal(want, "github.com/credemu/credemu/emulator/scenario")
	if err != nil {
		t.Fatal(err)
	}
	src, err := golit.File("scenario", "TestBuiltinDocsGenerated -update from scenarios/*.yaml and the fixtures they include", nil,
		"// builtinDocs are the built-in scenarios and the fixtures they include,\n// each with the document yaml.v3 parses from it.\nvar builtinDocs = "+lit+"\n")
	if err != nil {
		t.Fatal(err)
	}
	golit.Check(t, "builtin_docs_gen.go", src)
}

// TestParsedBuiltin: each generated document is the one yaml.v3 parses
// from its source, built afresh on each call; a source changed by a byte
// is left to the parser.
func TestParsedBuiltin(t *testing.T) {
	if len(builtinDocs) == 0 {
		t.Fatal("no generated documents")
	}
	for _, d := range builtinDocs {
		var want yaml.Node
		if err := yaml.Unmarshal([]byte(d.Source), &want); err != nil {
			t.Fatal(err)
		}
		got, found := parsedBuiltin([]byte(d.Source))
		if got == nil || found.Name != d.Name {
			t.Fatalf("%s: not found among the generated documents (found %v)", d.Name, found)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("%s (-parsed +generated):\n%s", d.Name, diff)
		}
		again, _ := parsedBuiltin([]byte(d.Source))
		if again == got || len(got.Content) == 0 || again.Content[0] == got.Content[0] {
			t.Errorf("%s: two calls share nodes", d.Name)
		}
		if n, _ := parsedBuiltin([]byte(d.Source + " ")); n != nil {
			t.Errorf("%s: a changed source was taken for the generated one", d.Name)
		}
		if n, found := parsedBuiltin([]byte(strings.Replace(d.Source, ":", " :", 1))); n != nil || found != nil {
			t.Errorf("%s: a changed source was taken for the generated one", d.Name)
		}
	}
	// An append to a node's content copies rather than write over the
	// children of the node after it (the document's over its root's).
	doc, _ := parsedBuiltin([]byte(builtinDocs[0].Source))
	root := doc.Content[0]
	key := root.Content[0]
	_ = append(doc.Content, &yaml.Node{Value: "appended"})
	if root.Content[0] != key {
		t.Error("appending to the document's content wrote over its root's")
	}
}

// TestBuiltinsLoadAsParsed: a built-in scenario loaded from its generated
// documents and headers is the scenario the parser and the decoder make of
// the same files, and its sections name the built-in file they come from.
func TestBuiltinsLoadAsParsed(t *testing.T) {
	l := &Loader{Families: []string{"avisi", "awx", "vsphere", "zstack"}, Fixtures: fixtures.FS, Scenarios: scenarios.FS}
	names := l.Builtins()
	generated := map[string]*Scenario{}
	for _, name := range names {
		sc, err := l.Resolve(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		generated[name] = sc
		for family, secs := range sc.Sections {
			for _, sec := range secs {
				want := strings.TrimPrefix(sec.File, "builtin:") // a fixture's path, or a scenario's name
				if !strings.Contains(want, "/") {
					want = "scenarios/" + want
				}
				if sec.Builtin != want {
					t.Errorf("%s: the %s section of %s is marked as built-in file %q, want %q", name, family, sec.File, sec.Builtin, want)
				}
			}
		}
	}
	saved := builtinDocs
	builtinDocs = nil
	defer func() { builtinDocs = saved }()
	for _, name := range names {
		parsed, err := l.Resolve(name)
		if err != nil {
			t.Fatalf("%s parsed: %v", name, err)
		}
		for _, secs := range parsed.Sections {
			for _, sec := range secs {
				if sec.Builtin != "" {
					t.Errorf("%s: a parsed file's section is marked as built-in file %q", name, sec.Builtin)
				}
			}
		}
		if diff := cmp.Diff(parsed, generated[name], cmpopts.IgnoreFields(Section{}, "Builtin")); diff != "" {
			t.Errorf("%s (-parsed +generated):\n%s", name, diff)
		}
	}
}

// TestDecodeSection: a section marked as read from a built-in file takes
// the generated table's value for that file, and any other section, or one
// the table does not hold, is decoded from its node, strictly.
func TestDecodeSection(t *testing.T) {
	type spec struct {
		Name string `yaml:"name"`
	}
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("name: from-node\n"), &node); err != nil {
		t.Fatal(err)
	}
	var bad yaml.Node
	if err := yaml.Unmarshal([]byte("nmae: typo\n"), &bad); err != nil {
		t.Fatal(err)
	}
	table := func(builtin string) (spec, bool) {
		if builtin == "fixtures/x.yaml" {
			return spec{Name: "from-table"}, true
		}
		return spec{}, false
	}
	for _, tc := range []struct {
		name    string
		sec     Section
		decoded func(string) (spec, bool)
		want    string
		wantErr string
	}{
		{"built-in, in the table", Section{File: "f", Node: &node, Builtin: "fixtures/x.yaml"}, table, "from-table", ""},
		{"not built-in", Section{File: "f", Node: &node}, table, "from-node", ""},
		{"built-in, not in the table", Section{File: "f", Node: &node, Builtin: "fixtures/y.yaml"}, table, "from-node", ""},
		{"no table", Section{File: "f", Node: &node, Builtin: "fixtures/x.yaml"}, nil, "from-node", ""},
		{"decoded strictly", Section{File: "f", Node: &bad}, table, "", `f:1:1: unknown key "nmae"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got spec
			err := DecodeSection(tc.sec, &got, tc.decoded)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got.Name != tc.want {
				t.Errorf("got %q, %v; want %q", got.Name, err, tc.want)
			}
		})
	}
}
