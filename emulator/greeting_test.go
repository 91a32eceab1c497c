package emulator_test

import (
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
)

// TestGreetingsWithoutCredentials: a world with no way to log in still
// greets, and its command says what it will answer.
func TestGreetingsWithoutCredentials(t *testing.T) {
	yaml := "include: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  organisations: [{slug: lonely}]\nvsphere:\n  users: []\n"
	srv, err := emulator.New(emulator.WithScenarioYAML("bare.yaml", []byte(yaml)), emulator.WithAddr("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"avisi":   "/api/v1/orgs/lonely/cloud-accounts   # no token: answers 401",
		"zstack":  "/zstack/v1/iam2/virtual-ids   # no account: answers ID.1001",
		"awx":     "/api/v2/ping/",
		"vsphere": "/api/session   # no SSO user: answers 401",
	}
	got := srv.Greetings()
	if len(got) != 4 {
		t.Fatalf("%d greetings", len(got))
	}
	for _, g := range got {
		if !strings.HasSuffix(g.Try, want[g.Family]) || len(g.Logins) != 0 && g.Family != "vsphere" {
			t.Errorf("%s: logins %q, try %q; want a try ending %q", g.Family, g.Logins, g.Try, want[g.Family])
		}
	}
}
