// Roles: the role table (every resource's admin, use, read and member
// roles), who holds which, and what a role lets a user see or grant.

package awx

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/credemu/credemu/emulator/api"
)

// Roles: AWX's RBAC as far as credentials need it. Credentials,
// organizations and teams own roles (ids shared by all three); users and
// teams are granted them through /roles/{id}/users/ and /teams/, or from
// the user's side through /users/{id}/roles/; organization and team
// membership is the member_role. Behaviour and messages follow AWX
// 24.6.1's RoleUsersList, RoleTeamsList and UserRolesList.

// Role fields of each resource kind, in the order AWX creates them.
var roleFields = map[string][]string{
	"credential": {"admin_role", "use_role", "read_role"},
	"organization": {"admin_role", "execute_role", "project_admin_role", "inventory_admin_role", "credential_admin_role",
		"workflow_admin_role", "notification_admin_role", "job_template_admin_role", "execution_environment_admin_role",
		"auditor_role", "member_role", "read_role", "approval_role"},
	"team": {"admin_role", "member_role", "read_role"},
}

// Credential role indexes in credential.Roles.
const (
	credAdmin = 0
	credUse   = 1
	credRead  = 2
)

var roleNames = map[string]string{
	"admin_role": "Admin", "project_admin_role": "Project Admin", "inventory_admin_role": "Inventory Admin",
	"credential_admin_role": "Credential Admin", "job_template_admin_role": "Job Template Admin",
	"execution_environment_admin_role": "Execution Environment Admin", "workflow_admin_role": "Workflow Admin",
	"notification_admin_role": "Notification Admin", "auditor_role": "Auditor", "execute_role": "Execute",
	"member_role": "Member", "read_role": "Read", "use_role": "Use", "approval_role": "Approve",
}

var roleDescriptions = map[string]string{
	"admin_role": "Can manage all aspects of the %s", "project_admin_role": "Can manage all projects of the %s",
	"inventory_admin_role": "Can manage all inventories of the %s", "credential_admin_role": "Can manage all credentials of the %s",
	"job_template_admin_role": "Can manage all job templates of the %s", "execution_environment_admin_role": "Can manage all execution environments of the %s",
	"workflow_admin_role": "Can manage all workflows of the %s", "notification_admin_role": "Can manage all notifications of the %s",
	"auditor_role": "Can view all aspects of the %s", "execute_role": "May run the %s", "member_role": "User is a member of the %s",
	"read_role": "May view settings for the %s", "use_role": "Can use the %s in a job template",
	"approval_role": "Can approve or deny a workflow approval node",
}

// roleDescription is the description of a role, from a table built once:
// views show several roles each.
func roleDescription(kind, field string) string { return roleDescriptionOf()[kind+"."+field] }

// roleDescriptionOf is built on first use, not in package initialisation,
// which every launch pays for: only views of roles read it.
var roleDescriptionOf = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for kind, fields := range roleFields {
		for _, f := range fields {
			out[kind+"."+f] = describeRole(kind, f)
		}
	}
	return out
})

func describeRole(kind, field string) string {
	if kind == "organization" && field == "execute_role" {
		return "May run any executable resources in the organization"
	}
	d := roleDescriptions[field]
	if field == "approval_role" {
		return d
	}
	return fmt.Sprintf(d, kind)
}

var kindDisplay = map[string]string{"credential": "Credential", "organization": "Organization", "team": "Team"}

// roleRef names one role: the resource it belongs to and its field.
type roleRef struct {
	kind  string // "credential", "organization" or "team"
	id    int
	field string
}

// roleTable maps role ids to their resources. Role ids are handed out in
// sequence from 1, so a slice indexed by id holds them, packed without
// pointers: three map entries of strings per credential had been a third
// of a create, of its memory, and of what the garbage collector scanned.
type roleTable []packedRole

type packedRole struct {
	id          int32
	kind, field uint8 // indexes into roleKinds and roleFieldNames; kind 0: none
}

var (
	roleKinds      = []string{"", "credential", "organization", "team"}
	roleFieldNames = func() []string {
		out := []string{""}
		for _, kind := range roleKinds[1:] {
			for _, f := range roleFields[kind] {
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
		return out
	}()
)

// get returns the role of an id; found is false for ids never handed out
// or dropped.
func (t roleTable) get(rid int) (roleRef, bool) {
	if rid <= 0 || rid >= len(t) || t[rid].kind == 0 {
		return roleRef{}, false
	}
	p := t[rid]
	return roleRef{kind: roleKinds[p.kind], id: int(p.id), field: roleFieldNames[p.field]}, true
}

// set records the role of an id.
func (t *roleTable) set(rid int, ref roleRef) {
	for len(*t) <= rid {
		*t = append(*t, packedRole{})
	}
	(*t)[rid] = packedRole{id: int32(ref.id), kind: uint8(slices.Index(roleKinds, ref.kind)),
		field: uint8(slices.Index(roleFieldNames, ref.field))}
}

// drop forgets an id.
func (t roleTable) drop(rid int) {
	if rid > 0 && rid < len(t) {
		t[rid] = packedRole{}
	}
}

// allocRoles hands out the role ids of a new resource, in AWX's order, and
// indexes them. Caller holds the write lock.
func (s *State) allocRoles(kind string, id int) []int {
	s.ownRoles()
	ids := make([]int, len(roleFields[kind]))
	for i, f := range roleFields[kind] {
		ids[i] = s.nextRole
		s.roleIndex.set(s.nextRole, roleRef{kind: kind, id: id, field: f})
		s.nextRole++
	}
	return ids
}

// credRoles is allocRoles for a credential, whose roles are a fixed array.
func (s *State) credRoles(id int) [3]int {
	ids := s.allocRoles("credential", id)
	return [3]int{ids[0], ids[1], ids[2]}
}

// dropRoles forgets roles and every grant of them. Caller holds the write
// lock.
func (s *State) dropRoles(ids ...int) {
	s.ownRoles()
	for _, rid := range ids {
		s.roleIndex.drop(rid)
		delete(s.roleUsers, rid)
		delete(s.roleTeams, rid)
	}
}

// roleID returns the id of a resource's role field.
func roleID(ids []int, kind, field string) int {
	if i := slices.Index(roleFields[kind], field); i >= 0 && i < len(ids) {
		return ids[i]
	}
	return 0
}

// viaTeam reports whether u is in a team that was granted role rid.
func (s *State) viaTeam(u *user, rid int) bool {
	for tid := range s.roleTeams[rid] {
		if t := s.teams[tid]; t != nil && t.Members[u.ID] {
			return true
		}
	}
	return false
}

// hasRole reports whether u holds a credential role (index i or a stronger
// one: admin implies use implies read), directly or through a team.
func (s *State) hasRole(u *user, c *credential, i int) bool {
	for j := 0; j <= i; j++ {
		rid := c.Roles[j]
		if s.roleUsers[rid][u.ID] || s.viaTeam(u, rid) {
			return true
		}
	}
	return false
}

// orgRole reports whether u holds an organization role, directly or
// through a team; the admin role implies all others.
func (s *State) orgRole(u *user, orgID int, field string) bool {
	o := s.orgs[orgID]
	if o == nil {
		return false
	}
	if o.Admins[u.ID] || (field == "member_role" && o.Members[u.ID]) {
		return true
	}
	for _, f := range []string{field, "admin_role"} {
		rid := roleID(o.Roles, "organization", f)
		if s.roleUsers[rid][u.ID] || s.viaTeam(u, rid) {
			return true
		}
	}
	return false
}

// members returns the users holding a role directly (the owner of a user
// credential holds its admin role). Caller holds the lock.
func (s *State) members(rid int, ref roleRef) map[int]bool {
	out := map[int]bool{}
	for id := range s.roleUsers[rid] {
		out[id] = true
	}
	switch ref.kind {
	case "credential":
		if c, found := s.creds.Get(itoa(ref.id)); found && ref.field == "admin_role" && c.UserID != 0 {
			out[c.UserID] = true
		}
	case "organization":
		if o := s.orgs[ref.id]; o != nil {
			switch ref.field {
			case "admin_role":
				for id := range o.Admins {
					out[id] = true
				}
			case "member_role":
				for id := range o.Members {
					out[id] = true
				}
			}
		}
	case "team":
		if t := s.teams[ref.id]; t != nil && ref.field == "member_role" {
			for id := range t.Members {
				out[id] = true
			}
		}
	}
	return out
}

// setMember grants (or revokes) a role to a user. Organization admin and
// member roles and team member roles are the memberships themselves.
// Caller holds the write lock.
func (s *State) setMember(rid int, ref roleRef, uid int, on bool) {
	switch {
	case ref.kind == "organization" && (ref.field == "admin_role" || ref.field == "member_role"):
		o := s.orgs[ref.id].clone()
		set := o.Members
		if ref.field == "admin_role" {
			set = o.Admins
		}
		setBit(set, uid, on)
		s.orgs[o.ID] = o
	case ref.kind == "team" && ref.field == "member_role":
		t := s.teams[ref.id].clone()
		setBit(t.Members, uid, on)
		s.teams[t.ID] = t
	default:
		if s.roleUsers[rid] == nil {
			s.roleUsers[rid] = map[int]bool{}
		}
		setBit(s.roleUsers[rid], uid, on)
		// A credential's owner holds its admin role as AWX records it, a
		// membership: revoking it ends the ownership too.
		if ref.kind == "credential" && ref.field == "admin_role" && !on {
			if c, found := s.creds.Get(itoa(ref.id)); found && c.UserID == uid {
				c.UserID = 0
				s.creds.Put(itoa(c.ID), c)
				s.touchCreds()
			}
		}
	}
}

func setBit(m map[int]bool, k int, on bool) {
	if on {
		m[k] = true
	} else {
		delete(m, k)
	}
}

// canSeeRole: a role is visible with its resource.
func (s *State) canSeeRole(u *user, ref roleRef) bool {
	switch ref.kind {
	case "credential":
		c, found := s.creds.Get(itoa(ref.id))
		return found && s.canSeeCred(u, c)
	case "organization":
		o := s.orgs[ref.id]
		return o != nil && s.canSeeOrg(u, o)
	case "team":
		t := s.teams[ref.id]
		return t != nil && s.canSeeTeam(u, t)
	}
	return false
}

// canGrant: only those who administer a resource hand out its roles.
func (s *State) canGrant(u *user, ref roleRef) bool {
	switch ref.kind {
	case "credential":
		c, found := s.creds.Get(itoa(ref.id))
		return found && s.canEditCred(u, c)
	case "organization":
		return u.Superuser || s.orgRole(u, ref.id, "admin_role")
	case "team":
		t := s.teams[ref.id]
		if t == nil {
			return false
		}
		rid := roleID(t.Roles, "team", "admin_role")
		return u.Superuser || s.orgRole(u, t.OrgID, "admin_role") || s.roleUsers[rid][u.ID] || s.viaTeam(u, rid)
	}
	return false
}

// resourceName is the name of a role's resource.
func (s *State) resourceName(ref roleRef) string {
	switch ref.kind {
	case "credential":
		if c, found := s.creds.Get(itoa(ref.id)); found {
			return c.Name
		}
	case "organization":
		if o := s.orgs[ref.id]; o != nil {
			return o.Name
		}
	case "team":
		if t := s.teams[ref.id]; t != nil {
			return t.Name
		}
	}
	return ""
}

func (s *State) roleView(rid int) map[string]any {
	ref, _ := s.roleIndex.get(rid)
	base := fmt.Sprintf("/api/v2/roles/%d/", rid)
	resURL := map[string]func(int) string{"credential": credURL, "organization": orgURL, "team": teamURL}[ref.kind](ref.id)
	return map[string]any{"id": rid, "type": "role", "url": base,
		"related": map[string]string{"users": base + "users/", "teams": base + "teams/", ref.kind: resURL},
		"summary_fields": map[string]any{"resource_name": s.resourceName(ref), "resource_type": ref.kind,
			"resource_type_display_name": kindDisplay[ref.kind], "resource_id": ref.id,
			"user_capabilities": map[string]bool{"unattach": true}},
		"name": roleNames[ref.field], "description": roleDescription(ref.kind, ref.field)}
}

// objectRoles is a resource's summary_fields.object_roles; ids are its
// role ids in roleFields[kind] order, and must not change afterwards.
func objectRoles(kind string, ids []int) roleSet { return roleSet{kind: kind, ids: ids} }

// roleSet renders as an object of role field → role, keys sorted as
// encoding/json sorts a map's, without building the map.
type roleSet struct {
	kind string
	ids  []int
}

// sortedRole is one role field of a kind, with what its summary shows.
type sortedRole struct {
	field, name, description string
	index                    int // in roleFields[kind] and the ids
}

// sortedRoles lists each kind's role fields in key order. It is built on
// first use, as roleDescriptionOf is.
var sortedRoles = sync.OnceValue(func() map[string][]sortedRole {
	out := map[string][]sortedRole{}
	for kind, fields := range roleFields {
		list := make([]sortedRole, len(fields))
		for i, f := range fields {
			list[i] = sortedRole{field: f, name: roleNames[f], description: roleDescription(kind, f), index: i}
		}
		slices.SortFunc(list, func(a, b sortedRole) int { return strings.Compare(a.field, b.field) })
		out[kind] = list
	}
	return out
})

// MarshalJSON writes the set for encoding/json (organization and team
// summaries are maps).
func (rs roleSet) MarshalJSON() ([]byte, error) { return rs.appendJSON(nil), nil }

func (rs roleSet) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	for _, r := range sortedRoles()[rs.kind] {
		if r.index >= len(rs.ids) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = api.AppendString(b, r.field)
		b = append(b, ':')
		b = role{ID: rs.ids[r.index], Name: r.name, Description: r.description}.appendJSON(b)
	}
	return append(b, '}')
}

// Membership lists: /organizations/{id}/users/ and /admins/, and
// /teams/{id}/users/. GET lists the members; POST {"id": n} adds (or with
// "disassociate" removes) one, as the role grant would; POST of a user's
// fields creates the user and adds them.
