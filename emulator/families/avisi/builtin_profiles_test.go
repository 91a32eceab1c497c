package avisi

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/golit"
	"github.com/google/go-cmp/cmp"
)

// TestBuiltinProfilesGenerated: builtin_profiles_gen.go is what
// fixtures/avisi/cloud-profiles.yaml generates, and builds that catalogue
// with the fixture's lines and columns, which errors name. -update writes
// the file again from the fixture.
func TestBuiltinProfilesGenerated(t *testing.T) {
	want, err := builtinProfilesYAML()
	if err != nil {
		t.Fatal(err)
	}
	lit, err := golit.Literal(want, "github.com/credemu/credemu/emulator/families/avisi")
	if err != nil {
		t.Fatal(err)
	}
	src, err := golit.File("avisi", "TestBuiltinProfilesGenerated -update from fixtures/avisi/cloud-profiles.yaml",
		[]string{"github.com/credemu/credemu/emulator/scenario"},
		"// builtinProfiles returns Avisi's cloud profile catalogue, built afresh\n// on each call, with each entry's place in "+builtinProfilesFile+".\nfunc builtinProfiles() []scenario.Located[profileSpec] {\n\treturn "+lit+"\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	if golit.Check(t, "builtin_profiles_gen.go", src) {
		return
	}

	got := builtinProfiles()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("builtinProfiles() is not fixtures/avisi/cloud-profiles.yaml (-yaml +generated):\n%s", diff)
	}
	if len(got) == 0 || got[0].Line == 0 {
		t.Errorf("the catalogue has %d profiles: want the fixture's, with their lines", len(got))
	}
}
