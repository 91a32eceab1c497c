package vsphere

import (
	"maps"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/store"
)

// State is the vSphere part of one sandbox. Both URL families (/rest and
// /api) work on this one state.
type State struct {
	env api.Env

	mu       sync.RWMutex
	idle     time.Duration
	users    map[string]*user // by lower-case username: SSO names ignore case
	policy   Policy
	accounts *store.Table[*account]
	sessions map[string]*session
	sweeps   family.Sweeps // of idle sessions
}

// purge drops sessions idle longer than the timeout, at most once per
// family.SweepEvery. Caller holds the write lock.
func (s *State) purge(now time.Time) {
	if s.sweeps.Due(now) {
		maps.DeleteFunc(s.sessions, func(_ string, ss *session) bool { return now.Sub(ss.LastUsed) > s.idle })
	}
}

// Reset replaces the state with a fresh copy of the world.
func (s *State) Reset(w api.World) {
	wd, _ := w.(*world)
	if wd == nil {
		wd = &world{idle: 30 * time.Minute, policy: DefaultPolicy}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idle, s.policy = wd.idle, wd.policy
	s.users = map[string]*user{}
	for _, u := range wd.users {
		s.users[strings.ToLower(u.Username)] = u.clone()
	}
	// Forked, not copied: a sandbox pays for the accounts when it first
	// writes one.
	s.accounts = wd.frozen.Get(func() *store.Table[*account] {
		return store.Frozen(cloneAccount, wd.accounts, func(a *account) string { return a.Username })
	}).Fork()
	s.sessions = map[string]*session{}
	for _, ss := range wd.sessions {
		s.sessions[ss.ID] = ss.clone()
	}
}

// Export returns the state for GET /_emulator/state, passwords redacted.
func (s *State) Export() any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	users := []map[string]any{}
	for _, u := range s.users {
		users = append(users, map[string]any{"username": u.Username, "roles": append([]string{}, u.Roles...), "password": journal.Redacted})
	}
	sort.Slice(users, func(i, j int) bool { return users[i]["username"].(string) < users[j]["username"].(string) })
	accounts := map[string]Info{}
	s.accounts.Scan(func(name string, a *account) bool {
		accounts[name] = a.info(s.policy)
		return true
	})
	return map[string]any{"users": users, "localAccounts": accounts, "globalPolicy": s.policy, "sessions": len(s.sessions)}
}

// Sweep drops what has expired at now, whenever it last ran.
func (s *State) Sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweeps.Restart(time.Time{})
	s.purge(now)
}
