package awx

import (
	"slices"
	"strings"
	"sync"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/store"
)

// State is the AWX part of one sandbox, behind one lock.
type State struct {
	env api.Env

	mu      sync.RWMutex
	version string
	orgs    map[int]*org
	teams   map[int]*team
	users   *store.Table[*user]
	byName  *store.Index[string, int] // username → id
	tokens  map[string]*token         // by value
	// roleUsers and roleTeams are role grants: role id → member ids.
	roleUsers, roleTeams map[int]map[int]bool
	roleIndex            roleTable // every role id → its resource
	// rolesShared: roleIndex is the world base's, copied before a change
	// (ownRoles).
	rolesShared bool
	sources     map[int]*inputSource
	types       *store.Table[*credType]
	creds       *store.Table[*credential]
	// next ids, per table; role ids are shared by all credentials.
	nextUser, nextCred, nextType, nextRole   int
	nextOrg, nextTeam, nextToken, nextSource int
	// stream is the activity stream, oldest first (activity.go).
	stream       []*activity
	nextActivity int

	// credVersion counts credential writes; the default-order cache below
	// is valid while it matches, so paging an unchanged list of 100,000
	// credentials does not sort them on every request.
	credVersion int
	orderMu     sync.Mutex
	orderAt     int
	byOrder     []*credential // all credentials in the default order (name, id)

	// gen counts every write of any kind (lockWrite). A filtered list's
	// matches depend on credentials, their types, owners and grants, so a
	// cached selection is valid only at the generation it was made in.
	gen      int
	selected map[string]selection // list key → its matches, under orderMu
	// rendered holds credentials as lists wrote them, at generation
	// renderedAt, under orderMu (credsJSON).
	rendered   map[renderKey]rawJSON
	renderedAt int
}

// selection is the result of one filtered list, in the default order.
type selection struct {
	gen  int
	hits []*credential
}

// maxSelections bounds the cache of filtered lists: each entry holds at
// most one pointer per credential.
const maxSelections = 16

// lockWrite takes the write lock and marks every cached selection stale.
func (s *State) lockWrite() {
	s.mu.Lock()
	s.gen++
}

// cachedSelection returns the matches of the list keyed by key, running
// pick (which must read only state guarded by s.mu) when no selection of
// the current generation is cached. Caller holds at least the read lock,
// so the generation cannot move while pick runs.
func (s *State) cachedSelection(key string, pick func() []*credential) []*credential {
	s.orderMu.Lock()
	if sel, found := s.selected[key]; found && sel.gen == s.gen {
		s.orderMu.Unlock()
		return sel.hits
	}
	s.orderMu.Unlock()
	hits := pick()
	s.orderMu.Lock()
	defer s.orderMu.Unlock()
	if s.selected == nil || len(s.selected) >= maxSelections {
		s.selected = map[string]selection{}
	}
	for k, sel := range s.selected {
		if sel.gen != s.gen {
			delete(s.selected, k)
		}
	}
	s.selected[key] = selection{gen: s.gen, hits: hits}
	return hits
}

// touchCreds records a credential write. Caller holds the write lock.
func (s *State) touchCreds() { s.credVersion++ }

// defaultOrder returns every credential in the default list order, from
// the cache when no write happened since it was built. Caller holds at
// least the read lock; the returned slice must not be changed.
func (s *State) defaultOrder() []*credential {
	s.orderMu.Lock()
	defer s.orderMu.Unlock()
	if s.byOrder != nil && s.orderAt == s.credVersion {
		return s.byOrder
	}
	all := make([]*credential, 0, s.creds.Len())
	s.creds.Scan(func(_ string, c *credential) bool {
		all = append(all, c)
		return true
	})
	slices.SortStableFunc(all, func(a, b *credential) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return a.ID - b.ID
	})
	s.byOrder, s.orderAt = all, s.credVersion
	return all
}

// Reset replaces the state with a fresh copy of the world: a fork of the
// world's state, built once and frozen (base), whose users, credentials,
// types and role ids are shared until this sandbox writes them.
func (s *State) Reset(w api.World) {
	wd, _ := w.(*world)
	if wd == nil {
		wd = &world{version: DefaultVersion}
	}
	b := wd.base.Get(func() *State {
		// No env: building from a world reads no clock and draws no id,
		// and the world outlives the sandbox that first asked for it.
		b := &State{}
		b.fill(wd)
		b.users.Freeze()
		b.byName.Freeze()
		b.types.Freeze()
		b.creds.Freeze()
		b.rolesShared = true
		return b
	})
	order := b.defaultOrder()
	s.lockWrite()
	defer s.mu.Unlock()
	s.forkFrom(b, order)
}

// forkFrom makes s a fork of the frozen base b, whose credentials in the
// default order are order. Caller holds the write lock.
func (s *State) forkFrom(b *State, order []*credential) {
	s.version = b.version
	s.stream, s.nextActivity = nil, 0
	s.orgs, s.teams = make(map[int]*org, len(b.orgs)), make(map[int]*team, len(b.teams))
	for id, o := range b.orgs {
		s.orgs[id] = o.clone()
	}
	for id, t := range b.teams {
		s.teams[id] = t.clone()
	}
	s.users, s.byName, s.types, s.creds = b.users.Fork(), b.byName.Fork(), b.types.Fork(), b.creds.Fork()
	s.tokens = make(map[string]*token, len(b.tokens))
	for k, t := range b.tokens {
		s.tokens[k] = t.clone()
	}
	s.roleUsers, s.roleTeams = cloneGrants(b.roleUsers), cloneGrants(b.roleTeams)
	s.roleIndex, s.rolesShared = b.roleIndex, true
	s.sources = make(map[int]*inputSource, len(b.sources))
	for id, src := range b.sources {
		s.sources[id] = src.clone()
	}
	s.nextUser, s.nextCred, s.nextType, s.nextRole = b.nextUser, b.nextCred, b.nextType, b.nextRole
	s.nextOrg, s.nextTeam, s.nextToken, s.nextSource = b.nextOrg, b.nextTeam, b.nextToken, b.nextSource
	// The base's default order is valid here until the first credential
	// write: a fork does not sort 100,000 credentials again.
	s.touchCreds()
	s.orderMu.Lock()
	s.byOrder, s.orderAt, s.selected = order, s.credVersion, nil
	s.orderMu.Unlock()
}

// ownRoles gives s a role table of its own before it changes one shared
// with the world's base. Caller holds the write lock.
func (s *State) ownRoles() {
	if s.rolesShared {
		s.roleIndex, s.rolesShared = slices.Clone(s.roleIndex), false
	}
}

// fill builds s from the world, as the base every sandbox forks.
func (s *State) fill(wd *world) {
	s.version = wd.version
	s.stream, s.nextActivity = nil, 0
	s.orgs, s.teams = map[int]*org{}, map[int]*team{}
	s.nextOrg, s.nextTeam = 1, 1
	for _, o := range wd.orgs {
		s.orgs[o.ID] = o.clone()
		s.nextOrg = max(s.nextOrg, o.ID+1)
	}
	for _, t := range wd.teams {
		s.teams[t.ID] = t.clone()
		s.nextTeam = max(s.nextTeam, t.ID+1)
	}
	s.users, s.byName = store.NewTable(cloneUser), store.NewIndex[string, int]()
	s.nextUser = 1
	for _, u := range wd.users {
		s.users.Put(itoa(u.ID), u)
		s.byName.Set(u.Username, u.ID)
		s.nextUser = max(s.nextUser, u.ID+1)
	}
	s.tokens = map[string]*token{}
	s.nextToken = 1
	for _, t := range wd.tokens {
		s.tokens[t.Token] = t.clone()
		s.nextToken = max(s.nextToken, t.ID+1)
	}
	s.roleUsers, s.roleTeams, s.roleIndex = map[int]map[int]bool{}, map[int]map[int]bool{}, nil
	s.sources, s.nextSource = map[int]*inputSource{}, 1
	s.types = store.NewTable(cloneType)
	s.nextType = 1
	for _, t := range wd.types {
		// A world's types are shared, not copied: a sandbox changes a type
		// only by replacing it (credential_types.go), and most never do.
		s.types.PutShared(itoa(t.ID), t)
		s.nextType = max(s.nextType, t.ID+1)
	}
	s.creds = store.NewTable(cloneCred)
	s.touchCreds()
	s.nextCred, s.nextRole = 1, 1
	if wd.restored != nil {
		// A snapshot's objects keep the role ids they had.
		for _, c := range wd.creds {
			s.creds.Put(itoa(c.ID), c)
		}
		s.restore(wd.restored, wd)
		return
	}
	for _, c := range wd.creds {
		cc := cloneCred(c)
		cc.Roles = s.credRoles(cc.ID)
		s.creds.Put(itoa(c.ID), cc)
		s.nextCred = max(s.nextCred, c.ID+1)
	}
	// Organization and team roles come after the credentials' so that
	// credential role ids do not move when a scenario adds a team.
	for _, o := range sortedByID(s.orgs) {
		o.Roles = s.allocRoles("organization", o.ID)
	}
	for _, t := range sortedByID(s.teams) {
		t.Roles = s.allocRoles("team", t.ID)
	}
	for _, g := range wd.grants {
		c, _ := s.creds.Get(itoa(g.cred))
		grants := s.roleUsers
		if g.team {
			grants = s.roleTeams
		}
		rid := c.Roles[g.role]
		if grants[rid] == nil {
			grants[rid] = map[int]bool{}
		}
		grants[rid][g.member] = true
	}
}

// Export returns the state for GET /_emulator/state, secrets redacted.
func (s *State) Export() any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	users := []map[string]any{}
	s.users.Scan(func(_ string, u *user) bool {
		users = append(users, map[string]any{"id": u.ID, "username": u.Username, "is_superuser": u.Superuser, "password": journal.Redacted})
		return true
	})
	creds := []map[string]any{}
	s.creds.Scan(func(_ string, c *credential) bool {
		t, _ := s.types.PeekID(c.TypeID)
		inputs := map[string]any{}
		if t != nil {
			inputs = showInputs(t, c.Inputs)
		}
		creds = append(creds, map[string]any{"id": c.ID, "name": c.Name, "credential_type": c.TypeID,
			"user": c.UserID, "team": c.TeamID, "organization": c.OrgID, "inputs": inputs})
		return true
	})
	types := []map[string]any{}
	s.types.Scan(func(_ string, t *credType) bool {
		types = append(types, map[string]any{"id": t.ID, "name": t.Name, "kind": t.Kind, "managed": t.Managed})
		return true
	})
	return map[string]any{"version": s.version, "users": users, "tokens": len(s.tokens), "credentials": creds, "credentialTypes": types}
}

// maxRendered bounds the cache of rendered credentials: about 1.4 KB
// each, so at most about 700 KB a sandbox, and only in one that lists;
// it holds two and a half of the largest pages (200).
const maxRendered = 512

// renderKey names a credential as a list shows it: what the viewer may do
// with it and which list it is in are all that differ between viewers.
type renderKey struct {
	id    int
	flags uint8
}

// rawJSON is JSON already written; it renders as itself.
type rawJSON []byte

// AppendJSON appends the JSON as it is.
func (r rawJSON) AppendJSON(b []byte) []byte { return append(b, r...) }

// MarshalJSON returns the JSON as it is.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// credsJSON returns a page of credentials as viewer sees them in a list,
// each written once per generation of the state and kept: clients poll the
// same lists (a lookup by kind or name on every run), and writing a
// credential's twenty-odd fields, links and summaries was most of a list's
// time and garbage. Any write starts a new generation. Caller holds at
// least the read lock, so the generation cannot move meanwhile.
func (s *State) credsJSON(page []*credential, viewer *user, inUserList bool) []any {
	out := make([]any, len(page))
	keys := make([]renderKey, len(page))
	for i, c := range page {
		k := renderKey{id: c.ID}
		if s.canEditCred(viewer, c) {
			k.flags |= 1
		}
		if viewer.Superuser {
			k.flags |= 2
		}
		if inUserList {
			k.flags |= 4
		}
		keys[i] = k
	}
	missing := 0
	s.orderMu.Lock()
	if s.renderedAt != s.gen {
		clear(s.rendered)
		s.renderedAt = s.gen
	}
	for i, k := range keys {
		if r, found := s.rendered[k]; found {
			out[i] = r
		} else {
			missing++
		}
	}
	s.orderMu.Unlock()
	if missing == 0 {
		return out
	}
	for i, c := range page {
		if out[i] == nil {
			v := s.credView(c, viewer, inUserList)
			out[i] = rawJSON(v.AppendJSON(make([]byte, 0, 1536)))
		}
	}
	s.orderMu.Lock()
	defer s.orderMu.Unlock()
	// Full, it starts over, as the selections do: the pages being read
	// now are the ones worth keeping.
	if s.rendered == nil || len(s.rendered)+missing > maxRendered {
		s.rendered = make(map[renderKey]rawJSON, len(page))
	}
	for i, k := range keys {
		s.rendered[k] = out[i].(rawJSON)
	}
	return out
}
