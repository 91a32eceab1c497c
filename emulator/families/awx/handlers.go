package awx

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/credemu/credemu/emulator/api"
)

func forbidden() error { return &api.Error{Kind: api.KindPermissionDenied} }

// sorted returns a sorted copy, as AWX names fields in its messages.
func sorted(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}
func notFound() error { return &api.Error{Kind: api.KindNotFound} }

func fieldErr(field, format string, args ...any) *api.Error {
	return &api.Error{Kind: api.KindInvalidArgument, Fields: []api.FieldError{{Pointer: "/body/" + field, Keyword: awxKeyword, Message: fmt.Sprintf(format, args...)}}}
}

func invalidPK(field string, v any) *api.Error {
	return fieldErr(field, "Invalid pk \"%s\" - object does not exist.", strOf(v))
}

func ok(body any) (*api.Response, error) {
	return &api.Response{Status: http.StatusOK, Body: body}, nil
}

func created(url string, body any) (*api.Response, error) {
	return &api.Response{Status: http.StatusCreated, Body: body, Header: http.Header{"Location": {url}}}, nil
}

func noContent() (*api.Response, error) { return &api.Response{Status: http.StatusNoContent}, nil }

func body(r *api.Request) map[string]any {
	m, _ := r.JSON.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// ping answers without authentication.
func ping(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	v := s.version
	s.mu.RUnlock()
	hb := formatTime(r.Now)
	return ok(map[string]any{
		"ha": false, "version": v, "active_node": "awx-1", "install_uuid": "4cfa6d22-5a39-4e0e-9a6c-2b2e7e0c4d61",
		"instances":       []any{map[string]any{"node": "awx-1", "node_type": "hybrid", "uuid": "7c3f3a3e-4c5a-4b1e-9f0b-2a1d5e6f7a8b", "heartbeat": hb, "capacity": 100, "version": v}},
		"instance_groups": []any{map[string]any{"name": "default", "capacity": 100, "instances": []string{"awx-1"}}},
	})
}

// Users.

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

// visible is the check every lookup of one object makes, as AWX's
// detail views do: 404 when it does not exist, 403 when the caller may not
// see it.
func visible[T any](v T, found bool, canSee bool) (T, error) {
	var zero T
	if !found {
		return zero, notFound()
	}
	if !canSee {
		return zero, forbidden()
	}
	return v, nil
}

// getOne answers a GET of one object: under the read lock, find it (with
// visible's checks) and render it for the caller.
func getOne[T, V any](s *State, r *api.Request, find func(*api.Request) (T, error), view func(T, *user) V) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := find(r)
	if err != nil {
		return nil, err
	}
	return ok(view(v, caller(r)))
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
	if _, dup := s.byName[name]; dup {
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
	s.byName[u.Username] = u.ID
	return u, nil
}

// updateUser serves PUT and PATCH (the schema makes username required for
// PUT). Users may edit themselves but not make themselves superusers.
func updateUser(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	me := caller(r)
	s.lockWrite()
	defer s.mu.Unlock()
	u, found := s.users.Get(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	if !me.Superuser {
		_, su := b["is_superuser"]
		_, au := b["is_system_auditor"]
		if me.ID != u.ID || (su && boolOf(b["is_superuser"]) != u.Superuser) || (au && boolOf(b["is_system_auditor"]) != u.Auditor) {
			return nil, forbidden()
		}
	}
	if v, has := b["username"]; has && strOf(v) != u.Username {
		if _, dup := s.byName[strOf(v)]; dup {
			return nil, fieldErr("username", "A user with that username already exists.")
		}
	}
	delete(s.byName, u.Username)
	applyUser(u, b)
	u.Modified = r.Now
	s.users.Put(itoa(u.ID), u)
	s.byName[u.Username] = u.ID
	return ok(userView(u, me))
}

// deleteUser removes a user; their credentials stay, with no owner, as the
// role they owned them through goes with the user.
func deleteUser(s *State, r *api.Request) (*api.Response, error) {
	me := caller(r)
	s.lockWrite()
	defer s.mu.Unlock()
	u, found := s.users.Get(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	if !me.Superuser || me.ID == u.ID {
		return nil, forbidden()
	}
	s.users.Delete(itoa(u.ID))
	delete(s.byName, u.Username)
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
}

// Credentials.

var credListSpec = &listSpec{
	model: "Credential",
	fields: map[string]kind{"id": kInt, "name": kString, "description": kString, "credential_type": kInt, "organization": kInt,
		"managed": kBool, "created": kTime, "modified": kTime, "credential_type__name": kString, "credential_type__kind": kString,
		"credential_type__namespace": kString},
	forbidden: map[string]string{"inputs": "Filtering on inputs is not allowed."},
	search:    []string{"name", "description"},
	order:     []string{"name"},
}

func (s *State) credRow(c *credential) row {
	get := (&credReader{s: s, c: c}).field
	rw := make(row, len(credListSpec.fields))
	for k := range credListSpec.fields {
		rw[k] = get(k)
	}
	return rw
}

// credReader reads a credential's filterable fields one at a time; a list
// points one reader at each credential in turn, so that filtering
// thousands allocates no reader per credential. Caller holds the lock.
type credReader struct {
	s *State
	c *credential
}

func (cr *credReader) field(k string) any {
	s, c := cr.s, cr.c
	switch k {
	case "id":
		return c.ID
	case "name":
		return c.Name
	case "description":
		return c.Description
	case "credential_type":
		return c.TypeID
	case "organization":
		if c.OrgID == 0 {
			return nil
		}
		return c.OrgID
	case "managed":
		return false
	case "created":
		return c.Created
	case "modified":
		return c.Modified
	}
	t, found := s.types.PeekID(c.TypeID)
	if !found {
		return nil
	}
	switch k {
	case "credential_type__name":
		return t.Name
	case "credential_type__kind":
		return t.Kind
	case "credential_type__namespace":
		return t.Namespace
	}
	return nil
}

// credView renders a credential for the viewer; inUserList leaves out the
// organization key, as a user's credential sub-list does.
func (s *State) credView(c *credential, viewer *user, inUserList bool) CredentialView {
	t, _ := s.types.PeekID(c.TypeID)
	if t == nil {
		t = &credType{ID: c.TypeID}
	}
	base := credURL(c.ID)
	rel := credRelated{id: c.ID, typeID: c.TypeID}
	sf := credSummary{
		CredentialType: ref{ID: t.ID, Name: t.Name, Description: t.Description},
		ObjectRoles:    objectRoles("credential", c.Roles[:]),
		Owners:         []owner{},
	}
	if c.UserID != 0 {
		rel.userID = c.UserID
		if u, found := s.users.PeekID(c.UserID); found {
			sf.Owners = append(sf.Owners, owner{ID: u.ID, Type: "user", Name: u.Username, URL: userURL(u.ID), Description: u.FirstName + " " + u.LastName})
		}
	}
	if c.TeamID != 0 {
		if tm := s.teams[c.TeamID]; tm != nil {
			sf.Owners = append(sf.Owners, owner{ID: tm.ID, Type: "team", Name: tm.Name, URL: teamURL(tm.ID), Description: ""})
		}
	}
	if c.OrgID != 0 {
		rel.orgID = c.OrgID
		if o := s.orgs[c.OrgID]; o != nil {
			sf.Organization = &ref{ID: o.ID, Name: o.Name, Description: o.Description}
			if c.TeamID == 0 {
				sf.Owners = append(sf.Owners, owner{ID: o.ID, Type: "organization", Name: o.Name, URL: orgURL(o.ID), Description: o.Description})
			}
		}
	}
	edit := s.canEditCred(viewer, c)
	// Copying needs an organization to put the copy in: superusers only here.
	sf.UserCapabilities = caps{Edit: edit, Delete: edit, Copy: boolp(viewer.Superuser), Use: boolp(edit)}
	v := CredentialView{ID: c.ID, Type: "credential", URL: base, Related: rel, SummaryFields: sf,
		Created: stamp(c.Created), Modified: stamp(c.Modified), Name: c.Name, Description: c.Description,
		CredentialType: c.TypeID, Inputs: inputsView{t: t, m: c.Inputs}, Kind: nullIfEmpty(t.Namespace),
		Cloud: t.Kind == "cloud", Kubernetes: t.Kind == "kubernetes"}
	if !inUserList {
		v.Organization = rawNull()
		if c.OrgID != 0 {
			v.Organization = rawInt(c.OrgID)
		}
	}
	return v
}

// listCreds pages the credentials that keep(c) selects and the viewer
// sees; all says keep selects every credential, scope names what keep
// selects (it keys the cached selections).
func (s *State) listCreds(r *api.Request, scope string, keep func(*credential) bool, inUserList, all bool) (*api.Response, error) {
	lq, e := credListSpec.parseList(r.Query)
	if e != nil {
		return nil, e
	}
	me := caller(r)
	if len(lq.order) == 0 {
		// The default order is the cached one: select in it, with no
		// sort, and render only the page. Listing everything (the common
		// case) selects nothing at all.
		ordered := s.defaultOrder()
		hits := ordered
		if !all || !canSeeAll(me) || len(lq.filters) > 0 || len(lq.search) > 0 {
			// Clients repeat the same filtered list (a lookup by kind or
			// name on every run); its matches are kept until the next write.
			hits = s.cachedSelection(selectionKey(scope, me, r.Query), func() []*credential {
				var hits []*credential
				plain := len(lq.filters) == 0 && len(lq.search) == 0
				reader := &credReader{s: s}
				for _, c := range ordered {
					reader.c = c
					if keep(c) && s.canSeeCred(me, c) && (plain || lq.matchField(credListSpec, reader.field)) {
						hits = append(hits, c)
					}
				}
				return hits
			})
		}
		start, end, p, e := lq.paginate(r.HTTP, len(hits))
		if e != nil {
			return nil, e
		}
		for _, c := range hits[start:end] {
			p.Results = append(p.Results, s.credView(c, me, inUserList))
		}
		return ok(p)
	}
	return listOf(r, lq, credListSpec, func(yield func(*credential) bool) {
		s.creds.Scan(func(_ string, c *credential) bool {
			if keep(c) && s.canSeeCred(me, c) {
				return yield(c)
			}
			return true
		})
	}, s.credRow, func(c *credential) int { return c.ID }, func(c *credential) any { return s.credView(c, me, inUserList) })
}

// selectionKey names a filtered list apart from its page: what it lists,
// for whom, and its filters and search terms.
func selectionKey(scope string, viewer *user, q url.Values) string {
	rest := make(url.Values, len(q))
	for k, v := range q {
		if k != "page" && k != "page_size" {
			rest[k] = v
		}
	}
	return scope + "\x00" + itoa(viewer.ID) + "\x00" + rest.Encode()
}

func listCredentials(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.listCreds(r, "all", func(*credential) bool { return true }, false, true)
}

func listUserCredentials(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.target(r)
	if err != nil {
		return nil, err
	}
	return s.listCreds(r, "user "+itoa(u.ID), func(c *credential) bool { return c.UserID == u.ID }, true, false)
}

func listTypeCredentials(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, found := s.types.Peek(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	return s.listCreds(r, "type "+itoa(t.ID), func(c *credential) bool { return c.TypeID == t.ID }, false, false)
}

// credFields reads name, description, type and inputs from a body onto c,
// validating the type and inputs. Caller holds the write lock.
func (s *State) credFields(c *credential, b map[string]any, creating bool) error {
	if v, has := b["name"]; has {
		c.Name = strOf(v)
	}
	if v, has := b["description"]; has {
		c.Description = strOf(v)
	}
	if v, has := b["credential_type"]; has {
		id, _ := intOf(v)
		if !s.types.Has(itoa(id)) {
			return invalidPK("credential_type", v)
		}
		c.TypeID = id
	}
	t, _ := s.types.PeekID(c.TypeID)
	var stored map[string]any
	if !creating {
		stored = c.Inputs
	}
	inputs := c.Inputs
	if v, has := b["inputs"]; has {
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		if creating {
			if err := reservedOnCreate(t, m); err != nil {
				return err
			}
		}
		inputs = mergeSecrets(t, m, stored)
		dropEmptySecrets(t, inputs)
	}
	if fe := validateInputs(t, inputs, stored); len(fe) > 0 {
		return &api.Error{Kind: api.KindInvalidArgument, Fields: fe}
	}
	c.Inputs = inputs
	return nil
}

// checkUnique enforces (organization, name, credential type) uniqueness for
// organization credentials; user credentials may share names.
func (s *State) checkUnique(c *credential) error {
	if c.OrgID == 0 {
		return nil
	}
	var dup bool
	s.creds.Scan(func(_ string, o *credential) bool {
		if o.ID != c.ID && o.OrgID == c.OrgID && o.Name == c.Name && o.TypeID == c.TypeID {
			dup = true
			return false
		}
		return true
	})
	if dup {
		return &api.Error{Kind: api.KindAlreadyExists, Message: "Credential with this Organization, Name and Credential type already exists."}
	}
	return nil
}

func (s *State) insertCred(c *credential, r *api.Request, inUserList bool) (*api.Response, error) {
	c.ID, c.Created, c.Modified = s.nextCred, r.Now, r.Now
	c.Roles = s.credRoles(c.ID)
	s.nextCred++
	s.creds.Put(itoa(c.ID), c)
	s.touchCreds()
	return created(credURL(c.ID), s.credView(c, caller(r), inUserList))
}

// createCredential needs exactly one owner: user, team or organization.
func createCredential(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	me := caller(r)
	s.lockWrite()
	defer s.mu.Unlock()
	var owners []string
	for _, k := range []string{"user", "team", "organization"} {
		if v, has := b[k]; has && v != nil {
			owners = append(owners, k)
		}
	}
	switch {
	case len(owners) == 0:
		return nil, &api.Error{Kind: api.KindInvalidArgument, Fields: []api.FieldError{{Pointer: "/body/detail", Keyword: awxKeyword, Message: "Missing 'user', 'team', or 'organization'."}}}
	case len(owners) > 1:
		return nil, &api.Error{Kind: api.KindInvalidArgument, Fields: []api.FieldError{{Pointer: "/body/detail", Keyword: awxKeyword,
			Message: fmt.Sprintf("Only one of 'user', 'team', or 'organization' should be provided, received %s fields.", strings.Join(sorted(owners), ", "))}}}
	}
	c := &credential{Inputs: map[string]any{}}
	id, _ := intOf(b[owners[0]])
	switch owners[0] {
	case "user":
		if _, found := s.users.Get(itoa(id)); !found {
			return nil, invalidPK("user", b["user"])
		}
		if !me.Superuser && me.ID != id {
			return nil, forbidden()
		}
		c.UserID = id
	case "team":
		tm := s.teams[id]
		if tm == nil {
			return nil, invalidPK("team", b["team"])
		}
		if !me.Superuser {
			return nil, forbidden()
		}
		c.TeamID, c.OrgID = tm.ID, tm.OrgID
	case "organization":
		if s.orgs[id] == nil {
			return nil, invalidPK("organization", b["organization"])
		}
		if !me.Superuser {
			return nil, forbidden()
		}
		c.OrgID = id
	}
	if err := s.credFields(c, b, true); err != nil {
		return nil, err
	}
	if err := s.checkUnique(c); err != nil {
		return nil, err
	}
	return s.insertCred(c, r, false)
}

// createUserCredential is the seed's operation: the owner is the user in
// the path, and the answer has no organization key.
func createUserCredential(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	s.lockWrite()
	defer s.mu.Unlock()
	u, found := s.users.Get(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	if me := caller(r); !me.Superuser && me.ID != u.ID {
		return nil, forbidden()
	}
	c := &credential{UserID: u.ID, Inputs: map[string]any{}}
	if err := s.credFields(c, b, true); err != nil {
		return nil, err
	}
	return s.insertCred(c, r, true)
}

// cred returns a copy of the credential in the path, checking the caller
// may see it (403 otherwise, 404 when there is none).
func (s *State) cred(r *api.Request) (*credential, error) {
	c, found := s.creds.Get(r.Vars["id"])
	return visible(c, found, found && s.canSeeCred(caller(r), c))
}

// credPeek is cred without the copy, for reading only, under the lock.
func (s *State) credPeek(r *api.Request) (*credential, error) {
	c, found := s.creds.Peek(r.Vars["id"])
	return visible(c, found, found && s.canSeeCred(caller(r), c))
}

func getCredential(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, s.credPeek, func(c *credential, me *user) any { return s.credView(c, me, false) })
}

// updateCredential serves PUT and PATCH. Sent inputs replace the stored
// ones whole; "$encrypted$" keeps a stored secret.
func updateCredential(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	me := caller(r)
	s.lockWrite()
	defer s.mu.Unlock()
	c, err := s.cred(r)
	if err != nil {
		return nil, err
	}
	if !s.canEditCred(me, c) {
		return nil, forbidden()
	}
	if v, has := b["organization"]; has {
		if v == nil {
			if c.TeamID == 0 {
				c.OrgID = 0
			}
		} else {
			id, _ := intOf(v)
			if s.orgs[id] == nil {
				return nil, invalidPK("organization", v)
			}
			if !me.Superuser {
				return nil, forbidden()
			}
			c.OrgID = id
		}
	}
	if err := s.credFields(c, b, false); err != nil {
		return nil, err
	}
	if err := s.checkUnique(c); err != nil {
		return nil, err
	}
	c.Modified = r.Now
	s.creds.Put(itoa(c.ID), c)
	s.touchCreds()
	return ok(s.credView(c, me, false))
}

func deleteCredential(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	c, err := s.cred(r)
	if err != nil {
		return nil, err
	}
	if !s.canEditCred(caller(r), c) {
		return nil, forbidden()
	}
	s.creds.Delete(itoa(c.ID))
	s.touchCreds()
	// Its roles and the input sources that use it go with it (CASCADE).
	s.dropRoles(c.Roles[:]...)
	for id, x := range s.sources {
		if x.TargetCredID == c.ID || x.SourceCredID == c.ID {
			delete(s.sources, id)
		}
	}
	return noContent()
}

// Credential types.

var typeSpecList = &listSpec{
	model: "CredentialType",
	fields: map[string]kind{"id": kInt, "name": kString, "description": kString, "kind": kString, "namespace": kString,
		"managed": kBool, "created": kTime, "modified": kTime},
	search: []string{"name", "description"},
	order:  []string{"kind", "name"},
}

func typeRow(t *credType) row {
	rw := row{"id": t.ID, "name": t.Name, "description": t.Description, "kind": t.Kind, "namespace": nil,
		"managed": t.Managed, "created": t.Created, "modified": t.Modified}
	if t.Namespace != "" {
		rw["namespace"] = t.Namespace
	}
	return rw
}

func (s *State) inUse(typeID int) bool {
	used := false
	s.creds.Scan(func(_ string, c *credential) bool {
		used = c.TypeID == typeID
		return !used
	})
	return used
}

func (s *State) typeView(t *credType, viewer *user) CredentialTypeView {
	base := typeURL(t.ID)
	editable := viewer.Superuser && !t.Managed
	v := CredentialTypeView{ID: t.ID, Type: "credential_type", URL: base,
		Related:       map[string]string{"credentials": base + "credentials/", "activity_stream": base + "activity_stream/"},
		SummaryFields: map[string]any{"user_capabilities": caps{Edit: editable, Delete: editable && !s.inUse(t.ID)}},
		Created:       formatTime(t.Created), Modified: formatTime(t.Modified), Name: t.Name, Description: t.Description,
		Kind: t.Kind, Managed: t.Managed, Inputs: t.Inputs, Injectors: t.Injectors}
	if v.Inputs.Fields == nil {
		v.Inputs.Fields = []inputField{}
	}
	if t.Namespace != "" {
		v.Namespace = strp(t.Namespace)
	}
	return v
}

func listCredentialTypes(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, typeSpecList, func(*user) (seq[*credType], error) {
		return func(yield func(*credType) bool) {
			s.types.Scan(func(_ string, t *credType) bool { return yield(t) })
		}, nil
	}, typeRow, func(t *credType) int { return t.ID }, s.typeView)
}

func getCredentialType(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, found := s.types.Peek(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	return ok(s.typeView(t, caller(r)))
}

var injectorVarRE = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)`)

// applyType copies a type body onto t and checks inputs and injectors as
// AWX does. Caller holds the write lock.
func (s *State) applyType(t *credType, b map[string]any) error {
	if v, has := b["name"]; has {
		t.Name = strOf(v)
	}
	if v, has := b["description"]; has {
		t.Description = strOf(v)
	}
	if v, has := b["kind"]; has {
		t.Kind = strOf(v)
		if t.Kind != "cloud" && t.Kind != "net" {
			return fieldErr("kind", "Must be 'cloud' or 'net', not %s", t.Kind)
		}
	}
	if v, has := b["inputs"]; has {
		var in typeInputs
		raw, _ := json.Marshal(v)
		if err := json.Unmarshal(raw, &in); err != nil {
			return fieldErr("inputs", "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		if msg := checkTypeInputs(in, false); msg != "" {
			return fieldErr("inputs", "%s", msg)
		}
		t.Inputs = in
	}
	if v, has := b["injectors"]; has {
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		t.Injectors = m
	}
	for _, section := range []string{"env", "extra_vars"} {
		vars, _ := t.Injectors[section].(map[string]any)
		keys := make([]string, 0, len(vars))
		for k := range vars {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, m := range injectorVarRE.FindAllStringSubmatch(fmt.Sprint(vars[k]), -1) {
				if m[1] != "tower" && t.Inputs.field(m[1]) == nil {
					return fieldErr("injectors", "%s uses an undefined field ('%s' is undefined)", k, m[1])
				}
			}
		}
	}
	var dup bool
	s.types.Scan(func(_ string, o *credType) bool {
		dup = o.ID != t.ID && o.Name == t.Name && o.Kind == t.Kind
		return !dup
	})
	if dup {
		return &api.Error{Kind: api.KindAlreadyExists, Message: "Credential type with this Name and Kind already exists."}
	}
	return nil
}

// sameInputs reports whether a body's inputs equal the stored ones, as
// decoded JSON (key order and omitted defaults aside).
func sameInputs(old typeInputs, sent any) bool {
	var a, b any
	ra, _ := json.Marshal(old)
	_ = json.Unmarshal(ra, &a)
	var in typeInputs
	rs, _ := json.Marshal(sent)
	if json.Unmarshal(rs, &in) != nil {
		return false
	}
	rb, _ := json.Marshal(in)
	_ = json.Unmarshal(rb, &b)
	return reflect.DeepEqual(a, b)
}

func createCredentialType(s *State, r *api.Request) (*api.Response, error) {
	if !caller(r).Superuser {
		return nil, forbidden()
	}
	s.lockWrite()
	defer s.mu.Unlock()
	t := &credType{ID: s.nextType, Injectors: map[string]any{}, Created: r.Now, Modified: r.Now}
	if err := s.applyType(t, body(r)); err != nil {
		return nil, err
	}
	s.nextType++
	s.types.Put(itoa(t.ID), t)
	return created(typeURL(t.ID), s.typeView(t, caller(r)))
}

// updateCredentialType serves PUT and PATCH. Managed types cannot be
// changed; the inputs of a type in use cannot be either.
func updateCredentialType(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	t, found := s.types.Get(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	if !caller(r).Superuser {
		return nil, forbidden()
	}
	if t.Managed {
		return nil, &api.Error{Kind: api.KindPermissionDenied, Message: "Modifications not allowed for managed credential types"}
	}
	b := body(r)
	// Only a real change of the inputs is refused: a declarative client
	// sends the whole object back, inputs unchanged.
	if v, has := b["inputs"]; has && s.inUse(t.ID) && !sameInputs(t.Inputs, v) {
		return nil, &api.Error{Kind: api.KindPermissionDenied, Message: "Modifications to inputs are not allowed for credential types that are in use"}
	}
	if err := s.applyType(t, b); err != nil {
		return nil, err
	}
	t.Modified = r.Now
	s.types.Put(itoa(t.ID), t)
	return ok(s.typeView(t, caller(r)))
}

func deleteCredentialType(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	t, found := s.types.Get(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	if t.Managed || !caller(r).Superuser {
		return nil, forbidden()
	}
	if s.inUse(t.ID) {
		return nil, &api.Error{Kind: api.KindPermissionDenied, Message: "Credential types that are in use cannot be deleted"}
	}
	s.types.Delete(itoa(t.ID))
	return noContent()
}

// seq yields objects until yield returns false.
type seq[T any] func(yield func(T) bool)

// listAll answers a list endpoint: parse the query, and under the read
// lock page what all yields for the caller (all may refuse, as a sub-list
// of a hidden parent does), rendered for them.
func listAll[T, V any](s *State, r *api.Request, sp *listSpec, all func(me *user) (seq[T], error),
	rowOf func(T) row, idOf func(T) int, view func(T, *user) V) (*api.Response, error) {
	lq, e := sp.parseList(r.Query)
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	me := caller(r)
	scan, err := all(me)
	if err != nil {
		return nil, err
	}
	return listOf(r, lq, sp, scan, rowOf, idOf, func(x T) any { return view(x, me) })
}

// listOf filters the objects scan yields, sorts and pages them, and
// renders the page with view: the shape every AWX list shares.
func listOf[T any](r *api.Request, lq *listQuery, sp *listSpec, scan func(yield func(T) bool),
	rowOf func(T) row, idOf func(T) int, view func(T) any) (*api.Response, error) {
	var rows []row
	byID := map[int]T{}
	scan(func(x T) bool {
		if rw := rowOf(x); lq.match(sp, rw) {
			rows = append(rows, rw)
			byID[idOf(x)] = x
		}
		return true
	})
	lq.sortRows(sp, rows)
	start, end, p, e := lq.paginate(r.HTTP, len(rows))
	if e != nil {
		return nil, e
	}
	for _, rw := range rows[start:end] {
		p.Results = append(p.Results, view(byID[rw["id"].(int)]))
	}
	return ok(p)
}
