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
