// Access lists: GET /<objects>/{id}/access_list/ lists every user with
// access to the object, each as AWX's user with summary_fields.direct_access
// (roles of the object the user holds, alone or through a team) and
// indirect_access (roles elsewhere that imply access: System Administrator,
// the organization's admin roles), as ResourceAccessListElementSerializer
// writes them.

package awx

import (
	"slices"
	"strconv"

	"github.com/credemu/credemu/emulator/api"
)

// implied are the role fields a role grants on its own object.
var implied = map[string][]string{
	"credential.admin_role":   {"admin_role", "use_role", "read_role"},
	"credential.use_role":     {"use_role", "read_role"},
	"credential.read_role":    {"read_role"},
	"team.admin_role":         {"admin_role", "member_role", "read_role"},
	"team.member_role":        {"member_role", "read_role"},
	"team.read_role":          {"read_role"},
	"organization.admin_role": roleFields["organization"],
}

func impliedBy(kind, field string) []string {
	if d, ok := implied[kind+"."+field]; ok {
		return d
	}
	if field == "read_role" {
		return []string{"read_role"}
	}
	return []string{field, "read_role"}
}

// accessRole is a role as an access list shows it.
func (s *State) accessRole(rid int, objKind string, unattach bool) map[string]any {
	ref, _ := s.roleIndex.get(rid)
	resURL := map[string]func(int) string{"credential": credURL, "organization": orgURL, "team": teamURL}[ref.kind](ref.id)
	role := map[string]any{"id": rid, "name": roleNames[ref.field], "description": roleDescription(ref.kind, ref.field),
		"resource_name": s.resourceName(ref), "resource_type": ref.kind,
		"related": map[string]string{ref.kind: resURL}, "user_capabilities": map[string]bool{"unattach": unattach}}
	desc := impliedBy(ref.kind, ref.field)
	if ref.kind != objKind { // an organization role over one of its credentials, teams or users
		desc = descendantsOfAll(objKind)
		if ref.field == "credential_admin_role" || objKind == "credential" {
			desc = roleFields["credential"]
		}
	}
	return map[string]any{"role": role, "descendant_roles": desc}
}

// systemAdmin is the singleton role of superusers.
func systemAdmin(objKind string) map[string]any {
	return map[string]any{"role": map[string]any{"id": 1, "name": "System Administrator",
		"description": "Can manage all aspects of the system", "user_capabilities": map[string]bool{"unattach": false}},
		"descendant_roles": descendantsOfAll(objKind)}
}

// descendantsOfAll is every role field of a kind; a user has no roles of
// its own, and its administrators hold "admin_role" over it.
func descendantsOfAll(objKind string) []string {
	if f := roleFields[objKind]; f != nil {
		return f
	}
	return []string{"admin_role"}
}

// accessOf returns, for an object's roles, the users with access and each
// one's view with its direct and indirect access. Caller holds the lock.
func (s *State) accessOf(objKind string, roles []int, orgID int, me *user) ([]*user, map[int]any) {
	type access struct{ direct, indirect []any }
	by := map[int]*access{}
	at := func(uid int) *access {
		if by[uid] == nil {
			by[uid] = &access{direct: []any{}, indirect: []any{}}
		}
		return by[uid]
	}
	for _, rid := range roles {
		ref, _ := s.roleIndex.get(rid)
		for uid := range s.members(rid, ref) {
			at(uid).direct = append(at(uid).direct, s.accessRole(rid, objKind, me.Superuser))
		}
		for _, tid := range sortedKeys(s.roleTeams[rid]) {
			t := s.teams[tid]
			if t == nil {
				continue
			}
			for uid := range t.Members {
				e := s.accessRole(rid, objKind, me.Superuser)
				role := e["role"].(map[string]any)
				role["team_id"], role["team_name"] = t.ID, t.Name
				if o := s.orgs[t.OrgID]; o != nil {
					role["team_organization_name"] = o.Name
				}
				at(uid).direct = append(at(uid).direct, e)
			}
		}
	}
	if o := s.orgs[orgID]; o != nil && objKind != "organization" {
		fields := []string{"admin_role"}
		if objKind == "credential" {
			fields = append(fields, "credential_admin_role")
		}
		for _, f := range fields {
			rid := roleID(o.Roles, "organization", f)
			ref, _ := s.roleIndex.get(rid)
			for uid := range s.members(rid, ref) {
				at(uid).indirect = append(at(uid).indirect, s.accessRole(rid, objKind, false))
			}
		}
	}
	s.users.Scan(func(_ string, u *user) bool {
		if u.Superuser {
			at(u.ID).indirect = append(at(u.ID).indirect, systemAdmin(objKind))
		}
		return true
	})
	var us []*user
	for uid := range by {
		if u, found := s.users.Get(itoa(uid)); found {
			us = append(us, u)
		}
	}
	slices.SortFunc(us, func(a, b *user) int {
		if a.Username != b.Username {
			if a.Username < b.Username {
				return -1
			}
			return 1
		}
		return a.ID - b.ID
	})
	out := make(map[int]any, len(us))
	for _, u := range us {
		v := userView(u, me)
		sf := make(map[string]any, len(v.SummaryFields)+2)
		for k, x := range v.SummaryFields { // a copy: views may share their maps
			sf[k] = x
		}
		sf["direct_access"], sf["indirect_access"] = by[u.ID].direct, by[u.ID].indirect
		v.SummaryFields = sf
		out[u.ID] = v
	}
	return us, out
}

// accessList serves GET /<objects>/{id}/access_list/ for credentials,
// organizations, teams and users; the object must be readable as its own
// GET answers.
func accessList(get func(*State, *api.Request) (*api.Response, error)) func(*State, *api.Request) (*api.Response, error) {
	return func(s *State, r *api.Request) (*api.Response, error) {
		if _, err := get(s, r); err != nil {
			return nil, err
		}
		lq, e := userListSpec.parseList(r.Query)
		if e != nil {
			return nil, e
		}
		id, _ := strconv.Atoi(r.Vars["id"])
		s.mu.RLock()
		defer s.mu.RUnlock()
		me := caller(r)
		var us []*user
		var views map[int]any
		switch segments(r.HTTP.URL.Path)[0] {
		case "credentials":
			c, found := s.creds.Get(itoa(id))
			if !found {
				return nil, notFound()
			}
			us, views = s.accessOf("credential", c.Roles[:], c.OrgID, me)
		case "organizations":
			o := s.orgs[id]
			if o == nil {
				return nil, notFound()
			}
			us, views = s.accessOf("organization", o.Roles, 0, me)
		case "teams":
			t := s.teams[id]
			if t == nil {
				return nil, notFound()
			}
			us, views = s.accessOf("team", t.Roles, t.OrgID, me)
		default: // users: superusers, and the admins of the user's organizations
			u, found := s.users.Get(itoa(id))
			if !found {
				return nil, notFound()
			}
			us, views = s.userAccess(u, me)
		}
		return listOf(r, lq, userListSpec, func(yield func(*user) bool) {
			for _, u := range us {
				if !yield(u) {
					return
				}
			}
		}, userRow, func(u *user) int { return u.ID }, func(u *user) any { return views[u.ID] })
	}
}

// userAccess is a user's access list: AWX's User has no roles of its own;
// superusers and the admins of the organizations the user belongs to may
// manage it. Caller holds the lock.
func (s *State) userAccess(target, me *user) ([]*user, map[int]any) {
	var roles []int
	for _, o := range sortedByID(s.orgs) {
		if o.Members[target.ID] || o.Admins[target.ID] {
			roles = append(roles, roleID(o.Roles, "organization", "admin_role"))
		}
	}
	return s.accessOf("user", roles, 0, me)
}
