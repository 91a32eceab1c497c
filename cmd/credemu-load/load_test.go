package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSoakShort is the short version of make soak that make test runs: a
// bounded mixed load on every family with faults on, against 127.0.0.1.
func TestSoakShort(t *testing.T) {
	rep, err := soakRun(context.Background(), 2*time.Second, 4, 20000, true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.requests == 0 || rep.byStatus["transport error"] != 0 {
		t.Fatalf("soak: %+v", rep)
	}
	for status := range rep.byStatus {
		if strings.HasPrefix(status, "status 5") && status != "status 500" && status != "status 503" {
			t.Errorf("unexpected %s", status)
		}
	}
	// The hostile traffic met the limits: sandboxes past the cap got 429, and
	// stalled uploads were cut by the read timeout.
	if rep.hostile["sandbox churn: status 429"] == 0 || rep.hostile["slow body: cut by the server"] == 0 || rep.hostile["60 KiB query: status 200"] == 0 {
		t.Errorf("hostile outcomes: %v", rep.hostile)
	}
	var out bytes.Buffer
	rep.print(&out)
	if rep.warmMin <= 0 || rep.warmMax < rep.warmMin {
		t.Errorf("resident memory after warm-up not sampled: %d..%d kB", rep.warmMin, rep.warmMax)
	}
	for _, want := range []string{"requests", "p99", "resident memory", "sampled every second", "hostile traffic"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
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
