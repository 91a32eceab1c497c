package schema_test

import (
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/schema"
	"github.com/credemu/credemu/schemas"
)

// TestEmbeddedSchemasCompile compiles every schema the binary ships: with
// compilation deferred to first use, this is where a broken file shows.
func TestEmbeddedSchemasCompile(t *testing.T) {
	set, err := schema.Compile(schemas.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.CompileAll(); err != nil {
		t.Fatal(err)
	}
}

func TestBrokenSchemaFailsOnUseAndInCompileAll(t *testing.T) {
	fsys := fstest.MapFS{
		"a/good.json": {Data: []byte(`{"type": "object", "required": ["x"]}`)},
		"a/bad.json":  {Data: []byte(`{"type": "no-such-type"}`)},
		"a/ref.json":  {Data: []byte(`{"$ref": "missing.json"}`)},
		"a/torn.json": {Data: []byte(`{"type": "object", `)},
		"a/uses.json": {Data: []byte(`{"properties": {"x": {"$ref": "torn.json"}}}`)},
	}
	set, err := schema.Compile(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !set.Has("a/bad") || set.Has("a/none") {
		t.Error("Has does not follow the files")
	}
	fes, err := set.Validate("a/good", map[string]any{})
	if err != nil || len(fes) != 1 {
		t.Errorf("good schema: %v %v", fes, err)
	}
	for _, name := range []string{"a/bad", "a/ref", "a/none", "a/torn", "a/uses"} {
		if _, err := set.Validate(name, map[string]any{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A torn file fails itself and what refers to it, named, and nothing
	// else.
	if _, err := set.Validate("a/uses", map[string]any{}); err == nil || !strings.Contains(err.Error(), "a/torn.json") {
		t.Errorf("a/uses: %v, want the torn file named", err)
	}
	if fes, err := set.Validate("a/good", map[string]any{"x": 1.0}); err != nil || len(fes) != 0 {
		t.Errorf("good schema after the broken ones: %v %v", fes, err)
	}
	if err := set.CompileAll(); err == nil || !strings.Contains(err.Error(), "a/bad") {
		t.Errorf("CompileAll: %v", err)
	}
}

// readCounter counts the files read from an fs.FS.
type readCounter struct {
	fs.FS
	mu    sync.Mutex
	reads map[string]int
}

func (c *readCounter) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && !st.IsDir() {
			c.mu.Lock()
			c.reads[name]++
			c.mu.Unlock()
		}
	}
	return f, err
}

// TestSchemasReadOnFirstUse: listing the schemas reads none of them; the
// first validation against one reads it and the files its $refs reach,
// once, and no other.
func TestSchemasReadOnFirstUse(t *testing.T) {
	fsys := &readCounter{reads: map[string]int{}, FS: fstest.MapFS{
		"a/_defs.json": {Data: []byte(`{"$defs": {"name": {"type": "string", "minLength": 2}}}`)},
		"a/one.json":   {Data: []byte(`{"properties": {"name": {"$ref": "_defs.json#/$defs/name"}}}`)},
		"a/two.json":   {Data: []byte(`{"required": ["x"]}`)},
	}}
	set, err := schema.Compile(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !set.Has("a/one") || !set.Has("a/two") || len(fsys.reads) != 0 {
		t.Fatalf("listing read %v", fsys.reads)
	}
	for range 3 {
		fes, err := set.Validate("a/one", map[string]any{"name": "x"})
		if err != nil || len(fes) != 1 || fes[0].Pointer != "/name" {
			t.Fatalf("a/one: %v %v", fes, err)
		}
	}
	if diff := cmp.Diff(map[string]int{"a/one.json": 1, "a/_defs.json": 1}, fsys.reads); diff != "" {
		t.Errorf("files read (-want +got):\n%s", diff)
	}
}

// TestConcurrentFirstUse: many requests may be the first to need a schema
// at once; each is compiled once and validation stays correct (run with
// -race).
func TestConcurrentFirstUse(t *testing.T) {
	set, err := schema.Compile(schemas.FS)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"avisi/createCloudAccount", "awx/createCredential", "awx/createUser", "zstack/createVirtualID",
		"vsphere/api/createLocalAccount", "awx/responses/credential", "awx/responses/user"}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		for _, n := range names {
			if !set.Has(n) {
				t.Fatalf("no schema %s", n)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := set.Validate(n, map[string]any{"body": map[string]any{}}); err != nil {
					t.Errorf("%s: %v", n, err)
				}
			}()
		}
	}
	wg.Wait()
}

// TestValidateKeyed: outcomes kept by key equal Validate's, each caller
// gets its own copy of the errors, a value is built only when no outcome
// is kept, and long keys are never kept.
func TestValidateKeyed(t *testing.T) {
	fsys := fstest.MapFS{"a/q.json": {Data: []byte(`{"type": "object", "properties": {"n": {"type": "string", "pattern": "^[0-9]+$"}}}`)}}
	set, err := schema.Compile(fsys)
	if err != nil {
		t.Fatal(err)
	}
	built := 0
	value := func(n string) func() any {
		return func() any { built++; return map[string]any{"n": n} }
	}
	tests := []struct {
		key, n    string
		errs      int
		wantBuilt int
	}{
		{"n=1", "1", 0, 1},
		{"n=1", "1", 0, 1}, // kept
		{"n=x", "x", 1, 2},
		{"n=x", "x", 1, 2}, // kept, errors too
		{strings.Repeat("k", 600), "x", 1, 3},
		{strings.Repeat("k", 600), "x", 1, 4}, // too long to keep
	}
	for i, tc := range tests {
		fes, err := set.ValidateKeyed("a/q", tc.key, value(tc.n))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := set.Validate("a/q", map[string]any{"n": tc.n})
		if len(fes) != tc.errs || len(want) != tc.errs || (tc.errs > 0 && fes[0] != want[0]) {
			t.Errorf("%d: %v, want %v", i, fes, want)
		}
		if built != tc.wantBuilt {
			t.Errorf("%d: value built %d times, want %d", i, built, tc.wantBuilt)
		}
		if len(fes) > 0 {
			fes[0].Message = "changed by the caller"
		}
	}
	if _, err := set.ValidateKeyed("a/none", "k", value("1")); err == nil {
		t.Error("missing schema: no error")
	}
}

// TestValidateParts: a request schema of body, path and query answers by
// its parts as Validate does for the whole request, whatever the body and
// the other parts hold; the other parts are built once per key; a schema
// that constrains anything else is left to Validate.
func TestValidateParts(t *testing.T) {
	body := `"body": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 2}, "n": {"$ref": "_defs.json#/$defs/pk"}}}`
	path := `"path": {"type": "object", "required": ["id"], "properties": {"id": {"$ref": "_defs.json#/$defs/pk"}}}`
	query := `"query": {"type": "object", "properties": {"limit": {"type": "string", "pattern": "^[0-9]+$"}}}`
	fsys := fstest.MapFS{
		"a/_defs.json":   {Data: []byte(`{"$defs": {"pk": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]}}}`)},
		"a/body.json":    {Data: []byte(`{"type": "object", "required": ["body"], "properties": {` + body + `}}`)},
		"a/bodyref.json": {Data: []byte(`{"$comment": "x", "properties": {` + body + `}}`)},
		"a/path.json":    {Data: []byte(`{"type": "object", "required": ["path", "body"], "properties": {` + path + `, ` + body + `}}`)},
		"a/query.json":   {Data: []byte(`{"type": "object", "required": ["query"], "properties": {` + path + `, ` + query + `, ` + body + `}}`)},
		"a/extra.json":   {Data: []byte(`{"type": "object", "additionalProperties": false, "properties": {` + body + `}}`)},
		"a/headers.json": {Data: []byte(`{"type": "object", "properties": {"headers": {}, ` + body + `}}`)},
		"a/needs.json":   {Data: []byte(`{"type": "object", "required": ["headers"], "properties": {` + body + `}}`)},
		"a/nobody.json":  {Data: []byte(`{"type": "object", "properties": {` + path + `}}`)},
	}
	set, err := schema.Compile(fsys)
	if err != nil {
		t.Fatal(err)
	}
	bodies := []any{map[string]any{"name": "ok", "n": 3.0}, map[string]any{"name": "x"}, map[string]any{"n": "x1"},
		map[string]any{"name": 5.0, "n": true}, nil, []any{1.0}, "s"}
	rests := []map[string]any{
		{"path": map[string]any{"id": "7"}, "query": map[string]any{}},
		{"path": map[string]any{"id": "x"}, "query": map[string]any{"limit": "ten"}},
		{"path": map[string]any{}, "query": map[string]any{"limit": "10"}},
		{"query": map[string]any{}},
		{"path": map[string]any{"id": "7"}},
	}
	for _, name := range []string{"a/body", "a/bodyref", "a/path", "a/query"} {
		for j, rest := range rests {
			built := 0
			for i, b := range bodies {
				key := fmt.Sprintf("%s %d", name, j)
				got, ok, err := set.ValidateParts(name, key, func() any { built++; return maps.Clone(rest) }, b)
				if err != nil || !ok {
					t.Fatalf("%s: ok %v, err %v", name, ok, err)
				}
				whole := maps.Clone(rest)
				whole["body"] = b
				want, _ := set.Validate(name, whole)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s rest %d body %d (-Validate +ValidateParts):\n%s", name, j, i, diff)
				}
			}
			if name == "a/path" || name == "a/query" {
				if built != 1 {
					t.Errorf("%s rest %d: built %d times over %d bodies, want once", name, j, built, len(bodies))
				}
			} else if built != 0 {
				t.Errorf("%s: the rest built %d times, for a schema of the body alone", name, built)
			}
		}
	}
	for _, name := range []string{"a/extra", "a/headers", "a/needs", "a/nobody", "a/none"} {
		if _, ok, _ := set.ValidateParts(name, "k", func() any { return map[string]any{} }, map[string]any{}); ok {
			t.Errorf("%s: split into parts", name)
		}
	}
}
