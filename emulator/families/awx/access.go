package awx

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/ids"
)

// Organizations, teams, personal tokens, roles, credential input sources
// and credential copies: what Ansible's awx.awx collection needs around
// credentials. Behaviour and messages follow AWX 24.6.1's serializers and
// access rules.

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

func (s *State) orgAdmin(u *user, orgID int) bool { return s.orgRole(u, orgID, "admin_role") }

// Organizations.

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

// visibleOf yields, in id order, the objects of m that canSee accepts.
func visibleOf[T interface{ id() int }](m map[int]T, canSee func(T) bool) seq[T] {
	return func(yield func(T) bool) {
		for _, x := range sortedByID(m) {
			if canSee(x) && !yield(x) {
				return
			}
		}
	}
}

func sortedByID[T interface{ id() int }](m map[int]T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id() < out[j].id() })
	return out
}

func (o *org) id() int  { return o.ID }
func (t *team) id() int { return t.ID }

// organization returns the organization in the path, checking the caller
// may see it. Caller holds the lock.
func (s *State) organization(r *api.Request) (*org, error) {
	o := s.orgs[atoiOr(r.Vars["id"])]
	return visible(o, o != nil, o != nil && s.canSeeOrg(caller(r), o))
}

func atoiOr(s string) int {
	n, _ := intOf(s)
	return n
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
	s.lockWrite()
	defer s.mu.Unlock()
	o, err := s.organization(r)
	if err != nil {
		return nil, err
	}
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
}

// deleteOrganization removes an organization with its teams; its
// credentials stay, with no organization, as AWX's SET_NULL does.
func deleteOrganization(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	o, err := s.organization(r)
	if err != nil {
		return nil, err
	}
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
}

// Teams.

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
	s.lockWrite()
	defer s.mu.Unlock()
	t, err := s.teamOf(r)
	if err != nil {
		return nil, err
	}
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
}

func deleteTeam(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	t, err := s.teamOf(r)
	if err != nil {
		return nil, err
	}
	if me := caller(r); !me.Superuser && !s.orgAdmin(me, t.OrgID) {
		return nil, forbidden()
	}
	s.dropTeam(t.ID)
	return noContent()
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

// Personal access tokens.

// token is a personal OAuth2 token: the value is shown once, on creation.
type token struct {
	ID          int
	Token       string
	User        string
	Scope       string
	Description string
	Created     time.Time
	Expires     time.Time
}

// tokenYears is AWX's default lifetime of a personal token
// (ACCESS_TOKEN_EXPIRE_SECONDS: a thousand years, in effect never).
const tokenYears = 1000

var tokenListSpec = &listSpec{
	model:  "OAuth2AccessToken",
	fields: map[string]kind{"id": kInt, "description": kString, "scope": kString, "created": kTime, "modified": kTime},
	order:  []string{"id"},
}

func (s *State) tokenView(t *token, show bool) map[string]any {
	u := s.userByName(t.User)
	uid := 0
	if u != nil {
		uid = u.ID
	}
	value := "************"
	if show {
		value = t.Token
	}
	sf := map[string]any{"user_capabilities": caps{Edit: true, Delete: true}}
	if u != nil {
		sf["user"] = map[string]any{"id": u.ID, "username": u.Username, "first_name": u.FirstName, "last_name": u.LastName}
	}
	return map[string]any{"id": t.ID, "type": "o_auth2_access_token", "url": fmt.Sprintf("/api/v2/tokens/%d/", t.ID),
		"related":        map[string]string{"user": userURL(uid), "activity_stream": fmt.Sprintf("/api/v2/tokens/%d/activity_stream/", t.ID)},
		"summary_fields": sf, "created": formatTime(t.Created), "modified": formatTime(t.Created), "description": t.Description,
		"user": uid, "token": value, "refresh_token": nil, "application": nil, "expires": formatTime(t.Expires), "scope": t.Scope}
}

func (t *token) id() int { return t.ID }

// listTokens lists the caller's own tokens (a superuser's: all).
func listTokens(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, tokenListSpec, func(me *user) (seq[*token], error) {
		byID := make(map[int]*token, len(s.tokens))
		for _, t := range s.tokens {
			byID[t.ID] = t
		}
		return visibleOf(byID, func(t *token) bool { return me.Superuser || t.User == me.Username }), nil
	}, func(t *token) row {
		return row{"id": t.ID, "description": t.Description, "scope": t.Scope, "created": t.Created, "modified": t.Created}
	}, (*token).id, func(t *token, _ *user) any { return s.tokenView(t, false) })
}

// createToken makes a personal token for the caller. A token made with a
// read token is refused by the scope check before this.
func createToken(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	scope := strOf(b["scope"])
	if scope == "" {
		scope = "write"
	}
	if scope != "read" && scope != "write" {
		return nil, fieldErr("scope", "Must be a simple space-separated string with allowed scopes ['read', 'write'].")
	}
	if v, has := b["application"]; has && v != nil {
		return nil, invalidPK("application", v)
	}
	s.lockWrite()
	defer s.mu.Unlock()
	me := caller(r)
	t := &token{ID: s.nextToken, Token: ids.Alnum(30), User: me.Username, Scope: scope,
		Description: strOf(b["description"]), Created: r.Now, Expires: r.Now.AddDate(tokenYears, 0, 0)}
	s.nextToken++
	s.tokens[t.Token] = t
	return created(fmt.Sprintf("/api/v2/tokens/%d/", t.ID), s.tokenView(t, true))
}

func (s *State) tokenOf(r *api.Request) (*token, error) {
	id := atoiOr(r.Vars["id"])
	me := caller(r)
	for _, t := range s.tokens {
		if t.ID == id {
			return visible(t, true, me.Superuser || t.User == me.Username)
		}
	}
	return nil, notFound()
}

func getToken(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, s.tokenOf, func(t *token, _ *user) any { return s.tokenView(t, false) })
}

func deleteToken(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	t, err := s.tokenOf(r)
	if err != nil {
		return nil, err
	}
	delete(s.tokens, t.Token)
	return noContent()
}

// Credential copies.

func getCredentialCopy(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, err := s.cred(r)
	if err != nil {
		return nil, err
	}
	can := s.canEditCred(caller(r), c)
	return ok(map[string]any{"can_copy": can, "can_copy_without_user_input": can, "templates_unable_to_copy": []any{},
		"credentials_unable_to_copy": []any{}, "inventories_unable_to_copy": []any{}})
}

// copyCredential makes a copy under a new name, secrets included, owned
// as the original is; the original's input sources are copied onto it too
// (AWX's FIELDS_TO_PRESERVE_AT_COPY).
func copyCredential(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	name := strOf(b["name"])
	s.lockWrite()
	defer s.mu.Unlock()
	c, err := s.cred(r)
	if err != nil {
		return nil, err
	}
	if !s.canEditCred(caller(r), c) {
		return nil, forbidden()
	}
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
}

// sourceIDs returns the ids of the input sources keep accepts. Caller
// holds the lock.
func (s *State) sourceIDs(keep func(*inputSource) bool) map[int]bool {
	out := map[int]bool{}
	for id, x := range s.sources {
		if keep(x) {
			out[id] = true
		}
	}
	return out
}

// Credential input sources.

type inputSource struct {
	ID           int
	Description  string
	InputField   string
	Metadata     map[string]any
	TargetCredID int
	SourceCredID int
	Created      time.Time
	Modified     time.Time
}

var sourceListSpec = &listSpec{
	model: "CredentialInputSource",
	fields: map[string]kind{"id": kInt, "description": kString, "input_field_name": kString, "target_credential": kInt,
		"source_credential": kInt, "created": kTime, "modified": kTime},
	order: []string{"id"},
}

func sourceRow(x *inputSource) row {
	return row{"id": x.ID, "description": x.Description, "input_field_name": x.InputField, "target_credential": x.TargetCredID,
		"source_credential": x.SourceCredID, "created": x.Created, "modified": x.Modified}
}

func (s *State) sourceView(x *inputSource) map[string]any {
	base := fmt.Sprintf("/api/v2/credential_input_sources/%d/", x.ID)
	sf := map[string]any{"user_capabilities": caps{Edit: true, Delete: true}}
	for key, id := range map[string]int{"source_credential": x.SourceCredID, "target_credential": x.TargetCredID} {
		if c, found := s.creds.Get(itoa(id)); found {
			t, _ := s.types.PeekID(c.TypeID)
			m := map[string]any{"id": c.ID, "name": c.Name, "description": c.Description, "credential_type_id": c.TypeID,
				"cloud": t != nil && t.Kind == "cloud", "kubernetes": t != nil && t.Kind == "kubernetes", "kind": nil}
			if t != nil && t.Namespace != "" {
				m["kind"] = t.Namespace
			}
			sf[key] = m
		}
	}
	meta := x.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	return map[string]any{"id": x.ID, "type": "credential_input_source", "url": base,
		"related": map[string]string{"activity_stream": base + "activity_stream/", "source_credential": credURL(x.SourceCredID),
			"target_credential": credURL(x.TargetCredID)},
		"summary_fields": sf, "created": formatTime(x.Created), "modified": formatTime(x.Modified), "description": x.Description,
		"input_field_name": x.InputField, "metadata": meta, "target_credential": x.TargetCredID, "source_credential": x.SourceCredID}
}

func (x *inputSource) id() int { return x.ID }

// listInputSources lists the input sources whose target the caller sees;
// under /credentials/{id}/, those of that credential.
func listInputSources(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, sourceListSpec, func(me *user) (seq[*inputSource], error) {
		target := 0
		if r.Op.ID == "listCredentialInputSourcesOfCredential" {
			c, err := s.cred(r)
			if err != nil {
				return nil, err
			}
			target = c.ID
		}
		return visibleOf(s.sources, func(x *inputSource) bool {
			t, found := s.creds.Get(itoa(x.TargetCredID))
			return (target == 0 || x.TargetCredID == target) && found && s.canSeeCred(me, t)
		}), nil
	}, sourceRow, (*inputSource).id, func(x *inputSource, _ *user) any { return s.sourceView(x) })
}

// applySource copies a body onto x and checks it as AWX's
// CredentialInputSource does. Caller holds the write lock.
func (s *State) applySource(r *api.Request, x *inputSource, b map[string]any) error {
	if v, has := b["description"]; has {
		x.Description = strOf(v)
	}
	if v, has := b["input_field_name"]; has {
		x.InputField = strOf(v)
	}
	if v, has := b["metadata"]; has {
		m, _ := v.(map[string]any)
		x.Metadata = m
	}
	for _, f := range []struct {
		key string
		dst *int
	}{{"target_credential", &x.TargetCredID}, {"source_credential", &x.SourceCredID}} {
		if v, has := b[f.key]; has {
			id, _ := intOf(v)
			if _, found := s.creds.Get(itoa(id)); !found {
				return invalidPK(f.key, v)
			}
			*f.dst = id
		}
	}
	var missing []api.FieldError
	for key, val := range map[string]any{"input_field_name": x.InputField, "target_credential": x.TargetCredID, "source_credential": x.SourceCredID} {
		if val == "" || val == 0 {
			missing = append(missing, fieldErr(key, "This field is required.").Fields...)
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i].Pointer < missing[j].Pointer })
		return &api.Error{Kind: api.KindInvalidArgument, Fields: missing}
	}
	target, _ := s.creds.Get(itoa(x.TargetCredID))
	source, _ := s.creds.Get(itoa(x.SourceCredID))
	me := caller(r)
	if !s.canEditCred(me, target) || !s.canUseCred(me, source) {
		return forbidden()
	}
	tt, _ := s.types.PeekID(target.TypeID)
	st, _ := s.types.PeekID(source.TypeID)
	switch {
	case tt.Kind == "external":
		return fieldErr("target_credential", "Target must be a non-external credential")
	case st.Kind != "external":
		return fieldErr("source_credential", "Source must be an external credential")
	}
	if tt.Inputs.field(x.InputField) == nil {
		var names []string
		for _, f := range tt.Inputs.Fields {
			names = append(names, f.ID)
		}
		sort.Strings(names)
		return fieldErr("input_field_name", "Input field must be defined on target credential (options are %s).", strings.Join(names, ", "))
	}
	for _, other := range s.sources {
		if other.ID != x.ID && other.TargetCredID == x.TargetCredID && other.InputField == x.InputField {
			return &api.Error{Kind: api.KindAlreadyExists, Message: "Credential input source with this Target credential and Input field name already exists."}
		}
	}
	var metaErrs []api.FieldError
	for _, req := range st.Inputs.Required {
		if st.Inputs.metadataField(req) != nil && !present(x.Metadata, req) {
			metaErrs = append(metaErrs, api.FieldError{Pointer: "/body/metadata/" + req, Keyword: awxKeyword, Message: "required for " + st.Name})
		}
	}
	if len(metaErrs) > 0 {
		return &api.Error{Kind: api.KindInvalidArgument, Fields: metaErrs}
	}
	return nil
}

func createInputSource(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	s.lockWrite()
	defer s.mu.Unlock()
	if r.Op.ID == "createCredentialInputSourceOfCredential" {
		c, err := s.cred(r)
		if err != nil {
			return nil, err
		}
		b["target_credential"] = float64(c.ID)
	}
	x := &inputSource{ID: s.nextSource, Created: r.Now, Modified: r.Now, Metadata: map[string]any{}}
	if err := s.applySource(r, x, b); err != nil {
		return nil, err
	}
	s.nextSource++
	s.sources[x.ID] = x
	return created(fmt.Sprintf("/api/v2/credential_input_sources/%d/", x.ID), s.sourceView(x))
}

func (s *State) sourceOf(r *api.Request) (*inputSource, error) {
	x := s.sources[atoiOr(r.Vars["id"])]
	if x == nil {
		return nil, notFound()
	}
	t, found := s.creds.Get(itoa(x.TargetCredID))
	return visible(x, true, found && s.canSeeCred(caller(r), t))
}

func getInputSource(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, s.sourceOf, func(x *inputSource, _ *user) any { return s.sourceView(x) })
}

func updateInputSource(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	x, err := s.sourceOf(r)
	if err != nil {
		return nil, err
	}
	c := *x
	if err := s.applySource(r, &c, body(r)); err != nil {
		return nil, err
	}
	c.Modified = r.Now
	s.sources[c.ID] = &c
	return ok(s.sourceView(&c))
}

func deleteInputSource(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	x, err := s.sourceOf(r)
	if err != nil {
		return nil, err
	}
	t, _ := s.creds.Get(itoa(x.TargetCredID))
	if !s.canEditCred(caller(r), t) {
		return nil, forbidden()
	}
	delete(s.sources, x.ID)
	return noContent()
}
