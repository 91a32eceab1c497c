package emulator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/scenario"
)

// TestScenarioErrors checks that each kind of mistake is reported with the
// file, line and column where it is, and says what was expected.
func TestScenarioErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"yaml syntax", "name: [oops\n", []string{"s.yaml:"}},
		{"top level not a mapping", "- a\n- b\n", []string{"s.yaml:1:1: expected a mapping of scenario keys"}},
		{"unknown top-level key", "name: x\nbogus: 1\n", []string{`s.yaml:2:1: unknown key "bogus"; expected one of:`, "avisi"}},
		{"wrong type for seed", "seed: abc\n", []string{"s.yaml:1:7: expected a whole number, got \"abc\""}},
		{"bad clock", "clock: yesterday\n", []string{"s.yaml:1:8: clock: expected an RFC 3339 time"}},
		{"unknown key in family", "avisi:\n  tokens:\n    - {token: t, orgs: [a]}\n", []string{`s.yaml:3:18: unknown key "orgs"; expected one of: organisations, readOnly, token`}},
		{"wrong kind in family", "avisi:\n  organisations: acme\n", []string{"s.yaml:2:18: expected a list, got \"acme\""}},
		{"unknown cloud profile", "avisi:\n  organisations:\n    - slug: acme\n      cloudAccounts:\n        - {displayName: a, cloudProfile: nope}\n",
			[]string{`s.yaml:5:11: cloud account "a": unknown cloudProfile "nope"`}},
		{"bad slug", "avisi:\n  organisations:\n    - slug: ACME\n", []string{`s.yaml:3:7: organisation slug "ACME" must match`}},
		{"missing include", "include: [nowhere.yaml]\n", []string{`s.yaml:1:11: include "nowhere.yaml" not found`}},
		{"fault with unknown kind", "faults:\n  - match: {api: avisi}\n    respond: {kind: nope}\n", []string{`s.yaml:2:5: fault rule: respond.kind "nope" is not one of`}},
		{"fault with unknown operation", "faults:\n  - match: {api: avisi, operation: createThing}\n    respond: {status: 500}\n", []string{`s.yaml:2:5: fault rule: match.operation "createThing" is not an operation of avisi`}},
		{"fault with bad delay", "faults:\n  - respond: {delay: soon}\n", []string{`s.yaml:2: expected a duration such as 2s or 150ms, got "soon"`}},
		{"fault with nothing to do", "faults:\n  - match: {api: avisi}\n", []string{"s.yaml:2:5: fault rule: respond needs at least one of status, kind, delay or drop"}},
		{"fault status out of range", "faults:\n  - respond: {status: 200}\n", []string{"respond.status must be between 400 and 599, got 200"}},
		{"unknown key in fault", "faults:\n  - respnd: {status: 500}\n", []string{`s.yaml:2:5: unknown key "respnd"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := emulator.New(emulator.WithScenarioYAML("s.yaml", []byte(tc.yaml)))
			if err == nil {
				t.Fatal("scenario accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestScenarioReportsEveryError checks that loading goes on past the first
// problem, so a user fixes a file in one round.
func TestScenarioReportsEveryError(t *testing.T) {
	yaml := `name: many
bogus: 1
seed: nope
avisi:
  tokens:
    - {token: t, organisations: ["*"], extra: 1}
  organisations:
    - slug: Bad Slug
    - slug: ok
      cloudAccounts:
        - {displayName: a, cloudProfile: missing}
faults:
  - respond: {kind: wrong}
`
	_, err := emulator.New(emulator.WithScenarioYAML("many.yaml", []byte(yaml)))
	list := scenario.Errors("many.yaml", err)
	if len(list) < 4 {
		t.Fatalf("want at least 4 errors, got %d:\n%v", len(list), err)
	}
	for _, e := range list {
		if e.File != "many.yaml" || e.Line == 0 {
			t.Errorf("error without a position: %v", e)
		}
	}
}

func TestScenarioIncludesFromDisk(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("tokens.yaml", "avisi:\n  tokens: [{token: disk-token, organisations: [\"*\"]}]\n")
	main := write("main.yaml", "name: disk\ninclude: [tokens.yaml, fixtures/avisi/cloud-profiles.yaml]\navisi:\n  organisations: [{slug: acme}]\n")
	srv := emulatortest.Start(t, emulator.WithScenario(main))
	r := srv.Do("GET", "/api/v1/orgs/acme/cloud-profiles", nil, "Authorization: Token disk-token")
	if r.Status != 200 || !strings.Contains(string(r.Body), "aws-eu-west-1") {
		t.Fatalf("include from disk and from fixtures: %d %s", r.Status, r.Body)
	}

	t.Run("cycle", func(t *testing.T) {
		a := write("a.yaml", "include: [b.yaml]\n")
		write("b.yaml", "include: [a.yaml]\n")
		_, err := emulator.New(emulator.WithScenario(a))
		if err == nil || !strings.Contains(err.Error(), "included more than once") {
			t.Fatalf("cycle not caught: %v", err)
		}
	})
	t.Run("included file may not set the name", func(t *testing.T) {
		write("named.yaml", "name: nope\n")
		m := write("m.yaml", "include: [named.yaml]\n")
		_, err := emulator.New(emulator.WithScenario(m))
		if err == nil || !strings.Contains(err.Error(), `named.yaml:1:1: "name" may only be set in the top-level scenario`) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestUnknownScenarioName(t *testing.T) {
	_, err := emulator.New(emulator.WithScenario("no-such-scenario"))
	if err == nil || !strings.Contains(err.Error(), "built-ins: default, empty, faults, large") {
		t.Fatalf("got %v", err)
	}
}

// TestGeneratedWorldRepeats checks that generate: blocks give the same
// world for the same seed and another world for another seed.
func TestGeneratedWorldRepeats(t *testing.T) {
	yaml := []byte(`
clock: 2026-01-01T00:00:00Z
include: [fixtures/avisi/cloud-profiles.yaml]
avisi:
  tokens: [{token: admin-token, organisations: ["*"]}]
  organisations: [{slug: gen, generate: {cloudAccounts: 30, credentialsPerAccount: 2}}]
`)
	state := func(seed uint64) any {
		srv := emulatortest.Start(t, emulator.WithScenarioYAML("gen.yaml", yaml), emulator.WithSeed(seed))
		return srv.State()["apis"]
	}
	a, b, c := state(5), state(5), state(6)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different worlds:\n%s", diff)
	}
	if cmp.Equal(a, c) {
		t.Error("different seeds gave the same world")
	}
}

// TestBuiltinScenariosLoad loads every built-in scenario, so a broken one
// cannot ship.
func TestBuiltinScenariosLoad(t *testing.T) {
	for _, name := range []string{"default", "empty", "faults", "large"} {
		t.Run(name, func(t *testing.T) {
			if _, err := emulator.New(emulator.WithScenario(name)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
