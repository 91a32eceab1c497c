package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// TestCoverageMerge runs credemu coverage merge on the reports of two
// servers, as a CI job would on those of two replicas.
func TestCoverageMerge(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, n := range []int{1, 2} {
		srv := emulatortest.Start(t)
		for range n {
			srv.Do("GET", "/api/v2/ping/", nil).Want(t, 200)
		}
		var buf bytes.Buffer
		if err := srv.Emu.Coverage().WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, "replica"+string(rune('a'+i))+".json")
		if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var out, errb bytes.Buffer
	if code := run(append([]string{"coverage", "merge"}, files...), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep emulator.CoverageReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	pings := 0
	for _, a := range rep.APIs {
		for _, o := range a.Operations {
			if a.API == "awx" && o.Operation == "ping" {
				pings = o.Calls
			}
		}
	}
	if pings != 3 {
		t.Errorf("merged ping calls = %d, want 3", pings)
	}
	// JUnit, to a file.
	xml := filepath.Join(dir, "merged.xml")
	out.Reset()
	if code := run(append([]string{"coverage", "merge", "--format", "junit", "--out", xml}, files...), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if data, _ := os.ReadFile(xml); !strings.Contains(string(data), `name="ping"`) || !strings.Contains(string(data), "3 calls") {
		t.Errorf("junit report lacks ping's 3 calls:\n%s", data)
	}

	junk := filepath.Join(dir, "junk.json")
	if err := os.WriteFile(junk, []byte(`{"operations": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"coverage"}, 2, "want the subcommand merge"},
		{[]string{"coverage", "merge"}, 2, "no report files"},
		{[]string{"coverage", "merge", "--format", "xml", files[0]}, 2, "--format"},
		{[]string{"coverage", "merge", files[0], junk}, 1, "junk.json: not a credemu coverage report"},
		{[]string{"coverage", "merge", filepath.Join(dir, "missing.json")}, 1, "missing.json"},
		{[]string{"coverage", "merge", xml}, 1, "merged.xml: not a credemu coverage report"},
	} {
		out.Reset()
		errb.Reset()
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
}
