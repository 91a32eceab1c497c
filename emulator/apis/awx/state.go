package awx

import (
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
	byName  map[string]int // username → id
	tokens  map[string]tokenSpec
	types   *store.Table[*credType]
	creds   *store.Table[*credential]
	// next ids, per table; role ids are shared by all credentials.
	nextUser, nextCred, nextType, nextRole int
}

// NewState returns the AWX state of one sandbox, filled from world.
func (f *Family) NewState(w api.World, env api.Env) api.State {
	s := &State{env: env}
	s.Reset(w)
	return s
}

// Reset replaces the state with a fresh copy of the world.
func (s *State) Reset(w api.World) {
	wd, _ := w.(*world)
	if wd == nil {
		wd = &world{version: DefaultVersion}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version = wd.version
	s.orgs, s.teams = map[int]*org{}, map[int]*team{}
	for _, o := range wd.orgs {
		c := *o
		s.orgs[o.ID] = &c
	}
	for _, t := range wd.teams {
		c := *t
		s.teams[t.ID] = &c
	}
	s.users, s.byName = store.NewTable(cloneUser), map[string]int{}
	s.nextUser = 1
	for _, u := range wd.users {
		s.users.Put(itoa(u.ID), u)
		s.byName[u.Username] = u.ID
		s.nextUser = max(s.nextUser, u.ID+1)
	}
	s.tokens = map[string]tokenSpec{}
	for k, v := range wd.tokens {
		s.tokens[k] = v
	}
	s.types = store.NewTable(cloneType)
	s.nextType = 1
	for _, t := range wd.types {
		s.types.Put(itoa(t.ID), t)
		s.nextType = max(s.nextType, t.ID+1)
	}
	s.creds = store.NewTable(cloneCred)
	s.nextCred, s.nextRole = 1, 1
	for _, c := range wd.creds {
		cc := cloneCred(c)
		cc.Roles = s.allocRoles()
		s.creds.Put(itoa(c.ID), cc)
		s.nextCred = max(s.nextCred, c.ID+1)
	}
}

// allocRoles hands out a credential's admin, use and read role ids, in the
// order AWX creates them. Caller holds the write lock.
func (s *State) allocRoles() [3]int {
	r := [3]int{s.nextRole, s.nextRole + 1, s.nextRole + 2}
	s.nextRole += 3
	return r
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
		t, _ := s.types.Get(itoa(c.TypeID))
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
