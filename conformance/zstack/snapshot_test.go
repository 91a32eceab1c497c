package zstack_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/terraform-zstack-modules/zstack-sdk-go/pkg/param"
)

// TestSnapshotRoundTrip builds a world with the ZStack SDK, starts a second
// credemu from its snapshot, and goes on with the same SDK client: its
// session is still valid there, the new virtual ID reads as before, and
// it logs in with the password it was created with.
func TestSnapshotRoundTrip(t *testing.T) {
	srv := start(t, defaultWorld)
	cli, sess := login(t, srv, "admin", "password")
	p := newVID("carol")
	p.Params.Attributes = []map[string]string{{"name": "dept", "value": "ops"}}
	var created VirtualID
	if err := cli.Post(vids, p, &created); err != nil {
		t.Fatal(err)
	}
	var before []VirtualID
	if err := cli.List(vids, ptr(param.NewQueryParam()), &before); err != nil {
		t.Fatal(err)
	}

	loaded := srv.Reload()
	again, _ := login(t, loaded, "admin", "password")
	again.LoadSession(sess.UUID)
	var after []VirtualID
	if err := again.List(vids, ptr(param.NewQueryParam()), &after); err != nil {
		t.Fatalf("the session of the snapshotted server on the loaded one: %v", err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("virtual IDs read back differ (-before +after):\n%s", diff)
	}
}
