// Teams: /api/v2/teams/ and their members.

package awx

import "github.com/credemu/credemu/emulator/api"

func (t *team) id() int { return t.ID }

var teamListSpec = &listSpec{
	model:  "Team",
	fields: map[string]kind{"id": kInt, "name": kString, "description": kString, "organization": kInt, "created": kTime, "modified": kTime, "organization__name": kString},
	search: []string{"name", "description"},
	order:  []string{"organization__name", "name"},
}

func (s *State) teamRow(t *team) row {
	rw := row{"id": t.ID, "name": t.Name, "description": t.Description, "organization": t.OrgID, "created": t.Created, "modified": t.Modified}
	if o := s.orgs[t.OrgID]; o != nil {
		rw["organization__name"] = o.Name
	}
	return rw
}

func (s *State) canSeeTeam(u *user, t *team) bool {
	return canSeeAll(u) || t.Members[u.ID] || s.orgAdmin(u, t.OrgID) || (s.orgs[t.OrgID] != nil && s.orgs[t.OrgID].Members[u.ID])
}

func (s *State) teamView(t *team, viewer *user) map[string]any {
	base := teamURL(t.ID)
	rel := map[string]string{"organization": orgURL(t.OrgID)}
	for _, k := range []string{"created_by", "modified_by", "projects", "users", "credentials", "roles", "object_roles", "activity_stream", "access_list"} {
		rel[k] = base + k + "/"
	}
	delete(rel, "created_by")
	delete(rel, "modified_by")
	sf := map[string]any{"user_capabilities": caps{Edit: viewer.Superuser || s.orgAdmin(viewer, t.OrgID), Delete: viewer.Superuser || s.orgAdmin(viewer, t.OrgID)},
		"object_roles": objectRoles("team", t.Roles)}
	if o := s.orgs[t.OrgID]; o != nil {
		sf["organization"] = ref{ID: o.ID, Name: o.Name, Description: o.Description}
	}
	return map[string]any{"id": t.ID, "type": "team", "url": base, "related": rel, "summary_fields": sf,
		"created": formatTime(t.Created), "modified": formatTime(t.Modified), "name": t.Name, "description": t.Description,
		"organization": t.OrgID}
}

func listTeams(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, teamListSpec, func(me *user) (seq[*team], error) {
		return visibleOf(s.teams, func(t *team) bool { return s.canSeeTeam(me, t) }), nil
	}, s.teamRow, (*team).id, s.teamView)
}

func (s *State) teamOf(r *api.Request) (*team, error) {
	t := s.teams[atoiOr(r.Vars["id"])]
	return visible(t, t != nil, t != nil && s.canSeeTeam(caller(r), t))
}

func getTeam(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, s.teamOf, s.teamView)
}

// applyTeam copies a team body onto t: organization must exist, and
// (organization, name) is unique. Caller holds the write lock.
func (s *State) applyTeam(t *team, b map[string]any) error {
	if v, has := b["name"]; has {
		t.Name = strOf(v)
	}
	if v, has := b["description"]; has {
		t.Description = strOf(v)
	}
	if v, has := b["organization"]; has {
		id, _ := intOf(v)
		if s.orgs[id] == nil {
			return invalidPK("organization", v)
		}
		t.OrgID = id
	}
	for _, o := range s.teams {
		if o.ID != t.ID && o.OrgID == t.OrgID && o.Name == t.Name {
			return &api.Error{Kind: api.KindAlreadyExists, Message: "Team with this Organization and Name already exists."}
		}
	}
	return nil
}

func createTeam(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	me := caller(r)
	s.lockWrite()
	defer s.mu.Unlock()
	orgID, _ := intOf(b["organization"])
	if !me.Superuser && !s.orgAdmin(me, orgID) {
		if s.orgs[orgID] == nil {
			return nil, invalidPK("organization", b["organization"])
		}
		return nil, forbidden()
	}
	t := &team{ID: s.nextTeam, Created: r.Now, Modified: r.Now, Members: map[int]bool{}}
	if err := s.applyTeam(t, b); err != nil {
		return nil, err
	}
	s.nextTeam++
	t.Roles = s.allocRoles("team", t.ID)
	s.teams[t.ID] = t
	return created(teamURL(t.ID), s.teamView(t, me))
}

func updateTeam(s *State, r *api.Request) (*api.Response, error) {
	return editOne(s, r, s.teamOf, func(t *team) (*api.Response, error) {
		me := caller(r)
		if !me.Superuser && !s.orgAdmin(me, t.OrgID) {
			return nil, forbidden()
		}
		c := t.clone()
		if err := s.applyTeam(c, body(r)); err != nil {
			return nil, err
		}
		c.Modified = r.Now
		s.teams[c.ID] = c
		return ok(s.teamView(c, me))
	})
}

func deleteTeam(s *State, r *api.Request) (*api.Response, error) {
	return editOne(s, r, s.teamOf, func(t *team) (*api.Response, error) {
		if me := caller(r); !me.Superuser && !s.orgAdmin(me, t.OrgID) {
			return nil, forbidden()
		}
		s.dropTeam(t.ID)
		return noContent()
	})
}

// dropTeam deletes a team and its role grants; its credentials stay with
// the organization. Caller holds the write lock.
func (s *State) dropTeam(id int) {
	if t := s.teams[id]; t != nil {
		s.dropRoles(t.Roles...)
	}
	delete(s.teams, id)
	for _, teams := range s.roleTeams {
		delete(teams, id)
	}
	var changed []*credential
	s.creds.Scan(func(_ string, c *credential) bool {
		if c.TeamID == id {
			cc := cloneCred(c)
			cc.TeamID = 0
			changed = append(changed, cc)
		}
		return true
	})
	for _, c := range changed {
		s.creds.Put(itoa(c.ID), c)
	}
	s.touchCreds()
}
