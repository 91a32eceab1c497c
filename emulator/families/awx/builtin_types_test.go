package awx

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/golit"
	"github.com/google/go-cmp/cmp"
)

// TestBuiltinTypesGenerated: builtin_types_gen.go is what
// fixtures/awx/credential-types.yaml generates, and builds those types, so
// an edit of the fixture cannot be lost on the way to the server. -update
// writes the file again from the fixture.
func TestBuiltinTypesGenerated(t *testing.T) {
	want, err := builtinTypesYAML()
	if err != nil {
		t.Fatal(err)
	}
	lit, err := golit.Literal(want, "github.com/credemu/credemu/emulator/families/awx")
	if err != nil {
		t.Fatal(err)
	}
	src, err := golit.File("awx", "TestBuiltinTypesGenerated -update from fixtures/awx/credential-types.yaml", nil,
		"// builtinTypes returns AWX's managed credential types, built afresh on\n// each call, so that no world shares a map with another.\nfunc builtinTypes() []typeSpec {\n\treturn "+lit+"\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	if golit.Check(t, "builtin_types_gen.go", src) {
		return
	}

	got := builtinTypes()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("builtinTypes() is not fixtures/awx/credential-types.yaml (-yaml +generated):\n%s", diff)
	}
	// LoadWorld leaves the built-ins' inputs unchecked; this is their check.
	for _, ts := range got {
		if msg := checkTypeInputs(ts.Inputs, ts.Managed); msg != "" {
			t.Errorf("built-in type %q: inputs: %s", ts.Name, msg)
		}
	}
	if len(got) != 30 {
		t.Errorf("%d managed types, want AWX 24.6.1's 30", len(got))
	}
	// Each call builds its own values: a world that changes its copy
	// changes no other.
	again := builtinTypes()
	again[0].Inputs.Fields[0].Label = "changed"
	if got[0].Inputs.Fields[0].Label == "changed" {
		t.Error("two calls of builtinTypes share their fields")
	}
}
