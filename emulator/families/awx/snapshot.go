package awx

import (
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/store"
)

// snapshot is a sandbox's AWX objects as a snapshot writes them under
// awx.snapshot: every object with its id, times and role ids, passwords,
// tokens and secret inputs included, the role grants, and the next id of
// each table, so that loading it back gives the same state and the same
// ids from then on. The activity stream is not written: it is a log of how
// the world came to be, not part of it.
type snapshot struct {
	Organizations   []scenario.Located[*org]         `yaml:"organizations"`
	Teams           []scenario.Located[*team]        `yaml:"teams"`
	Users           []scenario.Located[*user]        `yaml:"users"`
	Tokens          []scenario.Located[*token]       `yaml:"tokens"`
	CredentialTypes []scenario.Located[*credType]    `yaml:"credentialTypes"`
	Credentials     []scenario.Located[*credential]  `yaml:"credentials"`
	InputSources    []scenario.Located[*inputSource] `yaml:"inputSources,omitempty"`
	RoleGrants      []scenario.Located[roleGrant]    `yaml:"roleGrants,omitempty"`
	Next            nextIDs                          `yaml:"next"`
}

// roleGrant is one role's members in a snapshot.
type roleGrant struct {
	Role  int   `yaml:"role"`
	Users []int `yaml:"users,omitempty"`
	Teams []int `yaml:"teams,omitempty"`
}

// nextIDs are the ids each table hands out next.
type nextIDs struct {
	User           int `yaml:"user"`
	Credential     int `yaml:"credential"`
	CredentialType int `yaml:"credentialType"`
	Role           int `yaml:"role"`
	Organization   int `yaml:"organization"`
	Team           int `yaml:"team"`
	Token          int `yaml:"token"`
	InputSource    int `yaml:"inputSource"`
}

// snapshotSection is the awx: section a snapshot writes. The managed
// credential types are in the snapshot as they were, so the built-in
// ones are not loaded beside them.
type snapshotSection struct {
	Version                string    `yaml:"version"`
	BuiltinCredentialTypes bool      `yaml:"builtinCredentialTypes"`
	Snapshot               *snapshot `yaml:"snapshot"`
}

// Snapshot writes st as the awx: section LoadWorld builds the same state
// from.
func (f *Family) Snapshot(st api.State) any {
	s := st.(*State)
	s.mu.RLock()
	defer s.mu.RUnlock()
	snap := &snapshot{
		Organizations:   scenario.Locate(store.SortedCopies(s.orgs, (*org).clone, (*org).id)),
		Teams:           scenario.Locate(store.SortedCopies(s.teams, (*team).clone, (*team).id)),
		Users:           scenario.Locate(s.users.Copies()),
		Tokens:          scenario.Locate(store.SortedCopies(s.tokens, (*token).clone, (*token).id)),
		CredentialTypes: scenario.Locate(s.types.Copies()),
		Credentials:     scenario.Locate(s.creds.Copies()),
		InputSources:    scenario.Locate(store.SortedCopies(s.sources, (*inputSource).clone, (*inputSource).id)),
		Next: nextIDs{User: s.nextUser, Credential: s.nextCred, CredentialType: s.nextType,
			Role: s.nextRole, Organization: s.nextOrg, Team: s.nextTeam, Token: s.nextToken, InputSource: s.nextSource},
	}
	roles := map[int]bool{}
	for rid := range s.roleUsers {
		roles[rid] = true
	}
	for rid := range s.roleTeams {
		roles[rid] = true
	}
	for _, rid := range sortedKeys(roles) {
		g := roleGrant{Role: rid, Users: sortedKeys(s.roleUsers[rid]), Teams: sortedKeys(s.roleTeams[rid])}
		if len(g.Users)+len(g.Teams) > 0 {
			snap.RoleGrants = append(snap.RoleGrants, scenario.Located[roleGrant]{Value: g})
		}
	}
	return snapshotSection{Version: s.version, Snapshot: snap}
}

// restored is what a snapshot adds to a world beyond what a hand-written
// scenario has.
type restored struct {
	sources              []*inputSource
	roleUsers, roleTeams map[int]map[int]bool
	next                 nextIDs
}

// loadSnapshot checks a snapshot's objects and puts them in w: ids unique,
// every reference (owner, type, organisation, member, role) to an object
// in the snapshot, and every next id past the ids in use.
func loadSnapshot(sec scenario.Section, snap *snapshot, w *world) scenario.ErrorList {
	var errs scenario.ErrorList
	r := &restored{roleUsers: map[int]map[int]bool{}, roleTeams: map[int]map[int]bool{}, next: snap.Next}
	w.restored = r
	bad := func(at scenario.At, format string, args ...any) {
		errs = append(errs, sec.ErrorAt(at, "snapshot "+format, args...))
	}
	roles := map[int]bool{}
	maxRole := 0
	takeRoles := func(at scenario.At, what string, ids []int, want int) bool {
		if len(ids) != want {
			bad(at, "%s: roles must list %d role ids", what, want)
			return false
		}
		for _, rid := range ids {
			if rid <= 0 || roles[rid] {
				bad(at, "%s: role id %d is not positive or is used twice", what, rid)
				return false
			}
			roles[rid], maxRole = true, max(maxRole, rid)
		}
		return true
	}
	users := map[int]bool{}
	names := map[string]bool{}
	for _, lu := range snap.Users {
		u := lu.Value
		if u == nil || u.ID <= 0 || users[u.ID] || !validUsername(u.Username) || names[u.Username] {
			bad(lu.At, "user: a unique positive id and a unique username are required")
			continue
		}
		users[u.ID], names[u.Username] = true, true
		w.users = append(w.users, u)
	}
	members := func(at scenario.At, what string, set map[int]bool) bool {
		for id := range set {
			if !users[id] {
				bad(at, "%s: member %d is not a user of the snapshot", what, id)
				return false
			}
		}
		return true
	}
	orgs := map[int]bool{}
	for _, lo := range snap.Organizations {
		o := lo.Value
		if o == nil || o.ID <= 0 || orgs[o.ID] || o.Name == "" {
			bad(lo.At, "organization: a unique positive id and a name are required")
			continue
		}
		if !takeRoles(lo.At, "organization "+o.Name, o.Roles, len(roleFields["organization"])) ||
			!members(lo.At, "organization "+o.Name, o.Members) || !members(lo.At, "organization "+o.Name, o.Admins) {
			continue
		}
		o.Members, o.Admins = nonNil(o.Members), nonNil(o.Admins)
		orgs[o.ID] = true
		w.orgs = append(w.orgs, o)
	}
	teams := map[int]bool{}
	for _, lt := range snap.Teams {
		t := lt.Value
		if t == nil || t.ID <= 0 || teams[t.ID] || t.Name == "" || !orgs[t.OrgID] {
			bad(lt.At, "team: a unique positive id, a name and an organization of the snapshot are required")
			continue
		}
		if !takeRoles(lt.At, "team "+t.Name, t.Roles, len(roleFields["team"])) || !members(lt.At, "team "+t.Name, t.Members) {
			continue
		}
		t.Members = nonNil(t.Members)
		teams[t.ID] = true
		w.teams = append(w.teams, t)
	}
	tokenIDs := map[int]bool{}
	values := map[string]bool{}
	for _, lt := range snap.Tokens {
		t := lt.Value
		if t == nil || t.ID <= 0 || tokenIDs[t.ID] || t.Token == "" || values[t.Token] || !names[t.User] {
			bad(lt.At, "token: a unique positive id, a unique value and a user of the snapshot are required")
			continue
		}
		tokenIDs[t.ID], values[t.Token] = true, true
		w.tokens = append(w.tokens, t)
	}
	types := map[int]*credType{}
	for _, lt := range snap.CredentialTypes {
		t := lt.Value
		if t == nil || t.ID <= 0 || types[t.ID] != nil || t.Name == "" || t.Kind == "" {
			bad(lt.At, "credential type: a unique positive id, a name and a kind are required")
			continue
		}
		if msg := checkTypeInputs(t.Inputs, t.Managed); msg != "" {
			bad(lt.At, "credential type %q: inputs: %s", t.Name, msg)
			continue
		}
		if t.Injectors == nil {
			t.Injectors = map[string]any{}
		}
		types[t.ID] = t
		w.types = append(w.types, t)
	}
	creds := map[int]bool{}
	for _, lc := range snap.Credentials {
		c := lc.Value
		switch {
		case c == nil || c.ID <= 0 || creds[c.ID] || c.Name == "":
			bad(lc.At, "credential: a unique positive id and a name are required")
			continue
		case types[c.TypeID] == nil:
			bad(lc.At, "credential %q: credential_type %d is not in the snapshot", c.Name, c.TypeID)
			continue
		case c.UserID != 0 && !users[c.UserID], c.TeamID != 0 && !teams[c.TeamID], c.OrgID != 0 && !orgs[c.OrgID]:
			bad(lc.At, "credential %q: its user, team or organization is not in the snapshot", c.Name)
			continue
		}
		if !takeRoles(lc.At, "credential "+c.Name, c.Roles[:], 3) {
			continue
		}
		creds[c.ID] = true
		w.creds = append(w.creds, c)
	}
	sources := map[int]bool{}
	for _, ls := range snap.InputSources {
		src := ls.Value
		if src == nil || src.ID <= 0 || sources[src.ID] || !creds[src.TargetCredID] || !creds[src.SourceCredID] || src.InputField == "" {
			bad(ls.At, "input source: a unique positive id, an input_field_name and target and source credentials of the snapshot are required")
			continue
		}
		if src.Metadata == nil {
			src.Metadata = map[string]any{}
		}
		sources[src.ID] = true
		r.sources = append(r.sources, src)
	}
	for _, lg := range snap.RoleGrants {
		g := lg.Value
		if !roles[g.Role] {
			bad(lg.At, "role grant: role %d is not a role of an object in the snapshot", g.Role)
			continue
		}
		for _, id := range g.Users {
			if !users[id] {
				bad(lg.At, "role grant of role %d: user %d is not in the snapshot", g.Role, id)
				continue
			}
			grantTo(r.roleUsers, g.Role, id)
		}
		for _, id := range g.Teams {
			if !teams[id] {
				bad(lg.At, "role grant of role %d: team %d is not in the snapshot", g.Role, id)
				continue
			}
			grantTo(r.roleTeams, g.Role, id)
		}
	}
	n := snap.Next
	for _, c := range []struct {
		what string
		next int
		used map[int]bool
	}{{"user", n.User, users}, {"credential", n.Credential, creds}, {"organization", n.Organization, orgs},
		{"team", n.Team, teams}, {"token", n.Token, tokenIDs}, {"inputSource", n.InputSource, sources}, {"role", n.Role, roles}} {
		if c.next <= maxKey(c.used) {
			errs = append(errs, sec.Errorf(sec.Node, "snapshot next.%s is %d, but ids up to %d are in use", c.what, c.next, maxKey(c.used)))
		}
	}
	if maxType := maxKeyOf(types); n.CredentialType <= maxType {
		errs = append(errs, sec.Errorf(sec.Node, "snapshot next.credentialType is %d, but ids up to %d are in use", n.CredentialType, maxType))
	}
	return errs
}

func grantTo(m map[int]map[int]bool, role, member int) {
	if m[role] == nil {
		m[role] = map[int]bool{}
	}
	m[role][member] = true
}

func nonNil(m map[int]bool) map[int]bool {
	if m == nil {
		return map[int]bool{}
	}
	return m
}

func maxKey(m map[int]bool) int {
	n := 0
	for k := range m {
		n = max(n, k)
	}
	return n
}

func maxKeyOf[V any](m map[int]V) int {
	n := 0
	for k := range m {
		n = max(n, k)
	}
	return n
}

// restore puts a snapshot's extras in the state after Reset copied the
// objects: the role index rebuilt from the objects' role ids, the grants,
// the input sources and the next ids. Caller holds the write lock.
func (s *State) restore(r *restored, w *world) {
	s.roleIndex = nil
	for _, c := range w.creds {
		for i, rid := range c.Roles {
			s.roleIndex.set(rid, roleRef{kind: "credential", id: c.ID, field: roleFields["credential"][i]})
		}
	}
	for _, o := range w.orgs {
		for i, rid := range o.Roles {
			s.roleIndex.set(rid, roleRef{kind: "organization", id: o.ID, field: roleFields["organization"][i]})
		}
	}
	for _, t := range w.teams {
		for i, rid := range t.Roles {
			s.roleIndex.set(rid, roleRef{kind: "team", id: t.ID, field: roleFields["team"][i]})
		}
	}
	s.roleUsers, s.roleTeams = cloneGrants(r.roleUsers), cloneGrants(r.roleTeams)
	for _, src := range r.sources {
		s.sources[src.ID] = src.clone()
	}
	n := r.next
	s.nextUser, s.nextCred, s.nextType, s.nextRole = n.User, n.Credential, n.CredentialType, n.Role
	s.nextOrg, s.nextTeam, s.nextToken, s.nextSource = n.Organization, n.Team, n.Token, n.InputSource
}

func cloneGrants(m map[int]map[int]bool) map[int]map[int]bool {
	out := make(map[int]map[int]bool, len(m))
	for k, v := range m {
		c := make(map[int]bool, len(v))
		for id := range v {
			c[id] = true
		}
		out[k] = c
	}
	return out
}

// hasObjects reports whether a hand-written section adds objects, which a
// snapshot section may not sit beside.
func (s *section) hasObjects() bool {
	return len(s.Organizations)+len(s.Teams)+len(s.Users)+len(s.Tokens)+len(s.CredentialTypes)+
		len(s.Credentials)+len(s.RoleGrants)+s.Generate.Users > 0
}
