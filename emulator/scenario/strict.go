package scenario

import (
	"encoding"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Section is one file's part of a scenario for one API family (or for the
// fault list): the raw YAML node and the file it came from, so the family can
// decode it strictly and report positions.
type Section struct {
	File string
	Node *yaml.Node
}

// Errorf returns an error positioned at node in this section's file.
func (s Section) Errorf(node *yaml.Node, format string, args ...any) *Error {
	e := &Error{File: s.File, Msg: fmt.Sprintf(format, args...)}
	if node != nil {
		e.Line, e.Column = node.Line, node.Column
	}
	return e
}

// ErrorAt returns an error at a recorded position in this section's file.
func (s Section) ErrorAt(at At, format string, args ...any) *Error {
	return &Error{File: s.File, Line: at.Line, Column: at.Column, Msg: fmt.Sprintf(format, args...)}
}

// Decode decodes the section into v strictly: unknown keys and values of the
// wrong YAML kind are errors naming file, line and column, and every such
// problem is reported, not only the first.
func (s Section) Decode(v any) error {
	return DecodeNode(s.File, s.Node, v)
}

// DecodeFixture decodes a YAML file the binary carries (a vendor's
// catalogue under fixtures/) strictly into v; errors name it
// "builtin:fixtures/<path>".
func DecodeFixture(fsys fs.FS, path string, v any) error {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	return DecodeNode("builtin:fixtures/"+path, &doc, v)
}

// DecodeNode is Section.Decode for a bare node.
func DecodeNode(file string, node *yaml.Node, v any) error {
	if node == nil {
		return nil
	}
	var errs ErrorList
	check(file, node, reflect.TypeOf(v), &errs)
	// Decode even after check found problems: yaml.v3 fills in what it can,
	// so the caller can go on and report later problems too.
	err := node.Decode(v)
	if len(errs) > 0 {
		return errs
	}
	if err != nil {
		return yamlErrors(file, err)
	}
	return nil
}

// At is a position in a scenario file, recorded by Located.
type At struct {
	Line   int `json:"-" yaml:"-"`
	Column int `json:"-" yaml:"-"`
}

// Located wraps a value with the position it was read from, so that checks
// made after decoding (a reference to something that does not exist) can
// still name the line.
type Located[T any] struct {
	At
	Value T
}

// Locate wraps values for a list a snapshot writes, where they have no
// position.
func Locate[T any](vs []T) []Located[T] {
	out := make([]Located[T], len(vs))
	for i, v := range vs {
		out[i].Value = v
	}
	return out
}

// UnmarshalYAML records the node's position and decodes the value.
func (l *Located[T]) UnmarshalYAML(n *yaml.Node) error {
	l.Line, l.Column = n.Line, n.Column
	return n.Decode(&l.Value)
}

// MarshalYAML writes the value alone, so that what a Located list decoded
// from encodes back to the same YAML (snapshots write such lists).
func (l Located[T]) MarshalYAML() (any, error) { return l.Value, nil }

// strictType lets the strict checker look through Located to the wrapped type.
func (l *Located[T]) strictType() reflect.Type { return reflectTypeOf[T]() }

type innerTyped interface{ strictType() reflect.Type }

var (
	innerTypedType    = reflect.TypeOf((*innerTyped)(nil)).Elem()
	unmarshalerType   = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	textUnmarshalType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	yamlNodeType      = reflect.TypeOf(yaml.Node{})
)

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return nil
		}
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// check walks node alongside type t and records unknown keys and kind
// mismatches. It does not decode; node.Decode does that once check passes.
func check(file string, node *yaml.Node, t reflect.Type, errs *ErrorList) {
	node = resolve(node)
	if node == nil || t == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		if reflect.PointerTo(t.Elem()).Implements(innerTypedType) {
			break
		}
		t = t.Elem()
	}
	if t == yamlNodeType {
		return // kept raw; its owner checks it
	}
	pt := t
	if pt.Kind() != reflect.Pointer {
		pt = reflect.PointerTo(t)
	}
	if pt.Implements(innerTypedType) {
		inner := reflect.New(pt.Elem()).Interface().(innerTyped).strictType()
		check(file, node, inner, errs)
		return
	}
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return
	}
	bad := func(expected string) {
		*errs = append(*errs, &Error{File: file, Line: node.Line, Column: node.Column,
			Msg: fmt.Sprintf("expected %s, got %s", expected, kindName(node))})
	}
	if pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalType) {
		return // the type checks its own input when decoded
	}
	switch t.Kind() {
	case reflect.Struct:
		if t.PkgPath() == "time" {
			return
		}
		if node.Kind != yaml.MappingNode {
			bad("a mapping")
			return
		}
		fields := structFields(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, &Error{File: file, Line: k.Line, Column: k.Column,
					Msg: fmt.Sprintf("unknown key %q; expected one of: %s", k.Value, strings.Join(sortedKeys(fields), ", "))})
				continue
			}
			check(file, v, f, errs)
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			bad("a mapping")
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			check(file, node.Content[i+1], t.Elem(), errs)
		}
	case reflect.Slice, reflect.Array:
		if node.Kind != yaml.SequenceNode {
			bad("a list")
			return
		}
		for _, c := range node.Content {
			check(file, c, t.Elem(), errs)
		}
	case reflect.Bool:
		if node.Kind != yaml.ScalarNode || node.ShortTag() != "!!bool" {
			bad("true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if node.Kind != yaml.ScalarNode || node.ShortTag() != "!!int" {
			bad("a whole number")
		}
	case reflect.Float32, reflect.Float64:
		if node.Kind != yaml.ScalarNode || (node.ShortTag() != "!!int" && node.ShortTag() != "!!float") {
			bad("a number")
		}
	case reflect.String:
		if node.Kind != yaml.ScalarNode {
			bad("a string")
		}
	}
}

// fieldsOf caches structFields by type, as encoding/json caches its
// encoders: check asks for a struct's fields once per mapping, which is
// once per object of a scenario. Its maps are shared and never changed.
var fieldsOf sync.Map // reflect.Type → map[string]reflect.Type

// structFields maps YAML keys to field types, following yaml.v3's naming
// (the tag, else the lowercased field name) and flattening ",inline" fields.
// The map is shared: callers must not change it.
func structFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldsOf.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m, _ := fieldsOf.LoadOrStore(t, buildFields(t))
	return m.(map[string]reflect.Type)
}

func buildFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") || (f.Anonymous && tag == "") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range structFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// yamlLineRE reads the line out of a YAML error; compiled on first use,
// as only broken scenarios need it.
var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })

// yamlErrors turns yaml.v3's errors ("line 3: cannot unmarshal ...") into
// positioned scenario errors.
func yamlErrors(file string, err error) ErrorList {
	var msgs []string
	if te, ok := err.(*yaml.TypeError); ok {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make(ErrorList, 0, len(msgs))
	for _, m := range msgs {
		e := &Error{File: file, Msg: m}
		if sub := yamlLineRE().FindStringSubmatch(m); sub != nil {
			fmt.Sscan(sub[1], &e.Line)
			e.Msg = sub[2]
		}
		out = append(out, e)
	}
	return out
}

func reflectTypeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }
