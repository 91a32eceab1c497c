package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScaleShort is make scale-test's short version: 3 replicas, 40
// sandboxes, every check. It needs Debian's haproxy; CI installs it (make
// haproxy-deps) and sets CREDEMU_REQUIRE_HAPROXY so that it cannot skip.
func TestScaleShort(t *testing.T) {
	hap, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CREDEMU_REQUIRE_HAPROXY") != "" {
			t.Fatal("haproxy is not installed, and CREDEMU_REQUIRE_HAPROXY is set (make haproxy-deps installs it)")
		}
		t.Skip("haproxy is not installed (make haproxy-deps)")
	}
	bin := filepath.Join(t.TempDir(), "credemu")
	build := exec.Command("go", "build", "-o", bin, "./cmd/credemu")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var out bytes.Buffer
	passed, failed, err := run(config{binary: bin, haproxy: hap, template: "../../deploy/haproxy/haproxy.cfg", sandboxes: 40, replicas: 3, out: &out})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if failed != 0 || passed != 7 {
		t.Errorf("%d passed, %d failed; want 7 passed", passed, failed)
	}
}

// TestRenderConfig: the shipped file renders with one server line per
// replica in both backends; a file without the marked blocks is refused,
// since it and this program would have drifted apart.
func TestRenderConfig(t *testing.T) {
	c := &cluster{cfg: config{template: "../../deploy/haproxy/haproxy.cfg"}, front: "127.0.0.1:9999",
		replicas: []*replica{{name: "credemu1", addr: "127.0.0.1:1"}, {name: "credemu2", addr: "127.0.0.1:2"}}}
	text, err := c.renderConfig()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"bind 127.0.0.1:9999",
		"server credemu1 127.0.0.1:1\n",
		"server credemu2 127.0.0.1:2 track credemu_sandboxes/credemu2",
		"inter 100ms fall 3 rise 1",
		"balance hdr(X-Emulator-Sandbox)",
		"hash-type consistent",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered config lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "credemu3") {
		t.Error("rendered config keeps the shipped third server")
	}
	broken := filepath.Join(t.TempDir(), "haproxy.cfg")
	data, _ := os.ReadFile(c.cfg.template)
	if err := os.WriteFile(broken, bytes.ReplaceAll(data, []byte("# servers:end"), nil), 0o644); err != nil {
		t.Fatal(err)
	}
	c.cfg.template = broken
	if _, err := c.renderConfig(); err == nil || !strings.Contains(err.Error(), "servers:begin") {
		t.Errorf("config without its servers block: %v", err)
	}
}

// TestCLIUsage: bad flags exit 2 before anything starts.
func TestCLIUsage(t *testing.T) {
	for _, args := range [][]string{{"--sandboxes", "5"}, {"--replicas", "1"}, {"extra"}, {"--nope"}} {
		var out, errb bytes.Buffer
		if code := cli(args, &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
