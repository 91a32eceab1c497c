// Role endpoints: /api/v2/roles/, a resource's object_roles, role users
// and teams, and granting and revoking ({"id": N, "disassociate": true}).

package awx

import (
	"slices"

	"github.com/credemu/credemu/emulator/api"
)

var roleListSpec = &listSpec{model: "Role", fields: map[string]kind{"id": kInt, "name": kString}, order: []string{"id"}}

// rolesPage answers a role-related list (roles, or a role's users or
// teams), paged like any AWX list; these short lists take no filters.
func rolesPage(r *api.Request, views []any) (*api.Response, error) {
	lq, e := roleListSpec.parseList(r.Query)
	if e != nil {
		return nil, e
	}
	if views == nil {
		views = []any{}
	}
	start, end, p, e := lq.paginate(r.HTTP, len(views))
	if e != nil {
		return nil, e
	}
	p.Results = append(p.Results, views[start:end]...)
	return ok(p)
}

// listObjectRoles is GET /{credentials,organizations,teams}/{id}/object_roles/.
func listObjectRoles(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []int
	switch r.Op.ID {
	case "listCredentialObjectRoles":
		c, err := s.cred(r)
		if err != nil {
			return nil, err
		}
		ids = c.Roles[:]
	case "listOrganizationObjectRoles":
		o, err := s.organization(r)
		if err != nil {
			return nil, err
		}
		ids = o.Roles
	default:
		t, err := s.teamOf(r)
		if err != nil {
			return nil, err
		}
		ids = t.Roles
	}
	views := make([]any, len(ids))
	for i, rid := range ids {
		views[i] = s.roleView(rid)
	}
	return rolesPage(r, views)
}

// roleFromPath returns the role in the path, checking the caller may see
// it. Caller holds the lock.
func (s *State) roleFromPath(r *api.Request) (int, roleRef, error) {
	rid := atoiOr(r.Vars["id"])
	ref, found := s.roleIndex.get(rid)
	ref, err := visible(ref, found, found && s.canSeeRole(caller(r), ref))
	return rid, ref, err
}

func getRole(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, func(r *api.Request) (int, error) {
		rid, _, err := s.roleFromPath(r)
		return rid, err
	}, func(rid int, _ *user) any { return s.roleView(rid) })
}

// listRoleUsers lists the users holding a role directly.
func listRoleUsers(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rid, ref, err := s.roleFromPath(r)
	if err != nil {
		return nil, err
	}
	return s.usersPage(r, s.members(rid, ref))
}

// usersPage lists users by id, in username order as AWX's role and
// membership lists are. Caller holds the lock.
func (s *State) usersPage(r *api.Request, ids map[int]bool) (*api.Response, error) {
	me := caller(r)
	var us []*user
	for _, id := range sortedKeys(ids) {
		if u, found := s.users.Get(itoa(id)); found {
			us = append(us, u)
		}
	}
	slices.SortStableFunc(us, func(a, b *user) int {
		switch {
		case a.Username < b.Username:
			return -1
		case a.Username > b.Username:
			return 1
		}
		return 0
	})
	views := make([]any, len(us))
	for i, u := range us {
		views[i] = userView(u, me)
	}
	return rolesPage(r, views)
}

func listRoleTeams(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rid, _, err := s.roleFromPath(r)
	if err != nil {
		return nil, err
	}
	me := caller(r)
	var views []any
	for _, id := range sortedKeys(s.roleTeams[rid]) {
		if t := s.teams[id]; t != nil {
			views = append(views, s.teamView(t, me))
		}
	}
	return rolesPage(r, views)
}

// association is the body of an attach/detach POST: {"id": n} attaches,
// {"id": n, "disassociate": ...} detaches.
type association struct {
	id          int
	hasDisassoc bool // the key is there: RoleUsersList and UserRolesList test presence
	disassoc    bool // its value: RoleTeamsList tests truth
}

// associate reads a body that names a model by id (AWX's SubListAttach
// views) and runs attach on it under the write lock: the preamble of every
// grant. A body without a usable id is answered as AWX answers it.
func associate(s *State, r *api.Request, model string, attach func(association) (*api.Response, error)) (*api.Response, error) {
	a, bad := readAssociation(r, model)
	if bad != nil {
		return bad, nil
	}
	s.lockWrite()
	defer s.mu.Unlock()
	return attach(a)
}

// readAssociation reads the body as SubListAttachDetachAPIView does; model
// names what the id refers to, for the missing-id message. A non-nil
// response is AWX's 400 answer.
func readAssociation(r *api.Request, model string) (association, *api.Response) {
	b := body(r)
	var a association
	raw := b["id"]
	if !truthy(raw) {
		resp, _ := msg(model + " 'id' field is missing.")
		return a, resp
	}
	id, isInt := raw.(float64)
	if !isInt || id != float64(int(id)) {
		resp, _ := msg(`"id" field must be an integer.`)
		return a, resp
	}
	a.id = int(id)
	_, a.hasDisassoc = b["disassociate"]
	a.disassoc = truthy(b["disassociate"])
	return a, nil
}

// grantUser gives (or takes) a role to a user, with the checks of AWX's
// RoleUsersList and UserRolesList: a credential of an organization goes
// only to that organization's members, a private one only by a superuser,
// and only those who administer a resource grant its roles. Caller holds
// the write lock.
func (s *State) grantUser(r *api.Request, rid int, ref roleRef, u *user, detach bool) (*api.Response, error) {
	me := caller(r)
	if ref.kind == "credential" {
		c, _ := s.creds.Get(itoa(ref.id))
		if c.OrgID != 0 {
			if !detach && !s.orgRole(u, c.OrgID, "member_role") {
				return msg("You cannot grant credential access to a user not in the credentials' organization")
			}
		} else if !me.Superuser {
			return msg("You cannot grant private credential access to another user")
		}
	}
	if !s.canGrant(me, ref) {
		return nil, forbidden()
	}
	s.setMember(rid, ref, u.ID, !detach)
	return noContent()
}

// grantRoleUser is POST /roles/{id}/users/.
func grantRoleUser(s *State, r *api.Request) (*api.Response, error) {
	return associate(s, r, "User", func(a association) (*api.Response, error) {
		u, found := s.users.Get(itoa(a.id))
		if !found {
			return nil, noSuch("User")
		}
		rid := atoiOr(r.Vars["id"])
		ref, found := s.roleIndex.get(rid)
		if !found {
			return nil, notFound()
		}
		return s.grantUser(r, rid, ref, u, a.hasDisassoc)
	})
}

// grantUserRole is POST /users/{id}/roles/ {"id": role}: the same grant
// from the user's side.
func grantUserRole(s *State, r *api.Request) (*api.Response, error) {
	return associate(s, r, "Role", func(a association) (*api.Response, error) {
		u, found := s.users.Get(r.Vars["id"])
		if !found {
			return nil, noSuch("User")
		}
		ref, found := s.roleIndex.get(a.id)
		if !found {
			return nil, noSuch("Role")
		}
		return s.grantUser(r, a.id, ref, u, a.hasDisassoc)
	})
}

// grantRoleTeam is POST /roles/{id}/teams/ {"id": <team>}.
func grantRoleTeam(s *State, r *api.Request) (*api.Response, error) {
	return associate(s, r, "Team", func(a association) (*api.Response, error) {
		t := s.teams[a.id]
		if t == nil {
			return nil, noSuch("Team")
		}
		rid := atoiOr(r.Vars["id"])
		ref, found := s.roleIndex.get(rid)
		if !found {
			return nil, notFound()
		}
		return s.grantTeam(r, rid, ref, t, a.disassoc)
	})
}

// grantTeamRole is POST /teams/{id}/roles/ {"id": <role>} (AWX's
// TeamRolesList), the same grant seen from the team; "disassociate" revokes.
func grantTeamRole(s *State, r *api.Request) (*api.Response, error) {
	return associate(s, r, "Role", func(a association) (*api.Response, error) {
		t, err := s.teamOf(r)
		if err != nil {
			return nil, err
		}
		ref, found := s.roleIndex.get(a.id)
		if !found {
			return nil, noSuch("Role")
		}
		return s.grantTeam(r, a.id, ref, t, a.hasDisassoc) // SubListAttachDetachAPIView tests presence
	})
}

// grantTeam grants (or revokes) a role to a team: a credential role goes
// only to a team of the credential's own organization, and organization
// membership never to a team. Caller holds the write lock.
func (s *State) grantTeam(r *api.Request, rid int, ref roleRef, t *team, detach bool) (*api.Response, error) {
	switch ref.kind {
	case "organization":
		if ref.field == "member_role" || ref.field == "admin_role" {
			return msg("You cannot assign an Organization participation role as a child role for a Team.")
		}
	case "credential":
		c, _ := s.creds.Get(itoa(ref.id))
		if c.OrgID == 0 || c.OrgID != t.OrgID {
			return msg("You cannot grant credential access to a team when the Organization field isn't set, or belongs to a different organization")
		}
	}
	if !s.canGrant(caller(r), ref) {
		return nil, forbidden()
	}
	if s.roleTeams[rid] == nil {
		s.roleTeams[rid] = map[int]bool{}
	}
	setBit(s.roleTeams[rid], t.ID, !detach)
	return noContent()
}

// listTeamRoles is GET /teams/{id}/roles/: the roles granted to the team,
// as far as the caller may see them (AWX's TeamRolesList).
func listTeamRoles(s *State, r *api.Request) (*api.Response, error) {
	return readOne(s, r, s.teamOf, func(t *team) (*api.Response, error) {
		me := caller(r)
		var views []any
		for rid := range s.roleIndex { // in id order
			if ref, found := s.roleIndex.get(rid); found && s.roleTeams[rid][t.ID] && s.canSeeRole(me, ref) {
				views = append(views, s.roleView(rid))
			}
		}
		return rolesPage(r, views)
	})
}

// listUserRoles lists the roles a user holds directly, as far as the
// caller may see them.
func listUserRoles(s *State, r *api.Request) (*api.Response, error) {
	return readOne(s, r, s.target, func(u *user) (*api.Response, error) {
		me := caller(r)
		var views []any
		for rid := range s.roleIndex { // in id order
			if ref, found := s.roleIndex.get(rid); found && s.canSeeRole(me, ref) && s.members(rid, ref)[u.ID] {
				views = append(views, s.roleView(rid))
			}
		}
		return rolesPage(r, views)
	})
}

// membershipRole returns the role behind a membership list. Caller holds
// the lock.
func (s *State) membershipRole(r *api.Request) (int, roleRef, error) {
	switch r.Op.ID {
	case "listOrganizationUsers", "addOrganizationUser", "listOrganizationAdmins", "addOrganizationAdmin":
		o, err := s.organization(r)
		if err != nil {
			return 0, roleRef{}, err
		}
		field := "member_role"
		if r.Op.ID == "listOrganizationAdmins" || r.Op.ID == "addOrganizationAdmin" {
			field = "admin_role"
		}
		rid := roleID(o.Roles, "organization", field)
		ref, _ := s.roleIndex.get(rid)
		return rid, ref, nil
	default:
		t, err := s.teamOf(r)
		if err != nil {
			return 0, roleRef{}, err
		}
		rid := roleID(t.Roles, "team", "member_role")
		ref, _ := s.roleIndex.get(rid)
		return rid, ref, nil
	}
}

func listMembers(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rid, ref, err := s.membershipRole(r)
	if err != nil {
		return nil, err
	}
	return s.usersPage(r, s.members(rid, ref))
}

func addMember(s *State, r *api.Request) (*api.Response, error) {
	if _, has := body(r)["id"]; !has {
		return createMember(s, r)
	}
	return associate(s, r, "User", func(a association) (*api.Response, error) {
		rid, ref, err := s.membershipRole(r)
		if err != nil {
			return nil, err
		}
		u, found := s.users.Get(itoa(a.id))
		if !found {
			return nil, noSuch("User")
		}
		if !s.canGrant(caller(r), ref) {
			return nil, forbidden()
		}
		s.setMember(rid, ref, u.ID, !a.hasDisassoc)
		return noContent()
	})
}

// createMember creates a user through a membership list; the resource's
// administrators may, as well as superusers.
func createMember(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	rid, ref, err := s.membershipRole(r)
	if err != nil {
		return nil, err
	}
	me := caller(r)
	if !s.canGrant(me, ref) {
		return nil, forbidden()
	}
	u, err := s.newUser(r)
	if err != nil {
		return nil, err
	}
	s.setMember(rid, ref, u.ID, true)
	return created(userURL(u.ID), userView(u, me))
}
