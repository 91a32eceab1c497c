package emulator_test

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

const (
	vsphereBasic = "Authorization: Basic YWRtaW5pc3RyYXRvckB2c3BoZXJlLmxvY2FsOlBhc3N3MHJkIQ==" // administrator@vsphere.local:Passw0rd!
	zstackLogin  = "/zstack/v1/accounts/login"
)

func zstackPassword(p string) string {
	sum := sha512.Sum512([]byte(p))
	return hex.EncodeToString(sum[:])
}

// loginIDs logs in once on each of vSphere's URL families and on ZStack, and
// starts one ZStack API job, returning the four identifiers handed out.
func loginIDs(t *testing.T, srv *emulatortest.Server) []string {
	t.Helper()
	var ids []string
	r := srv.Do("POST", "/rest/com/vmware/cis/session", nil, vsphereBasic)
	want(t, r, 200)
	var rest struct{ Value string }
	_ = json.Unmarshal(r.Body, &rest)
	ids = append(ids, rest.Value)

	r = srv.Do("POST", "/api/session", nil, vsphereBasic)
	want(t, r, 201)
	var bare string
	_ = json.Unmarshal(r.Body, &bare)
	ids = append(ids, bare)

	r = srv.Do("PUT", zstackLogin, map[string]any{"logInByAccount": map[string]string{"accountName": "admin", "password": zstackPassword("password")}})
	want(t, r, 200)
	var zs struct{ Inventory struct{ UUID string } }
	_ = json.Unmarshal(r.Body, &zs)
	ids = append(ids, zs.Inventory.UUID)

	r = srv.Do("POST", "/zstack/v1/iam2/virtual-ids", map[string]any{"params": map[string]string{"name": fmt.Sprintf("v%d", len(ids)), "password": "x"}},
		"Authorization: OAuth "+zs.Inventory.UUID, "X-Emulator-Async: true")
	want(t, r, 202)
	var job struct{ Location string }
	_ = json.Unmarshal(r.Body, &job)
	ids = append(ids, job.Location[strings.LastIndex(job.Location, "/")+1:])
	for _, id := range ids {
		if len(id) != 32 {
			t.Fatalf("identifier %q is not 32 hex digits", id)
		}
	}
	return ids
}

// TestSessionIDsNeverRepeat logs in 1,080 times (and starts 360 jobs) across resets, scenario
// reloads, sandboxes and a second server, and finds every session and job
// id distinct: a cached id can never come back belonging to someone else.
func TestSessionIDsNeverRepeat(t *testing.T) {
	seen := map[string]string{}
	record := func(where string, ids []string) {
		for _, id := range ids {
			if prev, dup := seen[id]; dup {
				t.Fatalf("id %s handed out twice: %s and %s", id, prev, where)
			}
			seen[id] = where
		}
	}
	for server := range 2 { // a second server stands for a restart
		srv := start(t, emulator.WithScenario("default"))
		for round := range 6 {
			for i := range 15 {
				record(fmt.Sprintf("server %d round %d login %d", server, round, i), loginIDs(t, srv))
				record(fmt.Sprintf("server %d round %d sandbox %d", server, round, i), loginIDs(t, srv.Sandbox(fmt.Sprintf("sb-%d", i))))
			}
			switch round {
			case 1:
				if err := srv.Emu.LoadScenario("", "reloaded", []byte("name: reloaded\ninclude: [fixtures/zstack/default-world.yaml, fixtures/vsphere/default-world.yaml]\n")); err != nil {
					t.Fatal(err)
				}
			default:
				srv.Reset()
			}
		}
		for i := range 15 {
			srv.Emu.Reset(fmt.Sprintf("sb-%d", i))
		}
	}
	if len(seen) != 2*6*30*4 {
		t.Fatalf("%d ids, want %d", len(seen), 2*6*30*4)
	}
}

// TestSessionsEndWithReset checks that a session does not outlive a reset,
// while a scenario's pinned session does.
func TestSessionsEndWithReset(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	ids := loginIDs(t, srv)
	vsRest, zs := ids[0], ids[2]
	want(t, srv.Do("GET", "/rest/appliance/local-accounts", nil, "vmware-api-session-id: "+vsRest), 200)
	want(t, srv.Do("DELETE", "/zstack/v1/accounts/sessions/"+zs, nil, "Authorization: OAuth "+zs), 200)
	srv.Reset()
	want(t, srv.Do("GET", "/rest/appliance/local-accounts", nil, "vmware-api-session-id: "+vsRest), 401)
	r := srv.Do("GET", "/zstack/v1/iam2/virtual-ids", nil, "Authorization: OAuth "+zs)
	if r.Status != 503 || !strings.Contains(string(r.Body), "ID.1001") {
		t.Errorf("logged-out ZStack session after reset: %d %s", r.Status, r.Body)
	}
	// The default scenario pins a well-known ZStack session for hand-written tests.
	want(t, srv.Do("GET", "/zstack/v1/iam2/virtual-ids", nil, "Authorization: OAuth 0123456789abcdef0123456789abcdef"), 200)
}
