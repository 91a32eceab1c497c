package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStateFileThroughTheBinary keeps a world across a restart of the real
// binary: SIGTERM writes the state file, the next start comes from it,
// credemu snapshot prints the same world, and a broken file stops the
// start with its file and line, untouched.
func TestStateFileThroughTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	state := filepath.Join(dir, "state.yaml")
	urls, stop := startBinary(t, "serve", "--addr", "127.0.0.1:0", "--state-file", state)
	req, _ := http.NewRequest("POST", urls[0]+"/api/v1/orgs/acme/cloud-accounts",
		strings.NewReader(`{"displayName": "kept-across-restarts", "cloudProfile": "aws-eu-west-1"}`))
	req.Header.Set("Authorization", "Token admin-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("create: %v %v", err, resp)
	}
	resp.Body.Close()
	if stderr, err := stop(); err != nil {
		t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, stderr)
	}
	saved, err := os.ReadFile(state)
	if err != nil || !bytes.Contains(saved, []byte("kept-across-restarts")) {
		t.Fatalf("state file after SIGTERM: %v\n%.300s", err, saved)
	}

	urls, stop = startBinary(t, "serve", "--addr", "127.0.0.1:0", "--state-file", state)
	out := filepath.Join(dir, "snap.yaml")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"snapshot", "--url", urls[0], "--out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("credemu snapshot: exit %d: %s", code, stderr.String())
	}
	snap, _ := os.ReadFile(out)
	if !bytes.Contains(snap, []byte("kept-across-restarts")) {
		t.Errorf("snapshot of the restarted server lacks the account:\n%.300s", snap)
	}
	if info, _ := os.Stat(out); info.Mode().Perm() != 0o600 {
		t.Errorf("snapshot file mode %v, want 0600", info.Mode().Perm())
	}
	stdout.Reset()
	if code := run([]string{"validate", out}, &stdout, &stderr); code != 0 {
		t.Errorf("credemu validate refuses a snapshot: %s %s", stdout.String(), stderr.String())
	}
	if code := run([]string{"snapshot", "--url", urls[0], "--sandbox", "bad name!"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "answered 400") {
		t.Errorf("snapshot of an invalid sandbox: exit %d: %s", code, stderr.String())
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}

	broken := []byte("seed: 1\nawx:\n  snapshot:\n    users: {}\n")
	if err := os.WriteFile(state, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"serve", "--addr", "127.0.0.1:0", "--state-file", state}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), state+":4:") {
		t.Errorf("serve on a broken state file: exit %d: %s", code, stderr.String())
	}
	if got, _ := os.ReadFile(state); !bytes.Equal(got, broken) {
		t.Error("a refused state file was changed")
	}
	if code := run([]string{"serve", "--state-save-interval", "1m"}, &stdout, &stderr); code != 2 {
		t.Errorf("--state-save-interval without --state-file: exit %d", code)
	}
}
