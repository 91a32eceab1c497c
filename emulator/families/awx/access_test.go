package awx_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
)

const (
	bobBasic = "Authorization: Basic Ym9iOmJvYi1wYXNzd29yZA==" // bob:bob-password
	auditor  = "Authorization: Basic YXVkaXRvcjphdWRpdG9yLXBhc3N3b3Jk"
)

// step is one request of a scripted test and what it must answer: a
// status, and when body is set, exactly that JSON body.
type step struct {
	name   string
	method string
	path   string
	body   any
	who    string
	status int
	want   string
}

// runSteps sends each step in order against one server: later steps see
// the state earlier ones left.
func runSteps(t *testing.T, srv *emulatortest.Server, steps []step) {
	t.Helper()
	for _, st := range steps {
		r := srv.Do(st.method, v2+st.path, st.body, st.who)
		if r.Status != st.status {
			t.Errorf("%s: %s %s: status %d, want %d: %s", st.name, st.method, st.path, r.Status, st.status, r.Body)
			continue
		}
		if st.want != "" {
			t.Run(st.name, func(t *testing.T) { wantBody(t, r, st.status, st.want) })
		}
	}
}

func wantNames(t *testing.T, what string, r *emulatortest.Response, want ...string) {
	t.Helper()
	want200(t, r)
	if want == nil {
		want = []string{}
	}
	if diff := cmp.Diff(want, names(t, r)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func want200(t *testing.T, r *emulatortest.Response) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status %d, want 200: %s", r.Status, r.Body)
	}
}

func TestOrganizations(t *testing.T) {
	srv := start(t)
	runSteps(t, srv, []step{
		{"create", "POST", "/organizations/", map[string]any{"name": "Eng", "description": "engineering"}, admin, 201, ""},
		{"duplicate name", "POST", "/organizations/", map[string]any{"name": "Eng"}, admin, 400,
			`{"name": ["Organization with this Name already exists."]}`},
		{"name required", "POST", "/organizations/", map[string]any{"description": "x"}, admin, 400, `{"name": ["This field is required."]}`},
		{"members may not create", "POST", "/organizations/", map[string]any{"name": "Mine"}, bob, 403,
			`{"detail": "You do not have permission to perform this action."}`},
		{"member reads own", "GET", "/organizations/1/", nil, bob, 200, ""},
		{"not a member", "GET", "/organizations/2/", nil, bob, 403, ""},
		{"no such", "GET", "/organizations/99/", nil, admin, 404, `{"detail": "Not found."}`},
		{"member may not edit", "PATCH", "/organizations/1/", map[string]any{"description": "x"}, bob, 403, ""},
		{"rename onto another", "PATCH", "/organizations/2/", map[string]any{"name": "Default"}, admin, 400,
			`{"name": ["Organization with this Name already exists."]}`},
		{"edit", "PATCH", "/organizations/2/", map[string]any{"description": "platform"}, admin, 200, ""},
		{"auditor reads all", "GET", "/organizations/2/", nil, auditor, 200, ""},
		{"auditor may not delete", "DELETE", "/organizations/2/", nil, auditor, 403, ""},
	})
	wantNames(t, "admin's organizations", srv.Do("GET", v2+"/organizations/", nil, admin), "Default", "Eng")
	wantNames(t, "bob's organizations", srv.Do("GET", v2+"/organizations/", nil, bob), "Default")
	wantNames(t, "search", srv.Do("GET", v2+"/organizations/?search=platf", nil, admin), "Eng")

	// Deleting an organization takes its teams; its credentials stay,
	// without an organization.
	want(t, srv.Do("DELETE", v2+"/organizations/1/", nil, admin), 204)
	want(t, srv.Do("GET", v2+"/teams/1/", nil, admin), 404)
	c := decode(t, srv.Do("GET", v2+"/credentials/3/", nil, admin))
	if c["organization"] != nil {
		t.Errorf("shared-vault's organization after deleting it: %v", c["organization"])
	}
	// bob's team grant went with the team: he no longer sees shared-vault.
	wantNames(t, "bob's credentials", srv.Do("GET", v2+"/credentials/", nil, bob), "bob-ssh")
}

func TestTeams(t *testing.T) {
	srv := start(t)
	runSteps(t, srv, []step{
		{"create", "POST", "/teams/", map[string]any{"name": "dev", "organization": 1}, admin, 201, ""},
		{"same name, same org", "POST", "/teams/", map[string]any{"name": "dev", "organization": 1}, admin, 400,
			`{"__all__": ["Team with this Organization and Name already exists."]}`},
		{"unknown org", "POST", "/teams/", map[string]any{"name": "x", "organization": 99}, admin, 400,
			`{"organization": ["Invalid pk \"99\" - object does not exist."]}`},
		{"org required", "POST", "/teams/", map[string]any{"name": "x"}, admin, 400, `{"organization": ["This field is required."]}`},
		{"member may not create", "POST", "/teams/", map[string]any{"name": "x", "organization": 1}, bob, 403, ""},
		{"org member reads", "GET", "/teams/2/", nil, carol, 200, ""},
		{"member may not edit", "PATCH", "/teams/1/", map[string]any{"description": "x"}, bob, 403, ""},
		{"edit", "PATCH", "/teams/2/", map[string]any{"description": "developers"}, admin, 200, ""},
		{"no such", "DELETE", "/teams/99/", nil, admin, 404, ""},
	})
	wantNames(t, "carol's teams", srv.Do("GET", v2+"/teams/", nil, carol), "dev", "ops")
	wantNames(t, "filtered", srv.Do("GET", v2+"/teams/?name=ops", nil, admin), "ops")
	team := decode(t, srv.Do("GET", v2+"/teams/1/", nil, admin))
	if got := team["summary_fields"].(map[string]any)["organization"].(map[string]any)["name"]; got != "Default" {
		t.Errorf("team's organization summary: %v", got)
	}
	// Deleting ops drops its grant on shared-vault.
	want(t, srv.Do("DELETE", v2+"/teams/1/", nil, admin), 204)
	wantNames(t, "bob's credentials", srv.Do("GET", v2+"/credentials/", nil, bob), "bob-ssh")
}

func TestTokens(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", v2+"/tokens/", map[string]any{"description": "ci", "scope": "write"}, bobBasic)
	want(t, r, 201)
	tok := decode(t, r)
	value, _ := tok["token"].(string)
	if !regexp.MustCompile(`^[A-Za-z0-9]{30}$`).MatchString(value) {
		t.Fatalf("new token value %q: want the secret, 30 letters and digits as oauthlib makes it, shown once", value)
	}
	if tok["user"] != float64(2) || tok["scope"] != "write" || tok["refresh_token"] != nil {
		t.Errorf("token: %v", tok)
	}
	id := int(tok["id"].(float64))
	path := fmt.Sprintf("/tokens/%d/", id)
	bearer := "Authorization: Bearer " + value
	if me := srv.Do("GET", v2+"/me/", nil, bearer); me.Status != 200 || !strings.Contains(string(me.Body), `"username":"bob"`) {
		t.Fatalf("/me/ with the new token: %d %s", me.Status, me.Body)
	}
	// Never shown again, to anyone.
	for _, who := range []string{bearer, admin} {
		if got := decode(t, srv.Do("GET", v2+path, nil, who))["token"]; got != "************" {
			t.Errorf("token read back as %v", got)
		}
	}
	// A second token, read-only, made with the first.
	r = srv.Do("POST", v2+"/tokens/", map[string]any{"scope": "read"}, bearer)
	want(t, r, 201)
	readTok := "Authorization: Bearer " + decode(t, r)["token"].(string)
	runSteps(t, srv, []step{
		{"bad scope", "POST", "/tokens/", map[string]any{"scope": "admin"}, bearer, 400,
			`{"scope": ["Must be a simple space-separated string with allowed scopes ['read', 'write']."]}`},
		{"unknown application", "POST", "/tokens/", map[string]any{"application": 7}, bearer, 400,
			`{"application": ["Invalid pk \"7\" - object does not exist."]}`},
		{"read token may not write", "POST", "/tokens/", map[string]any{}, readTok, 403, ""},
		{"read token reads", "GET", "/me/", nil, readTok, 200, ""},
		{"other users' tokens", "GET", path, nil, carol, 403, ""},
		{"other users may not delete", "DELETE", path, nil, carol, 403, ""},
		{"no such", "GET", "/tokens/999/", nil, admin, 404, ""},
		{"revoke", "DELETE", path, nil, bobBasic, 204, ""},
		{"revoked token", "GET", "/me/", nil, bearer, 401, ""},
	})
	if got := srv.Do("GET", v2+"/tokens/", nil, carol).JSON(t)["count"]; got != float64(0) {
		t.Errorf("carol sees %v tokens, want 0", got)
	}
	if got := srv.Do("GET", v2+"/tokens/", nil, bobBasic).JSON(t)["count"]; got != float64(2) {
		t.Errorf("bob sees %v tokens, want 2: the scenario's and his read token", got)
	}
}

// roleIDs returns a credential's admin, use and read role ids.
func roleIDs(t *testing.T, srv *emulatortest.Server, cred int) map[string]int {
	t.Helper()
	r := srv.Do("GET", fmt.Sprintf("%s/credentials/%d/object_roles/", v2, cred), nil, admin)
	want200(t, r)
	out := map[string]int{}
	for _, x := range r.JSON(t)["results"].([]any) {
		m := x.(map[string]any)
		out[m["name"].(string)] = int(m["id"].(float64))
	}
	if len(out) != 3 {
		t.Fatalf("roles of credential %d: %v", cred, out)
	}
	return out
}

func TestRoles(t *testing.T) {
	srv := start(t)
	vault := roleIDs(t, srv, 3) // shared-vault, organization Default
	bobs := roleIDs(t, srv, 1)  // bob-ssh, bob's own
	carols := roleIDs(t, srv, 2)
	role := func(id int, sub string) string { return fmt.Sprintf("/roles/%d/%s", id, sub) }
	runSteps(t, srv, []step{
		{"read a role", "GET", role(vault["Use"], ""), nil, bob, 200, ""},
		{"role of a hidden credential", "GET", role(carols["Use"], ""), nil, bob, 403, ""},
		{"no such role", "GET", "/roles/9999/", nil, admin, 404, ""},
		{"missing id", "POST", role(vault["Read"], "users/"), map[string]any{}, admin, 400, `{"msg": "User 'id' field is missing."}`},
		{"string id", "POST", role(vault["Read"], "users/"), map[string]any{"id": "3"}, admin, 400, `{"msg": "\"id\" field must be an integer."}`},
		{"unknown user", "POST", role(vault["Read"], "users/"), map[string]any{"id": 99}, admin, 400,
			`{"detail": "User matching query does not exist."}`},
		{"user outside the organization", "POST", role(vault["Read"], "users/"), map[string]any{"id": 4}, admin, 400,
			`{"msg": "You cannot grant credential access to a user not in the credentials' organization"}`},
		{"private credential by a non-superuser", "POST", role(bobs["Use"], "users/"), map[string]any{"id": 3}, bob, 400,
			`{"msg": "You cannot grant private credential access to another user"}`},
		{"only admins of the credential grant", "POST", role(vault["Read"], "users/"), map[string]any{"id": 3}, bob, 403, ""},
		{"grant carol read", "POST", role(vault["Read"], "users/"), map[string]any{"id": 3}, admin, 204, ""},
		{"grant from the user's side", "POST", "/users/3/roles/", map[string]any{"id": vault["Admin"]}, admin, 204, ""},
		{"missing role id", "POST", "/users/3/roles/", map[string]any{"id": 0}, admin, 400, `{"msg": "Role 'id' field is missing."}`},
		{"unknown role", "POST", "/users/3/roles/", map[string]any{"id": 9999}, admin, 400, `{"detail": "Role matching query does not exist."}`},
		{"team of another organization", "POST", role(bobs["Use"], "teams/"), map[string]any{"id": 1}, admin, 400,
			`{"msg": "You cannot grant credential access to a team when the Organization field isn't set, or belongs to a different organization"}`},
		{"unknown team", "POST", role(vault["Use"], "teams/"), map[string]any{"id": 9}, admin, 400, `{"detail": "Team matching query does not exist."}`},
		{"missing team id", "POST", role(vault["Use"], "teams/"), map[string]any{"disassociate": true}, admin, 400,
			`{"msg": "Team 'id' field is missing."}`},
	})
	// carol now administers shared-vault: she may edit it and grant it.
	wantNames(t, "carol's credentials", srv.Do("GET", v2+"/credentials/", nil, carol), "carol-aws", "shared-vault")
	want(t, srv.Do("PATCH", v2+"/credentials/3/", map[string]any{"description": "by carol"}, carol), 200)
	wantNames(t, "members of Read", srv.Do("GET", v2+role(vault["Read"], "users/"), nil, admin), "carol")
	wantNames(t, "teams of Use", srv.Do("GET", v2+role(vault["Use"], "teams/"), nil, admin), "ops")
	wantNames(t, "owner holds Admin", srv.Do("GET", v2+role(bobs["Admin"], "users/"), nil, admin), "bob")
	r := srv.Do("GET", v2+"/users/3/roles/", nil, admin)
	want200(t, r)
	var got []string
	for _, x := range r.JSON(t)["results"].([]any) {
		m := x.(map[string]any)
		got = append(got, fmt.Sprintf("%s:%s", m["summary_fields"].(map[string]any)["resource_name"], m["name"]))
	}
	if diff := cmp.Diff([]string{"carol-aws:Admin", "shared-vault:Admin", "shared-vault:Read", "Default:Member"}, got); diff != "" {
		t.Errorf("carol's roles (-want +got):\n%s", diff)
	}
	// Revoking: users by the key's presence, teams by its truth.
	want(t, srv.Do("POST", v2+"/users/3/roles/", map[string]any{"id": vault["Admin"], "disassociate": false}, admin), 204)
	want(t, srv.Do("PATCH", v2+"/credentials/3/", map[string]any{"description": "x"}, carol), 403)
	want(t, srv.Do("POST", v2+role(vault["Use"], "teams/"), map[string]any{"id": 1, "disassociate": true}, admin), 204)
	wantNames(t, "bob without the team grant", srv.Do("GET", v2+"/credentials/", nil, bob), "bob-ssh")
	wantNames(t, "teams of Use after revoking", srv.Do("GET", v2+role(vault["Use"], "teams/"), nil, admin))
}

// objectRoles returns the role ids of an organization or a team by field.
func objectRoles(t *testing.T, srv *emulatortest.Server, path string) map[string]int {
	t.Helper()
	roles := decode(t, srv.Do("GET", v2+path, nil, admin))["summary_fields"].(map[string]any)["object_roles"].(map[string]any)
	out := map[string]int{}
	for f, v := range roles {
		out[f] = int(v.(map[string]any)["id"].(float64))
	}
	return out
}

func TestMemberships(t *testing.T) {
	srv := start(t)
	org := objectRoles(t, srv, "/organizations/1/")
	team := objectRoles(t, srv, "/teams/1/")
	if len(org) != 13 || len(team) != 3 {
		t.Fatalf("object roles: organization %v, team %v", org, team)
	}
	wantNames(t, "Default's members", srv.Do("GET", v2+"/organizations/1/users/", nil, admin), "bob", "carol")
	wantNames(t, "Default's admins", srv.Do("GET", v2+"/organizations/1/admins/", nil, admin))
	runSteps(t, srv, []step{
		// Creating a user through the list makes them a member (what
		// awx.awx.user does with organization:).
		{"create member", "POST", "/organizations/1/users/", map[string]any{"username": "dave", "password": "dave-pw"}, admin, 201, ""},
		{"create without password", "POST", "/organizations/1/users/", map[string]any{"username": "erin"}, admin, 400,
			`{"password": ["Password required for new User."]}`},
		{"create without username", "POST", "/organizations/1/users/", map[string]any{"password": "x"}, admin, 400,
			`{"username": ["This field is required."]}`},
		{"member may not add", "POST", "/organizations/1/users/", map[string]any{"id": 4}, bob, 403, ""},
		{"unknown user", "POST", "/organizations/1/admins/", map[string]any{"id": 99}, admin, 400, `{"detail": "User matching query does not exist."}`},
		{"make carol admin", "POST", "/organizations/1/admins/", map[string]any{"id": 3}, admin, 204, ""},
		{"admins add members", "POST", "/organizations/1/users/", map[string]any{"id": 4}, carol, 204, ""},
		{"admins create teams", "POST", "/teams/", map[string]any{"name": "carols", "organization": 1}, carol, 201, ""},
		{"no such organization", "GET", "/organizations/9/users/", nil, admin, 404, ""},
		{"org membership is not for teams", "POST", fmt.Sprintf("/roles/%d/teams/", org["member_role"]), map[string]any{"id": 1}, admin, 400,
			`{"msg": "You cannot assign an Organization participation role as a child role for a Team."}`},
		{"team membership by role", "POST", fmt.Sprintf("/roles/%d/users/", team["member_role"]), map[string]any{"id": 4}, admin, 204, ""},
		{"team admin by role", "POST", fmt.Sprintf("/roles/%d/users/", team["admin_role"]), map[string]any{"id": 5}, admin, 204, ""},
		{"team admins add members", "POST", "/teams/1/users/", map[string]any{"id": 3}, "Authorization: Basic ZGF2ZTpkYXZlLXB3", 204, ""},
	})
	wantNames(t, "Default's members", srv.Do("GET", v2+"/organizations/1/users/", nil, admin), "auditor", "bob", "carol", "dave")
	wantNames(t, "Default's admins", srv.Do("GET", v2+"/organizations/1/admins/", nil, admin), "carol")
	wantNames(t, "ops's members", srv.Do("GET", v2+"/teams/1/users/", nil, admin), "auditor", "bob", "carol")
	// Through ops, carol may use shared-vault; the organization's
	// credential admins edit it.
	wantNames(t, "dave's credentials", srv.Do("GET", v2+"/credentials/", nil, "Authorization: Basic ZGF2ZTpkYXZlLXB3"))
	want(t, srv.Do("PATCH", v2+"/credentials/3/", map[string]any{"description": "x"}, bob), 403)
	want(t, srv.Do("POST", fmt.Sprintf("%s/roles/%d/users/", v2, org["credential_admin_role"]), map[string]any{"id": 2}, admin), 204)
	want(t, srv.Do("PATCH", v2+"/credentials/3/", map[string]any{"description": "x"}, bob), 200)
	// Removing: the membership list and the role are the same thing.
	want(t, srv.Do("POST", v2+"/teams/1/users/", map[string]any{"id": 2, "disassociate": true}, admin), 204)
	wantNames(t, "members of ops's member role", srv.Do("GET", fmt.Sprintf("%s/roles/%d/users/", v2, team["member_role"]), nil, admin), "auditor", "carol")
	r := srv.Do("GET", v2+"/teams/1/object_roles/", nil, admin)
	wantNames(t, "ops's roles", r, "Admin", "Member", "Read")
}

func TestCredentialCopy(t *testing.T) {
	srv := start(t)
	// bob may copy his own credential, not carol's.
	r := srv.Do("GET", v2+"/credentials/1/copy/", nil, bob)
	want200(t, r)
	if got := r.JSON(t)["can_copy"]; got != true {
		t.Errorf("can_copy of his own: %v", got)
	}
	runSteps(t, srv, []step{
		{"copy", "POST", "/credentials/1/copy/", map[string]any{"name": "bob-ssh-2"}, bob, 201, ""},
		// Uniqueness is per organization, type and name; a user's own
		// credentials have no organization, so only the shared one clashes.
		{"user's copy may share a name", "POST", "/credentials/1/copy/", map[string]any{"name": "bob-ssh"}, bob, 201, ""},
		{"name taken", "POST", "/credentials/3/copy/", map[string]any{"name": "shared-vault"}, admin, 400,
			`{"__all__": ["Credential with this Organization, Name and Credential type already exists."]}`},
		{"name required", "POST", "/credentials/1/copy/", map[string]any{}, bob, 400, `{"name": ["This field is required."]}`},
		{"someone else's", "POST", "/credentials/2/copy/", map[string]any{"name": "mine"}, bob, 403, ""},
		{"no such", "POST", "/credentials/99/copy/", map[string]any{"name": "x"}, admin, 404, ""},
	})
	// The copy keeps the secrets (hidden as ever) and the owner.
	cp := decode(t, srv.Do("GET", v2+"/credentials/4/", nil, bob))
	inputs := cp["inputs"].(map[string]any)
	if cp["name"] != "bob-ssh-2" || inputs["password"] != "$encrypted$" || inputs["username"] != "bob" {
		t.Errorf("copy: %v", cp)
	}
	if owners := cp["summary_fields"].(map[string]any)["owners"].([]any); len(owners) != 1 || owners[0].(map[string]any)["name"] != "bob" {
		t.Errorf("copy's owners: %v", owners)
	}
}

// external makes a CyberArk CCP lookup credential (type 26, kind
// external) in the Default organization and returns its id.
func external(t *testing.T, srv *emulatortest.Server) int {
	t.Helper()
	r := srv.Do("POST", v2+"/credentials/", map[string]any{"name": "ccp", "credential_type": 26, "organization": 1,
		"inputs": map[string]any{"url": "https://ccp.example.com", "app_id": "app"}}, admin)
	want(t, r, 201)
	return int(decode(t, r)["id"].(float64))
}

func TestInputSources(t *testing.T) {
	srv := start(t)
	ccp := external(t, srv)
	meta := map[string]any{"object_query": "Safe=S;Object=o"}
	src := func(target int, field string, m map[string]any) map[string]any {
		return map[string]any{"target_credential": target, "source_credential": ccp, "input_field_name": field, "metadata": m}
	}
	runSteps(t, srv, []step{
		{"link", "POST", "/credential_input_sources/", src(1, "password", meta), admin, 201, ""},
		{"same field twice", "POST", "/credential_input_sources/", src(1, "password", meta), admin, 400,
			`{"__all__": ["Credential input source with this Target credential and Input field name already exists."]}`},
		{"field not on target", "POST", "/credential_input_sources/", src(1, "vault_password", meta), admin, 400,
			`{"input_field_name": ["Input field must be defined on target credential (options are become_method, become_password, become_username, password, ssh_key_data, ssh_key_unlock, ssh_public_key_data, username)."]}`},
		{"source not external", "POST", "/credential_input_sources/", map[string]any{"target_credential": 1, "source_credential": 2,
			"input_field_name": "username"}, admin, 400, `{"source_credential": ["Source must be an external credential"]}`},
		{"target external", "POST", "/credential_input_sources/", src(ccp, "url", meta), admin, 400,
			`{"target_credential": ["Target must be a non-external credential"]}`},
		{"metadata required", "POST", "/credential_input_sources/", src(1, "username", map[string]any{}), admin, 400,
			`{"metadata": {"object_query": ["required for CyberArk Central Credential Provider Lookup"]}}`},
		{"all required", "POST", "/credential_input_sources/", map[string]any{}, admin, 400,
			`{"input_field_name": ["This field is required."], "source_credential": ["This field is required."], "target_credential": ["This field is required."]}`},
		{"unknown target", "POST", "/credential_input_sources/", src(99, "password", meta), admin, 400,
			`{"target_credential": ["Invalid pk \"99\" - object does not exist."]}`},
		{"through the target", "POST", "/credentials/3/input_sources/", map[string]any{"source_credential": ccp,
			"input_field_name": "vault_password", "metadata": meta}, admin, 201, ""},
		{"bob may not use ccp", "POST", "/credentials/1/input_sources/", map[string]any{"source_credential": ccp,
			"input_field_name": "username", "metadata": meta}, bob, 403, ""},
		{"edit", "PATCH", "/credential_input_sources/1/", map[string]any{"description": "from CCP"}, admin, 200, ""},
		{"bad edit", "PATCH", "/credential_input_sources/1/", map[string]any{"input_field_name": "nope"}, admin, 400, ""},
		{"hidden from carol", "GET", "/credential_input_sources/1/", nil, carol, 403, ""},
		{"no such", "GET", "/credential_input_sources/99/", nil, admin, 404, ""},
	})
	if got := srv.Do("GET", v2+"/credential_input_sources/", nil, bob).JSON(t)["count"]; got != float64(2) {
		t.Errorf("bob sees %v input sources, want 2 (on bob-ssh and shared-vault)", got)
	}
	if got := srv.Do("GET", v2+"/credentials/1/input_sources/", nil, admin).JSON(t)["count"]; got != float64(1) {
		t.Errorf("bob-ssh has %v input sources, want 1", got)
	}
	x := decode(t, srv.Do("GET", v2+"/credential_input_sources/1/", nil, admin))
	if x["description"] != "from CCP" || x["input_field_name"] != "password" || x["metadata"].(map[string]any)["object_query"] != "Safe=S;Object=o" {
		t.Errorf("input source: %v", x)
	}
	// A copy of the target takes its input sources; deleting the source
	// credential takes them all.
	want(t, srv.Do("POST", v2+"/credentials/1/copy/", map[string]any{"name": "bob-ssh-copy"}, admin), 201)
	if got := srv.Do("GET", v2+"/credential_input_sources/", nil, admin).JSON(t)["count"]; got != float64(3) {
		t.Errorf("%v input sources after copying, want 3", got)
	}
	want(t, srv.Do("DELETE", v2+fmt.Sprintf("/credentials/%d/", ccp), nil, admin), 204)
	if got := srv.Do("GET", v2+"/credential_input_sources/", nil, admin).JSON(t)["count"]; got != float64(0) {
		t.Errorf("%v input sources after deleting their source, want 0", got)
	}
}

// TestFaultsOnNewEndpoints: fault rules reach the organization, token,
// role and input-source operations like any other, in AWX's error shape.
func TestFaultsOnNewEndpoints(t *testing.T) {
	tests := []struct {
		op, method, path string
		body             any
	}{
		{"createToken", "POST", "/tokens/", map[string]any{"scope": "write"}},
		{"createOrganization", "POST", "/organizations/", map[string]any{"name": "X"}},
		{"listTeams", "GET", "/teams/", nil},
		{"grantRoleToUser", "POST", "/roles/1/users/", map[string]any{"id": 3}},
		{"createCredentialInputSource", "POST", "/credential_input_sources/", map[string]any{}},
		{"copyCredential", "POST", "/credentials/1/copy/", map[string]any{"name": "c"}},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			srv := start(t)
			srv.AddFault(fault.Rule{Match: fault.Match{API: "awx", Operation: tc.op}, Respond: fault.Respond{Status: 500}, Times: 1})
			wantBody(t, srv.Do(tc.method, v2+tc.path, tc.body, admin), 500, `{"detail": "A server error has occurred."}`)
			// Nothing was committed: the same call, the fault spent,
			// succeeds (a create would otherwise clash with its twin).
			if r := srv.Do(tc.method, v2+tc.path, tc.body, admin); r.Status >= 300 && tc.op != "createCredentialInputSource" {
				t.Errorf("after the fault: %d %s", r.Status, r.Body)
			}
		})
	}
}
