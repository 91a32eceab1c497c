package emulator_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
)

// TestGenerateBudget: generate: blocks draw from one budget per scenario,
// across organisations and families, credentials included, so that a
// small file cannot make millions of objects; a refused scenario names
// where, and the world in force stays.
func TestGenerateBudget(t *testing.T) {
	profiles := "include: [fixtures/avisi/cloud-profiles.yaml]\n"
	manyOrgs := profiles + "avisi:\n  organisations:\n"
	for i := 0; i < 20; i++ {
		manyOrgs += fmt.Sprintf("    - {slug: org%d, generate: {cloudAccounts: 20000}}\n", i)
	}
	cases := []struct {
		name, yaml string
		limit      int
		want       string // "" for accepted
	}{
		{"one block past the budget", profiles + "avisi:\n  organisations: [{slug: a, generate: {cloudAccounts: 100000, credentialsPerAccount: 100}}]\n", 0,
			"t.yaml:3:19: organisation a: generate.cloudAccounts: 10100000 generated objects"},
		{"many blocks past it together", manyOrgs, 0, "more than the 500000 allowed"},
		{"families add up", profiles + "avisi:\n  organisations: [{slug: a, generate: {cloudAccounts: 30, credentialsPerAccount: 0}}]\nzstack:\n  generate: {virtualIDs: 40}\n", 100,
			"zstack.generate.virtualIDs: 80 generated objects would make 110"},
		{"within the budget", profiles + "avisi:\n  organisations: [{slug: a, generate: {cloudAccounts: 30, credentialsPerAccount: 1}}]\nzstack:\n  generate: {virtualIDs: 20}\n", 100, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := start(t, emulator.WithGenerateLimit(c.limit))
			r := srv.Do("PUT", "/_emulator/scenario?name=t.yaml", c.yaml, "Content-Type: application/yaml")
			if c.want == "" {
				want(t, r, 200)
				return
			}
			if r.Status != 400 || !strings.Contains(string(r.Body), c.want) {
				t.Errorf("%d %s; want 400 with %q", r.Status, r.Body, c.want)
			}
			// The world in force stays.
			want(t, srv.Do("GET", accounts, nil, admin), 200)
		})
	}
	// The built-in large scenario (100,000 generated objects) needs a budget
	// that large.
	if _, err := emulator.New(emulator.WithScenario("large"), emulator.WithGenerateLimit(50_000)); err == nil || !strings.Contains(err.Error(), "allowed") {
		t.Errorf("large with a budget of 50,000: %v", err)
	}
}
