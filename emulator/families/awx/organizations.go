// Organizations: /api/v2/organizations/, their members and admins.

package awx

import "github.com/credemu/credemu/emulator/api"

func (s *State) orgAdmin(u *user, orgID int) bool { return s.orgRole(u, orgID, "admin_role") }

var orgListSpec = &listSpec{
	model:  "Organization",
	fields: map[string]kind{"id": kInt, "name": kString, "description": kString, "max_hosts": kInt, "created": kTime, "modified": kTime},
	search: []string{"name", "description"},
	order:  []string{"name"},
}

func orgRow(o *org) row {
	return row{"id": o.ID, "name": o.Name, "description": o.Description, "max_hosts": o.MaxHosts, "created": o.Created, "modified": o.Modified}
}

func (s *State) canSeeOrg(u *user, o *org) bool {
	if canSeeAll(u) || o.Members[u.ID] || o.Admins[u.ID] {
		return true
	}
	for _, t := range s.teams {
		if t.OrgID == o.ID && t.Members[u.ID] {
			return true
		}
	}
	return false
}

func (s *State) orgView(o *org, viewer *user) map[string]any {
	base := orgURL(o.ID)
	rel := map[string]string{}
	for _, k := range []string{"execution_environments", "projects", "inventories", "job_templates", "workflow_job_templates", "users",
		"admins", "teams", "credentials", "applications", "activity_stream", "notification_templates", "instance_groups",
		"galaxy_credentials", "object_roles", "access_list"} {
		rel[k] = base + k + "/"
	}
	teams, users := 0, len(o.Members)
	for _, t := range s.teams {
		if t.OrgID == o.ID {
			teams++
		}
	}
	edit := viewer.Superuser || s.orgAdmin(viewer, o.ID)
	return map[string]any{
		"id": o.ID, "type": "organization", "url": base, "related": rel,
		"summary_fields": map[string]any{
			"user_capabilities": caps{Edit: edit, Delete: viewer.Superuser},
			"related_field_counts": map[string]int{"inventories": 0, "teams": teams, "users": users, "job_templates": 0,
				"admins": len(o.Admins), "projects": 0},
			"object_roles": objectRoles("organization", o.Roles),
		},
		"created": formatTime(o.Created), "modified": formatTime(o.Modified), "name": o.Name, "description": o.Description,
		"max_hosts": o.MaxHosts, "custom_virtualenv": nil, "default_environment": nil,
	}
}

func listOrganizations(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, orgListSpec, func(me *user) (seq[*org], error) {
		return visibleOf(s.orgs, func(o *org) bool { return s.canSeeOrg(me, o) }), nil
	}, orgRow, (*org).id, s.orgView)
}

func (o *org) id() int { return o.ID }

// organization returns the organization in the path, checking the caller
// may see it. Caller holds the lock.
func (s *State) organization(r *api.Request) (*org, error) {
	o := s.orgs[atoiOr(r.Vars["id"])]
	return visible(o, o != nil, o != nil && s.canSeeOrg(caller(r), o))
}

func getOrganization(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, s.organization, s.orgView)
}

// applyOrg copies an organization body onto o, checking the unique name.
// Caller holds the write lock.
func (s *State) applyOrg(o *org, b map[string]any) error {
	if v, has := b["name"]; has {
		o.Name = strOf(v)
	}
	if v, has := b["description"]; has {
		o.Description = strOf(v)
	}
	if v, has := b["max_hosts"]; has {
		o.MaxHosts, _ = intOf(v)
	}
	for _, other := range s.orgs {
		if other.ID != o.ID && other.Name == o.Name {
			return fieldErr("name", "Organization with this Name already exists.")
		}
	}
	return nil
}

func createOrganization(s *State, r *api.Request) (*api.Response, error) {
	if !caller(r).Superuser {
		return nil, forbidden()
	}
	s.lockWrite()
	defer s.mu.Unlock()
	o := &org{ID: s.nextOrg, Created: r.Now, Modified: r.Now, Members: map[int]bool{}, Admins: map[int]bool{}}
	if err := s.applyOrg(o, body(r)); err != nil {
		return nil, err
	}
	s.nextOrg++
	o.Roles = s.allocRoles("organization", o.ID)
	s.orgs[o.ID] = o
	return created(orgURL(o.ID), s.orgView(o, caller(r)))
}

func updateOrganization(s *State, r *api.Request) (*api.Response, error) {
	return editOne(s, r, s.organization, func(o *org) (*api.Response, error) {
		me := caller(r)
		if !me.Superuser && !s.orgAdmin(me, o.ID) {
			return nil, forbidden()
		}
		c := o.clone()
		if err := s.applyOrg(c, body(r)); err != nil {
			return nil, err
		}
		c.Modified = r.Now
		s.orgs[c.ID] = c
		return ok(s.orgView(c, me))
	})
}

// deleteOrganization removes an organization with its teams; its
// credentials stay, with no organization, as AWX's SET_NULL does.
func deleteOrganization(s *State, r *api.Request) (*api.Response, error) {
	return editOne(s, r, s.organization, func(o *org) (*api.Response, error) {
		if !caller(r).Superuser {
			return nil, forbidden()
		}
		delete(s.orgs, o.ID)
		s.dropRoles(o.Roles...)
		for id, t := range s.teams {
			if t.OrgID == o.ID {
				s.dropTeam(id)
			}
		}
		var changed []*credential
		s.creds.Scan(func(_ string, c *credential) bool {
			if c.OrgID == o.ID {
				cc := cloneCred(c)
				cc.OrgID, cc.TeamID = 0, 0
				changed = append(changed, cc)
			}
			return true
		})
		for _, c := range changed {
			s.creds.Put(itoa(c.ID), c)
		}
		s.touchCreds()
		return noContent()
	})
}
