package emulator_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
)

// TestSandboxesForkTheWorld: sandboxes fork their world's tables instead
// of copying them, so every family is checked for the ways a fork could
// leak. Sandbox a renames, deletes and creates; sandbox b, built before
// those writes, and sandbox c, built after them, still answer with the
// world as loaded, as does a after a reset; and a's writes stay its own.
func TestSandboxesForkTheWorld(t *testing.T) {
	const (
		acme    = "/api/v1/orgs/acme/cloud-accounts"
		prodAWS = acme + "/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a01"
		onprem  = acme + "/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a03"
		zs      = "Authorization: OAuth 0123456789abcdef0123456789abcdef"
		alice   = "/zstack/v1/iam2/virtual-ids/894f1c5bf6714a76b08324c69b8cac7c"
		awxAuth = "Authorization: Bearer awx-admin-token"
		vsAuth  = "Authorization: Basic cm9vdDpWTXdhcmUxIQ==" // root:VMware1!
		json    = "Content-Type: application/json"
	)
	type call struct {
		method, path, auth string
		body               any
		status             int
	}
	for _, fam := range []struct {
		name   string
		writes []call
		probes []call // GETs whose bodies a's writes change
	}{
		{"avisi", []call{
			{"PATCH", prodAWS, admin, map[string]any{"displayName": "renamed"}, 200},
			{"DELETE", onprem, admin, nil, 204},
			{"POST", acme, admin, account("fork-new"), 200},
		}, []call{
			{"GET", prodAWS, admin, nil, 0},
			{"GET", onprem, admin, nil, 0},
			{"GET", acme + "?displayName=fork-new", admin, nil, 0},
			{"GET", acme + "?displayName=renamed", admin, nil, 0},
		}},
		{"zstack", []call{
			{"PUT", alice + "/actions", zs, map[string]any{"updateIAM2VirtualID": map[string]any{"name": "alice2"}}, 200},
			{"DELETE", "/zstack/v1/iam2/virtual-ids/5c6e4d2f0a1b4c3d9e8f7a6b5c4d3e2f", zs, nil, 200},
			{"POST", alice + "/attributes", zs, map[string]any{"params": map[string]any{"attributes": []any{map[string]any{"name": "team", "value": "fork"}}}}, 200},
			{"POST", "/zstack/v1/iam2/virtual-ids", zs, map[string]any{"params": map[string]any{"name": "fork-new", "password": "x"}}, 200},
		}, []call{
			{"GET", alice, zs, nil, 0},
			{"GET", "/zstack/v1/iam2/virtual-ids?q=name=fork-new", zs, nil, 0},
			{"GET", "/zstack/v1/iam2/virtual-ids/5c6e4d2f0a1b4c3d9e8f7a6b5c4d3e2f", zs, nil, 0},
			{"GET", "/zstack/v1/iam2/virtual-ids/attributes?q=virtualIDUuid=894f1c5bf6714a76b08324c69b8cac7c", zs, nil, 0},
		}},
		{"awx", []call{
			{"PATCH", "/api/v2/users/2/", awxAuth, map[string]any{"first_name": "Forked"}, 200},
			{"DELETE", "/api/v2/credentials/1/", awxAuth, nil, 204},
			{"POST", "/api/v2/users/", awxAuth, map[string]any{"username": "fork-new", "password": "Fork-pass-1"}, 201},
		}, []call{
			{"GET", "/api/v2/users/2/", awxAuth, nil, 0},
			{"GET", "/api/v2/credentials/1/", awxAuth, nil, 0},
			{"GET", "/api/v2/users/?username=fork-new", awxAuth, nil, 0},
			{"GET", "/api/v2/credentials/?order_by=name", awxAuth, nil, 0},
			{"GET", "/api/v2/credentials/1/object_roles/", awxAuth, nil, 0},
		}},
		{"vsphere", []call{
			{"PATCH", "/api/appliance/local-accounts/backup", vsAuth, map[string]any{"full_name": "Forked"}, 204},
			{"DELETE", "/api/appliance/local-accounts/ops", vsAuth, nil, 204},
		}, []call{
			{"GET", "/api/appliance/local-accounts/backup", vsAuth, nil, 0},
			{"GET", "/api/appliance/local-accounts/ops", vsAuth, nil, 0},
			{"GET", "/api/appliance/local-accounts", vsAuth, nil, 0},
		}},
	} {
		t.Run(fam.name, func(t *testing.T) {
			srv := start(t, emulator.WithScenario("default"))
			read := func(sandbox string) []string {
				var out []string
				for _, p := range fam.probes {
					r := srv.Sandbox(sandbox).Do(p.method, p.path, nil, p.auth)
					out = append(out, fmt.Sprint(r.Status, " ", string(r.Body)))
				}
				return out
			}
			world := read("b")
			for _, w := range fam.writes {
				r := srv.Sandbox("a").Do(w.method, w.path, w.body, w.auth, json)
				if r.Status != w.status {
					t.Fatalf("%s %s in a: %d %s", w.method, w.path, r.Status, r.Body)
				}
			}
			written := read("a")
			for i := range world {
				if world[i] == written[i] {
					t.Errorf("a's writes did not change %s", fam.probes[i].path)
				}
			}
			for _, sb := range []string{"b", "c", ""} {
				if diff := cmp.Diff(world, read(sb)); diff != "" {
					t.Errorf("sandbox %q sees a's writes (-world +got):\n%s", sb, diff)
				}
			}
			want(t, srv.Sandbox("a").Do("POST", "/_emulator/reset", nil), 200)
			if diff := cmp.Diff(world, read("a")); diff != "" {
				t.Errorf("a after a reset (-world +got):\n%s", diff)
			}
		})
	}
}
