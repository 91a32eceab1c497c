package awx_test

import (
	"strconv"
	"strings"
	"testing"

	tfawx "github.com/denouche/goawx/client"
)

// The calls of denouche/terraform-provider-awx (v0.x, on its own goawx fork
// github.com/denouche/goawx v0.22.0, from the module proxy), made in the
// order its resources make them: create, then read (which for users and
// teams also lists the role entitlements), update, read, delete. A call
// credemu answered differently from AWX would fail terraform apply, plan or
// import.

func tfClient(t *testing.T, url string) *tfawx.AWX {
	t.Helper()
	c, err := tfawx.NewAWX(url, "admin", "password", nil)
	if err != nil {
		t.Fatalf("NewAWX: %v", err)
	}
	return c
}

// TestTerraformUserAndTeam: awx_user and awx_team with role_entitlement.
func TestTerraformUserAndTeam(t *testing.T) {
	srv := start(t)
	c := tfClient(t, srv.URL())

	// awx_organization.
	org, err := c.OrganizationsService.CreateOrganization(map[string]interface{}{"name": "tf-org", "description": "from terraform", "max_hosts": 0}, map[string]string{})
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	if got, err := c.OrganizationsService.GetOrganizationsByID(org.ID, map[string]string{}); err != nil || got.Name != "tf-org" {
		t.Fatalf("GetOrganizationsByID: %+v %v", got, err)
	}
	if _, err := c.OrganizationsService.UpdateOrganization(org.ID, map[string]interface{}{"name": "tf-org", "description": "changed"}, map[string]string{}); err != nil {
		t.Errorf("UpdateOrganization: %v", err)
	}
	if orgs, err := c.OrganizationsService.ListOrganizations(map[string]string{"name": "tf-org"}); err != nil || len(orgs) != 1 {
		t.Errorf("ListOrganizations by name (data source awx_organization): %d %v", len(orgs), err)
	}

	// awx_user, with a role entitlement: the organization's member role.
	user, err := c.UserService.CreateUser(map[string]interface{}{
		"username": "tf-user", "password": "Tf-Pass-1", "first_name": "Terra", "last_name": "Form",
		"email": "tf@example.com", "is_superuser": false, "is_system_auditor": false,
	}, map[string]string{})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	memberRole := org.SummaryFields.ObjectRoles.MemberRole.ID
	if memberRole == 0 {
		t.Fatalf("organization's summary_fields.object_roles.member_role has no id: %+v", org.SummaryFields.ObjectRoles)
	}
	if _, err := c.UserService.UpdateUserRoleEntitlement(user.ID, map[string]interface{}{"id": memberRole}, nil); err != nil {
		t.Fatalf("UpdateUserRoleEntitlement: %v", err)
	}
	if got, err := c.UserService.GetUserByID(user.ID, map[string]string{}); err != nil || got.Username != "tf-user" {
		t.Fatalf("GetUserByID: %+v %v", got, err)
	}
	roles, _, err := c.UserService.ListUserRoleEntitlements(user.ID, map[string]string{})
	if err != nil || !hasRole(roles, memberRole) {
		t.Errorf("ListUserRoleEntitlements: %v, want role %d among %+v", err, memberRole, roleIDs(roles))
	}
	if _, err := c.UserService.UpdateUser(user.ID, map[string]interface{}{"username": "tf-user", "email": "tf2@example.com"}, map[string]string{}); err != nil {
		t.Errorf("UpdateUser: %v", err)
	}

	// awx_team: the provider looks for a same-named team first.
	if _, res, err := c.TeamService.ListTeams(map[string]string{"name": "tf-team", "organization": strconv.Itoa(org.ID)}); err != nil || len(res.Results) != 0 {
		t.Fatalf("ListTeams before create: %v %v", res, err)
	}
	team, err := c.TeamService.CreateTeam(map[string]interface{}{"name": "tf-team", "description": "", "organization": org.ID}, map[string]string{})
	if err != nil {
		t.Fatalf("CreateTeam: %v", err)
	}
	// AWX refuses an organization's participation roles for a team (the
	// provider surfaces the 400); other organization roles are granted.
	if _, err := c.TeamService.UpdateTeamRoleEntitlement(team.ID, map[string]interface{}{"id": org.SummaryFields.ObjectRoles.AdminRole.ID}, nil); err == nil {
		t.Errorf("team granted the organization's admin role: %v", err)
	}
	adminRole := org.SummaryFields.ObjectRoles.CredentialAdminRole.ID
	if _, err := c.TeamService.UpdateTeamRoleEntitlement(team.ID, map[string]interface{}{"id": adminRole}, nil); err != nil {
		t.Fatalf("UpdateTeamRoleEntitlement: %v", err)
	}
	if got, err := c.TeamService.GetTeamByID(team.ID, map[string]string{}); err != nil || got.Name != "tf-team" {
		t.Fatalf("GetTeamByID: %+v %v", got, err)
	}
	troles, _, err := c.TeamService.ListTeamRoleEntitlements(team.ID, map[string]string{})
	if err != nil || !hasRole(troles, adminRole) {
		t.Errorf("ListTeamRoleEntitlements: %v, want role %d among %v", err, adminRole, roleIDs(troles))
	}
	// Removing the entitlement (a role_entitlement taken out of the config).
	if _, err := c.TeamService.UpdateTeamRoleEntitlement(team.ID, map[string]interface{}{"id": adminRole, "disassociate": true}, nil); err != nil {
		t.Errorf("UpdateTeamRoleEntitlement disassociate: %v", err)
	}
	if troles, _, _ = c.TeamService.ListTeamRoleEntitlements(team.ID, map[string]string{}); hasRole(troles, adminRole) {
		t.Error("team still holds the revoked role")
	}
	if _, err := c.TeamService.UpdateTeam(team.ID, map[string]interface{}{"name": "tf-team", "description": "d", "organization": org.ID}, map[string]string{}); err != nil {
		t.Errorf("UpdateTeam: %v", err)
	}

	// terraform destroy.
	if _, err := c.TeamService.DeleteTeam(team.ID); err != nil {
		t.Errorf("DeleteTeam: %v", err)
	}
	if _, err := c.UserService.DeleteUser(user.ID); err != nil {
		t.Errorf("DeleteUser: %v", err)
	}
	if _, err := c.OrganizationsService.DeleteOrganization(org.ID); err != nil {
		t.Errorf("DeleteOrganization: %v", err)
	}
	// A later plan reads a deleted object: the provider needs AWX's 404.
	if _, err := c.UserService.GetUserByID(user.ID, map[string]string{}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("GetUserByID after delete: %v, want a 404", err)
	}
}

// TestTerraformCredentials: awx_credential_machine (all inputs sent, empty
// ones as ""), awx_credential_type, awx_credential_input_source and the
// awx_credential data source.
func TestTerraformCredentials(t *testing.T) {
	srv := start(t)
	c := tfClient(t, srv.URL())
	cred, err := c.CredentialsService.CreateCredentials(map[string]interface{}{
		"name": "tf-machine", "description": "", "organization": defaultOrg, "credential_type": 1,
		"inputs": map[string]interface{}{
			"username": "deploy", "password": "s3cret", "ssh_key_data": "", "ssh_public_key_data": "",
			"ssh_key_unlock": "", "become_method": "", "become_username": "", "become_password": "",
		},
	}, map[string]string{})
	if err != nil {
		t.Fatalf("CreateCredentials (machine, as the provider sends it): %v", err)
	}
	got, err := c.CredentialsService.GetCredentialsByID(cred.ID, map[string]string{})
	if err != nil || got.Name != "tf-machine" {
		t.Fatalf("GetCredentialsByID: %+v %v", got, err)
	}
	// The provider stores what AWX answers: secrets as AWX's mask.
	if pw := got.Inputs["password"]; pw != "$encrypted$" {
		t.Errorf("inputs.password = %v, want AWX's $encrypted$ mask", pw)
	}
	if _, err := c.CredentialsService.UpdateCredentialsByID(cred.ID, map[string]interface{}{
		"name": "tf-machine", "organization": defaultOrg, "credential_type": 1,
		"inputs": map[string]interface{}{"username": "deploy2", "password": "s3cret"},
	}, map[string]string{}); err != nil {
		t.Errorf("UpdateCredentialsByID: %v", err)
	}
	if list, err := c.CredentialsService.ListCredentials(map[string]string{"name": "tf-machine"}); err != nil || len(list) != 1 {
		t.Errorf("ListCredentials by name: %d %v", len(list), err)
	}

	typ, err := c.CredentialTypeService.CreateCredentialType(map[string]interface{}{
		"name": "tf-type", "description": "", "kind": "cloud",
		"inputs":    map[string]interface{}{"fields": []interface{}{map[string]interface{}{"id": "token", "label": "Token", "type": "string", "secret": true}}},
		"injectors": map[string]interface{}{"env": map[string]interface{}{"TF_TOKEN": "{{ token }}"}},
	}, map[string]string{})
	if err != nil {
		t.Fatalf("CreateCredentialType: %v", err)
	}
	if got, err := c.CredentialTypeService.GetCredentialTypeByID(typ.ID, map[string]string{}); err != nil || got.Name != "tf-type" {
		t.Errorf("GetCredentialTypeByID: %+v %v", got, err)
	}
	if _, err := c.CredentialTypeService.UpdateCredentialTypeByID(typ.ID, map[string]interface{}{"name": "tf-type", "kind": "cloud", "description": "d"}, map[string]string{}); err != nil {
		t.Errorf("UpdateCredentialTypeByID: %v", err)
	}

	// An input source: the machine credential's password from a HashiCorp
	// Vault lookup credential.
	vault, err := c.CredentialsService.CreateCredentials(map[string]interface{}{
		"name": "tf-vault", "organization": defaultOrg, "credential_type": vaultLookupType(t, c),
		"inputs": map[string]interface{}{"url": "https://vault.example", "token": "t", "api_version": "v2"},
	}, map[string]string{})
	if err != nil {
		t.Fatalf("CreateCredentials (vault lookup): %v", err)
	}
	src, err := c.CredentialInputSourceService.CreateCredentialInputSource(map[string]interface{}{
		"description": "", "input_field_name": "password", "target_credential": cred.ID, "source_credential": vault.ID,
		"metadata": map[string]interface{}{"secret_path": "/kv/deploy", "secret_key": "password"},
	}, map[string]string{})
	if err != nil {
		t.Fatalf("CreateCredentialInputSource: %v", err)
	}
	if _, err := c.CredentialInputSourceService.GetCredentialInputSourceByID(src.ID, map[string]string{}); err != nil {
		t.Errorf("GetCredentialInputSourceByID: %v", err)
	}
	if _, err := c.CredentialInputSourceService.UpdateCredentialInputSourceByID(src.ID, map[string]interface{}{
		"input_field_name": "password", "target_credential": cred.ID, "source_credential": vault.ID,
		"metadata": map[string]interface{}{"secret_path": "/kv/deploy2", "secret_key": "password"},
	}, map[string]string{}); err != nil {
		t.Errorf("UpdateCredentialInputSourceByID: %v", err)
	}
	if err := c.CredentialInputSourceService.DeleteCredentialInputSourceByID(src.ID, map[string]string{}); err != nil {
		t.Errorf("DeleteCredentialInputSourceByID: %v", err)
	}
}

func vaultLookupType(t *testing.T, c *tfawx.AWX) int {
	t.Helper()
	types, _, err := c.CredentialTypeService.ListCredentialTypes(map[string]string{"namespace": "hashivault_kv"})
	if err != nil || len(types) != 1 {
		t.Fatalf("the HashiCorp Vault Secret Lookup type: %d %v", len(types), err)
	}
	return types[0].ID
}

func hasRole(roles []*tfawx.ApplyRole, id int) bool {
	for _, r := range roles {
		if r.ID == id {
			return true
		}
	}
	return false
}

func roleIDs(roles []*tfawx.ApplyRole) []int {
	var out []int
	for _, r := range roles {
		out = append(out, r.ID)
	}
	return out
}
