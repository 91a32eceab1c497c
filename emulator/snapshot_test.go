package emulator_test

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
)

// everyFamily is the default world of every family on a fixed clock, so
// that whole states can be compared.
const everyFamily = `
clock: 2026-01-01T00:00:00Z
seed: 42
include:
  - fixtures/avisi/default-world.yaml
  - fixtures/zstack/default-world.yaml
  - fixtures/awx/default-world.yaml
  - fixtures/vsphere/default-world.yaml
`

const (
	zstackAdmin  = "Authorization: OAuth 0123456789abcdef0123456789abcdef"
	awxAdmin     = "Authorization: Basic YWRtaW46cGFzc3dvcmQ="                                 // admin:password
	vsphereAdmin = "Authorization: Basic YWRtaW5pc3RyYXRvckB2c3BoZXJlLmxvY2FsOlBhc3N3MHJkIQ==" // administrator@vsphere.local:Passw0rd!
)

// opsPassword is the ZStack ops account's password as its clients send
// it: SHA-512 in hex.
var opsPassword = func() string {
	h := sha512.Sum512([]byte("ops-password"))
	return hex.EncodeToString(h[:])
}()

// drive changes every family's world the way clients do: creates,
// updates, deletes, logins, grants, a fault that has fired once of its
// two times, and a clock moved on.
func drive(t *testing.T, srv *emulatortest.Server) {
	t.Helper()
	want(t, srv.Do("POST", accounts, account("snap-one"), admin), 200)
	want(t, srv.Do("POST", "/zstack/v1/iam2/virtual-ids", map[string]any{"params": map[string]any{"name": "carol", "password": "pw", "description": "new"}}, zstackAdmin, "X-Emulator-Async: false"), 200)
	want(t, srv.Do("PUT", "/zstack/v1/accounts/login", map[string]any{"logInByAccount": map[string]string{"accountName": "ops", "password": opsPassword}}, "X-Emulator-Async: false"), 200)
	want(t, srv.Do("POST", "/api/v2/users/", map[string]any{"username": "dave", "password": "dave-pw", "email": "d@example.com"}, awxAdmin), 201)
	want(t, srv.Do("POST", "/api/v2/users/2/credentials/", map[string]any{"name": "dave-ssh", "credential_type": 1,
		"inputs": map[string]any{"username": "dave", "password": "ssh-secret"}}, awxAdmin), 201)
	want(t, srv.Do("POST", "/api/v2/organizations/", map[string]any{"name": "SnapOrg"}, awxAdmin), 201)
	want(t, srv.Do("POST", "/api/appliance/local-accounts", map[string]any{"username": "carol",
		"config": map[string]any{"password": "Carol-pass1", "roles": []string{"operator"}, "full_name": "Carol"}}, vsphereAdmin), 201)
	want(t, srv.Do("POST", "/api/session", nil, vsphereAdmin), 201)
	srv.AddFault(fault.Rule{Name: "twice", Match: fault.Match{API: "avisi", Method: "DELETE"}, Times: 2, Respond: fault.Respond{Status: 503}})
	want(t, srv.Do("DELETE", accounts+"/"+missing, nil, admin), 503)
	srv.AdvanceClock(3 * time.Hour)
}

// missing is an account id no world has.
const missing = "00000000-0000-4000-8000-000000000000"

// uncommented drops a snapshot's comment lines, which say when it was
// taken.
func uncommented(b []byte) string {
	return regexp.MustCompile(`(?m)^#.*\n`).ReplaceAllString(string(b), "")
}

func snapshotOf(t *testing.T, srv *emulatortest.Server) []byte {
	t.Helper()
	r := srv.Do("GET", "/_emulator/snapshot", nil)
	want(t, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("snapshot Content-Type %q", ct)
	}
	return r.Body
}

func TestSnapshotLoadsBackToTheSameState(t *testing.T) {
	srv := start(t, emulator.WithScenarioYAML("every.yaml", []byte(everyFamily)))
	drive(t, srv)
	snap := snapshotOf(t, srv)

	loaded := start(t, emulator.WithScenarioYAML("snapshot.yaml", snap))
	if diff := cmp.Diff(srv.State(), loaded.State()); diff != "" {
		t.Fatalf("state loaded from the snapshot differs (-taken +loaded):\n%s", diff)
	}
	// A snapshot of the loaded world is the snapshot itself.
	if diff := cmp.Diff(uncommented(snap), uncommented(snapshotOf(t, loaded))); diff != "" {
		t.Errorf("snapshot of the loaded snapshot differs:\n%s", diff)
	}
	// Both go on alike: the same next ids, the fault's last firing, and
	// logins with the passwords and sessions of the snapshot.
	for _, s := range []*emulatortest.Server{srv, loaded} {
		want(t, s.Do("DELETE", accounts+"/"+missing, nil, admin), 503)
		want(t, s.Do("DELETE", accounts+"/"+missing, nil, admin), 404)
		want(t, s.Do("GET", "/api/v2/me/", nil, "Authorization: Basic ZGF2ZTpkYXZlLXB3"), 200) // dave:dave-pw
		want(t, s.Do("POST", "/api/appliance/local-accounts", map[string]any{"username": "erin",
			"config": map[string]any{"password": "Erin-pass1", "roles": []string{"operator"}}}, vsphereAdmin), 201)
	}
	a := srv.Do("POST", accounts, account("after"), admin).JSON(t)["identity"]
	b := loaded.Do("POST", accounts, account("after"), admin).JSON(t)["identity"]
	if a != b || a == nil {
		t.Errorf("next Avisi id after loading: %v, want %v", b, a)
	}
	u1 := srv.Do("POST", "/api/v2/users/", map[string]any{"username": "frank", "password": "x"}, awxAdmin).JSON(t)["id"]
	u2 := loaded.Do("POST", "/api/v2/users/", map[string]any{"username": "frank", "password": "x"}, awxAdmin).JSON(t)["id"]
	if u1 != u2 {
		t.Errorf("next AWX user id after loading: %v, want %v", u2, u1)
	}
	if diff := cmp.Diff(srv.State(), loaded.State()); diff != "" {
		t.Errorf("states drifted apart after the same calls (-taken +loaded):\n%s", diff)
	}
	// A reset of the loaded server goes back to the snapshot.
	loaded.Reset()
	if diff := cmp.Diff(uncommented(snap), uncommented(snapshotOf(t, loaded))); diff != "" {
		t.Errorf("reset after loading a snapshot does not return to it:\n%s", diff)
	}
}

func TestSnapshotOfANamedSandboxAndDownload(t *testing.T) {
	srv := start(t, emulator.WithScenarioYAML("every.yaml", []byte(everyFamily)))
	sb := srv.Sandbox("team-a")
	want(t, sb.Do("POST", accounts, account("only-in-a"), admin), 200)
	r := sb.Do("GET", "/_emulator/snapshot?download=true", nil)
	want(t, r, 200)
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="credemu-snapshot-team-a.yaml"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !strings.Contains(string(r.Body), "only-in-a") {
		t.Error("the sandbox's snapshot lacks its account")
	}
	if strings.Contains(string(snapshotOf(t, srv)), "only-in-a") {
		t.Error("the default sandbox's snapshot has another sandbox's account")
	}
	// Loaded into a sandbox through the control API.
	other := srv.Sandbox("team-b")
	want(t, other.Do("PUT", "/_emulator/scenario?name=team-a.yaml", r.Body, "Content-Type: application/yaml"), 200)
	if diff := cmp.Diff(sb.State()["apis"], other.State()["apis"]); diff != "" {
		t.Errorf("sandbox loaded from another's snapshot differs:\n%s", diff)
	}
}

func TestSnapshotSectionsAreChecked(t *testing.T) {
	srv := start(t, emulator.WithScenarioYAML("every.yaml", []byte(everyFamily)))
	snap := string(snapshotOf(t, srv))
	for _, c := range []struct {
		name, edit, want string
	}{
		{"objects-beside", "include: [fixtures/avisi/default-world.yaml]\n", "a snapshot holds every object"},
		{"bad-sequence", "", "idSequence: not a position written by a snapshot"},
	} {
		t.Run(c.name, func(t *testing.T) {
			edited := c.edit + snap
			if c.edit == "" {
				edited = regexp.MustCompile(`(?m)^idSequence: .*$`).ReplaceAllString(snap, "idSequence: zz")
			}
			r := srv.Sandbox("x-"+c.name).Do("PUT", "/_emulator/scenario?name=edited.yaml", edited, "Content-Type: application/yaml")
			want(t, r, 400)
			if !strings.Contains(string(r.Body), c.want) || !regexp.MustCompile(`edited\.yaml:\d+:\d+`).Match(r.Body) && !strings.Contains(string(r.Body), "default-world.yaml:") {
				t.Errorf("error %s, want %q at a file and line", r.Body, c.want)
			}
		})
	}
	// A reference to an object that is not in the snapshot is named.
	broken := strings.Replace(snap, "cloudProfile: aws-eu-west-1", "cloudProfile: nowhere", 1)
	r := srv.Sandbox("x-ref").Do("PUT", "/_emulator/scenario?name=edited.yaml", broken, "Content-Type: application/yaml")
	want(t, r, 400)
	if !strings.Contains(string(r.Body), `cloudProfile \"nowhere\" is not in the snapshot`) {
		t.Errorf("error %s", r.Body)
	}
}

func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.yaml")
	opts := []emulator.Option{emulator.WithScenarioYAML("every.yaml", []byte(everyFamily)), emulator.WithStateFile(file, 0)}
	// The first start has no file and starts from the scenario.
	srv := start(t, opts...)
	drive(t, srv)
	want(t, srv.Do("POST", "/_emulator/snapshot?save=true", nil), 200)
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want(t, srv.Do("POST", "/_emulator/snapshot?save=true", nil, "X-Emulator-Sandbox: other"), 400)
	want(t, srv.Do("POST", "/_emulator/snapshot", nil), 400)
	// Changes after the save reach the file on shutdown.
	want(t, srv.Do("POST", accounts, account("after-save"), admin), 200)
	before := srv.State()
	if err := srv.Emu.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	onShutdown, _ := os.ReadFile(file)
	if string(onShutdown) == string(saved) || !strings.Contains(string(onShutdown), "after-save") {
		t.Error("shutdown did not write the state file")
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600: it holds passwords", info.Mode().Perm())
	}
	// The second start comes from the file, not the scenario.
	restarted := start(t, opts...)
	if diff := cmp.Diff(before, restarted.State()); diff != "" {
		t.Errorf("state after restart differs (-before +after):\n%s", diff)
	}
	// A broken file is refused with its file and line, and left as it is.
	bad := []byte("seed: 1\navisi:\n  snapshot:\n    tokens: 7\n")
	if err := os.WriteFile(file, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.New(opts...); err == nil || !strings.Contains(err.Error(), file+":4:") || !strings.Contains(err.Error(), "left as it is") {
		t.Errorf("broken state file: %v", err)
	}
	if got, _ := os.ReadFile(file); string(got) != string(bad) {
		t.Error("a refused state file was changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the state file's directory holds %d entries, want the file alone (no temporary files left)", len(entries))
	}
}

func TestSaveWithoutStateFile(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", "/_emulator/snapshot?save=true", nil)
	want(t, r, 409)
	if !strings.Contains(string(r.Body), "--state-file") {
		t.Errorf("answer %s", r.Body)
	}
}

func TestStateFileSavedOnInterval(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.yaml")
	s, err := emulator.New(emulator.WithScenario("empty"), emulator.WithStateFile(file, 20*time.Millisecond),
		emulator.WithAddr("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	// Bounded far past the interval: only a save that never comes fails.
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(file); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the state file was not saved on its interval")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSnapshotOfLongLists loads back lists long enough to be written in
// chunks (see writeYAML).
func TestSnapshotOfLongLists(t *testing.T) {
	srv := start(t, emulator.WithScenarioYAML("long.yaml", []byte(`
clock: 2026-01-01T00:00:00Z
zstack: {accounts: [{name: admin, password: password}], generate: {virtualIDs: 700}}
vsphere: {generate: {localAccounts: 600}}
awx: {users: [{username: admin, password: password, superuser: true}], generate: {users: 300, credentialsPerUser: 2}}
avisi: {tokens: [{token: t, organisations: ["*"]}], organisations: [{slug: bulk, generate: {cloudAccounts: 300}}]}
`)))
	snap := snapshotOf(t, srv)
	loaded := start(t, emulator.WithScenarioYAML("snapshot.yaml", snap))
	if diff := cmp.Diff(srv.State(), loaded.State()); diff != "" {
		t.Fatalf("state loaded from the snapshot differs (-taken +loaded):\n%s", diff)
	}
	if diff := cmp.Diff(uncommented(snap), uncommented(snapshotOf(t, loaded))); diff != "" {
		t.Errorf("snapshot of the loaded snapshot differs:\n%s", diff)
	}
}

// TestSnapshotOnTheRealClock keeps every instant as it was, clusters'
// last use included, when the world runs on the real clock.
func TestSnapshotOnTheRealClock(t *testing.T) {
	srv := start(t)
	snap := snapshotOf(t, srv)
	if strings.Contains(uncommented(snap), "\nclock:") {
		t.Error("a snapshot on the real clock fixes the clock")
	}
	time.Sleep(1100 * time.Millisecond) // a second later, every "ago" would have moved
	loaded := start(t, emulator.WithScenarioYAML("snapshot.yaml", snap))
	if diff := cmp.Diff(srv.State()["apis"], loaded.State()["apis"]); diff != "" {
		t.Errorf("state loaded on the real clock differs (-taken +loaded):\n%s", diff)
	}
}
