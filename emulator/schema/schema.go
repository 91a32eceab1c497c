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
// without ".json" ("avisi/createCloudAccount"). Each schema is compiled on
// its first use: compiling all of them (and checking each against the
// draft's metaschema) was most of the server's start-up, for operations a
// run may never call. CompileAll checks them all at once, as the tests do.
type Set struct {
	mu       sync.Mutex // serialises the compiler, which is not safe for concurrent use
	compiler *jsonschema.Compiler
	schemas  map[string]*entry // fixed once loaded: read without locking
	// names are the schemas' names, listed without reading them: Has
	// answers from them, so that a server can check its operations' schemas
	// at start without paying for reading and preparing them (Cached).
	names map[string]bool
	// load reads, decodes and registers every schema, once, on first use.
	load    func() error
	loadOne sync.Once
	loadErr error
	memo    memo // outcomes of ValidateKeyed
}

// entry is one schema, compiled once.
type entry struct {
	url  string
	once sync.Once
	s    *jsonschema.Schema
	err  error
	// body is the schema of the body alone, for a request schema that
	// constrains nothing but its body (bodyURL names it; "" otherwise).
	bodyURL  string
	bodyOnce sync.Once
	body     *jsonschema.Schema
	bodyErr  error
}

// bodyOnly reports whether a request schema constrains only its body: an
// object whose one property is "body", with nothing else beside it that
// validation would read.
func bodyOnly(data []byte) bool {
	var root map[string]json.RawMessage
	if json.Unmarshal(data, &root) != nil {
		return false
	}
	for k := range root {
		switch k {
		case "$schema", "$comment", "$id", "title", "description", "type", "properties", "required":
		default:
			return false
		}
	}
	var props map[string]json.RawMessage
	if json.Unmarshal(root["properties"], &props) != nil || len(props) != 1 || props["body"] == nil {
		return false
	}
	var required []string
	if r, ok := root["required"]; ok && (json.Unmarshal(r, &required) != nil || len(required) > 1 || (len(required) == 1 && required[0] != "body")) {
		return false
	}
	var typ string
	if t, ok := root["type"]; ok && (json.Unmarshal(t, &typ) != nil || typ != "object") {
		return false
	}
	return true
}

// Compile loads every *.json file under fsys, to be compiled on first use.
// Files whose name starts with "_" or that live in a "defs" folder serve as
// $ref targets.
func Compile(fsys fs.FS) (*Set, error) {
	set, err := compile(fsys, true)
	if err == nil {
		err = set.loaded()
	}
	return set, err
}

// loaded runs the set's load once and returns its outcome.
func (s *Set) loaded() error {
	s.loadOne.Do(func() {
		if s.load != nil {
			s.loadErr = s.load()
		}
	})
	return s.loadErr
}

// Load reads and registers every schema now, if that was not done yet: a
// server calls it in the background once it listens, so that its first
// validated request does not wait for it.
func (s *Set) Load() error { return s.loaded() }

// compile is Compile, with the inlining of $refs optional (tests compare).
func compile(fsys fs.FS, inline bool) (*Set, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema %s is not among the embedded schemas", s)
	}
	set := &Set{compiler: c, schemas: map[string]*entry{}, names: map[string]bool{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			set.names[strings.TrimSuffix(p, ".json")] = true
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	set.load = func() error { return set.register(fsys, inline) }
	return set, nil
}

// register reads, decodes, inlines and adds every schema to the compiler.
func (set *Set) register(fsys fs.FS, inline bool) error {
	c := set.compiler
	raw := map[string][]byte{}
	docs := map[string]any{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		doc, err := decodeSchema(data)
		if err != nil {
			return fmt.Errorf("schema %s: %w", p, err)
		}
		raw[p], docs[p] = data, doc
		return nil
	})
	if err != nil {
		return err
	}
	for p, data := range raw {
		inlined := data
		if inline {
			if inlined, err = inlineRefs(docs, p); err != nil {
				return fmt.Errorf("schema %s: %w", p, err)
			}
		}
		if err := c.AddResource(baseURL+p, bytes.NewReader(inlined)); err != nil {
			return fmt.Errorf("schema %s: %w", p, err)
		}
		e := &entry{url: baseURL + p}
		if bodyOnly(data) {
			e.bodyURL = e.url + "#/properties/body"
		}
		set.schemas[strings.TrimSuffix(p, ".json")] = e
	}
	return nil
}

func (s *Set) get(name string) (*jsonschema.Schema, error) {
	if err := s.loaded(); err != nil {
		return nil, err
	}
	e, ok := s.schemas[name]
	if !ok {
		return nil, fmt.Errorf("no schema named %q", name)
	}
	e.once.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		e.s, e.err = s.compiler.Compile(e.url)
		if e.err != nil {
			e.err = fmt.Errorf("schema %s: %w", strings.TrimPrefix(e.url, baseURL), e.err)
		}
	})
	return e.s, e.err
}

// CompileAll compiles every schema now and returns the first error, so a
// broken schema file fails a test rather than the first request that
// needs it.
func (s *Set) CompileAll() error {
	if err := s.loaded(); err != nil {
		return err
	}
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
// lists the schemas: they are read and registered on first use (or Load).
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
func (s *Set) Has(name string) bool { return s.names[name] }

// Validate checks value (decoded JSON: maps, slices, float64, string, bool,
// nil) against the named schema and returns one FieldError per failing
// field, sorted by pointer. A missing schema is reported as an error.
func (s *Set) Validate(name string, value any) ([]api.FieldError, error) {
	sch, err := s.get(name)
	if err != nil {
		return nil, err
	}
	return outcome(sch.Validate(value))
}

// ValidateBody validates a present request body against the body part of
// a request schema that constrains nothing else, without wrapping it in
// the request object: the wrapper level was a fifth of validating a
// create. Errors point into the request ("/body/name") as Validate's do.
// ok is false when the schema constrains more than the body; the caller
// then validates the whole request with Validate.
func (s *Set) ValidateBody(name string, body any) (fes []api.FieldError, ok bool, err error) {
	if err := s.loaded(); err != nil {
		return nil, true, err
	}
	e, found := s.schemas[name]
	if !found || e.bodyURL == "" {
		return nil, false, nil
	}
	if _, err := s.get(name); err != nil { // the whole schema must compile, as for Validate
		return nil, true, err
	}
	e.bodyOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		e.body, e.bodyErr = s.compiler.Compile(e.bodyURL)
	})
	if e.bodyErr != nil {
		return nil, true, e.bodyErr
	}
	fes, err = outcome(e.body.Validate(body))
	for i := range fes {
		fes[i].Pointer = "/body" + fes[i].Pointer
	}
	return fes, true, err
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

var quotedRE = regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)

func leaf(ve *jsonschema.ValidationError) []api.FieldError {
	kw := lastSegment(ve.KeywordLocation)
	ptr := ve.InstanceLocation
	switch kw {
	case "required":
		var out []api.FieldError
		for _, m := range quotedRE.FindAllStringSubmatch(ve.Message, -1) {
			out = append(out, api.FieldError{Pointer: ptr + "/" + escape(m[1]), Keyword: kw, Message: "is required"})
		}
		return out
	case "additionalProperties":
		var out []api.FieldError
		for _, m := range quotedRE.FindAllStringSubmatch(ve.Message, -1) {
			out = append(out, api.FieldError{Pointer: ptr + "/" + escape(m[1]), Keyword: kw, Message: "is not a known field"})
		}
		return out
	case "format":
		f := ""
		if m := quotedRE.FindAllStringSubmatch(ve.Message, -1); len(m) > 0 {
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
