package schema_test

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"

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
	for _, name := range []string{"a/bad", "a/ref", "a/none"} {
		if _, err := set.Validate(name, map[string]any{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := set.CompileAll(); err == nil || !strings.Contains(err.Error(), "a/bad") {
		t.Errorf("CompileAll: %v", err)
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
