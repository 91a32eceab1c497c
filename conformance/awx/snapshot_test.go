package awx_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSnapshotRoundTrip builds a world with goawx, starts a second credemu
// from its snapshot, and reads it back with goawx: the new user logs in
// with the password it was created with, and every object reads as before,
// secret inputs still hidden and still usable.
func TestSnapshotRoundTrip(t *testing.T) {
	srv := start(t)
	c := login(t, srv, "admin", "password")
	dave, err := c.UserService.Create(map[string]interface{}{"username": "dave", "password": "dave-pw", "first_name": "Dave", "last_name": "D", "email": "dave@example.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := c.CredentialService.Create(map[string]interface{}{"name": "dave-aws", "credential_type": awsTypeID,
		"user": dave.ID, "inputs": map[string]interface{}{"username": "AKIADAVE", "password": "dave-secret"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.CredentialService.GetByID(cred.ID, nil)
	if err != nil {
		t.Fatal(err)
	}

	loaded := srv.Reload()
	if _, err := login(t, loaded, "dave", "dave-pw").CredentialService.GetByID(cred.ID, nil); err != nil {
		t.Fatalf("dave reads his credential from the loaded world: %v", err)
	}
	after, err := login(t, loaded, "admin", "password").CredentialService.GetByID(cred.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("credential read back differs (-before +after):\n%s", diff)
	}
	// The next ids are those the first server hands out.
	a, err1 := c.UserService.Create(map[string]interface{}{"username": "erin", "password": "x", "first_name": "E", "last_name": "R", "email": "e@example.com"}, nil)
	b, err2 := login(t, loaded, "admin", "password").UserService.Create(map[string]interface{}{"username": "erin", "password": "x", "first_name": "E", "last_name": "R", "email": "e@example.com"}, nil)
	if err1 != nil || err2 != nil || a.ID != b.ID {
		t.Errorf("next user ids %v %v (%v %v)", a, b, err1, err2)
	}
}
