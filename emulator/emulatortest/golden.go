package emulatortest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites golden files instead of comparing with them:
// go test ./emulator/... -update (or make update-golden).
var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Golden compares a JSON response body with testdata/golden/<name>.json at
// the repository root, indented for reading. With -update it writes the
// file instead. Key order is kept: it is part of what clients see.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if len(bytes.TrimSpace(got)) == 0 {
		buf.WriteString("")
	} else if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("golden %s: response is not JSON: %v\n%s", name, err, got)
	}
	buf.WriteByte('\n')
	path := filepath.Join(repoRoot(t), "testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update to create it)", name, err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("golden %s mismatch (-want +got):\n%s", name, diff)
	}
}

func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("golden: no go.mod above the test's directory")
		}
		dir = parent
	}
}
