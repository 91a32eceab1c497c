package vsphere_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// TestSnapshotRoundTrip builds a world with govmomi, starts a second
// credemu from its snapshot, and goes on with govmomi there: the REST
// session of the first server is still valid (as it would be across a
// restart with --state-file), the new local account reads as before, and
// it logs in with its password.
func TestSnapshotRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := emulatortest.Start(t, emulator.WithScenario("default"), emulator.WithResponseCheck(true))
	rc := client(t, srv)
	if err := rc.Login(ctx, admin); err != nil {
		t.Fatal(err)
	}
	m := &Manager{Client: rc}
	if err := m.Create(ctx, "kept", Config{Password: "Kept-pass1", Roles: []string{"operator"}, FullName: "Kept"}); err != nil {
		t.Fatal(err)
	}
	before, err := m.Get(ctx, "kept")
	if err != nil {
		t.Fatal(err)
	}

	loaded := srv.Reload()
	lc := client(t, loaded)
	lc.SessionID(rc.SessionID())
	after, err := (&Manager{Client: lc}).Get(ctx, "kept")
	if err != nil {
		t.Fatalf("the session of the snapshotted server on the loaded one: %v", err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("local account read back differs (-before +after):\n%s", diff)
	}
	if err := client(t, loaded).Login(ctx, url.UserPassword("kept", "Kept-pass1")); err != nil {
		t.Errorf("the new account logs in on the loaded server: %v", err)
	}
}
