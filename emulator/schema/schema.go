// Package schema compiles the JSON Schemas under schemas/ (draft 2020-12)
// and validates request and response values against them. Validation is
// vendor-neutral: it returns api.FieldErrors that each family renders in its
// own error format.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/credemu/credemu/emulator/api"
)

// baseURL is the made-up origin schema files are registered under, so that
// relative $refs between them resolve without touching the network.
const baseURL = "https://schemas.credemu.invalid/"

// Set is a set of schemas, addressed by their path under the schema root
// without ".json" ("avisi/createCloudAccount"). Each schema is read,
// prepared and compiled on its first use, with only the files its $refs
// reach: reading all of them at start (or in the background while the
// first requests came in) cost the server's start-up more than anything
// it did itself, for operations a run may never call. CompileAll checks
// them all at once, as the tests do.
type Set struct {
	// mu serialises the compiler, which is not safe for concurrent use,
	// and guards docs, which the compiler's loader fills.
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	fsys     fs.FS
	inline   bool
	docs     map[string]*doc
	// schemas are listed without being read, and fixed once listed: read
	// without locking. Has answers from them.
	schemas map[string]*entry
	memo    memo // outcomes of ValidateKeyed
}

// doc is one schema file, read and decoded once.
type doc struct {
	raw []byte
	v   any
	err error
}

// entry is one schema, compiled once.
type entry struct {
	path string // its file under the schema root
	once sync.Once
	s    *jsonschema.Schema
	err  error
	// bodyURL names the schema of the body alone and restURL one of the
	// request's other parts (path, query; "" when the schema constrains
	// none), for a request schema that splits so (see parts); both "" for
	// one that does not. Set when s is.
	bodyURL, restURL string
	partsOnce        sync.Once
	body, rest       *jsonschema.Schema
	partsErr         error
}

// parts reports whether a request schema splits into its body and the
// rest: an object whose properties are body and any of path and query,
// with nothing else beside them that validation would read. rest is the
// schema of the other parts, referring to the file's own ($refs into
// file, under url), or nil when body is the only property.
func parts(data []byte, url string) (rest []byte, ok bool) {
	var root map[string]json.RawMessage
	if json.Unmarshal(data, &root) != nil {
		return nil, false
	}
	for k := range root {
		switch k {
		case "$schema", "$comment", "$id", "title", "description", "type", "properties", "required":
		default:
			return nil, false
		}
	}
	var props map[string]json.RawMessage
	if json.Unmarshal(root["properties"], &props) != nil || props["body"] == nil {
		return nil, false
	}
	var others []string
	for k := range props {
		switch k {
		case "body":
		case "path", "query":
			others = append(others, k)
		default:
			return nil, false
		}
	}
	var required, restRequired []string
	if r, ok := root["required"]; ok && json.Unmarshal(r, &required) != nil {
		return nil, false
	}
	for _, k := range required {
		switch k {
		case "body":
		case "path", "query":
			restRequired = append(restRequired, k)
		default:
			return nil, false
		}
	}
	var typ string
	if t, ok := root["type"]; ok && (json.Unmarshal(t, &typ) != nil || typ != "object") {
		return nil, false
	}
	if len(others) == 0 {
		return nil, true
	}
	restProps := map[string]any{}
	for _, k := range others {
		restProps[k] = map[string]any{"$ref": url + "#/properties/" + k}
	}
	doc := map[string]any{"type": "object", "properties": restProps}
	if len(restRequired) > 0 {
		doc["required"] = restRequired
	}
	rest, err := json.Marshal(doc)
	return rest, err == nil
}

// Compile lists every *.json file under fsys, each to be read and compiled
// on first use. Files whose name starts with "_" or that live in a "defs"
// folder serve as $ref targets.
func Compile(fsys fs.FS) (*Set, error) { return compile(fsys, true) }

// compile is Compile, with the inlining of $refs optional (tests compare).
func compile(fsys fs.FS, inline bool) (*Set, error) {
	set := &Set{fsys: fsys, inline: inline, docs: map[string]*doc{}, schemas: map[string]*entry{}}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = set.source
	set.compiler = c
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			set.schemas[strings.TrimSuffix(p, ".json")] = &entry{path: p}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

// source is the compiler's loader: it hands over a schema file, its $refs
// inlined, when the compiler first meets its URL (the schema being
// compiled, or a $ref that stayed). It runs under s.mu.
func (s *Set) source(url string) (io.ReadCloser, error) {
	p, ok := strings.CutPrefix(url, baseURL)
	if !ok || s.schemas[strings.TrimSuffix(p, ".json")] == nil {
		return nil, fmt.Errorf("schema %s is not among the embedded schemas", url)
	}
	d := s.doc(p)
	if d.err != nil {
		return nil, fmt.Errorf("schema %s: %w", p, d.err)
	}
	data := d.raw
	if s.inline {
		var err error
		if data, err = inlineRefs(s.lookup, p); err != nil {
			return nil, fmt.Errorf("schema %s: %w", p, err)
		}
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// doc reads and decodes a schema file once. It runs under s.mu.
func (s *Set) doc(p string) *doc {
	d, ok := s.docs[p]
	if !ok {
		d = &doc{}
		if d.raw, d.err = fs.ReadFile(s.fsys, p); d.err == nil {
			d.v, d.err = decodeSchema(d.raw)
		}
		s.docs[p] = d
	}
	return d
}

// lookup is doc as inlineRefs reads it.
func (s *Set) lookup(p string) (any, bool) {
	if s.schemas[strings.TrimSuffix(p, ".json")] == nil {
		return nil, false
	}
	d := s.doc(p)
	return d.v, d.err == nil
}

func (s *Set) get(name string) (*entry, error) {
	e, ok := s.schemas[name]
	if !ok {
		return nil, fmt.Errorf("no schema named %q", name)
	}
	e.once.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		e.s, e.err = s.compiler.Compile(baseURL + e.path)
		if e.err != nil {
			e.err = fmt.Errorf("schema %s: %w", e.path, e.err)
			return
		}
		url := baseURL + e.path
		if rest, ok := parts(s.doc(e.path).raw, url); ok {
			e.bodyURL = url + "#/properties/body"
			if rest != nil {
				e.restURL = url + ".rest"
				if err := s.compiler.AddResource(e.restURL, bytes.NewReader(rest)); err != nil {
					e.bodyURL, e.restURL = "", ""
				}
			}
		}
	})
	return e, e.err
}

// CompileAll compiles every schema now and returns the first error, so a
// broken schema file fails a test rather than the first request that
// needs it.
func (s *Set) CompileAll() error {
	names := make([]string, 0, len(s.schemas))
	for n := range s.schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := s.get(n); err != nil {
			return err
		}
	}
	return nil
}

var (
	cacheMu sync.Mutex
	cache   = map[fs.FS]*Set{}
	cacheEr = map[fs.FS]error{}
)

// Cached returns one Set per fsys per process, so that starting many
// emulators in one test binary does not prepare anything twice. It only
// lists the schemas: each is read and compiled on first use.
func Cached(fsys fs.FS) (*Set, error) {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if s, ok := cache[fsys]; ok {
		return s, cacheEr[fsys]
	}
	s, err := compile(fsys, true)
	cache[fsys], cacheEr[fsys] = s, err
	return s, err
}

// Has reports whether a schema of that name exists.
func (s *Set) Has(name string) bool { return s.schemas[name] != nil }

// Validate checks value (decoded JSON: maps, slices, float64, string, bool,
// nil) against the named schema and returns one FieldError per failing
// field, sorted by pointer. A missing schema is reported as an error.
func (s *Set) Validate(name string, value any) ([]api.FieldError, error) {
	e, err := s.get(name)
	if err != nil {
		return nil, err
	}
	return outcome(e.s.Validate(value))
}

// ValidateParts validates a request with a present body by its parts:
// the body against the body part of the request schema, without wrapping
// it in the request object (the wrapper level was a fifth of validating a
// create), and the other parts (path, query) through the memo, under key
// as for ValidateKeyed, rest building them (without the body) only when no
// outcome is remembered: a thousand creates in one organisation check its
// path once. Errors point into the request ("/body/name") as Validate's
// do. ok is false when the schema constrains more than those parts; the
// caller then validates the whole request with Validate.
func (s *Set) ValidateParts(name, key string, rest func() any, body any) (fes []api.FieldError, ok bool, err error) {
	if !s.Has(name) {
		return nil, false, nil // Validate reports it
	}
	e, err := s.get(name) // the whole schema must compile, as for Validate
	if err != nil {
		return nil, true, err
	}
	if e.bodyURL == "" {
		return nil, false, nil
	}
	e.partsOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if e.body, e.partsErr = s.compiler.Compile(e.bodyURL); e.partsErr == nil && e.restURL != "" {
			e.rest, e.partsErr = s.compiler.Compile(e.restURL)
		}
	})
	if e.partsErr != nil {
		return nil, true, e.partsErr
	}
	if fes, err = outcome(e.body.Validate(body)); err != nil {
		return nil, true, err
	}
	for i := range fes {
		fes[i].Pointer = "/body" + fes[i].Pointer
	}
	if e.rest != nil {
		others, err := s.keyed(name+"\x00rest", key, func() ([]api.FieldError, error) { return outcome(e.rest.Validate(rest())) })
		if err != nil {
			return nil, true, err
		}
		if len(others) > 0 {
			fes = append(fes, others...)
			sort.SliceStable(fes, func(i, j int) bool { return fes[i].Pointer < fes[j].Pointer })
		}
	}
	return fes, true, nil
}

// outcome turns a validation error into field errors, sorted by pointer.
func outcome(err error) ([]api.FieldError, error) {
	if err == nil {
		return nil, nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return nil, err
	}
	var out []api.FieldError
	seen := map[string]bool{}
	collect(ve, &out, seen)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out, nil
}

// collect flattens the error tree into its leaves. anyOf/oneOf failures keep
// only their first branch's reasons, which read better than every branch.
func collect(ve *jsonschema.ValidationError, out *[]api.FieldError, seen map[string]bool) {
	if len(ve.Causes) > 0 {
		kw := lastSegment(ve.KeywordLocation)
		if kw == "anyOf" || kw == "oneOf" {
			collect(ve.Causes[0], out, seen)
			return
		}
		for _, c := range ve.Causes {
			collect(c, out, seen)
		}
		return
	}
	for _, fe := range leaf(ve) {
		key := fe.Pointer + "\x00" + fe.Message
		if !seen[key] {
			seen[key] = true
			*out = append(*out, fe)
		}
	}
}

// quotedRE finds the quoted values in a validator message; compiled on
// first use, as only failed validations need it.
var quotedRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`) })

func leaf(ve *jsonschema.ValidationError) []api.FieldError {
	kw := lastSegment(ve.KeywordLocation)
	ptr := ve.InstanceLocation
	switch kw {
	case "required":
		var out []api.FieldError
		for _, m := range quotedRE().FindAllStringSubmatch(ve.Message, -1) {
			out = append(out, api.FieldError{Pointer: ptr + "/" + escape(m[1]), Keyword: kw, Message: "is required"})
		}
		return out
	case "additionalProperties":
		var out []api.FieldError
		for _, m := range quotedRE().FindAllStringSubmatch(ve.Message, -1) {
			out = append(out, api.FieldError{Pointer: ptr + "/" + escape(m[1]), Keyword: kw, Message: "is not a known field"})
		}
		return out
	case "format":
		f := ""
		if m := quotedRE().FindAllStringSubmatch(ve.Message, -1); len(m) > 0 {
			f = m[len(m)-1][1]
		}
		return []api.FieldError{{Pointer: ptr, Keyword: kw, Message: "must be a valid " + f}}
	case "type":
		return []api.FieldError{{Pointer: ptr, Keyword: kw, Message: strings.Replace(ve.Message, "expected", "must be", 1)}}
	}
	return []api.FieldError{{Pointer: ptr, Keyword: kw, Message: ve.Message}}
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func lastSegment(loc string) string {
	if i := strings.LastIndexByte(loc, '/'); i >= 0 {
		return loc[i+1:]
	}
	return loc
}
