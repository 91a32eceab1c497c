package awx_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/emulatortest"
)

// TestFilteredListsFollowWrites repeats filtered lists around every kind
// of write that changes what they select: the selections kept between
// requests must never answer with what a write made stale.
func TestFilteredListsFollowWrites(t *testing.T) {
	srv := start(t)
	list := func(who, query string, names ...string) {
		t.Helper()
		for i := 0; i < 2; i++ { // the second answer comes from the kept selection
			r := srv.Do("GET", v2+"/credentials/?"+query, nil, who)
			want200(t, r)
			if got := int(r.JSON(t)["count"].(float64)); got != len(names) {
				t.Errorf("%s as %s: count %d, want %d", query, who, got, len(names))
			}
			wantNames(t, query, r, names...)
		}
	}
	list(admin, "credential_type__kind=ssh", "bob-ssh")
	r := srv.Do("POST", v2+"/users/2/credentials/", map[string]any{"name": "zz-ssh", "credential_type": 1, "inputs": map[string]any{"username": "u"}}, admin)
	want(t, r, 201)
	id := int(decode(t, r)["id"].(float64))
	list(admin, "credential_type__kind=ssh", "bob-ssh", "zz-ssh")
	wantNames(t, "second page", srv.Do("GET", v2+"/credentials/?credential_type__kind=ssh&page_size=1&page=2", nil, admin), "zz-ssh")
	want(t, srv.Do("PATCH", fmt.Sprintf("%s/credentials/%d/", v2, id), map[string]any{"name": "aa-ssh"}, admin), 200)
	list(admin, "credential_type__kind=ssh", "aa-ssh", "bob-ssh")

	// Grants change what a user sees without touching a credential.
	list(carol, "credential_type__kind=vault")
	vault := roleIDs(t, srv, 3)
	want(t, srv.Do("POST", fmt.Sprintf("%s/roles/%d/users/", v2, vault["Read"]), map[string]any{"id": 3}, admin), 204)
	list(carol, "credential_type__kind=vault", "shared-vault")
	want(t, srv.Do("POST", fmt.Sprintf("%s/roles/%d/users/", v2, vault["Read"]), map[string]any{"id": 3, "disassociate": true}, admin), 204)
	list(carol, "credential_type__kind=vault")

	// A type's name is read through the credential.
	r = srv.Do("POST", v2+"/credential_types/", map[string]any{"name": "Custom", "kind": "cloud",
		"inputs": map[string]any{"fields": []any{map[string]any{"id": "token", "label": "Token", "secret": true}}}}, admin)
	want(t, r, 201)
	typeID := int(decode(t, r)["id"].(float64))
	want(t, srv.Do("POST", v2+"/credentials/", map[string]any{"name": "custom-1", "credential_type": typeID, "user": 2, "inputs": map[string]any{}}, admin), 201)
	list(admin, "credential_type__name=Custom", "custom-1")
	want(t, srv.Do("PATCH", fmt.Sprintf("%s/credential_types/%d/", v2, typeID), map[string]any{"name": "Renamed"}, admin), 200)
	list(admin, "credential_type__name=Custom")
	list(admin, "credential_type__name=Renamed", "custom-1")

	want(t, srv.Do("DELETE", fmt.Sprintf("%s/credentials/%d/", v2, id), nil, admin), 204)
	list(admin, "credential_type__kind=ssh", "bob-ssh")
	// A user's own list and a type's list are kept apart from the whole one.
	r = srv.Do("GET", v2+"/users/2/credentials/?credential_type__kind=ssh", nil, admin)
	wantNames(t, "bob's", r, "bob-ssh")
	r = srv.Do("GET", fmt.Sprintf("%s/credential_types/%d/credentials/?name__startswith=custom", v2, typeID), nil, admin)
	wantNames(t, "of the custom type", r, "custom-1")
}

// TestListedCredentialsFollowWrites: a credential in a list is written as
// its own GET writes it for the same viewer, before and after every kind
// of write its JSON reads (its own fields, its owner's and organization's
// names, its type's, the viewer's grants), on the first listing and on
// the repeats that lists keep for.
func TestListedCredentialsFollowWrites(t *testing.T) {
	srv := start(t)
	check := func(step string) {
		t.Helper()
		for _, who := range []string{admin, bob, carol} {
			for round := 0; round < 2; round++ {
				lists := map[string]bool{"/credentials/?page_size=50": false, "/users/2/credentials/": true}
				for path, inUserList := range lists {
					r := srv.Do("GET", v2+path, nil, who)
					if r.Status == 403 {
						continue
					}
					want200(t, r)
					for _, res := range decode(t, r)["results"].([]any) {
						got := res.(map[string]any)
						detail := decode(t, srv.Do("GET", fmt.Sprintf("%s/credentials/%v/", v2, got["id"]), nil, who))
						if inUserList {
							delete(detail, "organization")
						}
						if diff := cmp.Diff(detail, got); diff != "" {
							t.Errorf("%s: %s as %q, credential %v (-GET +list):\n%s", step, path, who, got["id"], diff)
						}
					}
				}
			}
		}
	}
	check("as loaded")
	want(t, srv.Do("PATCH", v2+"/credentials/1/", map[string]any{"description": "changed"}, admin), 200)
	check("credential edited")
	want(t, srv.Do("PATCH", v2+"/users/2/", map[string]any{"first_name": "Robert", "last_name": "B"}, admin), 200)
	check("owner renamed")
	want(t, srv.Do("PATCH", v2+"/organizations/1/", map[string]any{"name": "Renamed org"}, admin), 200)
	check("organization renamed")
	vault := roleIDs(t, srv, 3)
	want(t, srv.Do("POST", fmt.Sprintf("%s/roles/%d/users/", v2, vault["Admin"]), map[string]any{"id": 3}, admin), 204)
	check("carol made admin of shared-vault")
	want(t, srv.Do("POST", fmt.Sprintf("%s/roles/%d/users/", v2, vault["Admin"]), map[string]any{"id": 3, "disassociate": true}, admin), 204)
	check("carol no longer admin")
	want(t, srv.Do("POST", v2+"/reset/", nil, admin), 404) // AWX has no such thing: nothing changes
	check("after a refused request")
}

// TestListedCredentialsPastTheCache pages through more credentials than a
// sandbox keeps written, twice and around a write: every page still
// answers as each credential's GET does.
func TestListedCredentialsPastTheCache(t *testing.T) {
	srv := emulatortest.StartYAML(t, "many.yaml", "awx:\n  users: [{username: admin, password: password, superuser: true}]\n  generate: {users: 300, credentialsPerUser: 2}\n")
	pages := func(step string) {
		t.Helper()
		for round := 0; round < 2; round++ {
			seen := 0
			for page := 1; page <= 3; page++ {
				r := srv.Do("GET", fmt.Sprintf("%s/credentials/?page_size=200&page=%d", v2, page), nil, admin)
				want200(t, r)
				for _, res := range decode(t, r)["results"].([]any) {
					got := res.(map[string]any)
					seen++
					if seen%7 != 0 && got["id"] != 7.0 { // a sample of each page, and the one written
						continue
					}
					detail := decode(t, srv.Do("GET", fmt.Sprintf("%s/credentials/%v/", v2, got["id"]), nil, admin))
					if diff := cmp.Diff(detail, got); diff != "" {
						t.Fatalf("%s, round %d: credential %v (-GET +list):\n%s", step, round, got["id"], diff)
					}
				}
			}
			if seen != 600 {
				t.Fatalf("%s: %d credentials listed, want 600", step, seen)
			}
		}
	}
	pages("as generated")
	// Listed last before the write, the written credential is among those
	// kept when the write comes.
	want200(t, srv.Do("GET", v2+"/credentials/?id=7", nil, admin))
	want(t, srv.Do("PATCH", v2+"/credentials/7/", map[string]any{"description": "changed"}, admin), 200)
	listed := decode(t, srv.Do("GET", v2+"/credentials/?id=7", nil, admin))["results"].([]any)
	detail := decode(t, srv.Do("GET", v2+"/credentials/7/", nil, admin))
	if diff := cmp.Diff([]any{detail}, listed); diff != "" {
		t.Errorf("the written credential, listed (-GET +list):\n%s", diff)
	}
	pages("after a write")
}
