package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(good, []byte("name: good\ninclude: [fixtures/avisi/cloud-profiles.yaml]\n"), 0o644)
	_ = os.WriteFile(bad, []byte("name: bad\nbogus: 1\navisi:\n  organisations: [{slug: UPPER}]\n"), 0o644)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no command", nil, 2, "", "Usage:"},
		{"unknown command", []string{"explode"}, 2, "", `unknown command "explode"`},
		{"help", []string{"--help"}, 0, "credemu serve", ""},
		{"version", []string{"version"}, 0, "credemu dev", ""},
		{"serve help", []string{"serve", "--help"}, 0, "", "-scenario"},
		{"serve bad flag", []string{"serve", "--nope"}, 2, "", "flag provided but not defined"},
		{"serve extra args", []string{"serve", "extra"}, 2, "", "unexpected arguments"},
		{"serve bad log format", []string{"serve", "--log-format", "xml"}, 2, "", "--log-format"},
		{"serve broken scenario", []string{"serve", "--scenario", bad}, 1, "", "bad.yaml:2:1: unknown key"},
		{"serve missing scenario", []string{"serve", "--scenario", "nonesuch"}, 1, "", "no built-in scenario"},
		{"validate nothing", []string{"validate"}, 2, "", "name at least one"},
		{"validate good", []string{"validate", good}, 0, "good.yaml: ok", ""},
		{"validate bad lists all", []string{"validate", good, bad}, 1, "good.yaml: ok", "bad.yaml:4:"},
		{"validate missing file", []string{"validate", filepath.Join(dir, "none.yaml")}, 1, "", "no such file"},
		{"scenarios", []string{"scenarios"}, 0, "large", ""},
		{"bad coverage format", []string{"serve", "--coverage-format", "xml"}, 2, "", "--coverage-format"},
		{"watch needs a file", []string{"serve", "--watch"}, 2, "", "--watch needs --scenario to name a file"},
		{"healthcheck of nothing", []string{"healthcheck", "--url", "http://127.0.0.1:1"}, 1, "", "healthcheck"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout %q lacks %q", out.String(), tc.stdout)
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.stderr)
			}
		})
	}
}

// TestServeShutsDownOnSignal builds the real binary, serves, answers a
// request and exits 0 on SIGTERM.
func TestServeShutsDownOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "credemu")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	covFile := filepath.Join(t.TempDir(), "coverage.xml")
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--coverage-out", covFile, "--coverage-format", "junit")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no banner: %v; stderr: %s", err, stderr.String())
	}
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	if url == "" {
		t.Fatalf("banner without URL: %q", line)
	}
	resp, err := http.Get(url + "/_emulator/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", err, resp)
	}
	resp.Body.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"healthcheck", "--url", url}, &out, &errb); code != 0 || !strings.Contains(out.String(), "healthy") {
		t.Errorf("healthcheck: exit %d %s %s", code, out.String(), errb.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not exit after SIGTERM")
	}
	if !strings.Contains(stderr.String(), `"msg":"shutting down"`) {
		t.Errorf("no JSON shutdown log: %s", stderr.String())
	}
	cov, err := os.ReadFile(covFile)
	if err != nil || !strings.Contains(string(cov), `<testsuite name="avisi"`) || !strings.Contains(string(cov), `never called`) {
		t.Errorf("coverage file: %v\n%s", err, cov)
	}
}
