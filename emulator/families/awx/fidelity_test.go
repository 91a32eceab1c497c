package awx_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/google/go-cmp/cmp"
)

// TestFidelityFixes: what AWX 24.6 does where credemu had differed.
func TestFidelityFixes(t *testing.T) {
	srv := start(t)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		want               string
	}{
		// Django's UnicodeUsernameValidator: any Unicode letter or digit.
		{"unicode username", "POST", v2 + "/users/", `{"username": "josé", "password": "pw"}`, 201, `"username":"josé"`},
		{"CJK username", "POST", v2 + "/users/", `{"username": "名前_1", "password": "pw"}`, 201, `"username":"名前_1"`},
		{"a space is still refused", "POST", v2 + "/users/", `{"username": "jo sé"}`, 400, `Enter a valid username.`},
		// ssh_key_unlock without any key is refused as for a clear key.
		{"unlock without a key", "POST", v2 + "/users/2/credentials/", `{"name": "nokey", "credential_type": 1, "inputs": {"username": "u", "ssh_key_unlock": "x"}}`, 400,
			`{"inputs":{"ssh_key_unlock":["should not be set when SSH key is not encrypted."]}}`},
	}
	for _, c := range cases {
		r := srv.Do(c.method, c.path, c.body, admin)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s; want %d with %s", c.name, r.Status, r.Body, c.status, c.want)
		}
	}
}

// TestCreateCredentialOfType: POST /credential_types/{id}/credentials/
// creates a credential of that type, as AWX's sublist create does.
func TestCreateCredentialOfType(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", v2+"/credential_types/1/credentials/", `{"name": "by-type", "user": 2, "credential_type": 5, "inputs": {"username": "u"}}`, admin)
	if r.Status != 201 || r.JSON(t)["credential_type"].(float64) != 1 {
		t.Fatalf("create under type 1: %d %s", r.Status, r.Body)
	}
	id := int(r.JSON(t)["id"].(float64))
	list := srv.Do("GET", v2+"/credential_types/1/credentials/?name=by-type", nil, admin).JSON(t)
	if list["count"].(float64) != 1 || int(list["results"].([]any)[0].(map[string]any)["id"].(float64)) != id {
		t.Errorf("the type's credentials: %v", list)
	}
	if r := srv.Do("POST", v2+"/credential_types/9999/credentials/", `{"name": "x", "user": 2}`, admin); r.Status != 404 {
		t.Errorf("unknown type: %d %s", r.Status, r.Body)
	}
	if r := srv.Do("POST", v2+"/credential_types/1/credentials/", `{"name": "x"}`, admin); r.Status != 400 || !strings.Contains(string(r.Body), "Missing 'user', 'team', or 'organization'.") {
		t.Errorf("no owner: %d %s", r.Status, r.Body)
	}
}

// TestRevokeOwnersAdminRole: revoking the admin role of a credential from
// the user who owns it removes the membership, as AWX does (it had
// answered 204 and kept it).
func TestRevokeOwnersAdminRole(t *testing.T) {
	srv := start(t)
	cred := srv.Do("GET", v2+"/credentials/1/", nil, admin).JSON(t) // bob-ssh, owned by bob (id 2)
	rid := cred["summary_fields"].(map[string]any)["object_roles"].(map[string]any)["admin_role"].(map[string]any)["id"].(float64)
	members := func() string {
		return string(srv.Do("GET", fmt.Sprintf(v2+"/roles/%d/users/", int(rid)), nil, admin).Body)
	}
	if !strings.Contains(members(), `"username":"bob"`) {
		t.Fatalf("bob is not the admin of his credential: %s", members())
	}
	want(t, srv.Do("POST", v2+"/users/2/roles/", map[string]any{"id": rid, "disassociate": true}, admin), 204)
	if strings.Contains(members(), `"username":"bob"`) {
		t.Errorf("bob still holds the admin role: %s", members())
	}
	if r := srv.Do("GET", v2+"/users/2/roles/", nil, admin); strings.Contains(string(r.Body), fmt.Sprintf(`"id":%d,`, int(rid))) {
		t.Errorf("bob's roles still list it: %s", r.Body)
	}
}

// TestTeamRoles: /api/v2/teams/{id}/roles/ lists a team's roles and grants
// and revokes them, as AWX's TeamRolesList does (goawx's
// ListTeamRoleEntitlements and the Terraform providers' team resources use it).
func TestTeamRoles(t *testing.T) {
	srv := start(t)
	vault := srv.Do("GET", v2+"/credentials/3/", nil, admin).JSON(t) // shared-vault, organization Default
	roles := vault["summary_fields"].(map[string]any)["object_roles"].(map[string]any)
	roleID := func(name string) int { return int(roles[name].(map[string]any)["id"].(float64)) }
	ids := func() []int {
		var out []int
		for _, x := range srv.Do("GET", v2+"/teams/1/roles/", nil, admin).JSON(t)["results"].([]any) {
			out = append(out, int(x.(map[string]any)["id"].(float64)))
		}
		return out
	}
	if got := ids(); !slices.Contains(got, roleID("use_role")) {
		t.Fatalf("team ops's roles %v lack shared-vault's use role %d", got, roleID("use_role"))
	}
	want(t, srv.Do("POST", v2+"/teams/1/roles/", map[string]any{"id": roleID("read_role")}, admin), 204)
	if got := ids(); !slices.Contains(got, roleID("read_role")) {
		t.Errorf("after the grant: %v", got)
	}
	want(t, srv.Do("POST", v2+"/teams/1/roles/", map[string]any{"id": roleID("read_role"), "disassociate": true}, admin), 204)
	if got := ids(); slices.Contains(got, roleID("read_role")) {
		t.Errorf("after the revoke: %v", got)
	}
	org := srv.Do("GET", v2+"/organizations/1/", nil, admin).JSON(t)
	member := int(org["summary_fields"].(map[string]any)["object_roles"].(map[string]any)["member_role"].(map[string]any)["id"].(float64))
	if r := srv.Do("POST", v2+"/teams/1/roles/", map[string]any{"id": member}, admin); r.Status != 400 ||
		!strings.Contains(string(r.Body), "You cannot assign an Organization participation role as a child role for a Team.") {
		t.Errorf("organization membership to a team: %d %s", r.Status, r.Body)
	}
	if r := srv.Do("GET", v2+"/teams/99/roles/", nil, admin); r.Status != 404 {
		t.Errorf("unknown team: %d", r.Status)
	}
	// The link the team object advertises answers.
	team := srv.Do("GET", v2+"/teams/1/", nil, admin).JSON(t)
	if link := team["related"].(map[string]any)["roles"].(string); srv.Do("GET", link, nil, admin).Status != 200 {
		t.Errorf("related.roles %s does not answer", link)
	}
}

// TestRelatedLinksAnswer: every related link of the seeded objects answers
// 200 with AWX's paging envelope: what credemu models with its objects,
// what it does not with an empty page.
func TestRelatedLinksAnswer(t *testing.T) {
	srv := start(t)
	var links []string
	for _, p := range []string{"/users/2/", "/teams/1/", "/organizations/1/", "/credentials/1/", "/credentials/3/", "/credential_types/1/"} {
		for _, l := range srv.Do("GET", v2+p, nil, admin).JSON(t)["related"].(map[string]any) {
			links = append(links, l.(string))
		}
	}
	served := 0
	for _, l := range links {
		r := srv.Do("GET", l, nil, admin)
		if r.Status != 200 {
			t.Errorf("%s: %d %s", l, r.Status, r.Body)
			continue
		}
		served++
		if m := r.JSON(t); strings.HasSuffix(l, "s/") && m["results"] != nil {
			if _, ok := m["count"]; !ok {
				t.Errorf("%s: no paging envelope: %s", l, r.Body)
			}
		}
	}
	if served < 30 {
		t.Errorf("only %d links served", served)
	}
	names := func(path string) []string {
		var out []string
		for _, x := range srv.Do("GET", v2+path, nil, admin).JSON(t)["results"].([]any) {
			m := x.(map[string]any)
			if n, ok := m["name"]; ok {
				out = append(out, n.(string))
			} else {
				out = append(out, m["username"].(string))
			}
		}
		return out
	}
	cases := []struct {
		path string
		want []string
	}{
		{"/users/2/teams/", []string{"ops"}},
		{"/users/2/organizations/", []string{"Default"}},
		{"/users/2/admin_of_organizations/", nil},
		{"/organizations/1/teams/", []string{"ops"}},
		{"/organizations/1/credentials/", []string{"shared-vault"}},
		{"/teams/1/credentials/", nil}, // ops may use shared-vault; it owns none
		{"/credentials/1/owner_users/", []string{"bob"}},
		{"/credentials/1/owner_teams/", nil},
		{"/organizations/1/projects/", nil},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, names(c.path)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.path, diff)
		}
	}
	if r := srv.Do("GET", v2+"/users/1/tokens/", nil, admin); r.JSON(t)["count"].(float64) < 1 {
		t.Errorf("admin's tokens: %s", r.Body)
	}
	// Bob may not read another user's tokens, nor an organization's projects
	// of an organization he cannot see.
	bob := "Authorization: Basic Ym9iOmJvYi1wYXNzd29yZA=="
	if r := srv.Do("GET", v2+"/users/1/tokens/", nil, bob); r.Status == 200 && r.JSON(t)["count"].(float64) != 0 {
		t.Errorf("bob sees admin's tokens: %s", r.Body)
	}
	if r := srv.Do("GET", v2+"/organizations/99/projects/", nil, admin); r.Status != 404 {
		t.Errorf("projects of an unknown organization: %d", r.Status)
	}
}

// TestActivityStream: creates, updates, deletes and role grants are
// recorded with the actor, under the object and in the whole stream, and
// secrets appear as AWX's "hidden".
func TestActivityStream(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", v2+"/users/", map[string]any{"username": "stream", "password": "s3cret-pw"}, admin)
	want(t, r, 201)
	id := int(decode(t, r)["id"].(float64))
	uid := fmt.Sprint(id)
	want(t, srv.Do("PATCH", v2+"/users/"+uid+"/", map[string]any{"first_name": "Stream"}, admin), 200)
	want(t, srv.Do("POST", v2+"/users/"+uid+"/roles/", map[string]any{"id": orgMemberRole(t, srv)}, admin), 204)
	want(t, srv.Do("POST", v2+"/users/"+uid+"/roles/", map[string]any{"id": orgMemberRole(t, srv), "disassociate": true}, admin), 204)
	want(t, srv.Do("POST", v2+"/users/", map[string]any{"username": "x"}, admin), 400) // a refused write is not recorded

	type ev struct{ Op, Object1, Object2 string }
	events := func(path string) []ev {
		var out []ev
		for _, x := range decode(t, srv.Do("GET", path, nil, admin))["results"].([]any) {
			m := x.(map[string]any)
			out = append(out, ev{m["operation"].(string), m["object1"].(string), m["object2"].(string)})
		}
		return out
	}
	sum := decode(t, srv.Do("GET", v2+"/users/"+uid+"/activity_stream/?order_by=id", nil, admin))["results"].([]any)[0].(map[string]any)["summary_fields"].(map[string]any)
	if u := sum["user"].([]any)[0].(map[string]any); u["username"] != "stream" {
		t.Errorf("summary of the user: %v", u)
	}
	got := events(v2 + "/users/" + uid + "/activity_stream/?order_by=id")
	wantEv := []ev{{"create", "user", ""}, {"update", "user", ""}, {"associate", "user", "role"}, {"disassociate", "user", "role"}}
	if diff := cmp.Diff(wantEv, got); diff != "" {
		t.Errorf("user's stream (-want +got):\n%s", diff)
	}
	want(t, srv.Do("DELETE", v2+"/users/"+uid+"/", nil, admin), 204)
	all := events(v2 + "/activity_stream/?order_by=-id&page_size=1")
	if diff := cmp.Diff([]ev{{"delete", "user", ""}}, all); diff != "" {
		t.Errorf("newest entry (-want +got):\n%s", diff)
	}
	first := decode(t, srv.Do("GET", v2+"/activity_stream/?order_by=id&page_size=1", nil, admin))["results"].([]any)[0].(map[string]any)
	if c := first["changes"].(map[string]any); c["password"] != "hidden" || c["username"] != "stream" {
		t.Errorf("changes of the create: %v", c)
	}
	if a := first["summary_fields"].(map[string]any)["actor"].(map[string]any); a["username"] != "admin" {
		t.Errorf("actor %v", a)
	}
	if u := first["summary_fields"].(map[string]any)["user"].([]any)[0].(map[string]any); u["id"] != float64(id) {
		t.Errorf("summary of the user: %v", u) // deleted by now: the id alone
	}
	want(t, srv.Do("GET", fmt.Sprintf("%s/activity_stream/%v/", v2, first["id"]), nil, admin), 200)
	// A user sees only their own entries; the stream of an object they
	// cannot read is a 403 or 404, as the object's own GET.
	if n := decode(t, srv.Do("GET", v2+"/activity_stream/", nil, bob))["count"].(float64); n != 0 {
		t.Errorf("bob sees %v entries made by admin", n)
	}
	want(t, srv.Do("GET", v2+"/users/987/activity_stream/", nil, admin), 404)
	want(t, srv.Do("GET", v2+"/activity_stream/?operation__in=create", nil, admin), 200)
	// Reset empties it.
	srv.Reset()
	if n := decode(t, srv.Do("GET", v2+"/activity_stream/", nil, admin))["count"].(float64); n != 0 {
		t.Errorf("%v entries after a reset", n)
	}
}

func orgMemberRole(t *testing.T, srv *emulatortest.Server) float64 {
	t.Helper()
	o := decode(t, srv.Do("GET", v2+"/organizations/1/", nil, admin))
	return o["summary_fields"].(map[string]any)["object_roles"].(map[string]any)["member_role"].(map[string]any)["id"].(float64)
}

// TestActivityStreamBounds: the stream keeps its newest entries only, and
// a large body is kept cut, not whole.
func TestActivityStreamBounds(t *testing.T) {
	srv := start(t)
	long := strings.Repeat("d", 20000)
	want(t, srv.Do("POST", v2+"/organizations/", map[string]any{"name": "big", "description": long}, admin), 201)
	first := decode(t, srv.Do("GET", v2+"/activity_stream/", nil, admin))["results"].([]any)[0].(map[string]any)
	if d := first["changes"].(map[string]any)["description"].(string); len(d) != 1027 {
		t.Errorf("a 20,000-byte description kept as %d bytes, want 1,024 and \"...\"", len(d))
	}
	for i := range 1000 {
		want(t, srv.Do("PATCH", v2+"/organizations/1/", map[string]any{"description": fmt.Sprint(i)}, admin), 200)
	}
	page := decode(t, srv.Do("GET", v2+"/activity_stream/?order_by=id&page_size=1", nil, admin))
	if n := page["count"].(float64); n < 900 || n > 1000 {
		t.Errorf("%v entries kept, want 900 to 1,000", n)
	}
	if op := page["results"].([]any)[0].(map[string]any)["operation"]; op != "update" {
		t.Errorf("oldest kept entry is a %v: the first ones should be gone", op)
	}
}

// TestAccessList: who has access to a credential, and how, as AWX's
// access_list answers: superusers through System Administrator, grantees
// directly or through a team, organization admins indirectly.
func TestAccessList(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", v2+"/credentials/", map[string]any{"name": "shared", "credential_type": 1, "organization": 1}, admin)
	want(t, r, 201)
	c := decode(t, r)
	cid := fmt.Sprint(c["id"])
	roles := c["summary_fields"].(map[string]any)["object_roles"].(map[string]any)
	use := roles["use_role"].(map[string]any)["id"].(float64)
	want(t, srv.Do("POST", fmt.Sprintf("%s/roles/%v/users/", v2, use), map[string]any{"id": 3}, admin), 204) // carol

	type access struct {
		User             string
		Direct, Indirect []string
	}
	list := func() []access {
		var out []access
		for _, x := range decode(t, srv.Do("GET", v2+"/credentials/"+cid+"/access_list/", nil, admin))["results"].([]any) {
			m := x.(map[string]any)
			sf := m["summary_fields"].(map[string]any)
			a := access{User: m["username"].(string)}
			for _, k := range []string{"direct_access", "indirect_access"} {
				for _, e := range sf[k].([]any) {
					role := e.(map[string]any)["role"].(map[string]any)
					name := role["name"].(string)
					if tn, ok := role["team_name"]; ok {
						name += " via " + tn.(string)
					}
					if k == "direct_access" {
						a.Direct = append(a.Direct, name)
					} else {
						a.Indirect = append(a.Indirect, name)
					}
				}
			}
			out = append(out, a)
		}
		return out
	}
	got := list()
	var carolAccess, superuser *access
	for i := range got {
		switch got[i].User {
		case "carol":
			carolAccess = &got[i]
		case "admin":
			superuser = &got[i]
		}
	}
	if carolAccess == nil || !slices.Equal(carolAccess.Direct, []string{"Use"}) {
		t.Errorf("carol's access: %+v (all: %+v)", carolAccess, got)
	}
	if superuser == nil || !slices.Contains(superuser.Indirect, "System Administrator") {
		t.Errorf("the superuser's access: %+v", superuser)
	}
	entry := decode(t, srv.Do("GET", v2+"/credentials/"+cid+"/access_list/?username=carol", nil, admin))
	if n := entry["count"].(float64); n != 1 {
		t.Fatalf("filter by username: %v results", n)
	}
	d := entry["results"].([]any)[0].(map[string]any)["summary_fields"].(map[string]any)["direct_access"].([]any)[0].(map[string]any)
	if diff := cmp.Diff([]any{"use_role", "read_role"}, d["descendant_roles"]); diff != "" {
		t.Errorf("descendant roles of Use (-want +got):\n%s", diff)
	}
	// Revoked: carol has no access left.
	want(t, srv.Do("POST", fmt.Sprintf("%s/roles/%v/users/", v2, use), map[string]any{"id": 3, "disassociate": true}, admin), 204)
	for _, a := range list() {
		if a.User == "carol" {
			t.Errorf("carol still listed: %+v", a)
		}
	}
	// The list is as visible as the credential: carol can no longer read it.
	if got, want := srv.Do("GET", v2+"/credentials/"+cid+"/access_list/", nil, carol).Status, srv.Do("GET", v2+"/credentials/"+cid+"/", nil, carol).Status; got != want {
		t.Errorf("access_list answers %d to carol, the credential %d", got, want)
	}
	for _, p := range []string{"/users/2/", "/teams/1/", "/organizations/1/"} {
		r := srv.Do("GET", v2+p+"access_list/", nil, admin)
		if r.Status != 200 || decode(t, r)["count"].(float64) < 1 {
			t.Errorf("%saccess_list: %d %s", p, r.Status, r.Body)
		}
	}
}
