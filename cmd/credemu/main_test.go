package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator"
)

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(good, []byte("name: good\ninclude: [fixtures/avisi/cloud-profiles.yaml]\n"), 0o644)
	_ = os.WriteFile(bad, []byte("name: bad\nbogus: 1\navisi:\n  organisations: [{slug: UPPER}]\n"), 0o644)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	inUse := taken.Addr().String()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no command", nil, 2, "", "Usage:"},
		{"unknown command", []string{"explode"}, 2, "", "unknown command \"explode\"\nsee 'credemu --help'"},
		{"help", []string{"--help"}, 0, "credemu serve", ""},
		{"version", []string{"version"}, 0, "credemu dev", ""},
		{"serve help", []string{"serve", "--help"}, 0, "--scenario", ""},
		{"serve help groups", []string{"serve", "--help"}, 0, "\nListening:\n", ""},
		{"serve help examples", []string{"serve", "--help"}, 0, "\nExamples:\n  credemu serve ", ""},
		{"serve bad flag", []string{"serve", "--nope"}, 2, "", "credemu serve: flag provided but not defined: --nope\nsee 'credemu serve --help'\n"},
		{"serve bad value", []string{"serve", "--max-sandboxes", "many"}, 2, "", "see 'credemu serve --help'"},
		{"serve extra args", []string{"serve", "extra"}, 2, "", "unexpected arguments"},
		{"serve bad log format", []string{"serve", "--log-format", "xml"}, 2, "", "--log-format"},
		{"serve broken scenario", []string{"serve", "--scenario", bad}, 1, "", "bad.yaml:2:1: unknown key"},
		{"serve unknown scenario", []string{"serve", "--scenario", "nonesuch"}, 2, "", "no built-in scenario \"nonesuch\""},
		{"serve on an address in use", []string{"serve", "--addr", inUse}, 1, "", "address already in use"},
		{"serve broken scenario on an address in use", []string{"serve", "--addr", inUse, "--scenario", bad}, 1, "", "bad.yaml:2:1: unknown key"},
		{"serve unknown scenario on an address in use", []string{"serve", "--addr", inUse, "--scenario", "nonesuch"}, 2, "", "no built-in scenario \"nonesuch\""},
		{"serve missing scenario file", []string{"serve", "--scenario", filepath.Join(dir, "none.yaml")}, 2, "", "does not exist"},
		{"operations", []string{"operations"}, 0, "awx      createUserCredential", ""},
		{"operations of one API", []string{"operations", "zstack"}, 0, "zstack  createVirtualID", ""},
		{"operations of no API", []string{"operations", "nope"}, 2, "", `no API "nope"`},
		{"operations bad format", []string{"operations", "--format", "xml"}, 2, "", "--format"},
		{"validate help", []string{"validate", "--help"}, 0, "Usage: credemu validate FILE...", ""},
		{"validate nothing", []string{"validate"}, 2, "", "name at least one"},
		{"validate good", []string{"validate", good}, 0, "good.yaml: ok", ""},
		{"validate bad lists all", []string{"validate", good, bad}, 1, "good.yaml: ok", "bad.yaml:4:"},
		{"validate missing file", []string{"validate", filepath.Join(dir, "none.yaml")}, 1, "", "no such file"},
		{"scenarios", []string{"scenarios"}, 0, "large", ""},
		{"bad coverage format", []string{"serve", "--coverage-format", "xml"}, 2, "", "--coverage-format"},
		{"watch needs a file", []string{"serve", "--watch"}, 2, "", "--watch needs --scenario to name a file"},
		{"tls key without cert", []string{"serve", "--tls-key", "k.pem"}, 2, "", "--tls-cert and --tls-key go together"},
		{"tls san without tls", []string{"serve", "--tls-san", "x"}, 2, "", "need --tls"},
		{"tls cert missing", []string{"serve", "--addr", "127.0.0.1:0", "--tls-cert", "nope.pem", "--tls-key", "nope.key"}, 1, "", "TLS certificate"},
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

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary builds the real binary once for the tests that run it.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "credemu-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "credemu")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// launch starts the binary with args, killed when the test ends, and
// returns its stdout to read and its stderr as collected.
func launch(t *testing.T, args ...string) (*exec.Cmd, io.Reader, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(buildBinary(t), args...)
	stdout, _ := cmd.StdoutPipe()
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, stdout, stderr
}

// startBinary runs the binary with args and returns the URLs of its banner
// (plain first) and a function that stops it with SIGTERM and waits.
func startBinary(t *testing.T, args ...string) (urls []string, stop func() (string, error)) {
	t.Helper()
	cmd, stdout, stderr := launch(t, args...)
	// One banner line per listener: the main one, then the HTTPS one of --tls-addr.
	lines := 1
	if slices.Contains(args, "--tls-addr") {
		lines = 2
	}
	rd := bufio.NewReader(stdout)
	urlRE := regexp.MustCompile(`https?://127\.0\.0\.1:\d+`)
	for range lines {
		line, err := rd.ReadString('\n')
		if err != nil {
			break
		}
		if u := urlRE.FindString(line); u != "" {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		t.Fatalf("no banner; stderr: %s", stderr.String())
	}
	return urls, func() (string, error) {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return stderr.String(), err
		case <-time.After(2 * time.Minute): // bounds a server that ignores SIGTERM
			return stderr.String(), fmt.Errorf("did not exit after SIGTERM")
		}
	}
}

// TestServeTLS serves plain HTTP and HTTPS from one process with a
// generated certificate, and checks that clients trusting the written CA
// get through on HTTP/2, that the extra name is covered, and that
// healthcheck works against the HTTPS listener.
func TestServeTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	urls, stop := startBinary(t, "serve", "--addr", "127.0.0.1:0", "--tls-addr", "127.0.0.1:0",
		"--tls-san", "emu.test,10.9.8.7", "--tls-ca-out", ca, "--scenario", "empty")
	if len(urls) != 2 || !strings.HasPrefix(urls[0], "http://") || !strings.HasPrefix(urls[1], "https://") {
		t.Fatalf("banner URLs: %v", urls)
	}
	plain, secure := urls[0], urls[1]
	pemData, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatal("--tls-ca-out wrote no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := client.Get(secure + "/_emulator/health")
	if err != nil {
		t.Fatalf("HTTPS with the written CA: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Errorf("HTTPS health: %d over %s, want 200 over HTTP/2", resp.StatusCode, resp.Proto)
	}
	if resp, err := http.Get(plain + "/_emulator/health"); err != nil || resp.StatusCode != 200 {
		t.Errorf("plain listener: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}
	// The generated certificate covers the extra names, and only those.
	host := strings.TrimPrefix(secure, "https://")
	for name, want := range map[string]bool{"emu.test": true, "localhost": true, "other.test": false} {
		conn, err := tls.Dial("tcp", host, &tls.Config{RootCAs: pool, ServerName: name})
		if err == nil {
			conn.Close()
		}
		if (err == nil) != want {
			t.Errorf("certificate for %s: err = %v, want ok=%v", name, err, want)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"healthcheck", "--url", secure, "--cacert", ca}, 0},
		{[]string{"healthcheck", "--url", secure, "--insecure"}, 0},
		{[]string{"healthcheck", "--url", secure}, 1},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s%s)", tc.args, code, tc.code, out.String(), errb.String())
		}
	}
	if _, err := exec.LookPath("curl"); err == nil {
		out, err := exec.Command("curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code} %{http_version}", secure+"/_emulator/health").CombinedOutput()
		if err != nil || string(out) != "200 2" {
			t.Errorf("curl --cacert: %v %q", err, out)
		}
	}
	if stderr, err := stop(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, stderr)
	}
}

// TestServeShutsDownOnSignal builds the real binary, serves, answers a
// request and exits 0 on SIGTERM.
func TestServeShutsDownOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	covFile := filepath.Join(t.TempDir(), "coverage.xml")
	urls, stop := startBinary(t, "serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--coverage-out", covFile, "--coverage-format", "junit",
		"--memory-limit", "256MiB")
	url := urls[0]
	resp, err := http.Get(url + "/_emulator/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", err, resp)
	}
	resp.Body.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"healthcheck", "--url", url}, &out, &errb); code != 0 || !strings.Contains(out.String(), "healthy") {
		t.Errorf("healthcheck: exit %d %s %s", code, out.String(), errb.String())
	}
	stderr, err := stop()
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, stderr)
	}
	if !strings.Contains(stderr, `"memory_limit":268435456`) {
		t.Errorf("--memory-limit not applied: %s", stderr)
	}
	if !strings.Contains(stderr, `"msg":"shutting down"`) {
		t.Errorf("no JSON shutdown log: %s", stderr)
	}
	cov, err := os.ReadFile(covFile)
	if err != nil || !strings.Contains(string(cov), `<testsuite name="avisi"`) || !strings.Contains(string(cov), `never called`) {
		t.Errorf("coverage file: %v\n%s", err, cov)
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"256MiB", 256 << 20, true},
		{"1GiB", 1 << 30, true},
		{"1.5G", 3 << 29, true},
		{"512MB", 512e6, true},
		{"2097152", 2 << 20, true},
		{" 64 mib ", 64 << 20, true},
		{"", 0, false},
		{"lots", 0, false},
		{"12XB", 0, false},
		{"-1GiB", 0, false},
		{"10KiB", 0, false}, // below 1 MiB: a typo, not a limit
	}
	for _, tc := range tests {
		got, err := parseByteSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestMemoryLimitFlag: a bad size is a usage error (exit 2) naming the
// flag; a good one is accepted (the server then starts as usual).
func TestMemoryLimitFlag(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"serve", "--memory-limit", "lots"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--memory-limit") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestGCPercent: --gc-percent wins, then $GOGC (left to the runtime),
// then credemu's default, the only one with a floor; a bad value is a
// usage error naming the flag.
func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		flag, env string
		want      gcPolicy
		bad       bool
	}{
		{"", "", gcPolicy{defaultGCPercent, defaultGCFloor}, false},
		{"", "200", gcPolicy{}, false},
		{"75", "200", gcPolicy{percent: 75}, false},
		{"50", "", gcPolicy{percent: 50}, false},
		{"off", "", gcPolicy{percent: -1}, false},
		{"0", "", gcPolicy{}, true},
		{"-5", "", gcPolicy{}, true},
		{"lots", "", gcPolicy{}, true},
	} {
		got, err := gcTarget(c.flag, c.env)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("gcTarget(%q, %q) = %+v, %v; want %+v (error: %v)", c.flag, c.env, got, err, c.want, c.bad)
		}
	}
	var out, errb strings.Builder
	if code := run([]string{"serve", "--gc-percent", "0"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--gc-percent") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestTunedPercent: the floor raises the percent while the live heap is
// small, never past the cap, and never lowers it below the base.
func TestTunedPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		base        int
		floor, live uint64
		want        int
	}{
		{50, 16 * mib, 2 * mib, 800},
		{50, 16 * mib, 3 * mib, 534}, // rounded up: 533 leaves a little under 16 MiB
		{50, 16 * mib, 32 * mib, 50},
		{50, 16 * mib, 200 * mib, 50},
		{50, 16 * mib, 1000, maxTunedPercent},
		{50, 16 * mib, 0, maxTunedPercent},
		{50, 0, 2 * mib, 50},
		{-1, 16 * mib, 2 * mib, -1},
		{200, 16 * mib, 16 * mib, 200},
	} {
		if got := tunedPercent(c.base, c.floor, c.live); got != c.want {
			t.Errorf("tunedPercent(%d, %d, %d) = %d; want %d", c.base, c.floor, c.live, got, c.want)
		}
	}
}

// gogc is the collector's current target as the runtime reports it.
func gogc() int64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// waitGOGC collects until the runtime's target is what ok wants or ten
// seconds pass, and returns the target it saw last.
func waitGOGC(ok func(int64) bool) int64 {
	deadline := time.Now().Add(10 * time.Second)
	for !ok(gogc()) && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	return gogc()
}

// TestStartupGC: the collector is off while the server starts and the
// target comes back when start-up is done, or as soon as the heap passes
// the ceiling; with no target set, the runtime's own comes back.
func TestStartupGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	c := startupGC(gcPolicy{percent: 75}, 1<<40)
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("during start-up the target is %d; want off", got)
	}
	c.started()
	c.started()
	if got := gogc(); got != 75 {
		t.Errorf("after start-up the target is %d; want 75", got)
	}
	c.stop()

	c = startupGC(gcPolicy{}, 1<<20)
	defer c.stop()
	if got := debug.SetMemoryLimit(-1); got != 1<<20 {
		t.Errorf("during start-up the memory limit is %d; want the 1 MiB ceiling", got)
	}
	keep := make([][]byte, 0, 64)
	deadline := time.Now().Add(10 * time.Second)
	for gogc() != 75 && time.Now().Before(deadline) {
		if len(keep) < cap(keep) {
			keep = append(keep, make([]byte, 256<<10))
		}
		time.Sleep(time.Millisecond)
	}
	if got := gogc(); got != 75 {
		t.Errorf("with %d KiB on the heap the target is still %d; want 75 back past a 1 MiB ceiling", len(keep)*256, got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("after start-up the memory limit is %d; want none again", got)
	}
}

// TestStartupGCKeepsALowerLimit: a memory limit below the ceiling (from
// --memory-limit or GOMEMLIMIT) holds through start-up and after it; one
// above it is lowered to the ceiling only while the server starts.
func TestStartupGCKeepsALowerLimit(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tc := range []struct{ limit, during int64 }{
		{256 << 20, 64 << 20},
		{32 << 20, 32 << 20},
	} {
		debug.SetMemoryLimit(tc.limit)
		c := startupGC(gcPolicy{percent: 75}, 64<<20)
		if got := debug.SetMemoryLimit(-1); got != tc.during {
			t.Errorf("limit %d MiB: during start-up it is %d MiB; want %d", tc.limit>>20, got>>20, tc.during>>20)
		}
		c.started()
		if got := debug.SetMemoryLimit(-1); got != tc.limit {
			t.Errorf("limit %d MiB: after start-up it is %d MiB; want it back", tc.limit>>20, got>>20)
		}
		c.stop()
	}
}

// TestStartupGCHandsOverAboveTheHeap: start-up fills the heap with the
// collector off; with a floor, the target it hands over puts the next
// collection's goal about the floor above what the heap holds, so that no
// collection starts beside the first requests. A percent without a floor
// is handed over as given.
func TestStartupGCHandsOverAboveTheHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const floor = 16 << 20
	c := startupGC(gcPolicy{percent: 50, floor: floor}, 1<<40)
	keep := make([][]byte, 48)
	for i := range keep {
		keep[i] = make([]byte, 256<<10) // 12 MiB filled while starting
	}
	c.started()
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if goal, heap := s[0].Value.Uint64(), s[1].Value.Uint64(); goal < heap+floor*9/10 {
		t.Errorf("after start-up the heap goal is %d MiB with %d MiB on the heap; want about the %d MiB floor above it", goal>>20, heap>>20, floor>>20)
	}
	runtime.KeepAlive(keep)
	c.stop()

	c = startupGC(gcPolicy{percent: 60}, 1<<40)
	c.started()
	if got := gogc(); got != 60 {
		t.Errorf("a percent with no floor was handed over as %d; want 60", got)
	}
	c.stop()
}

// TestGCFloor: with a floor, each collection retunes the target to leave
// the floor's headroom over what it found live: far above the base under
// this test's few MiB, the base itself once the live heap is many times
// the floor, and the floor's again when that heap is let go. A percent
// without a floor is never retuned, and a stopped control no longer
// retunes.
func TestGCFloor(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const floor = 8 << 20
	c := startupGC(gcPolicy{percent: 60, floor: floor}, 1<<40)
	c.started()
	if got := waitGOGC(func(p int64) bool { return p >= 100 }); got < 100 {
		t.Fatalf("with a %d-byte floor the target is %d; want it raised well over 60", floor, got)
	}
	keep := make([][]byte, 192)
	for i := range keep {
		keep[i] = make([]byte, 256<<10) // 48 MiB live: the floor is a sixth of it
	}
	if got := waitGOGC(func(p int64) bool { return p == 60 }); got != 60 {
		t.Errorf("with 48 MiB live the target is %d; want the base, 60", got)
	}
	runtime.KeepAlive(keep)
	keep = nil
	if got := waitGOGC(func(p int64) bool { return p >= 100 }); got < 100 {
		t.Errorf("with the 48 MiB let go the target is %d; want it raised again", got)
	}
	c.stop()
	if got := gogc(); got != 60 {
		t.Errorf("after stop the target is %d; want the policy's 60 back", got)
	}
	debug.SetGCPercent(60)
	runtime.GC()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := gogc(); got != 60 {
		t.Errorf("after stop the target moved to %d; want 60 left alone", got)
	}

	c = startupGC(gcPolicy{percent: 60}, 1<<40)
	c.started()
	defer c.stop()
	runtime.GC()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := gogc(); got != 60 {
		t.Errorf("a percent with no floor was retuned to %d", got)
	}
}

// writeCounter records each write it is given.
type writeCounter struct{ writes []string }

func (c *writeCounter) Write(p []byte) (int, error) {
	c.writes = append(c.writes, string(p))
	return len(p), nil
}

// TestBannerWrites: the text banner goes out in two writes, the lines
// scripts read first (the address, then with --tls-addr the HTTPS one),
// and the per-API greetings in one more, as each write to a pipe wakes a
// client that is about to call the address.
func TestBannerWrites(t *testing.T) {
	srv, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	var c writeCounter
	banner{scenario: "default", url: "http://127.0.0.1:1", tlsURL: "https://127.0.0.1:2", srv: srv}.write(&c, "text")
	if len(c.writes) != 2 {
		t.Fatalf("%d writes; want 2:\n%q", len(c.writes), c.writes)
	}
	if want := "serving scenario \"default\" on http://127.0.0.1:1 (control API: http://127.0.0.1:1/_emulator)\ncredemu serving HTTPS on https://127.0.0.1:2\n"; !strings.HasSuffix(c.writes[0], want) {
		t.Errorf("first write %q; want it to end %q", c.writes[0], want)
	}
	if !strings.Contains(c.writes[1], "\n  avisi    ") || !strings.Contains(c.writes[1], "\n  vsphere  ") || !strings.HasSuffix(c.writes[1], "stop with Ctrl-C\n") {
		t.Errorf("second write %q lacks the greetings", c.writes[1])
	}
}
