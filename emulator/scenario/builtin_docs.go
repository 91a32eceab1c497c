package scenario

import "gopkg.in/yaml.v3"

// builtinNode is one node of a built-in file's document as yaml.v3 parses
// it, in document order: each node is followed by its Children children
// and their descendants. Kind and Style are yaml.Kind and yaml.Style.
type builtinNode struct {
	Kind, Style                           uint32
	Tag, Value, Anchor                    string
	HeadComment, LineComment, FootComment string
	Line, Column                          int
	Children                              int
}

// builtinDoc is an embedded scenario or fixture file together with its
// parsed document and its decoded header (builtin_docs_gen.go, which
// TestBuiltinDocsGenerated writes). Name is its path in the repository
// (fixtures/awx/default-world.yaml), which the sections read from it carry
// as Section.Builtin. Header is nil for a header that keeps raw nodes
// (clock, faults), which are decoded from the document's own nodes.
type builtinDoc struct {
	Name   string
	Source string
	Nodes  []builtinNode
	Header *header
}

// parsedBuiltin returns the built-in file data is, with its document
// built afresh, when data is one of the built-in files whose parse is
// generated, and nil otherwise. Reading the default scenario's five small
// files was the YAML parser's cold code, and decoding their headers
// yaml.v3's reflection: half a millisecond of a fresh server's start
// together. A file that differs from its generated source by a byte is
// parsed as any other.
func parsedBuiltin(data []byte) (*yaml.Node, *builtinDoc) {
	for i := range builtinDocs {
		if d := &builtinDocs[i]; d.Source == string(data) {
			return d.build(), d
		}
	}
	return nil, nil
}

// build makes d's document: its nodes in one block, and each node's
// Content a full slice (cap = len) of one block of pointers, so that an
// append to it copies instead of writing over a sibling's children.
func (d *builtinDoc) build() *yaml.Node {
	nodes := make([]yaml.Node, len(d.Nodes))
	kids := make([]*yaml.Node, 0, len(d.Nodes))
	next := 0
	var fill func() *yaml.Node
	fill = func() *yaml.Node {
		r, n := &d.Nodes[next], &nodes[next]
		next++
		*n = yaml.Node{Kind: yaml.Kind(r.Kind), Style: yaml.Style(r.Style), Tag: r.Tag, Value: r.Value, Anchor: r.Anchor,
			HeadComment: r.HeadComment, LineComment: r.LineComment, FootComment: r.FootComment, Line: r.Line, Column: r.Column}
		if r.Children > 0 {
			start := len(kids)
			kids = kids[:start+r.Children]
			for c := range r.Children {
				kids[start+c] = fill()
			}
			n.Content = kids[start : start+r.Children : start+r.Children]
		}
		return n
	}
	return fill()
}
