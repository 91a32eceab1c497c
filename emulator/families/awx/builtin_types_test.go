package awx

import (
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBuiltinTypesJSON: the embedded JSON is the YAML fixture's types, so
// an edit of the fixture cannot be lost on the way to the server.
func TestBuiltinTypesJSON(t *testing.T) {
	want, err := builtinTypesYAML()
	if err != nil {
		t.Fatal(err)
	}
	if updating() {
		data, err := json.MarshalIndent(want, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("builtin_types.json", append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := builtinTypes()
	if err != nil {
		t.Fatal(err)
	}
	// Both through JSON, where YAML's ints and JSON's floats meet.
	norm := func(v []typeSpec) any {
		data, _ := json.Marshal(v)
		var out any
		_ = json.Unmarshal(data, &out)
		return out
	}
	if diff := cmp.Diff(norm(want), norm(got)); diff != "" {
		t.Errorf("builtin_types.json is not fixtures/awx/credential-types.yaml; run go test -run TestBuiltinTypesJSON -update (-yaml +json):\n%s", diff)
	}
	if len(got) != 30 {
		t.Errorf("%d managed types, want AWX 24.6.1's 30", len(got))
	}
}

// updating reports whether -update was given. The flag is emulatortest's,
// which this package's external tests link in; an internal test cannot
// import emulatortest (it imports every family).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}
