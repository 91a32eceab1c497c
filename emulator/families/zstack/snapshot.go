package zstack

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/store"
)

// snapshot is a sandbox's ZStack objects as a snapshot writes them under
// zstack.snapshot: accounts with their password hashes, sessions, virtual
// IDs with their attributes, and API jobs not yet fetched.
type snapshot struct {
	Accounts   []scenario.Located[*account]   `yaml:"accounts"`
	Sessions   []scenario.Located[*session]   `yaml:"sessions,omitempty"`
	VirtualIDs []scenario.Located[*virtualID] `yaml:"virtualIDs"`
	Jobs       []scenario.Located[jobSnap]    `yaml:"jobs,omitempty"`
}

// jobSnap is an API job as a snapshot writes it.
type jobSnap struct {
	UUID      string    `yaml:"uuid"`
	Created   time.Time `yaml:"created"`
	PollsLeft int       `yaml:"pollsLeft"`
	ReadyAt   time.Time `yaml:"readyAt"`
	Status    int       `yaml:"status"`
	// Body is the JSON answer the job holds.
	Body string `yaml:"body"`
}

// snapshotJobs is the jobs: block a snapshot writes.
type snapshotJobs struct {
	Polls       int    `yaml:"polls"`
	Duration    string `yaml:"duration"`
	ExpireAfter string `yaml:"expireAfter"`
	APITimeout  string `yaml:"apiTimeout"`
}

// snapshotSection is the zstack: section a snapshot writes: the settings
// a hand-written scenario has, and the objects under snapshot.
type snapshotSection struct {
	PlainPasswords bool         `yaml:"plainPasswords"`
	SessionTimeout string       `yaml:"sessionTimeout"`
	TimeZone       string       `yaml:"timeZone"`
	AsyncJobs      bool         `yaml:"asyncJobs"`
	Jobs           snapshotJobs `yaml:"jobs"`
	Snapshot       *snapshot    `yaml:"snapshot"`
}

// Snapshot writes st as the zstack: section LoadWorld builds the same
// state from.
func (f *Family) Snapshot(st api.State) any {
	s := st.(*State)
	s.mu.RLock()
	defer s.mu.RUnlock()
	snap := &snapshot{
		Accounts:   scenario.Locate(store.SortedCopies(s.accounts, store.Copy[account], func(a *account) string { return a.Name })),
		Sessions:   scenario.Locate(store.SortedCopies(s.sessions, store.Copy[session], func(ss *session) string { return ss.UUID })),
		VirtualIDs: scenario.Locate(s.vids.Copies()),
	}
	for id, j := range s.jobs {
		snap.Jobs = append(snap.Jobs, scenario.Located[jobSnap]{Value: jobSnap{UUID: id, Created: j.created,
			PollsLeft: j.pollsLeft, ReadyAt: j.readyAt, Status: j.status, Body: string(j.body)}})
	}
	sort.Slice(snap.Jobs, func(i, j int) bool { return snap.Jobs[i].Value.UUID < snap.Jobs[j].Value.UUID })
	c := s.cfg
	return snapshotSection{PlainPasswords: c.plainPasswords, SessionTimeout: c.sessionTimeout.String(),
		TimeZone: c.loc.String(), AsyncJobs: c.async,
		Jobs: snapshotJobs{Polls: c.jobPolls, Duration: c.jobDuration.String(), ExpireAfter: c.jobExpiry.String(),
			APITimeout: c.apiTimeout.String()}, Snapshot: snap}
}

// loadSnapshot checks a snapshot's objects and puts them in w.
func loadSnapshot(sec scenario.Section, snap *snapshot, w *world) scenario.ErrorList {
	var errs scenario.ErrorList
	accounts := map[string]bool{} // by uuid
	names := map[string]bool{}
	for _, la := range snap.Accounts {
		a := la.Value
		if a == nil || a.Name == "" || names[a.Name] || !isHex32(a.UUID) || accounts[a.UUID] {
			errs = append(errs, sec.ErrorAt(la.At, "snapshot account: a unique name and a unique uuid of 32 lowercase hex digits are required"))
			continue
		}
		if !isLowerHex(a.Password, 128) {
			errs = append(errs, sec.ErrorAt(la.At, "snapshot account %q: password must be the SHA-512 hex a snapshot writes", a.Name))
			continue
		}
		names[a.Name], accounts[a.UUID] = true, true
		w.accounts = append(w.accounts, a)
	}
	uuids := map[string]bool{}
	vidNames := map[string]bool{}
	for _, lv := range snap.VirtualIDs {
		v := lv.Value
		switch {
		case v == nil || v.Name == "" || len(v.Name) > 255 || vidNames[nameKey(v.Name)]:
			errs = append(errs, sec.ErrorAt(lv.At, "snapshot virtual ID: a unique name of 1 to 255 characters is required"))
			continue
		case !isHex32(v.UUID) || uuids[v.UUID]:
			errs = append(errs, sec.ErrorAt(lv.At, "snapshot virtual ID %q: uuid must be 32 lowercase hex digits and unique", v.Name))
			continue
		case v.State != "Enabled" && v.State != "Disabled":
			errs = append(errs, sec.ErrorAt(lv.At, "snapshot virtual ID %q: state must be Enabled or Disabled", v.Name))
			continue
		}
		ok := true
		for _, a := range v.Attributes {
			if a == nil || !isHex32(a.UUID) || uuids[a.UUID] || a.Name == "" || (a.Type != "Customized" && a.Type != "System") {
				errs = append(errs, sec.ErrorAt(lv.At, "snapshot virtual ID %q: each attribute needs a unique uuid, a name and a type of Customized or System", v.Name))
				ok = false
				break
			}
			uuids[a.UUID] = true
		}
		if ok {
			vidNames[nameKey(v.Name)], uuids[v.UUID] = true, true
			w.vids = append(w.vids, v)
		}
	}
	seen := map[string]bool{}
	for _, ls := range snap.Sessions {
		ss := ls.Value
		switch {
		case ss == nil || !isHex32(ss.UUID) || seen[ss.UUID]:
			errs = append(errs, sec.ErrorAt(ls.At, "snapshot session: a unique uuid of 32 lowercase hex digits is required"))
		case ss.VirtualID != "" && !uuids[ss.VirtualID], ss.VirtualID == "" && !accounts[ss.AccountUUID]:
			errs = append(errs, sec.ErrorAt(ls.At, "snapshot session %s: its account or virtual ID is not in the snapshot", ss.UUID))
		default:
			seen[ss.UUID] = true
			w.restored = append(w.restored, ss)
		}
	}
	for _, lj := range snap.Jobs {
		j := lj.Value
		if len(j.UUID) != 32 || seen[j.UUID] || j.Status < 100 || j.Status > 599 || j.PollsLeft < 0 || !json.Valid([]byte(j.Body)) {
			errs = append(errs, sec.ErrorAt(lj.At, "snapshot job: a unique 32-character uuid, an HTTP status, polls left of 0 or more and a JSON body are required"))
			continue
		}
		seen[j.UUID] = true
		w.jobs = append(w.jobs, j)
	}
	return errs
}

// hasObjects reports whether a hand-written section adds objects, which a
// snapshot section may not.
func (s *section) hasObjects() bool {
	return len(s.Accounts)+len(s.Sessions)+len(s.VirtualIDs)+s.Generate.VirtualIDs > 0
}
