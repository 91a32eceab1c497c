package emulator_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

func TestWatchReloads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "watched.yaml")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		// Make sure the modification time moves even on coarse clocks.
		future := time.Now().Add(time.Duration(len(body)) * time.Second)
		_ = os.Chtimes(path, future, future)
	}
	world := func(org string) string {
		return "include: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  tokens: [{token: t, organisations: [\"*\"]}]\n  organisations: [{slug: " + org + "}]\n"
	}
	write(world("first"))
	logs := &emulatortest.LogBuffer{}
	srv := emulatortest.Start(t, emulator.WithScenario(path), emulator.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Emu.Watch(ctx, path, 20*time.Millisecond)

	status := func(org string) int {
		return srv.Do("GET", "/api/v1/orgs/"+org+"/cloud-accounts", nil, "Authorization: Token t").Status
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute) // bounds a watcher that never reloads
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; logs:\n%s", what, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if status("first") != 200 {
		t.Fatal("initial world missing")
	}
	write(world("second"))
	waitFor("the edited scenario", func() bool { return status("second") == 200 })
	if status("first") != 404 {
		t.Error("old world still there after reload")
	}
	write("avisi:\n  organisations: [{slug: BROKEN}]\n")
	waitFor("the failure to be logged", func() bool { return strings.Contains(logs.String(), "scenario reload failed") })
	if !strings.Contains(logs.String(), "watched.yaml:2:") {
		t.Errorf("reload error should name file and line: %s", logs.String())
	}
	if status("second") != 200 {
		t.Error("an invalid file replaced the world")
	}
}

// TestWatchSeesEditsBeforeItStarts: an edit made after the scenario was
// loaded but before Watch began is still a change to reload.
func TestWatchSeesEditsBeforeItStarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "early.yaml")
	world := func(org string, age time.Duration) {
		t.Helper()
		body := "include: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  tokens: [{token: t, organisations: [\"*\"]}]\n  organisations: [{slug: " + org + "}]\n"
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(age)
		_ = os.Chtimes(path, when, when)
	}
	world("first", -time.Hour)
	srv := emulatortest.Start(t, emulator.WithScenario(path))
	world("second", 0) // before Watch takes its first look
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Emu.Watch(ctx, path, 10*time.Millisecond)
	deadline := time.Now().Add(2 * time.Minute) // bounds a watcher that never reloads
	for srv.Do("GET", "/api/v1/orgs/second/cloud-accounts", nil, "Authorization: Token t").Status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the edit made before Watch started was never loaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
