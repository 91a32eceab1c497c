// Users: /api/v2/users/ and /api/v2/me/, with AWX 24.6.1's visibility
// rules (superusers and auditors see everyone, others their organizations).

package awx

import "github.com/credemu/credemu/emulator/api"

var userListSpec = &listSpec{
	model: "User",
	fields: map[string]kind{"id": kInt, "username": kString, "first_name": kString, "last_name": kString, "email": kString,
		"is_superuser": kBool, "is_system_auditor": kBool, "created": kTime, "modified": kTime, "last_login": kTime},
	forbidden: map[string]string{"password": "Filtering on password fields is not allowed."},
	search:    []string{"username", "first_name", "last_name", "email"},
	order:     []string{"username"},
}

func userRow(u *user) row {
	return row{"id": u.ID, "username": u.Username, "first_name": u.FirstName, "last_name": u.LastName, "email": u.Email,
		"is_superuser": u.Superuser, "is_system_auditor": u.Auditor, "created": u.Created, "modified": u.Modified, "last_login": nil}
}

func userView(u, viewer *user) UserView {
	base := userURL(u.ID)
	rel := map[string]string{}
	for _, k := range []string{"teams", "organizations", "admin_of_organizations", "projects", "credentials", "roles",
		"activity_stream", "access_list", "tokens", "authorized_tokens", "personal_tokens"} {
		rel[k] = base + k + "/"
	}
	self := u.ID == viewer.ID
	return UserView{ID: u.ID, Type: "user", URL: base, Related: rel,
		SummaryFields: map[string]any{"user_capabilities": caps{Edit: viewer.Superuser || self, Delete: viewer.Superuser && !self}},
		Created:       formatTime(u.Created), Modified: formatTime(u.Modified), Username: u.Username, FirstName: u.FirstName,
		LastName: u.LastName, Email: u.Email, IsSuperuser: u.Superuser, IsSystemAuditor: u.Auditor, Password: encrypted, Auth: []any{}}
}

// canSeeAll is true for users who see every object: superusers and system auditors.
func canSeeAll(u *user) bool { return u.Superuser || u.Auditor }

// canSeeUser follows AWX's UserAccess: superusers and auditors see everyone;
// others see themselves, every superuser, and the members of the
// organizations they belong to.
func (s *State) canSeeUser(viewer, u *user) bool {
	if canSeeAll(viewer) || viewer.ID == u.ID || u.Superuser {
		return true
	}
	for _, o := range s.orgs {
		if (o.Members[viewer.ID] || o.Admins[viewer.ID]) && (o.Members[u.ID] || o.Admins[u.ID]) {
			return true
		}
	}
	return false
}

func me(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, found := s.users.Get(itoa(caller(r).ID))
	if !found {
		return nil, notFound()
	}
	return ok(Page{Count: 1, Results: []any{userView(u, caller(r))}})
}

func listUsers(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, userListSpec, func(me *user) (seq[*user], error) {
		return func(yield func(*user) bool) {
			s.users.Scan(func(_ string, u *user) bool {
				return !s.canSeeUser(me, u) || yield(u)
			})
		}, nil
	}, userRow, func(u *user) int { return u.ID }, userView)
}

// pathUser returns a copy of the user in the path, or 404, whoever asks.
func (s *State) pathUser(r *api.Request) (*user, error) {
	u, found := s.users.Get(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	return u, nil
}

// target returns the user in the path, checking the caller may see it.
func (s *State) target(r *api.Request) (*user, error) {
	u, found := s.users.Get(r.Vars["id"])
	return visible(u, found, found && s.canSeeUser(caller(r), u))
}

func getUser(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, s.target, userView)
}

// applyUser copies the fields present in a user body onto u.
func applyUser(u *user, b map[string]any) {
	if v, has := b["username"]; has {
		u.Username = strOf(v)
	}
	if v, has := b["first_name"]; has {
		u.FirstName = strOf(v)
	}
	if v, has := b["last_name"]; has {
		u.LastName = strOf(v)
	}
	if v, has := b["email"]; has {
		u.Email = strOf(v)
	}
	// An empty password or the "$encrypted$" AWX shows leaves it unchanged.
	if v, has := b["password"]; has && strOf(v) != "" && strOf(v) != encrypted {
		u.Password = strOf(v)
	}
	if v, has := b["is_superuser"]; has {
		u.Superuser = boolOf(v)
	}
	if v, has := b["is_system_auditor"]; has {
		u.Auditor = boolOf(v)
	}
}

func createUser(s *State, r *api.Request) (*api.Response, error) {
	if !caller(r).Superuser {
		return nil, forbidden()
	}
	s.lockWrite()
	defer s.mu.Unlock()
	u, err := s.newUser(r)
	if err != nil {
		return nil, err
	}
	return created(userURL(u.ID), userView(u, caller(r)))
}

// newUser creates a user from the request body: the username must be
// free and a password given. Caller holds the write lock.
func (s *State) newUser(r *api.Request) (*user, error) {
	b := body(r)
	name := strOf(b["username"])
	var fes []api.FieldError
	if s.byName.Has(name) {
		fes = append(fes, fieldErr("username", "A user with that username already exists.").Fields...)
	}
	if strOf(b["password"]) == "" {
		fes = append(fes, fieldErr("password", "Password required for new User.").Fields...)
	}
	if len(fes) > 0 {
		return nil, &api.Error{Kind: api.KindInvalidArgument, Fields: fes}
	}
	u := &user{ID: s.nextUser, Created: r.Now, Modified: r.Now}
	applyUser(u, b)
	s.nextUser++
	s.users.Put(itoa(u.ID), u)
	s.byName.Set(u.Username, u.ID)
	return u, nil
}

// updateUser serves PUT and PATCH (the schema makes username required for
// PUT). Users may edit themselves but not make themselves superusers.
func updateUser(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	me := caller(r)
	return editOne(s, r, s.pathUser, func(u *user) (*api.Response, error) {
		if !me.Superuser {
			_, su := b["is_superuser"]
			_, au := b["is_system_auditor"]
			if me.ID != u.ID || (su && boolOf(b["is_superuser"]) != u.Superuser) || (au && boolOf(b["is_system_auditor"]) != u.Auditor) {
				return nil, forbidden()
			}
		}
		if v, has := b["username"]; has && strOf(v) != u.Username {
			if s.byName.Has(strOf(v)) {
				return nil, fieldErr("username", "A user with that username already exists.")
			}
		}
		s.byName.Delete(u.Username)
		applyUser(u, b)
		u.Modified = r.Now
		s.users.Put(itoa(u.ID), u)
		s.byName.Set(u.Username, u.ID)
		return ok(userView(u, me))
	})
}

// deleteUser removes a user; their credentials stay, with no owner, as the
// role they owned them through goes with the user.
func deleteUser(s *State, r *api.Request) (*api.Response, error) {
	me := caller(r)
	return editOne(s, r, s.pathUser, func(u *user) (*api.Response, error) {
		if !me.Superuser || me.ID == u.ID {
			return nil, forbidden()
		}
		s.users.Delete(itoa(u.ID))
		s.byName.Delete(u.Username)
		for tok, t := range s.tokens {
			if t.User == u.Username {
				delete(s.tokens, tok)
			}
		}
		var orphans []*credential
		s.creds.Scan(func(_ string, c *credential) bool {
			if c.UserID == u.ID {
				orphans = append(orphans, cloneCred(c))
			}
			return true
		})
		for _, c := range orphans {
			c.UserID = 0
			s.creds.Put(itoa(c.ID), c)
		}
		s.touchCreds()
		return noContent()
	})
}
