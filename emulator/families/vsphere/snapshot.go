package vsphere

import (
	"slices"
	"strings"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/store"
)

// snapshot is a sandbox's vSphere objects as a snapshot writes them under
// vsphere.snapshot: everything the state holds, passwords and sessions
// included, so that loading it back gives the same state.
type snapshot struct {
	Users         []scenario.Located[*user]    `yaml:"users"`
	LocalAccounts []scenario.Located[*account] `yaml:"localAccounts"`
	Sessions      []scenario.Located[*session] `yaml:"sessions,omitempty"`
}

// snapshotSection is the vsphere: section a snapshot writes: the settings
// a hand-written scenario has, and the objects under snapshot.
type snapshotSection struct {
	SessionIdleTimeout string    `yaml:"sessionIdleTimeout"`
	GlobalPolicy       Policy    `yaml:"globalPolicy"`
	Snapshot           *snapshot `yaml:"snapshot"`
}

// Snapshot writes st as the vsphere: section LoadWorld builds the same
// state from.
func (f *Family) Snapshot(st api.State) any {
	s := st.(*State)
	s.mu.RLock()
	defer s.mu.RUnlock()
	snap := &snapshot{
		Users:         scenario.Locate(store.SortedCopies(s.users, (*user).clone, func(u *user) string { return u.Username })),
		LocalAccounts: scenario.Locate(s.accounts.Copies()),
		Sessions:      scenario.Locate(store.SortedCopies(s.sessions, (*session).clone, func(ss *session) string { return ss.ID })),
	}
	return snapshotSection{SessionIdleTimeout: s.idle.String(), GlobalPolicy: s.policy, Snapshot: snap}
}

// loadSnapshot checks a snapshot's objects and puts them in w.
func loadSnapshot(sec scenario.Section, snap *snapshot, w *world) scenario.ErrorList {
	var errs scenario.ErrorList
	users := map[string]bool{}
	roles := func(at scenario.At, who string, list []string) bool {
		for _, r := range list {
			if !slices.Contains(validRoles, r) {
				errs = append(errs, sec.ErrorAt(at, "%s: role %q is not one of %s", who, r, strings.Join(validRoles, ", ")))
				return false
			}
		}
		return true
	}
	for _, lu := range snap.Users {
		u := lu.Value
		if u == nil || u.Username == "" || users[strings.ToLower(u.Username)] {
			errs = append(errs, sec.ErrorAt(lu.At, "snapshot user: a unique username is required"))
			continue
		}
		if roles(lu.At, "snapshot user "+u.Username, u.Roles) {
			users[strings.ToLower(u.Username)] = true
			w.users = append(w.users, u)
		}
	}
	accounts := map[string]bool{}
	for _, la := range snap.LocalAccounts {
		a := la.Value
		if a == nil || !validUsername(a.Username) || accounts[a.Username] {
			errs = append(errs, sec.ErrorAt(la.At, "snapshot local account: username must match [a-zA-Z0-9][a-zA-Z0-9\\-.@]*[a-zA-Z0-9] and be unique"))
			continue
		}
		if a.MinDays < 0 || a.MaxDays < 0 || a.WarnDays < 0 || a.DaysAfterExp < unset {
			errs = append(errs, sec.ErrorAt(la.At, "snapshot local account %q: day counts must not be negative", a.Username))
			continue
		}
		if roles(la.At, "snapshot local account "+a.Username, a.Roles) {
			accounts[a.Username] = true
			w.accounts = append(w.accounts, a)
		}
	}
	seen := map[string]bool{}
	for _, ls := range snap.Sessions {
		ss := ls.Value
		switch {
		case ss == nil || ss.ID == "" || seen[ss.ID]:
			errs = append(errs, sec.ErrorAt(ls.At, "snapshot session: a unique id is required"))
		case ss.Local && !accounts[ss.User], !ss.Local && !users[strings.ToLower(ss.User)]:
			errs = append(errs, sec.ErrorAt(ls.At, "snapshot session %s…: user %q is not in the snapshot", ss.ID[:min(8, len(ss.ID))], ss.User))
		default:
			seen[ss.ID] = true
			w.sessions = append(w.sessions, ss)
		}
	}
	return errs
}
