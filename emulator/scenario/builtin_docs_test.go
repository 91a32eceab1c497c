package scenario

import (
	"flag"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/credemu/credemu/emulator/internal/golit"
	"github.com/credemu/credemu/fixtures"
	"github.com/credemu/credemu/scenarios"
)

// The -update flag golit.Check reads, defined here as emulatortest defines
// it for the packages that import it (this one cannot: emulatortest
// imports it).
var _ = flag.Bool("update", false, "write generated files again from their sources")

// builtinSources are the files whose parse builtin_docs_gen.go holds:
// every built-in scenario and each fixture one of them includes.
func builtinSources(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	seen := map[string]bool{}
	for _, name := range names {
		data, err := fs.ReadFile(scenarios.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(data))
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
			out = append(out, string(data))
		}
	}
	return out
}

// docOf is source with the document yaml.v3 parses from it, its nodes in
// document order.
func docOf(source string) (builtinDoc, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(source), &doc); err != nil {
		return builtinDoc{}, err
	}
	d := builtinDoc{Source: source}
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

// TestBuiltinDocsGenerated: builtin_docs_gen.go holds the parse of every
// built-in scenario and of the fixtures they include, as yaml.v3 parses
// them now, so that an edit of one cannot be lost on the way to the
// server (and were it lost, the edited file would only be parsed again).
// -update writes the file again.
func TestBuiltinDocsGenerated(t *testing.T) {
	var want []builtinDoc
	for _, src := range builtinSources(t) {
		d, err := docOf(src)
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
		got := parsedBuiltin([]byte(d.Source))
		if got == nil {
			t.Fatalf("%.40q: not found among the generated documents", d.Source)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("%.40q (-parsed +generated):\n%s", d.Source, diff)
		}
		again := parsedBuiltin([]byte(d.Source))
		if again == got || len(got.Content) == 0 || again.Content[0] == got.Content[0] {
			t.Errorf("%.40q: two calls share nodes", d.Source)
		}
		if parsedBuiltin([]byte(d.Source+" ")) != nil || parsedBuiltin([]byte(strings.Replace(d.Source, ":", " :", 1))) != nil {
			t.Errorf("%.40q: a changed source was taken for the generated one", d.Source)
		}
	}
	// An append to a node's content copies rather than write over the
	// children of the node after it (the document's over its root's).
	doc := parsedBuiltin([]byte(builtinDocs[0].Source))
	root := doc.Content[0]
	key := root.Content[0]
	_ = append(doc.Content, &yaml.Node{Value: "appended"})
	if root.Content[0] != key {
		t.Error("appending to the document's content wrote over its root's")
	}
}
