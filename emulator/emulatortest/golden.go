package emulatortest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
)

// update rewrites golden files instead of comparing with them:
// go test ./emulator/... -update (or make update-golden).
var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Random names a dotted path into a JSON body (e.g. "inventory.uuid") whose
// string value is random on every run (session tokens, job ids): Golden
// writes "<random>" in its place, wherever that value appears.
type Random string

// Golden compares a JSON response body with testdata/golden/<name>.json
// beside the test (in the package that owns the behaviour), indented for
// reading. With -update it writes the file instead. Key order is kept: it
// is part of what clients see.
func Golden(t testing.TB, name string, got []byte, random ...Random) {
	t.Helper()
	GoldenAt(t, filepath.Join("testdata", "golden", name+".json"), got, random...)
}

// GoldenAt is Golden with the file's path given, for a golden file that no
// one package owns (the repository's testdata/).
func GoldenAt(t testing.TB, path string, got []byte, random ...Random) {
	t.Helper()
	for _, p := range random {
		got = maskRandom(t, got, string(p))
	}
	var buf bytes.Buffer
	if len(bytes.TrimSpace(got)) > 0 {
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatalf("golden %s: response is not JSON: %v\n%s", path, err, got)
		}
	}
	buf.WriteByte('\n')
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
		t.Fatalf("golden %s: %v (run with -update to create it)", path, err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("golden %s mismatch (-want +got):\n%s", path, diff)
	}
}

// maskRandom replaces every occurrence of the string at path with a marker,
// working on the raw bytes so that key order is kept.
func maskRandom(t testing.TB, body []byte, path string) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("golden: body is not JSON: %v", err)
	}
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("golden: no %q in the body", path)
		}
		v = m[key]
	}
	s, ok := v.(string)
	if !ok || s == "" {
		t.Fatalf("golden: %q is not a non-empty string: %v", path, v)
	}
	quoted, _ := json.Marshal(s)
	return bytes.ReplaceAll(body, quoted, []byte(`"<random>"`))
}

// GoldenCase is one row of a golden-file table: a request, the status it
// must get, and the golden file (Name) its body must match.
type GoldenCase struct {
	Name   string
	Method string
	Path   string
	Body   any
	// Auth is one "Name: value" header line ("" sends none).
	Auth   string
	Status int
}

// Case is a GoldenCase, for tables of positional rows.
func Case(name, method, path string, body any, auth string, status int) GoldenCase {
	return GoldenCase{Name: name, Method: method, Path: path, Body: body, Auth: auth, Status: status}
}

// RunGolden runs each case as a subtest on a server of its own from start,
// checks the status and compares the body with testdata/golden/<Name>.json.
func RunGolden(t *testing.T, start func(*testing.T, ...emulator.Option) *Server, cases []GoldenCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			srv := start(t)
			var h []string
			if tc.Auth != "" {
				h = append(h, tc.Auth)
			}
			r := srv.Do(tc.Method, tc.Path, tc.Body, h...)
			r.Want(t, tc.Status)
			Golden(t, tc.Name, r.Body)
		})
	}
}
