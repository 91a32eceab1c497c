package zstack

import (
	"sort"
	"sync"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/store"
)

// State is the ZStack part of one sandbox, behind one lock.
type State struct {
	env api.Env

	mu        sync.RWMutex
	cfg       config
	accounts  map[string]*account // by name
	sessions  map[string]*session // by uuid
	vids      *store.Table[*virtualID]
	byName    *store.Index[string, string] // virtual ID name → uuid
	attrOwner *store.Index[string, string] // attribute uuid → virtual ID uuid
	jobs      map[string]*job
	sweeps    family.Sweeps // of expired sessions and jobs
}

// job is an API job: the outcome of an accepted write, released to the
// poller after a number of polls and a running time on the virtual clock.
type job struct {
	created   time.Time
	pollsLeft int
	readyAt   time.Time
	status    int
	body      []byte
}

// Reset replaces the state with a fresh copy of the world; seeded sessions
// start their lifetime now.
func (s *State) Reset(w api.World) {
	wd, _ := w.(*world)
	if wd == nil {
		wd = &world{cfg: defaultConfig()}
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = wd.cfg
	s.accounts = map[string]*account{}
	for _, a := range wd.accounts {
		c := *a
		s.accounts[a.Name] = &c
	}
	s.sessions = map[string]*session{}
	for _, ss := range wd.sessions {
		a := s.accounts[ss.account]
		s.sessions[ss.uuid] = &session{UUID: ss.uuid, AccountUUID: a.UUID, UserUUID: a.UUID, Admin: a.Admin, Created: now, Expires: now.Add(ss.ttl)}
	}
	// The world's virtual IDs and their indexes are forked, not copied: a
	// sandbox pays for them when it first writes one.
	b := wd.frozen()
	s.vids, s.byName, s.attrOwner = b.vids.Fork(), b.byName.Fork(), b.attrOwner.Fork()
	for _, ss := range wd.restored {
		c := *ss
		s.sessions[ss.UUID] = &c
	}
	s.jobs = map[string]*job{}
	for _, j := range wd.jobs {
		s.jobs[j.UUID] = &job{created: j.Created, pollsLeft: j.PollsLeft, readyAt: j.ReadyAt, status: j.Status, body: []byte(j.Body)}
	}
	s.sweeps.Restart(now)
}

// vidTables are the virtual IDs and their indexes, as a state holds them
// and a world's frozen copy does.
type vidTables struct {
	vids      *store.Table[*virtualID]
	byName    *store.Index[string, string]
	attrOwner *store.Index[string, string]
}

// frozen returns the world's virtual IDs as tables, built on first use and
// then only forked.
func (w *world) frozen() *vidTables {
	return w.base.Get(func() *vidTables {
		b := &vidTables{store.NewTable(cloneVID), store.NewIndex[string, string](), store.NewIndex[string, string]()}
		for _, v := range w.vids {
			b.put(v, true)
		}
		b.vids.Freeze()
		b.byName.Freeze()
		b.attrOwner.Freeze()
		return b
	})
}

// put stores v and its indexes; shared stores the world's own value.
func (t *vidTables) put(v *virtualID, shared bool) {
	if shared {
		t.vids.PutShared(v.UUID, v)
	} else {
		t.vids.Put(v.UUID, v)
	}
	t.byName.Set(nameKey(v.Name), v.UUID)
	for _, a := range v.Attributes {
		t.attrOwner.Set(a.UUID, v.UUID)
	}
}

// putVID stores v and its indexes. Caller holds the write lock.
func (s *State) putVID(v *virtualID) {
	(&vidTables{s.vids, s.byName, s.attrOwner}).put(v, false)
}

// deleteVID removes v and everything that hangs off it. Caller holds the
// write lock.
func (s *State) deleteVID(v *virtualID) {
	s.vids.Delete(v.UUID)
	s.byName.Delete(nameKey(v.Name))
	for _, a := range v.Attributes {
		s.attrOwner.Delete(a.UUID)
	}
	s.dropSessionsOf(v.UUID)
}

func (s *State) dropSessionsOf(vid string) {
	for id, ss := range s.sessions {
		if ss.VirtualID == vid {
			delete(s.sessions, id)
		}
	}
}

// Export returns the state for GET /_emulator/state; passwords and session
// ids are redacted.
func (s *State) Export() any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	accounts := []map[string]any{}
	for _, a := range s.accounts {
		accounts = append(accounts, map[string]any{"uuid": a.UUID, "name": a.Name, "admin": a.Admin, "password": journal.Redacted})
	}
	sort.Slice(accounts, func(i, j int) bool { return accounts[i]["name"].(string) < accounts[j]["name"].(string) })
	vids := []VirtualIDInventory{}
	s.vids.Scan(func(_ string, v *virtualID) bool {
		vids = append(vids, v.inventory(s.cfg.loc))
		return true
	})
	return map[string]any{
		"accounts":   accounts,
		"sessions":   len(s.sessions),
		"virtualIDs": vids,
		"jobs":       len(s.jobs),
		"asyncJobs":  s.cfg.async,
	}
}

// Sweep drops what has expired at now, whenever it last ran.
func (s *State) Sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweeps.Restart(time.Time{})
	s.purge(now)
}
