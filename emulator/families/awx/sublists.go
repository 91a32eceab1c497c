// Sublists: the related lists AWX's objects advertise (users' teams,
// organizations and tokens, organizations' teams and credentials, teams'
// and owners' credentials), and an honest empty page, with AWX's paging
// envelope, for those of objects credemu does not model (projects,
// inventories, job templates, execution environments, instance groups,
// notification templates, applications).

package awx

import (
	"strings"

	"github.com/credemu/credemu/emulator/api"
)

// listUserTeams is GET /users/{id}/teams/: the teams the user is a member of.
func listUserTeams(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, teamListSpec, func(me *user) (seq[*team], error) {
		u, err := s.target(r)
		if err != nil {
			return nil, err
		}
		return visibleOf(s.teams, func(t *team) bool { return t.Members[u.ID] && s.canSeeTeam(me, t) }), nil
	}, s.teamRow, (*team).id, s.teamView)
}

// listUserOrganizations is GET /users/{id}/organizations/ (the user's
// member role, which an organization's admins hold too) and
// /users/{id}/admin_of_organizations/.
func listUserOrganizations(s *State, r *api.Request) (*api.Response, error) {
	adminOnly := r.Op.ID == "listUserAdminOfOrganizations"
	return listAll(s, r, orgListSpec, func(me *user) (seq[*org], error) {
		u, err := s.target(r)
		if err != nil {
			return nil, err
		}
		return visibleOf(s.orgs, func(o *org) bool {
			in := o.Admins[u.ID] || !adminOnly && o.Members[u.ID]
			return in && s.canSeeOrg(me, o)
		}), nil
	}, orgRow, (*org).id, s.orgView)
}

// listUserTokens is GET /users/{id}/tokens/ and /personal_tokens/ (every
// token credemu makes is personal: there are no OAuth2 applications) and
// /authorized_tokens/ (tokens of applications: none). Only the user and
// superusers see them, as on /tokens/.
func listUserTokens(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, tokenListSpec, func(me *user) (seq[*token], error) {
		u, err := s.target(r)
		if err != nil {
			return nil, err
		}
		byID := map[int]*token{}
		if r.Op.ID != "listUserAuthorizedTokens" {
			for _, t := range s.tokens {
				if t.User == u.Username {
					byID[t.ID] = t
				}
			}
		}
		return visibleOf(byID, func(t *token) bool { return me.Superuser || t.User == me.Username }), nil
	}, tokenRow, (*token).id, func(t *token, _ *user) any { return s.tokenView(t, false) })
}

// listOrganizationTeams is GET /organizations/{id}/teams/.
func listOrganizationTeams(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, teamListSpec, func(me *user) (seq[*team], error) {
		o, err := s.organization(r)
		if err != nil {
			return nil, err
		}
		return visibleOf(s.teams, func(t *team) bool { return t.OrgID == o.ID && s.canSeeTeam(me, t) }), nil
	}, s.teamRow, (*team).id, s.teamView)
}

// listOrganizationCredentials is GET /organizations/{id}/credentials/: the
// credentials the organization owns.
func listOrganizationCredentials(s *State, r *api.Request) (*api.Response, error) {
	return readOne(s, r, s.organization, func(o *org) (*api.Response, error) {
		return s.listCreds(r, "organization "+itoa(o.ID), func(c *credential) bool { return c.OrgID == o.ID }, false, false)
	})
}

// listTeamCredentials is GET /teams/{id}/credentials/: the credentials the
// team owns (holds the admin role of).
func listTeamCredentials(s *State, r *api.Request) (*api.Response, error) {
	return readOne(s, r, s.teamOf, func(t *team) (*api.Response, error) {
		return s.listCreds(r, "team "+itoa(t.ID), func(c *credential) bool {
			return c.TeamID == t.ID || s.roleTeams[c.Roles[0]][t.ID]
		}, false, false)
	})
}

// listCredentialOwnerUsers is GET /credentials/{id}/owner_users/: the users
// holding the credential's admin role.
func listCredentialOwnerUsers(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, userListSpec, func(me *user) (seq[*user], error) {
		c, err := s.cred(r)
		if err != nil {
			return nil, err
		}
		rid := c.Roles[0]
		ref, _ := s.roleIndex.get(rid)
		owners := s.members(rid, ref)
		return func(yield func(*user) bool) {
			for _, id := range sortedKeys(owners) {
				if u, found := s.users.PeekID(id); found && s.canSeeUser(me, u) && !yield(u) {
					return
				}
			}
		}, nil
	}, userRow, func(u *user) int { return u.ID }, userView)
}

// listCredentialOwnerTeams is GET /credentials/{id}/owner_teams/: the teams
// holding the credential's admin role.
func listCredentialOwnerTeams(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, teamListSpec, func(me *user) (seq[*team], error) {
		c, err := s.cred(r)
		if err != nil {
			return nil, err
		}
		return visibleOf(s.teams, func(t *team) bool {
			return (c.TeamID == t.ID || s.roleTeams[c.Roles[0]][t.ID]) && s.canSeeTeam(me, t)
		}), nil
	}, s.teamRow, (*team).id, s.teamView)
}

// emptyListSpec filters and orders the empty lists of unmodelled objects:
// AWX's common fields are known, so a filter on them is valid and matches
// nothing.
var emptyListSpec = &listSpec{model: "Object", fields: map[string]kind{"id": kInt, "name": kString, "description": kString,
	"created": kTime, "modified": kTime}, order: []string{"id"}}

// listUnmodelled answers a related list of objects credemu does not model
// (an organization's projects, say) with AWX's empty page, once the parent
// is found and visible as AWX's sublist views check it.
func listUnmodelled(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, emptyListSpec, func(me *user) (seq[int], error) {
		var err error
		switch {
		case strings.HasPrefix(r.Op.Path, "/organizations/"):
			_, err = s.organization(r)
		case strings.HasPrefix(r.Op.Path, "/teams/"):
			_, err = s.teamOf(r)
		default:
			_, err = s.target(r)
		}
		if err != nil {
			return nil, err
		}
		return func(func(int) bool) {}, nil
	}, func(int) row { return row{} }, func(id int) int { return id }, func(int, *user) any { return nil })
}
