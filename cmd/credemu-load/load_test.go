package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestSoakShort is the short version of make soak that make test runs: a
// mixed load on every family with faults on, against 127.0.0.1, bounded by
// request counts rather than time, so that it does the same work and
// checks the same outcomes on a loaded machine as on an idle one.
func TestSoakShort(t *testing.T) {
	const (
		requests, resetEvery = 3000, 500
		maxSandboxes         = 20
	)
	counts := &hostileCounts{churn: maxSandboxes + 10, queries: 5, slowBodies: 2, escapes: 5, bigBodies: 16, inLists: 3, bombs: 2}
	rep, err := soakRun(context.Background(), soakConfig{
		requests: requests, concurrency: 4, resetEvery: resetEvery, hostile: true, hostileCounts: counts,
		maxSandboxes: maxSandboxes, sandboxIdle: time.Hour, readTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.requests != requests || rep.byStatus["transport error"] != 0 {
		t.Fatalf("soak: %+v", rep)
	}
	for status := range rep.byStatus {
		if strings.HasPrefix(status, "status 5") && status != "status 500" && status != "status 503" {
			t.Errorf("unexpected %s", status)
		}
	}
	if rep.resets != requests/resetEvery {
		t.Errorf("%d resets, want %d", rep.resets, requests/resetEvery)
	}
	// The hostile traffic met the limits: the first maxSandboxes new
	// sandboxes were made (and refused the unauthenticated call), every one
	// past the cap got 429, and stalled uploads were cut by the read timeout.
	want := map[string]int64{
		"sandbox churn: status 401":               maxSandboxes,
		"sandbox churn: status 429":               int64(counts.churn - maxSandboxes),
		"slow body: cut by the server":            int64(counts.slowBodies),
		"60 KiB query: status 200":                int64(counts.queries),
		"escaped slash: status 404":               int64(counts.escapes),
		"64 KiB body, no credentials: status 401": int64(counts.bigBodies),
		"9,000-value in-list: status 200":         int64(counts.inLists),
		"generate bomb: status 400":               int64(counts.bombs),
	}
	if diff := gocmp.Diff(want, rep.hostile); diff != "" {
		t.Errorf("hostile outcomes (-want +got):\n%s", diff)
	}
	var out bytes.Buffer
	rep.print(&out)
	if rep.warmMin <= 0 || rep.warmMax < rep.warmMin {
		t.Errorf("resident memory after warm-up not sampled: %d..%d kB", rep.warmMin, rep.warmMax)
	}
	for _, want := range []string{"requests", "p99", "resident memory", "sampled at every reset", "hostile traffic"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := soakRun(context.Background(), soakConfig{concurrency: 1}); err == nil {
		t.Error("a soak with neither a duration nor a count ran")
	}
}

// TestThroughputShort runs every throughput figure briefly, proving the
// harness (baseline server, request builders, status checks) works.
func TestThroughputShort(t *testing.T) {
	var out bytes.Buffer
	if err := throughputFigures(&out, 100*time.Millisecond, 2, regexp.MustCompile("")); err != nil {
		t.Fatal(err)
	}
	for _, f := range figures {
		if !strings.Contains(out.String(), f.name) {
			t.Errorf("no figure for %s:\n%s", f.name, out.String())
		}
	}
	// -only picks figures by name.
	out.Reset()
	if err := throughputFigures(&out, 50*time.Millisecond, 2, regexp.MustCompile("^vsphere")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "vsphere GET") || strings.Contains(out.String(), "avisi") {
		t.Errorf("-only ^vsphere:\n%s", out.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-concurrency", "0"}, &out, &errb); code != 2 {
		t.Errorf("bad flags: exit %d", code)
	}
	if code := run([]string{"-only", "("}, &out, &errb); code != 2 {
		t.Errorf("bad -only: exit %d", code)
	}
	if code := run([]string{"-h"}, &out, &errb); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
}

// TestCPUProfile: -cpuprofile writes a profile of the run (here one short
// figure), and an unwritable path is a runtime error.
func TestCPUProfile(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	var out, errb bytes.Buffer
	if code := run([]string{"-only", "^vsphere GET", "-duration", "100ms", "-cpuprofile", prof}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("no profile written: %v", err)
	}
	if code := run([]string{"-only", "^none$", "-cpuprofile", filepath.Join(prof, "x")}, &out, &errb); code != 1 {
		t.Errorf("unwritable profile: exit %d", code)
	}
}

// TestSeparateShort is the short version of make bench's method: credemu
// and credemu-bare built and run as their own processes, every figure
// measured once, briefly. It checks that each figure is produced, not
// what it is: speed is a benchmark's business.
func TestSeparateShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	bins := map[string]string{}
	for _, name := range []string{"credemu", "credemu-bare"} {
		bins[name] = filepath.Join(dir, name)
		if out, err := exec.Command("go", "build", "-o", bins[name], "../"+name).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", name, err, out)
		}
	}
	var out bytes.Buffer
	if err := separateFigures(&out, bins["credemu"], bins["credemu-bare"], 80*time.Millisecond, 2, 1, regexp.MustCompile(""), 400, 20); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range append([]string{"credemu-bare (standard library only)", "credemu version, launch to exit", "peak resident memory", "a sandbox", "reset of the default sandbox",
		"p99 in ms at 32 connections", "a first request against a warm one, taking turns"}, names()...) {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}

func names() []string {
	var out []string
	for _, f := range figures {
		out = append(out, f.name)
	}
	return out
}

// TestBodySchemasResolve: the schemas WireMock gets are credemu's body
// schemas with every reference resolved in place.
func TestBodySchemasResolve(t *testing.T) {
	for name, file := range createSchemas {
		s, err := bodySchema(file)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		raw, _ := json.Marshal(s)
		if strings.Contains(string(raw), "$ref") || !strings.Contains(string(raw), `"required"`) {
			t.Errorf("%s: %s", name, raw)
		}
	}
}

// TestPeersShort runs make bench-peers briefly where WireMock's jar is at
// hand (CREDEMU_WIREMOCK_JAR, as make bench-peers sets it).
func TestPeersShort(t *testing.T) {
	jar := os.Getenv("CREDEMU_WIREMOCK_JAR")
	if jar == "" {
		t.Skip("CREDEMU_WIREMOCK_JAR is not set (make bench-peers installs WireMock and sets it)")
	}
	bin := filepath.Join(t.TempDir(), "credemu")
	if out, err := exec.Command("go", "build", "-o", bin, "../credemu").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var out bytes.Buffer
	if err := peerFigures(&out, bin, jar, 80*time.Millisecond, 2, 40, regexp.MustCompile("")); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "WireMock") || !strings.Contains(out.String(), "vsphere validated create") {
		t.Errorf("peer figures:\n%s", out.String())
	}
	// WireMock works in a root of its own, not in the caller's directory.
	for _, d := range []string{"mappings", "__files"} {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("WireMock left %s/ in the working directory", d)
		}
	}
}

// TestWireMockStart: a jar named relative to the working directory (as
// make names it) is found although Java runs in a root of its own, and one
// that does not start is reported when Java gives up, with what it said,
// not after a minute of polling.
func TestWireMockStart(t *testing.T) {
	jar := os.Getenv("CREDEMU_WIREMOCK_JAR")
	if jar == "" {
		t.Skip("CREDEMU_WIREMOCK_JAR is not set (make bench-peers installs WireMock and sets it)")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, jar)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := startWireMock(rel)
	if err != nil {
		t.Fatalf("relative jar %s: %v", rel, err)
	}
	p.stop()
	bad := filepath.Join(t.TempDir(), "not.jar")
	if err := os.WriteFile(bad, []byte("not a jar"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The message is the early exit's, not the minute's timeout.
	if _, _, err = startWireMock(bad); err == nil || !strings.Contains(err.Error(), "exited before it answered") {
		t.Fatalf("a broken jar: %v", err)
	}
}

// TestMedians: the measurements take turns, round by round, each median
// is of its own measurement's values, and an error ends the run.
func TestMedians(t *testing.T) {
	var order []string
	seq := func(name string, ds ...time.Duration) func() (time.Duration, error) {
		i := 0
		return func() (time.Duration, error) {
			order = append(order, name)
			d := ds[i%len(ds)]
			i++
			return d, nil
		}
	}
	got, err := medians(3, seq("a", 5, 1, 3), seq("b", 40, 10, 20))
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff([]time.Duration{3, 20}, got); diff != "" {
		t.Errorf("medians (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff([]string{"a", "b", "a", "b", "a", "b"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	boom := errors.New("no address")
	if _, err := medians(3, seq("a", 1), func() (time.Duration, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("error %v; want %v", err, boom)
	}
}
