// Package awx_test runs goawx (github.com/adeo-opensource/goawx, unmodified,
// from ../shared/clients) against credemu started in-process, and asserts on
// what goawx returns. Where goawx cannot decode what AWX 24.6.1 sends (its
// User.Type is an int; AWX sends "user"), the test expects what goawx makes
// of AWX's answer, which is what a program using it sees on a real AWX.
package awx_test

import (
	"strings"
	"testing"

	awx "github.com/adeo-opensource/goawx/client"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

// Well-known objects of the default scenario (README).
const (
	bobID      = 2
	carolID    = 3
	machineID  = 1 // Machine credential type
	awsTypeID  = 5 // Amazon Web Services
	defaultOrg = 1
)

func start(t *testing.T) *emulatortest.Server {
	t.Helper()
	return emulatortest.Start(t, emulator.WithScenario("default"), emulator.WithResponseCheck(true))
}

func login(t *testing.T, srv *emulatortest.Server, user, password string) *awx.AWX {
	t.Helper()
	c, err := awx.NewAWX(srv.URL(), user, password, srv.Client())
	if err != nil {
		t.Fatalf("NewAWX(%s): %v", user, err)
	}
	return c
}

func wantStatus(t *testing.T, err error, status string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "responsed with "+status) {
		t.Errorf("error = %v, want status %s", err, status)
	}
}

func wantBadRequest(t *testing.T, err error, lines ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want a 400 listing %q", lines)
	}
	for _, l := range lines {
		if !strings.Contains(err.Error(), l) {
			t.Errorf("error %q lacks %q", err, l)
		}
	}
}

func TestConnect(t *testing.T) {
	srv := start(t)
	if _, err := awx.NewAWX(srv.URL(), "admin", "password", srv.Client()); err != nil {
		t.Errorf("NewAWX: %v", err)
	}
	c, err := awx.NewAWXToken(srv.URL(), "awx-admin-token", srv.Client())
	if err != nil {
		t.Fatalf("NewAWXToken: %v", err)
	}
	ping, err := c.PingService.Ping()
	if err != nil || ping.Version != "24.6.1" {
		t.Errorf("Ping: %+v %v", ping, err)
	}
	// NewAWX only pings, which needs no login; the first real call tells.
	bad := login(t, srv, "admin", "wrong")
	_, _, err = bad.UserService.List(nil)
	wantStatus(t, err, "401")
}

func TestUsers(t *testing.T) {
	srv := start(t)
	c := login(t, srv, "admin", "password")
	users, page, err := c.UserService.List(map[string]string{"order_by": "id"})
	if err != nil || page.Count != 4 || users[0].Username != "admin" || !users[0].IsSuperUser {
		t.Fatalf("List: %v %+v", err, page)
	}
	// AWX 22.2+ shows "$encrypted$" for a local user's password.
	if users[1].Password != "$encrypted$" {
		t.Errorf("password shown as %q", users[1].Password)
	}
	bob, err := c.UserService.GetByID(bobID, nil)
	if err != nil || bob.Username != "bob" || bob.Email != "bob@example.com" {
		t.Fatalf("GetByID: %+v %v", bob, err)
	}
	created, err := c.UserService.Create(map[string]interface{}{"username": "dave", "password": "dave-pw", "first_name": "Dave",
		"last_name": "D", "email": "dave@example.com"}, nil)
	if err != nil || created.ID == 0 || created.Username != "dave" {
		t.Fatalf("Create: %+v %v", created, err)
	}
	// goawx sends every field back; "$encrypted$" must not become the password.
	updated, err := c.UserService.Update(created.ID, map[string]interface{}{"first_name": "David", "password": "$encrypted$"}, nil)
	if err != nil || updated.FirstName != "David" {
		t.Fatalf("Update: %+v %v", updated, err)
	}
	dave := login(t, srv, "dave", "dave-pw")
	if _, _, err := dave.CredentialService.List(nil); err != nil {
		t.Errorf("dave lost his password to $encrypted$: %v", err)
	}
	// A normal user sees themself and every superuser.
	seen, _, err := dave.UserService.List(nil)
	if err != nil || len(seen) != 2 {
		t.Errorf("dave sees %d users (%v), want himself and admin", len(seen), err)
	}
	if u, err := dave.UserService.GetByID(1, nil); err != nil || u.Username != "admin" {
		t.Errorf("dave reading the superuser: %+v %v", u, err)
	}
	_, err = dave.UserService.GetByID(bobID, nil)
	wantStatus(t, err, "403")

	_, err = c.UserService.Create(map[string]interface{}{"username": "bob", "password": "", "first_name": "", "last_name": "", "email": ""}, nil)
	wantBadRequest(t, err, "- username: [A user with that username already exists.]", "- password: [Password required for new User.]")
	_, err = c.UserService.Create(map[string]interface{}{"username": "x"}, nil)
	if err == nil || !strings.Contains(err.Error(), "mandatory input arguments are absent") {
		t.Errorf("goawx's own check: %v", err)
	}
	if _, err := c.UserService.Delete(created.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = c.UserService.GetByID(created.ID, nil)
	wantStatus(t, err, "404")
}

func TestCredentials(t *testing.T) {
	srv := start(t)
	c := login(t, srv, "admin", "password")
	creds, page, err := c.CredentialService.List(map[string]string{"credential_type": "1"})
	if err != nil || page.Count != 1 || creds[0].Name != "bob-ssh" || creds[0].Kind != "ssh" {
		t.Fatalf("List: %v %+v", err, creds)
	}
	// Required inputs may come later (an input source, a job prompt).
	cr, err := c.CredentialService.Create(map[string]interface{}{"name": "org-machine", "credential_type": machineID,
		"organization": defaultOrg, "inputs": map[string]interface{}{"username": "deploy"}}, nil)
	if err != nil || cr.ID == 0 || cr.OrganizationID != defaultOrg || cr.Inputs["username"] != "deploy" {
		t.Fatalf("Create: %+v %v", cr, err)
	}
	aws, err := c.CredentialService.Create(map[string]interface{}{"name": "carol-aws-2", "credential_type": awsTypeID,
		"user": carolID, "inputs": map[string]interface{}{"username": "AKIA1", "password": "s3cret", "security_token": ""}}, nil)
	if err != nil || aws.Inputs["password"] != "$encrypted$" {
		t.Fatalf("Create aws: %+v %v", aws, err)
	}
	if _, has := aws.Inputs["security_token"]; has {
		t.Errorf("an empty secret was kept: %v", aws.Inputs)
	}
	// Sending back what it read keeps the secret.
	up, err := c.CredentialService.Update(aws.ID, map[string]interface{}{"description": "rotated", "inputs": aws.Inputs}, nil)
	if err != nil || up.Description != "rotated" || up.Inputs["password"] != "$encrypted$" {
		t.Fatalf("Update: %+v %v", up, err)
	}
	got, err := c.CredentialService.GetByID(aws.ID, nil)
	if err != nil || got.Description != "rotated" || got.SummaryFields["credential_type"].(map[string]interface{})["name"] != "Amazon Web Services" {
		t.Fatalf("GetByID: %+v %v", got, err)
	}
	if _, err := c.CredentialService.Delete(aws.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = c.CredentialService.GetByID(aws.ID, nil)
	wantStatus(t, err, "404")

	t.Run("errors", func(t *testing.T) {
		_, err := c.CredentialService.Create(map[string]interface{}{"name": "x", "credential_type": machineID, "user": bobID, "organization": defaultOrg}, nil)
		wantBadRequest(t, err, "- detail: [Only one of 'user', 'team', or 'organization' should be provided, received organization, user fields.]")
		_, err = c.CredentialService.Create(map[string]interface{}{"name": "x", "credential_type": machineID, "user": bobID,
			"inputs": map[string]interface{}{"password": "$encrypted$"}}, nil)
		wantBadRequest(t, err, "- inputs: [$encrypted$ is a reserved keyword, and cannot be used for password.]")
		_, err = c.CredentialService.Create(map[string]interface{}{"name": "x", "credential_type": 999, "user": bobID}, nil)
		wantBadRequest(t, err, `- credential_type: [Invalid pk "999" - object does not exist.]`)
		_, err = c.CredentialService.Create(map[string]interface{}{"name": "shared-vault", "credential_type": 3, "organization": defaultOrg}, nil)
		wantBadRequest(t, err, "- __all__: [Credential with this Organization, Name and Credential type already exists.]")
		bob := login(t, srv, "bob", "bob-password")
		_, err = bob.CredentialService.GetByID(2, nil) // carol's
		wantStatus(t, err, "403")
		_, err = bob.CredentialService.Create(map[string]interface{}{"name": "x", "credential_type": machineID, "user": carolID}, nil)
		wantStatus(t, err, "403")
	})
	t.Run("faults", func(t *testing.T) {
		srv.AddFault(fault.Rule{Match: fault.Match{API: "awx", Operation: "createCredential"}, Times: 1, Respond: fault.Respond{Status: 500}})
		_, err := c.CredentialService.Create(map[string]interface{}{"name": "faulty", "credential_type": machineID, "user": bobID}, nil)
		wantStatus(t, err, "500")
		if n := len(srv.Requests(journal.Filter{Operation: "createCredential", Status: 500})); n != 1 {
			t.Errorf("journal: %d injected 500s", n)
		}
		if _, err := c.CredentialService.Create(map[string]interface{}{"name": "faulty", "credential_type": machineID, "user": bobID}, nil); err != nil {
			t.Errorf("retry: %v", err)
		}
	})
}

func TestCredentialTypes(t *testing.T) {
	srv := start(t)
	c := login(t, srv, "admin", "password")
	types, page, err := c.CredentialTypeService.List(map[string]string{"managed": "true", "page_size": "200"})
	if err != nil || page.Count != 30 {
		t.Fatalf("List: %d types, %v", page.Count, err)
	}
	byName := map[string]*awx.CredentialType{}
	for _, ty := range types {
		byName[ty.Name] = ty
	}
	for _, name := range []string{"GPG Public Key", "Bitbucket Data Center HTTP Access Token", "Terraform backend configuration", "HashiCorp Vault Secret Lookup"} {
		if byName[name] == nil {
			t.Errorf("no managed type %q", name)
		}
	}
	if byName["HashiCorp Vault Secret Lookup"] != nil && byName["HashiCorp Vault Secret Lookup"].Kind != "external" {
		t.Errorf("plugin type kind %q", byName["HashiCorp Vault Secret Lookup"].Kind)
	}
	inputs := map[string]interface{}{"fields": []interface{}{map[string]interface{}{"id": "token", "label": "Token", "secret": true}}, "required": []interface{}{"token"}}
	ct, err := c.CredentialTypeService.Create(map[string]interface{}{"name": "Mine", "kind": "cloud", "inputs": inputs,
		"injectors": map[string]interface{}{"env": map[string]interface{}{"MY_TOKEN": "{{token}}"}}}, nil)
	if err != nil || ct.ID != 31 || ct.Kind != "cloud" {
		t.Fatalf("Create: %+v %v", ct, err)
	}
	// A credential of the type, without its required input; kind is null.
	cr, err := c.CredentialService.Create(map[string]interface{}{"name": "mine", "credential_type": ct.ID, "user": bobID}, nil)
	if err != nil || cr.Kind != "" {
		t.Fatalf("credential of a custom type: %+v %v", cr, err)
	}
	// A declarative client sends the whole type back: unchanged inputs are fine.
	up, err := c.CredentialTypeService.Update(ct.ID, map[string]interface{}{"name": "Mine renamed", "kind": "cloud", "inputs": inputs}, nil)
	if err != nil || up.Name != "Mine renamed" {
		t.Fatalf("rename a type in use: %+v %v", up, err)
	}
	_, err = c.CredentialTypeService.Update(ct.ID, map[string]interface{}{"inputs": map[string]interface{}{"fields": []interface{}{}}}, nil)
	wantStatus(t, err, "403")
	got, err := c.CredentialTypeService.GetByID(ct.ID, nil)
	if err != nil || got.Name != "Mine renamed" || got.Inputs == nil {
		t.Fatalf("GetByID: %+v %v", got, err)
	}
	_, err = c.CredentialTypeService.Create(map[string]interface{}{"name": "Ssh", "kind": "ssh"}, nil)
	wantBadRequest(t, err, "- kind: [Must be 'cloud' or 'net', not ssh]")
	_, err = c.CredentialTypeService.Update(machineID, map[string]interface{}{"description": "x"}, nil)
	wantStatus(t, err, "403")
	_, err = c.CredentialTypeService.Delete(ct.ID)
	wantStatus(t, err, "403") // in use
	if _, err := c.CredentialService.Delete(cr.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CredentialTypeService.Delete(ct.ID); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

// TestMachineKeys checks AWX's validation of SSH keys through goawx.
func TestMachineKeys(t *testing.T) {
	srv := start(t)
	c := login(t, srv, "admin", "password")
	_, err := c.CredentialService.Create(map[string]interface{}{"name": "k", "credential_type": machineID, "user": bobID,
		"inputs": map[string]interface{}{"ssh_key_data": "not a key"}}, nil)
	// The error is nested ({"inputs": {"ssh_key_data": [...]}}): goawx, which
	// decodes a flat map of lists, shows an empty list, on AWX as here.
	if err == nil || err.Error() != "Errors:\n- inputs: []" {
		t.Errorf("invalid key: %v", err)
	}
	if n := len(srv.Requests(journal.Filter{Operation: "createCredential", Status: 400})); n != 1 {
		t.Errorf("the invalid key was not refused with 400 (%d)", n)
	}
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n"
	if _, err := c.CredentialService.Create(map[string]interface{}{"name": "k", "credential_type": machineID, "user": bobID,
		"inputs": map[string]interface{}{"ssh_key_data": key}}, nil); err != nil {
		t.Errorf("valid key: %v", err)
	}
}

// TestTeamRoleEntitlements: goawx's team role calls, which
// denouche/terraform-provider-awx's awx_team reads on every refresh and
// ilijamt's awx_team_associate_role writes: list a team's roles, grant one
// and revoke it through /api/v2/teams/{id}/roles/.
func TestTeamRoleEntitlements(t *testing.T) {
	srv := start(t)
	c := login(t, srv, "admin", "password")
	cred, err := c.CredentialService.GetByID(3, nil) // shared-vault, organization Default
	if err != nil {
		t.Fatal(err)
	}
	roles := cred.SummaryFields["object_roles"].(map[string]any)
	readRole := int(roles["read_role"].(map[string]any)["id"].(float64))
	useRole := int(roles["use_role"].(map[string]any)["id"].(float64))
	has := func(id int) bool {
		t.Helper()
		list, _, err := c.TeamService.ListTeamRoleEntitlements(1, nil)
		if err != nil {
			t.Fatalf("ListTeamRoleEntitlements: %v", err)
		}
		for _, r := range list {
			if r.ID == id {
				return true
			}
		}
		return false
	}
	if !has(useRole) || has(readRole) {
		t.Fatalf("team ops: use role %v, read role %v; want only use", has(useRole), has(readRole))
	}
	// AWX answers a grant with 204 and no body; goawx decodes nothing from it.
	if _, err := c.TeamService.UpdateTeamRoleEntitlement(1, map[string]any{"id": readRole}, nil); err != nil && strings.Contains(err.Error(), "responsed with") {
		t.Fatalf("grant: %v", err)
	}
	if !has(readRole) {
		t.Error("the granted role is not listed")
	}
	if _, err := c.TeamService.UpdateTeamRoleEntitlement(1, map[string]any{"id": readRole, "disassociate": true}, nil); err != nil && strings.Contains(err.Error(), "responsed with") {
		t.Fatalf("revoke: %v", err)
	}
	if has(readRole) {
		t.Error("the revoked role is still listed")
	}
	if n := len(srv.Requests(journal.Filter{Operation: "grantTeamRole", Status: 204})); n != 2 {
		t.Errorf("%d grants answered 204, want 2", n)
	}
}
