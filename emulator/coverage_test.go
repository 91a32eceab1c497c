package emulator_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// calls returns operation → calls of the APIs' non-zero entries.
func calls(rep emulator.CoverageReport) map[string]int {
	out := map[string]int{}
	for _, a := range rep.APIs {
		for _, o := range a.Operations {
			if o.Calls > 0 {
				out[a.API+"/"+o.Operation] = o.Calls
			}
		}
	}
	return out
}

func coverageOf(t *testing.T, r *emulatortest.Response) emulator.CoverageReport {
	t.Helper()
	r.Want(t, 200)
	var rep emulator.CoverageReport
	if err := json.Unmarshal(r.Body, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestSandboxCoverage: ?scope=sandbox counts one sandbox's calls, which is
// what a CI job behind a proxy of several replicas asks for; without it the
// server's counts (every sandbox) answer, as before.
func TestSandboxCoverage(t *testing.T) {
	srv := emulatortest.Start(t)
	a, b := srv.Sandbox("job-a"), srv.Sandbox("job-b")
	const awxAdmin = "Authorization: Basic YWRtaW46cGFzc3dvcmQ="
	a.Do("GET", "/api/v2/ping/", nil).Want(t, 200)
	a.Do("GET", "/api/v2/users/", nil, awxAdmin).Want(t, 200)
	b.Do("GET", "/api/v2/ping/", nil).Want(t, 200)
	b.Do("GET", "/api/v2/users/999/", nil, awxAdmin).Want(t, 404)

	tests := []struct {
		name string
		srv  *emulatortest.Server
		path string
		want map[string]int
	}{
		{"server", a, "/_emulator/coverage", map[string]int{"awx/ping": 2, "awx/listUsers": 1, "awx/getUser": 1}},
		{"server named", b, "/_emulator/coverage?scope=server", map[string]int{"awx/ping": 2, "awx/listUsers": 1, "awx/getUser": 1}},
		{"sandbox a", a, "/_emulator/coverage?scope=sandbox", map[string]int{"awx/ping": 1, "awx/listUsers": 1}},
		{"sandbox b", b, "/_emulator/coverage?scope=sandbox", map[string]int{"awx/ping": 1, "awx/getUser": 1}},
		{"default sandbox", srv, "/_emulator/coverage?scope=sandbox", map[string]int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := coverageOf(t, tc.srv.Do("GET", tc.path, nil))
			if diff := cmp.Diff(tc.want, calls(rep)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// Every operation is listed either way, so a never-called list
			// is as long in a sandbox's report as in the server's.
			if n := len(rep.APIs); n != 4 {
				t.Errorf("%d APIs listed, want 4", n)
			}
		})
	}
	// A sandbox's statuses are its own.
	for _, api := range coverageOf(t, b.Do("GET", "/_emulator/coverage?scope=sandbox", nil)).APIs {
		for _, o := range api.Operations {
			if o.Operation == "getUser" && !cmp.Equal(o.Statuses, map[string]int{"404": 1}) {
				t.Errorf("getUser statuses %v, want one 404", o.Statuses)
			}
		}
	}
	// A dropped sandbox starts over when it is made again.
	srv.Emu.DropSandbox("job-a")
	if got := calls(coverageOf(t, a.Do("GET", "/_emulator/coverage?scope=sandbox", nil))); len(got) != 0 {
		t.Errorf("re-made sandbox has counts %v", got)
	}
	if got := calls(srv.Emu.Coverage()); got["awx/ping"] != 2 {
		t.Errorf("server counts lost with the sandbox: %v", got)
	}
	r := srv.Do("GET", "/_emulator/coverage?scope=replica", nil)
	r.Want(t, 400)
	// DELETE clears both.
	srv.Do("DELETE", "/_emulator/coverage", nil).Want(t, 204)
	if got := calls(coverageOf(t, b.Do("GET", "/_emulator/coverage?scope=sandbox", nil))); len(got) != 0 {
		t.Errorf("cleared, but sandbox b has %v", got)
	}
}

// TestMergeCoverage sums the reports of several servers.
func TestMergeCoverage(t *testing.T) {
	one, two := emulatortest.Start(t), emulatortest.Start(t)
	one.Do("GET", "/api/v2/ping/", nil).Want(t, 200)
	two.Do("GET", "/api/v2/ping/", nil).Want(t, 200)
	two.Do("GET", "/api/v2/ping/", nil).Want(t, 200)
	two.Do("GET", "/api/v2/users/", nil).Want(t, 401)
	merged := emulator.MergeCoverage(one.Emu.Coverage(), two.Emu.Coverage())
	if diff := cmp.Diff(map[string]int{"awx/ping": 3, "awx/listUsers": 1}, calls(merged)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Merging one report gives it back.
	asJSON := func(r emulator.CoverageReport) string {
		b, err := json.MarshalIndent(r, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if diff := cmp.Diff(asJSON(one.Emu.Coverage()), asJSON(emulator.MergeCoverage(one.Emu.Coverage()))); diff != "" {
		t.Errorf("merge of one report differs (-want +got):\n%s", diff)
	}
	for _, a := range merged.APIs {
		for _, o := range a.Operations {
			if o.Operation == "listUsers" && o.Statuses["401"] != 1 {
				t.Errorf("listUsers statuses %v", o.Statuses)
			}
		}
		for _, n := range a.NeverCalled {
			if n == "ping" || n == "listUsers" {
				t.Errorf("%s listed as never called", n)
			}
		}
	}
}
