package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

const (
	admin    = "Authorization: Token admin-token"
	accounts = "/api/v1/orgs/acme/cloud-accounts"
)

func account(name string) map[string]string {
	return map[string]string{"displayName": name, "cloudProfile": "aws-eu-west-1"}
}

func start(t *testing.T, opts ...emulator.Option) *emulatortest.Server {
	t.Helper()
	return emulatortest.Start(t, append([]emulator.Option{emulator.WithResponseCheck(true)}, opts...)...)
}

func want(t *testing.T, r *emulatortest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
}

func total(t *testing.T, srv *emulatortest.Server, sandbox string) float64 {
	t.Helper()
	h := []string{admin}
	if sandbox != "" {
		h = append(h, "X-Emulator-Sandbox: "+sandbox)
	}
	r := srv.Do("GET", accounts, nil, h...)
	want(t, r, 200)
	return r.JSON(t)["totalElements"].(float64)
}

func TestHealth(t *testing.T) {
	srv := start(t)
	m := srv.Do("GET", "/_emulator/health", nil).JSON(t)
	if m["status"] != "ok" || m["scenario"] != "default" {
		t.Errorf("health: %v", m)
	}
}

// fixedDefault is the default world on a fixed clock, so that two state
// dumps can be compared whole.
const fixedDefault = `
clock: 2026-01-01T00:00:00Z
seed: 42
include: [fixtures/avisi/cloud-profiles.yaml, fixtures/avisi/default-world.yaml]
`

func TestResetRestoresEverything(t *testing.T) {
	srv := start(t, emulator.WithScenarioYAML("fixed.yaml", []byte(fixedDefault)))
	before := srv.State()
	want(t, srv.Do("POST", accounts, account("temp"), admin), 200)
	srv.AdvanceClock(48 * time.Hour)
	srv.Do("POST", "/_emulator/faults", map[string]any{"respond": map[string]any{"status": 500}})
	want(t, srv.Do("POST", "/_emulator/reset", nil), 200)
	after := srv.State()
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("state after reset differs (-before +after):\n%s", diff)
	}
	if n := len(srv.Requests(journal.Filter{})); n != 0 {
		t.Errorf("journal has %d entries after reset", n)
	}
	var f struct{ Faults []any }
	_ = json.Unmarshal(srv.Do("GET", "/_emulator/faults", nil).Body, &f)
	if len(f.Faults) != 0 {
		t.Errorf("faults after reset: %v", f.Faults)
	}
	// Ids repeat after a reset: the same create gives the same identity.
	id1 := srv.Do("POST", accounts, account("again"), admin).JSON(t)["identity"]
	srv.Reset()
	id2 := srv.Do("POST", accounts, account("again"), admin).JSON(t)["identity"]
	if id1 != id2 {
		t.Errorf("ids after reset: %v then %v", id1, id2)
	}
}

func TestStateRedactsSecrets(t *testing.T) {
	srv := start(t)
	body := string(srv.Do("GET", "/_emulator/state", nil).Body)
	for _, secret := range []string{"prod-main-secret", "admin-token", "staging-secret"} {
		if strings.Contains(body, secret) {
			t.Errorf("state shows %q", secret)
		}
	}
	if !strings.Contains(body, journal.Redacted) {
		t.Error("state shows no redaction marker")
	}
}

func TestPutScenario(t *testing.T) {
	srv := start(t)
	good := "name: replaced\ninclude: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  tokens: [{token: admin-token, organisations: [\"*\"]}]\n  organisations: [{slug: acme}]\n"
	r := srv.Do("PUT", "/_emulator/scenario", good, "Content-Type: application/yaml")
	want(t, r, 200)
	if total(t, srv, "") != 0 {
		t.Error("new scenario's world not in force")
	}
	bad := "name: broken\navisi:\n  organisations: [{slug: NOPE}]\n"
	r = srv.Do("PUT", "/_emulator/scenario?name=broken.yaml", bad, "Content-Type: application/yaml")
	want(t, r, 400)
	var e struct {
		Error  string
		Errors []string
	}
	_ = json.Unmarshal(r.Body, &e)
	if len(e.Errors) != 1 || !strings.HasPrefix(e.Errors[0], "broken.yaml:3:") {
		t.Errorf("errors: %+v", e)
	}
	if m := srv.Do("GET", "/_emulator/health", nil).JSON(t); m["scenario"] != "replaced" {
		t.Errorf("a rejected scenario replaced the old one: %v", m)
	}
}

func TestFaultsControl(t *testing.T) {
	srv := start(t)
	// JSON and YAML bodies take the same shape.
	r := srv.Do("POST", "/_emulator/faults", `{"name": "j", "match": {"operation": "listCloudAccounts"}, "times": 1, "respond": {"status": 500}}`)
	want(t, r, 201)
	r = srv.Do("POST", "/_emulator/faults", "name: y\nmatch: {operation: getCloudAccount}\nrespond: {status: 404}\n", "Content-Type: application/yaml")
	want(t, r, 201)
	yID := r.JSON(t)["id"].(float64)
	want(t, srv.Do("GET", accounts, nil, admin), 500)
	want(t, srv.Do("GET", accounts, nil, admin), 200)
	var list struct {
		Faults []struct {
			ID             int
			Matches, Fired int
			Rule           struct{ Name string }
		}
	}
	_ = json.Unmarshal(srv.Do("GET", "/_emulator/faults", nil).Body, &list)
	if len(list.Faults) != 2 || list.Faults[0].Rule.Name != "j" || list.Faults[0].Matches != 2 || list.Faults[0].Fired != 1 {
		t.Errorf("fault list with counters: %+v", list)
	}
	want(t, srv.Do("DELETE", fmt.Sprintf("/_emulator/faults/%d", int(yID)), nil), 204)
	want(t, srv.Do("DELETE", fmt.Sprintf("/_emulator/faults/%d", int(yID)), nil), 404)
	want(t, srv.Do("DELETE", "/_emulator/faults", nil), 204)

	bad := []string{
		`{"match": {"api": "nope"}, "respond": {"status": 500}}`,
		`{"respond": {"status": 500}, "unknown": true}`,
		`{"respond": {}}`,
		`{"respond": {"drop": "explode"}}`,
		`{"respond": {"status": 500}, "probability": 2}`,
		`not json`,
	}
	for _, b := range bad {
		r := srv.Do("POST", "/_emulator/faults", b)
		if r.Status != 400 || r.JSON(t)["error"] == nil {
			t.Errorf("rule %s: %d %s", b, r.Status, r.Body)
		}
	}
}

func TestRequestsJournal(t *testing.T) {
	srv := start(t)
	want(t, srv.Do("GET", accounts, nil, admin), 200)
	want(t, srv.Do("POST", accounts, account("j1"), admin), 200)
	want(t, srv.Do("POST", accounts, account("j1"), admin), 400)
	want(t, srv.Do("GET", accounts, nil), 401)
	tests := []struct {
		query string
		n     int
	}{
		{"", 4},
		{"?operation=createCloudAccount", 2},
		{"?status=400", 1},
		{"?method=get", 2},
		{"?api=avisi&status=401", 1},
		{"?path=/api/v1/orgs/acme/*", 4},
		{"?limit=1", 1},
		{"?since=2999-01-01T00:00:00Z", 0},
	}
	for _, tc := range tests {
		var out struct{ Requests []journal.Entry }
		r := srv.Do("GET", "/_emulator/requests"+tc.query, nil)
		want(t, r, 200)
		_ = json.Unmarshal(r.Body, &out)
		if len(out.Requests) != tc.n {
			t.Errorf("%s: %d entries, want %d", tc.query, len(out.Requests), tc.n)
		}
	}
	e := srv.Requests(journal.Filter{Status: 400})[0]
	if e.Operation != "createCloudAccount" || e.Kind != "already_exists" || e.RequestID == "" || len(e.RequestBody) == 0 || len(e.ResponseBody) == 0 {
		t.Errorf("entry: %+v", e)
	}
	want(t, srv.Do("GET", "/_emulator/requests?status=abc", nil), 400)
	want(t, srv.Do("DELETE", "/_emulator/requests", nil), 204)
	if n := len(srv.Requests(journal.Filter{})); n != 0 {
		t.Errorf("%d entries after clearing", n)
	}
}

func TestJournalIsBounded(t *testing.T) {
	srv := start(t, emulator.WithJournalCapacity(5))
	for i := 0; i < 12; i++ {
		srv.Do("GET", accounts, nil, admin)
	}
	var out struct {
		Requests    []journal.Entry
		Overwritten int
	}
	_ = json.Unmarshal(srv.Do("GET", "/_emulator/requests", nil).Body, &out)
	if len(out.Requests) != 5 || out.Overwritten != 7 || out.Requests[4].Seq != 12 {
		t.Errorf("bounded journal: %d entries, %d overwritten, last seq %d", len(out.Requests), out.Overwritten, out.Requests[len(out.Requests)-1].Seq)
	}
}

func TestClockControl(t *testing.T) {
	srv := start(t, emulator.WithScenarioYAML("c.yaml", []byte("clock: 2026-03-01T00:00:00Z\n")))
	m := srv.Do("POST", "/_emulator/clock", map[string]string{"advance": "25h"}).JSON(t)
	if m["now"] != "2026-03-02T01:00:00Z" || m["fixed"] != true {
		t.Errorf("advance: %v", m)
	}
	m = srv.Do("POST", "/_emulator/clock", map[string]string{"set": "2030-01-01T00:00:00Z"}).JSON(t)
	if m["now"] != "2030-01-01T00:00:00Z" {
		t.Errorf("set: %v", m)
	}
	for _, bad := range []string{`{"advance": "soon"}`, `{"set": "tomorrow"}`, `{}`, `{"advance": "1h", "set": "2030-01-01T00:00:00Z"}`, `{"jump": 1}`} {
		want(t, srv.Do("POST", "/_emulator/clock", bad), 400)
	}
	srv.Reset()
	if m := srv.Do("GET", "/_emulator/clock", nil).JSON(t); m["now"] != "2026-03-01T00:00:00Z" {
		t.Errorf("clock after reset: %v", m)
	}
}

func TestAdminToken(t *testing.T) {
	srv := start(t, emulator.WithAdminToken("let-me-in"))
	// Health answers a probe without the token, with nothing but "ok".
	if r := srv.Do("GET", "/_emulator/health", nil); r.Status != 200 || strings.TrimSpace(string(r.Body)) != "{\n  \"status\": \"ok\"\n}" {
		t.Errorf("health without the token: %d %s", r.Status, r.Body)
	}
	want(t, srv.Do("GET", "/_emulator/state", nil), 401)
	want(t, srv.Do("GET", "/_emulator/state", nil, "Authorization: Bearer wrong"), 401)
	r := srv.Do("GET", "/_emulator/health", nil, "Authorization: Bearer let-me-in")
	if r.Status != 200 || r.JSON(t)["scenario"] != "default" {
		t.Errorf("health with the token: %d %s", r.Status, r.Body)
	}
	want(t, srv.Do("POST", "/_emulator/reset", nil, "X-Emulator-Token: let-me-in"), 200)
	// The Go helpers present the token themselves.
	if srv.State()["scenario"] != "default" {
		t.Error("State() through the admin token")
	}
	// The emulated APIs are not behind the admin token.
	want(t, srv.Do("GET", accounts, nil, admin), 200)
}

func TestControlNotFound(t *testing.T) {
	srv := start(t)
	want(t, srv.Do("GET", "/_emulator/nope", nil), 404)
	want(t, srv.Do("PATCH", "/_emulator/reset", nil), 405)
	r := srv.Do("GET", "/no/such/api", nil)
	want(t, r, 404)
	if !strings.Contains(string(r.Body), "no emulated API serves") {
		t.Errorf("root 404: %s", r.Body)
	}
}

// TestSandboxesAreIsolated runs parallel clients in their own sandboxes and
// checks none sees another's objects, faults or journal.
func TestSandboxesAreIsolated(t *testing.T) {
	srv := start(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sb := fmt.Sprintf("X-Emulator-Sandbox: t%d", i)
			for j := 0; j <= i%4; j++ {
				if r := srv.Do("POST", accounts, account(fmt.Sprintf("sb-%d", j)), admin, sb); r.Status != 200 {
					errs <- fmt.Sprintf("sandbox %d create: %d %s", i, r.Status, r.Body)
				}
			}
			r := srv.Do("GET", accounts, nil, admin, sb)
			var p struct{ TotalElements int }
			_ = json.Unmarshal(r.Body, &p)
			if p.TotalElements != 4+i%4+1 {
				errs <- fmt.Sprintf("sandbox %d sees %d accounts, want %d", i, p.TotalElements, 4+i%4+1)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := total(t, srv, ""); got != 4 {
		t.Errorf("default sandbox sees %v accounts", got)
	}
	// A fault in one sandbox does not fire in another.
	r := srv.Do("POST", "/_emulator/faults", `{"respond": {"status": 500}}`, "X-Emulator-Sandbox: faulty")
	want(t, r, 201)
	want(t, srv.Do("GET", accounts, nil, admin, "X-Emulator-Sandbox: faulty"), 500)
	want(t, srv.Do("GET", accounts, nil, admin, "X-Emulator-Sandbox: t1"), 200)
	want(t, srv.Do("DELETE", "/_emulator/sandboxes/faulty", nil), 204)
	want(t, srv.Do("GET", accounts, nil, admin, "X-Emulator-Sandbox: faulty"), 200)
	want(t, srv.Do("DELETE", "/_emulator/sandboxes/never-made", nil), 404)
}

// TestConcurrentCreatesOfOneName checks that racing creates of the same
// display name give exactly one success.
func TestConcurrentCreatesOfOneName(t *testing.T) {
	srv := start(t)
	const n = 16
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- srv.Do("POST", accounts, account("race"), admin).Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != 1 || count[400] != n-1 {
		t.Errorf("statuses: %v", count)
	}
}

// TestJournalKeepsPagesAndMarksCuts checks that a page of 20 accounts is
// journalled whole by default, that a smaller limit cuts it and says so
// with the full size, and that /requests pages its answer.
func TestJournalKeepsPagesAndMarksCuts(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	for i := range 20 {
		want(t, srv.Do("POST", accounts, account(fmt.Sprintf("acct-%02d", i)), admin), 200)
	}
	r := srv.Do("GET", accounts+"?size=20", nil, admin)
	want(t, r, 200)
	if len(r.Body) < 12<<10 {
		t.Fatalf("a page of 20 is only %d bytes; the test needs more than the old 8 KiB cut", len(r.Body))
	}
	got := srv.Requests(journal.Filter{Operation: "listCloudAccounts"})
	var kept, sent bytes.Buffer
	_ = json.Compact(&kept, got[0].ResponseBody)
	_ = json.Compact(&sent, r.Body)
	if len(got) != 1 || got[0].Truncated != nil || kept.String() != sent.String() {
		t.Fatalf("page journalled as %d bytes, truncated %v; answered %d bytes", kept.Len(), got[0].Truncated, sent.Len())
	}

	small := start(t, emulator.WithScenario("default"), emulator.WithJournalBodyLimit(1000))
	r = small.Do("GET", accounts, nil, admin)
	got = small.Requests(journal.Filter{Operation: "listCloudAccounts"})
	var prefix string
	_ = json.Unmarshal(got[0].ResponseBody, &prefix)
	if len(got) != 1 || got[0].Truncated["responseBody"] != len(r.Body) || len(prefix) != 1000 || !strings.HasPrefix(string(r.Body), prefix) {
		t.Errorf("cut entry: truncated %v, kept %d bytes of %d", got[0].Truncated, len(prefix), len(r.Body))
	}

	// 1,200 entries come back over three pages of the control API.
	for range 1200 - 21 { // 20 creates and a list are in already
		srv.Do("GET", "/api/v1/orgs/acme/cloud-profiles?size=1", nil, admin)
	}
	first := srv.Do("GET", "/_emulator/requests", nil).JSON(t)
	if n := len(first["requests"].([]any)); n != 500 || first["next"] == nil {
		t.Errorf("first page: %d entries, next %v", n, first["next"])
	}
	if n := len(srv.Requests(journal.Filter{})); n != 1200 {
		t.Errorf("Requests followed pages to %d entries, want 1200", n)
	}
	if r := srv.Do("GET", "/_emulator/requests?pageSize=0", nil); r.Status != 400 {
		t.Errorf("pageSize=0: %d", r.Status)
	}
}

// TestDroppedGetIsRetriedByGoClient documents why a drop rule with times: 1
// on a GET is invisible to a Go client on a reused connection: the
// transport resends the request, so the caller sees 200 while the journal
// shows the drop, and the fault listing warns about it.
func TestDroppedGetIsRetriedByGoClient(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	client := srv.Client()
	get := func() (*http.Response, error) {
		req, _ := http.NewRequest("GET", srv.URL()+accounts, nil)
		req.Header.Set("Authorization", "Token admin-token")
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return resp, err
	}
	if _, err := get(); err != nil { // a connection to reuse
		t.Fatal(err)
	}
	srv.AddFault(fault.Rule{Match: fault.Match{Operation: "listCloudAccounts"}, Times: 1, Respond: fault.Respond{Drop: "reset"}})
	resp, err := get()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Go's client should have retried the dropped GET: %v %v", err, resp)
	}
	var trail []string
	for _, e := range srv.Requests(journal.Filter{Operation: "listCloudAccounts"}) {
		trail = append(trail, fmt.Sprintf("%d/%v", e.Status, e.Dropped))
	}
	if diff := cmp.Diff([]string{"200/false", "0/true", "200/false"}, trail); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
	faults := srv.Do("GET", "/_emulator/faults", nil).JSON(t)["faults"].([]any)
	f := faults[0].(map[string]any)
	if f["fired"] != 1.0 || len(f["notes"].([]any)) != 1 || f["notes"].([]any)[0] != fault.RetryNote {
		t.Errorf("fault listing: %v", f)
	}
}

// TestControlRoutes: the control API's paths match exactly, variables by
// their own pattern, and what matches none is the control API's 404.
func TestControlRoutes(t *testing.T) {
	srv := start(t)
	for _, tc := range []struct {
		method, path string
		status       int
		body         string // a part of the answer's body
	}{
		{"GET", "/_emulator/health", 200, `"ok"`},
		{"GET", "/_emulator/health/", 404, "no control endpoint GET /_emulator/health/"},
		{"GET", "/_emulatorx", 404, "no control endpoint GET /_emulatorx"},
		{"GET", "/_emulator/", 404, "no control endpoint"},
		{"DELETE", "/_emulator/faults/x1", 404, "no control endpoint DELETE /_emulator/faults/x1"},
		{"DELETE", "/_emulator/faults/", 404, "no control endpoint"},
		{"DELETE", "/_emulator/faults/1/2", 404, "no control endpoint"},
		{"DELETE", "/_emulator/faults/424242", 404, ""},
		{"DELETE", "/_emulator/sandboxes/", 404, "no control endpoint"},
		{"DELETE", "/_emulator/sandboxes/a/b", 404, "no control endpoint"},
		{"GET", "/_emulator/ui", 200, "<html"}, // after its redirect to /ui/
		{"GET", "/_emulator/ui/", 200, "<html"},
	} {
		r := srv.Do(tc.method, tc.path, nil)
		if r.Status != tc.status || !strings.Contains(string(r.Body), tc.body) {
			t.Errorf("%s %s: %d %.120s; want %d with %q", tc.method, tc.path, r.Status, r.Body, tc.status, tc.body)
		}
	}
}
