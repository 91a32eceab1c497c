// Package sectiongen writes and checks a family's builtin_sections_gen.go:
// the value each family section of a built-in scenario, or of a fixture
// one includes, decodes to. scenario.DecodeSection takes that value at
// start-up instead of decoding the section through yaml.v3's reflection.
// It is for the families' tests.
package sectiongen

import (
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/internal/golit"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/fixtures"
	"github.com/credemu/credemu/scenarios"
)

// families are the scenario keys of the built-in families, for the loader
// to take every section of the built-in files (a family added to credemu
// is added here, or its sections are unknown keys).
var families = []string{"avisi", "awx", "vsphere", "zstack"}

// Sections returns each section of family in the built-in scenarios and
// the fixtures they include that the loader marks as read from a built-in
// file, once per file, in the order the scenarios are listed.
func Sections(t testing.TB, family string) []scenario.Section {
	t.Helper()
	names, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := &scenario.Loader{Families: families, Fixtures: fixtures.FS, Scenarios: scenarios.FS}
	var out []scenario.Section
	seen := map[string]bool{}
	for _, name := range names {
		sc, err := l.Resolve(strings.TrimSuffix(name, ".yaml"))
		if err != nil {
			t.Fatalf("built-in scenario %s: %v", name, err)
		}
		for _, sec := range sc.Sections[family] {
			if sec.Builtin == "" {
				t.Fatalf("built-in scenario %s: its %s section in %s is not marked as built-in", name, family, sec.File)
			}
			if !seen[sec.Builtin] {
				seen[sec.Builtin] = true
				out = append(out, sec)
			}
		}
	}
	return out
}

// Check is a family's TestBuiltinSectionsGenerated. It decodes each of
// the family's built-in sections into a T (the family's section type,
// declared in the package at pkgPath) as a scenario file is decoded, fails
// t where generated, the generated table, gives another value or none, and
// checks that builtin_sections_gen.go holds the table's source as now
// generated; run with -update, it writes that file instead.
func Check[T any](t *testing.T, family, pkgPath string, generated func(builtin string) (T, bool)) {
	t.Helper()
	typ := reflect.TypeFor[T]().Name()
	var body strings.Builder
	fmt.Fprintf(&body, "// builtinSection is the value each %s section of a built-in file decodes\n// to, by the file's name (scenario.DecodeSection).\n", family)
	fmt.Fprintf(&body, "func builtinSection(builtin string) (%s, bool) {\n\tswitch builtin {\n", typ)
	var imports []string
	type decoded struct {
		name string
		v    T
	}
	var all []decoded
	for _, sec := range Sections(t, family) {
		var v T
		if err := sec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", sec.Builtin, err)
		}
		lit, used, err := golit.LiteralImports(v, pkgPath)
		if err != nil {
			t.Fatalf("%s: %v", sec.Builtin, err)
		}
		for _, p := range used {
			if !slices.Contains(imports, p) {
				imports = append(imports, p)
			}
		}
		fmt.Fprintf(&body, "\tcase %q:\n\t\treturn %s, true\n", sec.Builtin, lit)
		all = append(all, decoded{sec.Builtin, v})
	}
	fmt.Fprintf(&body, "\t}\n\treturn %s{}, false\n}\n", typ)
	slices.Sort(imports)
	pkg := pkgPath[strings.LastIndexByte(pkgPath, '/')+1:]
	src, err := golit.File(pkg, "TestBuiltinSectionsGenerated -update from the built-in scenarios and the fixtures they include", imports, body.String())
	if err != nil {
		t.Fatal(err)
	}
	if golit.Check(t, "builtin_sections_gen.go", src) {
		return // the table under test is the one written before
	}
	for _, d := range all {
		got, ok := generated(d.name)
		if !ok {
			t.Errorf("%s: not in the generated table", d.name)
			continue
		}
		if diff := cmp.Diff(d.v, got, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
			t.Errorf("%s: the generated value is not the decoded one (-decoded +generated):\n%s", d.name, diff)
		}
	}
	if _, ok := generated("fixtures/none.yaml"); ok {
		t.Error("the generated table answers for a file that is not built in")
	}
}
