package emulatortest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

// t stands in for the *testing.T a real test has.
var t = &testing.T{}

func ptr(n int) *int { return &n }

// A test starts its own emulator, injects a fault, runs its client and
// checks the journal.
func Example() {
	srv := emulatortest.Start(t, emulator.WithScenario("default"))
	srv.AddFault(fault.Rule{Match: fault.Match{Operation: "createCloudAccount"}, Times: 1, Respond: fault.Respond{Status: 500}})

	// The client under test would do this.
	body := `{"displayName": "ci", "cloudProfile": "aws-eu-west-1"}`
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest("POST", srv.URL()+"/api/v1/orgs/acme/cloud-accounts", strings.NewReader(body))
		req.Header.Set("Authorization", "Token admin-token")
		req.Header.Set("Content-Type", "application/json")
		resp, _ := srv.Client().Do(req)
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	srv.Verify(journal.Expectation{Operation: "createCloudAccount", Count: ptr(2)})
	// Output:
	// 500
	// 200
}

// Scenarios can be given as YAML text; the virtual clock moves on demand.
func ExampleServer_AdvanceClock() {
	srv := emulatortest.Start(t, emulator.WithScenarioYAML("inline.yaml", []byte(`
clock: 2026-01-01T00:00:00Z
include: [fixtures/zstack/default-world.yaml]
`)))
	srv.AdvanceClock(3 * time.Hour) // the ready-made session outlives this; logins expire after 2h
	resp, _ := srv.Client().Get(srv.URL() + "/_emulator/clock")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(strings.Contains(string(b), "2026-01-01T03:00:00Z"))
	// Output: true
}

// Each parallel test can take its own sandbox on one shared server.
func ExampleServer_Sandbox() {
	srv := emulatortest.Start(t)
	a, b := srv.Sandbox("test-a"), srv.Sandbox("test-b")
	a.Do("POST", "/api/v1/orgs/acme/cloud-accounts", map[string]string{"displayName": "only-in-a", "cloudProfile": "aws-eu-west-1"},
		"Authorization: Token admin-token")
	for _, sb := range []*emulatortest.Server{a, b} {
		r := sb.Do("GET", "/api/v1/orgs/acme/cloud-accounts?display-name=only-in-a", nil, "Authorization: Token admin-token")
		fmt.Println(r.JSON(t)["totalElements"])
	}
	// Output:
	// 1
	// 0
}

// The coverage report lists, per API, what a run never called.
func ExampleServer_Coverage() {
	srv := emulatortest.Start(t)
	srv.Do("GET", "/api/v2/ping/", nil)
	for _, api := range srv.Coverage().APIs {
		if api.API == "awx" {
			fmt.Println(len(api.NeverCalled) > 0, contains(api.NeverCalled, "ping"))
		}
	}
	// Output: true false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
