package schema

import (
	"bytes"
	"encoding/json"
	"path"
	"slices"
	"strconv"
	"strings"
)

// decodeSchema decodes a schema file for inlineRefs, numbers kept as
// written so that they re-encode unchanged.
func decodeSchema(data []byte) (any, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := dec.Decode(&doc)
	return doc, err
}

// docLookup returns a schema file, decoded, by its path; ok is false for a
// file that is missing or does not decode (a $ref to it stays, and the
// compiler reports it).
type docLookup func(file string) (doc any, ok bool)

// inlineRefs replaces each {"$ref": ...} in the schema file at name with a
// copy of the schema it points to, among docs (files by path, read only as
// a $ref reaches them), and returns the file re-encoded. A $ref costs the validator a
// frame of its own on every request (bookkeeping maps, closures, a scope
// entry); inlined, validating an AWX create took markedly less. The
// meaning is unchanged: a $ref alone in its object means exactly the
// schema it names. Left as they are: a $ref with other keywords beside
// it, a target that sets its own base ($id, anchors), one inside a cycle,
// and one whose target holds a $ref that cannot be inlined (its base would
// change with the move).
func inlineRefs(docs docLookup, name string) ([]byte, error) {
	doc, _ := docs(name)
	out, _ := inlineValue(docs, name, doc, nil)
	return json.Marshal(out)
}

// inlineValue returns v with its inlinable $refs (resolved against the
// file at base) replaced; ok is false when v itself is, or holds, a $ref
// that stays.
func inlineValue(docs docLookup, base string, v any, stack []string) (out any, ok bool) {
	switch x := v.(type) {
	case map[string]any:
		if ref, isRef := x["$ref"].(string); isRef && onlyRef(x) {
			if target, file, key, found := resolve(docs, base, ref); found && !slices.Contains(stack, key) && !setsBase(target) {
				if inlined, okIn := inlineValue(docs, file, target, append(stack, key)); okIn {
					return inlined, true
				}
			}
			return x, false
		}
		m := make(map[string]any, len(x))
		ok = true
		for k, val := range x {
			if k == "$defs" || k == "definitions" {
				m[k] = val // targets, not used in place: left for any $ref that stays
				continue
			}
			var okVal bool
			m[k], okVal = inlineValue(docs, base, val, stack)
			ok = ok && okVal
		}
		if _, hasRef := x["$ref"]; hasRef {
			ok = false
		}
		return m, ok
	case []any:
		a := make([]any, len(x))
		ok = true
		for i, val := range x {
			var okVal bool
			a[i], okVal = inlineValue(docs, base, val, stack)
			ok = ok && okVal
		}
		return a, ok
	}
	return v, true
}

// onlyRef reports whether a schema object is a $ref and nothing that
// validation reads besides (a comment may stand beside it).
func onlyRef(m map[string]any) bool {
	for k := range m {
		if k != "$ref" && k != "$comment" {
			return false
		}
	}
	return true
}

// setsBase reports whether a schema would change base URIs if moved.
func setsBase(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, k := range []string{"$id", "$anchor", "$dynamicAnchor", "$schema"} {
		if _, has := m[k]; has {
			return true
		}
	}
	return false
}

// resolve finds what ref (relative to the file at base) points to: the
// target schema, its file, and a key naming it.
func resolve(docs docLookup, base, ref string) (target any, file, key string, found bool) {
	file, frag, _ := strings.Cut(ref, "#")
	if strings.Contains(file, ":") {
		return nil, "", "", false // an absolute URI: not among the files
	}
	if file == "" {
		file = base
	} else {
		file = path.Join(path.Dir(base), file)
	}
	doc, ok := docs(file)
	if !ok {
		return nil, "", "", false
	}
	cur := doc
	if frag != "" {
		if !strings.HasPrefix(frag, "/") {
			return nil, "", "", false // an anchor name
		}
		for _, tok := range strings.Split(frag[1:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			switch c := cur.(type) {
			case map[string]any:
				if cur, ok = c[tok]; !ok {
					return nil, "", "", false
				}
			case []any:
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(c) {
					return nil, "", "", false
				}
				cur = c[i]
			default:
				return nil, "", "", false
			}
		}
	}
	if file == base && frag == "" {
		return nil, "", "", false // the whole file itself: recursion
	}
	return cur, file, file + "#" + frag, true
}
