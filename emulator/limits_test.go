package emulator_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator"
)

// TestSandboxCap checks that sandboxes beyond the cap are refused with 429
// in each API's own format (and by the control API), that dropping one
// makes room, and that idle ones are dropped to make room.
func TestSandboxCap(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"), emulator.WithSandboxLimits(3, time.Hour))
	for i := range 3 {
		// Unauthenticated: the sandbox is made all the same, and counts.
		want(t, srv.Sandbox(fmt.Sprintf("sb%d", i)).Do("GET", accounts, nil), 401)
	}
	r := srv.Sandbox("sb3").Do("GET", accounts, nil, admin)
	if r.Status != 429 || !strings.Contains(string(r.Body), `"message":"too many sandboxes: 3 named sandboxes are in use`) {
		t.Errorf("Avisi beyond the cap: %d %s", r.Status, r.Body)
	}
	r = srv.Sandbox("sb3").Do("GET", "/zstack/v1/iam2/virtual-ids", nil, "Authorization: OAuth 0123456789abcdef0123456789abcdef")
	if r.Status != 429 || !strings.HasPrefix(string(r.Body), "too many sandboxes") {
		t.Errorf("ZStack beyond the cap (plain text): %d %s", r.Status, r.Body)
	}
	if r := srv.Sandbox("sb3").Do("GET", "/_emulator/state", nil); r.Status != 429 {
		t.Errorf("control API beyond the cap: %d %s", r.Status, r.Body)
	}
	// The default sandbox and existing ones keep working.
	want(t, srv.Do("GET", accounts, nil, admin), 200)
	want(t, srv.Sandbox("sb1").Do("GET", accounts, nil, admin), 200)
	want(t, srv.Do("DELETE", "/_emulator/sandboxes/sb0", nil), 204)
	want(t, srv.Sandbox("sb3").Do("GET", accounts, nil, admin), 200)

	idle := start(t, emulator.WithScenario("default"), emulator.WithSandboxLimits(2, 30*time.Millisecond))
	want(t, idle.Sandbox("a").Do("GET", accounts, nil, admin), 200)
	want(t, idle.Sandbox("b").Do("GET", accounts, nil, admin), 200)
	time.Sleep(60 * time.Millisecond)
	want(t, idle.Sandbox("c").Do("GET", accounts, nil, admin), 200)
	sbs := idle.Do("GET", "/_emulator/health", nil).JSON(t)["sandboxes"].([]any)
	if fmt.Sprint(sbs) != "[ c]" {
		t.Errorf("sandboxes after idle ones were dropped: %v", sbs)
	}
	// Below the cap, a new sandbox drops the idle ones too, once an eighth
	// of the idle limit has passed since the last look.
	roomy := start(t, emulator.WithScenario("default"), emulator.WithSandboxLimits(100, 30*time.Millisecond))
	want(t, roomy.Sandbox("a").Do("GET", accounts, nil, admin), 200)
	time.Sleep(60 * time.Millisecond)
	want(t, roomy.Sandbox("b").Do("GET", accounts, nil, admin), 200)
	if sbs := roomy.Do("GET", "/_emulator/health", nil).JSON(t)["sandboxes"].([]any); fmt.Sprint(sbs) != "[ b]" {
		t.Errorf("below the cap, after a was idle: %v", sbs)
	}
}

// TestJournalTotalBytes: the journals of all sandboxes together stay within
// --journal-total-bytes; the oldest entries of any sandbox go first, and
// every entry lost is counted in its sandbox's overwritten.
func TestJournalTotalBytes(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"), emulator.WithJournalTotalBytes(1<<20))
	body := `{"displayName": "` + strings.Repeat("x", 64<<10) + `"}`
	const sandboxes, each = 8, 10
	for i := 0; i < sandboxes; i++ {
		sb := srv.Sandbox(fmt.Sprintf("j%d", i))
		for k := 0; k < each; k++ {
			sb.Do("POST", accounts, body) // no token: 401, journalled with its body
		}
	}
	kept, lost := 0, 0
	for i := 0; i < sandboxes; i++ {
		page := srv.Sandbox(fmt.Sprintf("j%d", i)).Do("GET", "/_emulator/requests", nil).JSON(t)
		n := len(page["requests"].([]any))
		kept += n
		lost += int(page["overwritten"].(float64))
		if i == sandboxes-1 && n == 0 {
			t.Error("the newest sandbox lost its newest entries")
		}
	}
	// Each entry keeps about 64 KiB of body: a 1 MiB bound holds about 15.
	if kept == 0 || kept > 16 || kept+lost != sandboxes*each {
		t.Errorf("kept %d, overwritten %d, of %d", kept, lost, sandboxes*each)
	}
}

// TestUnauthenticatedBuildsNoWorld: a request that fails authentication in
// a new sandbox is refused without the sandbox building that family's
// world (a forked world still counts against the sandbox memory budget);
// one that authenticates builds it, and works on the sandbox's own state.
func TestUnauthenticatedBuildsNoWorld(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	built := func() int { return int(srv.Do("GET", "/_emulator/health", nil).JSON(t)["worldsBuilt"].(float64)) }
	before := built()
	calls := []struct {
		method, path, auth string
		status             int // the family's own answer for it
	}{
		{"GET", accounts, "X-Nothing: at all", 401},
		{"GET", accounts, "Authorization: Token wrong", 401},
		{"POST", "/api/v2/users/", "Authorization: Basic YWRtaW46d3Jvbmc=", 401},
		{"GET", "/zstack/v1/iam2/virtual-ids", "Authorization: OAuth ffffffffffffffffffffffffffffffff", 503}, // ID.1001
		{"GET", "/api/appliance/local-accounts", "Authorization: Basic eDp5", 401},
	}
	for i := 0; i < 20; i++ {
		for _, c := range calls {
			r := srv.Sandbox(fmt.Sprintf("anon-%d", i)).Do(c.method, c.path, nil, c.auth)
			if r.Status != c.status {
				t.Fatalf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
			}
		}
	}
	if got := built(); got != before {
		t.Errorf("unauthenticated requests built %d worlds", got-before)
	}
	sb := srv.Sandbox("authed")
	want(t, sb.Do("POST", accounts, account("mine"), admin), 200)
	if got := built(); got != before+1 {
		t.Errorf("an authenticated create built %d worlds, want 1", got-before)
	}
	// The create went to the sandbox's own state, not the shared one.
	if r := srv.Sandbox("other").Do("GET", accounts+"?displayName=mine", nil, admin); strings.Contains(string(r.Body), `"mine"`) {
		t.Errorf("another sandbox sees the create: %s", r.Body)
	}
	if r := sb.Do("GET", accounts, nil, admin); !strings.Contains(string(r.Body), `"mine"`) {
		t.Errorf("the sandbox lost its create: %s", r.Body)
	}
}

// TestSandboxMemory: named sandboxes' worlds share a memory budget; the
// one that would pass it is refused with 429 in its API's format, and a
// dropped sandbox gives its share back.
func TestSandboxMemory(t *testing.T) {
	yaml := "zstack:\n  accounts: [{name: admin, password: password}]\n  sessions: [{uuid: 0123456789abcdef0123456789abcdef, account: admin}]\n  generate: {virtualIDs: 2000}\n"
	// About 640 KB a world (2,000 virtual IDs and their attributes, forked:
	// their index entries): two fit in 1.5 MiB, a third does not.
	srv := start(t, emulator.WithScenarioYAML("mem.yaml", []byte(yaml)), emulator.WithSandboxMemory(3<<19))
	zs := "Authorization: OAuth 0123456789abcdef0123456789abcdef"
	for _, name := range []string{"m1", "m2"} {
		want(t, srv.Sandbox(name).Do("GET", "/zstack/v1/iam2/virtual-ids?limit=1", nil, zs), 200)
	}
	r := srv.Sandbox("m3").Do("GET", "/zstack/v1/iam2/virtual-ids?limit=1", nil, zs)
	if r.Status != 429 || !strings.Contains(string(r.Body), "--sandbox-memory") {
		t.Errorf("past the budget: %d %s", r.Status, r.Body)
	}
	// The default sandbox is the server's own: not counted.
	want(t, srv.Do("GET", "/zstack/v1/iam2/virtual-ids?limit=1", nil, zs), 200)
	want(t, srv.Do("DELETE", "/_emulator/sandboxes/m1", nil), 204)
	want(t, srv.Sandbox("m3").Do("GET", "/zstack/v1/iam2/virtual-ids?limit=1", nil, zs), 200)
}

// TestSandboxMemoryCountsControlCalls: a world built for a control call
// (a snapshot, GET /state) counts against the budget like one a request
// built, so that requests after it are refused once the budget is spent.
func TestSandboxMemoryCountsControlCalls(t *testing.T) {
	yaml := "zstack:\n  accounts: [{name: admin, password: password}]\n  sessions: [{uuid: 0123456789abcdef0123456789abcdef, account: admin}]\n  generate: {virtualIDs: 2000}\n"
	srv := start(t, emulator.WithScenarioYAML("mem.yaml", []byte(yaml)), emulator.WithSandboxMemory(3<<19))
	zs := "Authorization: OAuth 0123456789abcdef0123456789abcdef"
	want(t, srv.Sandbox("c1").Do("GET", "/_emulator/snapshot", nil), 200)
	want(t, srv.Sandbox("c2").Do("GET", "/_emulator/state", nil), 200)
	r := srv.Sandbox("c3").Do("GET", "/zstack/v1/iam2/virtual-ids?limit=1", nil, zs)
	if r.Status != 429 {
		t.Errorf("after two worlds built by control calls: %d %s, want 429", r.Status, r.Body)
	}
}
