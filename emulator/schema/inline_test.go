package schema

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/schemas"
)

// inlineFS has a $ref of every kind inlineRefs meets or must leave alone.
var inlineFS = fstest.MapFS{
	"x/_defs.json": {Data: []byte(`{"$defs": {
		"name": {"type": "string", "minLength": 2},
		"pk": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]},
		"pair": {"type": "object", "properties": {"a": {"$ref": "#/$defs/name"}, "b": {"$ref": "#/$defs/pk"}}},
		"tree": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}},
		"based": {"$id": "https://elsewhere.invalid/x", "type": "string"},
		"big": {"type": "integer", "maximum": 9007199254740993}}}`)},
	"x/op.json": {Data: []byte(`{"type": "object", "properties": {
		"name": {"$ref": "_defs.json#/$defs/name"},
		"id": {"$ref": "_defs.json#/$defs/pk", "$comment": "a comment may stand beside"},
		"pair": {"$ref": "_defs.json#/$defs/pair"},
		"tree": {"$ref": "_defs.json#/$defs/tree"},
		"based": {"$ref": "_defs.json#/$defs/based"},
		"sibling": {"$ref": "_defs.json#/$defs/name", "maxLength": 3},
		"local": {"$ref": "#/$defs/here"},
		"big": {"$ref": "_defs.json#/$defs/big"},
		"missing": {"$ref": "_defs.json#/$defs/none"}},
		"$defs": {"here": {"enum": ["h"]}}}`)},
}

// TestInlineRefs: what may be inlined is, what may not stays a $ref, and
// validation answers the same either way.
func TestInlineRefs(t *testing.T) {
	docs := map[string]any{}
	for p, f := range inlineFS {
		v, err := decodeSchema(f.Data)
		if err != nil {
			t.Fatal(err)
		}
		docs[p] = v
	}
	b, err := inlineRefs(func(p string) (any, bool) { v, ok := docs[p]; return v, ok }, "x/op.json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Properties map[string]map[string]any
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	inlined := map[string]bool{}
	for name, prop := range got.Properties {
		_, ref := prop["$ref"]
		inlined[name] = !ref
	}
	want := map[string]bool{"name": true, "id": true, "pair": true, "tree": false, "based": false, "sibling": false,
		"local": true, "big": true, "missing": false}
	if diff := cmp.Diff(want, inlined); diff != "" {
		t.Errorf("inlined (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(b), "9007199254740993") {
		t.Errorf("a number lost its digits: %s", b)
	}

	with, err := compile(inlineFS, true)
	if err != nil {
		t.Fatal(err)
	}
	without, err := compile(inlineFS, false)
	if err != nil {
		t.Fatal(err)
	}
	values := []string{`{}`, `{"name": "x"}`, `{"name": 5, "id": "1a", "pair": {"a": "ab", "b": 2.5}}`,
		`{"tree": {"kids": [{"kids": [{"kids": 3}]}]}, "based": 1, "sibling": "abcd", "local": "g"}`,
		`{"big": 9007199254740994, "id": 7, "pair": {"a": "a", "b": "x"}}`, `[]`}
	for _, v := range values {
		var inst any
		if err := json.Unmarshal([]byte(v), &inst); err != nil {
			t.Fatal(err)
		}
		a, errA := with.Validate("x/op", inst)
		b, errB := without.Validate("x/op", inst)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("%s: errors %v / %v", v, errA, errB)
		}
		if diff := cmp.Diff(b, a); diff != "" {
			t.Errorf("%s (-as written +inlined):\n%s", v, diff)
		}
	}
}

// TestEmbeddedSchemasInline compiles every shipped schema inlined: each
// must still compile.
func TestEmbeddedSchemasInline(t *testing.T) {
	set, err := compile(schemas.FS, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.CompileAll(); err != nil {
		t.Fatal(err)
	}
}
