// Credentials: /api/v2/credentials/, a user's and a credential type's
// credentials, copies, and who may see, use and edit one.

package awx

import (
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"

	"github.com/credemu/credemu/emulator/api"
)

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
		p.Results = s.credsJSON(hits[start:end], me, inUserList)
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
	return readOne(s, r, s.target, func(u *user) (*api.Response, error) {
		return s.listCreds(r, "user "+itoa(u.ID), func(c *credential) bool { return c.UserID == u.ID }, true, false)
	})
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
		stored = c.Inputs.toMap()
	}
	values := c.Inputs.toMap()
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
		values = mergeSecrets(t, m, stored)
		dropEmptySecrets(t, values)
	}
	if fe := validateInputs(t, values, stored); len(fe) > 0 {
		return &api.Error{Kind: api.KindInvalidArgument, Fields: fe}
	}
	c.Inputs = inputsOf(values)
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
	// c is this request's own, built for it and only read after this
	// (stored credentials are replaced, never changed in place), so the
	// table keeps it rather than a copy.
	s.creds.PutShared(itoa(c.ID), c)
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
	c := &credential{}
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
		if err := s.ownByOrg(c, me, b["organization"]); err != nil {
			return nil, err
		}
	}
	if err := s.checkCred(c, b, true); err != nil {
		return nil, err
	}
	return s.insertCred(c, r, false)
}

// ownByOrg makes organization v (as sent) c's owner; only a superuser may.
func (s *State) ownByOrg(c *credential, me *user, v any) error {
	id, _ := intOf(v)
	if s.orgs[id] == nil {
		return invalidPK("organization", v)
	}
	if !me.Superuser {
		return forbidden()
	}
	c.OrgID = id
	return nil
}

// checkCred checks c's fields as sent in b, and that no credential of its
// organization has its name and type.
func (s *State) checkCred(c *credential, b map[string]any, create bool) error {
	if err := s.credFields(c, b, create); err != nil {
		return err
	}
	return s.checkUnique(c)
}

// createUserCredential is the seed's operation: the owner is the user in
// the path, and the answer has no organization key.
func createUserCredential(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	return editOne(s, r, s.pathUser, func(u *user) (*api.Response, error) {
		if me := caller(r); !me.Superuser && me.ID != u.ID {
			return nil, forbidden()
		}
		c := &credential{UserID: u.ID}
		if err := s.checkCred(c, b, true); err != nil {
			return nil, err
		}
		return s.insertCred(c, r, true)
	})
}

// createTypeCredential is POST /credential_types/{id}/credentials/, a
// sublist create (CredentialTypeCredentialList): the credential is made as
// POST /credentials/ makes it, its type the one in the path whatever the
// body says.
func createTypeCredential(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	_, found := s.types.Get(r.Vars["id"])
	s.mu.RUnlock()
	if !found {
		return nil, notFound()
	}
	b := maps.Clone(body(r))
	id, _ := strconv.Atoi(r.Vars["id"])
	b["credential_type"] = float64(id)
	r.JSON = b
	return createCredential(s, r)
}

// cred returns a copy of the credential in the path, checking the caller
// may see it (403 otherwise, 404 when there is none).
func (s *State) cred(r *api.Request) (*credential, error) {
	c, found := s.creds.Get(r.Vars["id"])
	return visible(c, found, found && s.canSeeCred(caller(r), c))
}

// editableCred is cred for a write: the caller must also be allowed to
// change it (403 otherwise). Caller holds the write lock.
func (s *State) editableCred(r *api.Request) (*credential, error) {
	c, err := s.cred(r)
	if err != nil {
		return nil, err
	}
	if !s.canEditCred(caller(r), c) {
		return nil, forbidden()
	}
	return c, nil
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
	return editOne(s, r, s.editableCred, func(c *credential) (*api.Response, error) {
		if v, has := b["organization"]; has {
			if v == nil {
				if c.TeamID == 0 {
					c.OrgID = 0
				}
			} else if err := s.ownByOrg(c, me, v); err != nil {
				return nil, err
			}
		}
		if err := s.checkCred(c, b, false); err != nil {
			return nil, err
		}
		c.Modified = r.Now
		s.creds.Put(itoa(c.ID), c)
		s.touchCreds()
		return ok(s.credView(c, me, false))
	})
}

func deleteCredential(s *State, r *api.Request) (*api.Response, error) {
	return editOne(s, r, s.editableCred, func(c *credential) (*api.Response, error) {
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
	})
}

// canSeeCred: the owner, holders of a credential role, and the
// organization's credential admins and auditors (admins included) see it.
func (s *State) canSeeCred(u *user, c *credential) bool {
	return canSeeAll(u) || c.UserID == u.ID || s.hasRole(u, c, credRead) ||
		s.orgRole(u, c.OrgID, "credential_admin_role") || s.orgRole(u, c.OrgID, "auditor_role")
}

func (s *State) canEditCred(u *user, c *credential) bool {
	return u.Superuser || c.UserID == u.ID || s.hasRole(u, c, credAdmin) || s.orgRole(u, c.OrgID, "credential_admin_role")
}

func (s *State) canUseCred(u *user, c *credential) bool {
	return s.canEditCred(u, c) || s.hasRole(u, c, credUse)
}

func getCredentialCopy(s *State, r *api.Request) (*api.Response, error) {
	return readOne(s, r, s.cred, func(c *credential) (*api.Response, error) {
		can := s.canEditCred(caller(r), c)
		return ok(map[string]any{"can_copy": can, "can_copy_without_user_input": can, "templates_unable_to_copy": []any{},
			"credentials_unable_to_copy": []any{}, "inventories_unable_to_copy": []any{}})
	})
}

// copyCredential makes a copy under a new name, secrets included, owned
// as the original is; the original's input sources are copied onto it too
// (AWX's FIELDS_TO_PRESERVE_AT_COPY).
func copyCredential(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	name := strOf(b["name"])
	return editOne(s, r, s.editableCred, func(c *credential) (*api.Response, error) {
		cp := cloneCred(c)
		cp.ID, cp.Name = 0, name // not yet stored: it must not pass for the original in checkUnique
		if err := s.checkUnique(cp); err != nil {
			return nil, err
		}
		resp, err := s.insertCred(cp, r, false)
		if err != nil {
			return nil, err
		}
		for _, id := range sortedKeys(s.sourceIDs(func(x *inputSource) bool { return x.TargetCredID == c.ID })) {
			x := *s.sources[id]
			x.ID, x.TargetCredID, x.Created, x.Modified = s.nextSource, cp.ID, r.Now, r.Now
			s.nextSource++
			s.sources[x.ID] = &x
		}
		return resp, nil
	})
}
