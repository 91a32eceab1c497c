package vsphere

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/store"
)

// The vsphere: section of a scenario.

type userSpec struct {
	Username string   `yaml:"username"`
	Password string   `yaml:"password"`
	Roles    []string `yaml:"roles"`
}

type accountSpec struct {
	Username string   `yaml:"username"`
	Password string   `yaml:"password"`
	Roles    []string `yaml:"roles"`
	FullName string   `yaml:"fullName"`
	Email    string   `yaml:"email"`
	Enabled  *bool    `yaml:"enabled"`
	// PasswordExpires defaults to true.
	PasswordExpires *bool `yaml:"passwordExpires"`
	// LastPasswordChange is how long ago ("30d" or a Go duration) or an RFC
	// 3339 date; default: the scenario's start.
	LastPasswordChange string `yaml:"lastPasswordChange"`
	MaxDays            *int   `yaml:"maxDays"`
	MinDays            *int   `yaml:"minDays"`
	WarnDays           *int   `yaml:"warnDays"`
	DaysAfterExp       *int   `yaml:"daysAfterPasswordExpiration"`
}

type section struct {
	// SessionIdleTimeout ends sessions unused this long (default 30m).
	SessionIdleTimeout string                          `yaml:"sessionIdleTimeout"`
	Users              []scenario.Located[userSpec]    `yaml:"users"`
	GlobalPolicy       *Policy                         `yaml:"globalPolicy"`
	LocalAccounts      []scenario.Located[accountSpec] `yaml:"localAccounts"`
	Generate           struct {
		LocalAccounts int `yaml:"localAccounts"`
	} `yaml:"generate"`
	// Snapshot holds every object of a snapshot (snapshot.go), in place
	// of users, localAccounts and generate.
	Snapshot *snapshot `yaml:"snapshot"`
}

type world struct {
	idle     time.Duration
	users    []*user
	policy   Policy
	accounts []*account
	sessions []*session // only from a snapshot

	// frozen is accounts as a frozen table, which sandboxes fork.
	frozen store.Lazy[*store.Table[*account]]
}

// DefaultRootPassword is root's password when a scenario does not define root.
const DefaultRootPassword = "VMware1!"

// validUsername reports whether name matches the appliance's pattern for a
// local account, ^[a-zA-Z0-9][a-zA-Z0-9\-.@]*[a-zA-Z0-9]$ (at least two
// characters), checked by hand: the regular expression's backtracker took
// 32 KB and its compilation a share of every start-up, and ran on every
// create.
func validUsername(name string) bool {
	if len(name) < 2 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		inner := i > 0 && i < len(name)-1
		if !alnum && !(inner && (c == '-' || c == '.' || c == '@')) {
			return false
		}
	}
	return true
}

const maxGenerated = 1_000_000

// LoadWorld compiles the vsphere sections of a scenario. root exists unless
// the scenario defines it itself.
func (f *Family) LoadWorld(sections []scenario.Section, gen *scenario.Generator) (api.World, error) {
	w := &world{idle: 30 * time.Minute, policy: DefaultPolicy}
	var errs scenario.ErrorList
	users := map[string]bool{}
	accounts := map[string]bool{}
	checkRoles := func(sec scenario.Section, at scenario.At, who string, roles []string) bool {
		for _, r := range roles {
			if !slices.Contains(validRoles, r) {
				errs = append(errs, sec.ErrorAt(at, "%s: role %q is not one of %s", who, r, strings.Join(validRoles, ", ")))
				return false
			}
		}
		return true
	}
	snapshotted := false
	for _, sec := range sections {
		var s section
		if err := scenario.DecodeSection(sec, &s, builtinSection); err != nil {
			errs = append(errs, scenario.Errors(sec.File, err)...)
			continue
		}
		if s.Snapshot != nil {
			if len(s.Users)+len(s.LocalAccounts)+s.Generate.LocalAccounts > 0 || snapshotted || len(w.users)+len(w.accounts) > 0 {
				errs = append(errs, sec.Errorf(sec.Node, "vsphere.snapshot: a snapshot holds every object; users, localAccounts and generate cannot be given beside it, or in another file"))
				continue
			}
			snapshotted = true
			errs = append(errs, loadSnapshot(sec, s.Snapshot, w)...)
		} else if snapshotted && len(s.Users)+len(s.LocalAccounts)+s.Generate.LocalAccounts > 0 {
			errs = append(errs, sec.Errorf(sec.Node, "vsphere.snapshot: a snapshot holds every object; users, localAccounts and generate cannot be given beside it, or in another file"))
			continue
		}
		if s.SessionIdleTimeout != "" {
			d, err := time.ParseDuration(s.SessionIdleTimeout)
			if err != nil || d <= 0 {
				errs = append(errs, sec.Errorf(sec.Node, "vsphere.sessionIdleTimeout: expected a duration such as 30m, got %q", s.SessionIdleTimeout))
			} else {
				w.idle = d
			}
		}
		if p := s.GlobalPolicy; p != nil {
			if p.MaxDays < 0 || p.MinDays < 0 || p.WarnDays < 0 {
				errs = append(errs, sec.Errorf(sec.Node, "vsphere.globalPolicy: day counts must not be negative"))
			} else {
				w.policy = *p
			}
		}
		for _, lu := range s.Users {
			u := lu.Value
			if u.Username == "" || u.Password == "" || users[strings.ToLower(u.Username)] {
				errs = append(errs, sec.ErrorAt(lu.At, "user: a unique username and a password are required"))
				continue
			}
			if !checkRoles(sec, lu.At, "user "+u.Username, u.Roles) {
				continue
			}
			users[strings.ToLower(u.Username)] = true
			w.users = append(w.users, &user{Username: u.Username, Password: u.Password, Roles: u.Roles})
		}
		for _, la := range s.LocalAccounts {
			a := la.Value
			if !validUsername(a.Username) || accounts[a.Username] {
				errs = append(errs, sec.ErrorAt(la.At, "local account %q: username must match [a-zA-Z0-9][a-zA-Z0-9\\-.@]*[a-zA-Z0-9] and be unique", a.Username))
				continue
			}
			if !checkRoles(sec, la.At, "local account "+a.Username, a.Roles) {
				continue
			}
			acc, err := buildAccount(a, gen.Now)
			if err != nil {
				errs = append(errs, sec.ErrorAt(la.At, "local account %q: %v", a.Username, err))
				continue
			}
			accounts[a.Username] = true
			w.accounts = append(w.accounts, acc)
		}
		if s.Generate.LocalAccounts > maxGenerated {
			errs = append(errs, sec.Errorf(sec.Node, "vsphere.generate.localAccounts: at most %d", maxGenerated))
			continue
		}
		build, err := gen.Reserve("vsphere.generate.localAccounts", s.Generate.LocalAccounts)
		if err != nil {
			errs = append(errs, sec.Errorf(sec.Node, "%v", err))
		}
		for i := 0; build && i < s.Generate.LocalAccounts; i++ {
			name := fmt.Sprintf("%s.%s%d", strings.ToLower(gen.FirstName()), strings.ToLower(gen.LastName()), i+1)
			if !validUsername(name) || accounts[name] {
				name = fmt.Sprintf("user%d", i+1)
			}
			acc, _ := buildAccount(accountSpec{Username: name, Password: gen.Password(true, true, true, true, false, 14),
				Roles: []string{validRoles[i%len(validRoles)]}, FullName: gen.Name(), Email: gen.Email()}, gen.Now)
			accounts[name] = true
			w.accounts = append(w.accounts, acc)
		}
	}
	if !accounts["root"] && !snapshotted {
		root, _ := buildAccount(accountSpec{Username: "root", Password: DefaultRootPassword, Roles: []string{"superAdmin"}, FullName: "root"}, gen.Now)
		w.accounts = append([]*account{root}, w.accounts...)
	}
	// Day counts a scenario leaves out come from the global policy, as
	// they do for accounts created through the API.
	for _, a := range w.accounts {
		a.defaultDays(w.policy)
	}
	return w, errs.Err()
}

func buildAccount(a accountSpec, now time.Time) (*account, error) {
	intOr := func(p *int) int {
		if p == nil {
			return unset
		}
		return *p
	}
	acc := &account{Username: a.Username, Password: a.Password, FullName: a.FullName, Email: a.Email,
		Roles: slices.Clone(a.Roles), Enabled: a.Enabled == nil || *a.Enabled,
		PasswordExpires: a.PasswordExpires == nil || *a.PasswordExpires, InactiveAfterExp: true,
		DaysAfterExp: intOr(a.DaysAfterExp), MinDays: intOr(a.MinDays), MaxDays: intOr(a.MaxDays), WarnDays: intOr(a.WarnDays)}
	for _, v := range []int{acc.DaysAfterExp, acc.MinDays, acc.MaxDays, acc.WarnDays} {
		if v < unset {
			return nil, fmt.Errorf("day counts must not be negative")
		}
	}
	if a.Password != "" {
		changed := day(now)
		if s := a.LastPasswordChange; s != "" {
			t, err := parseAgo(s, now)
			if err != nil {
				return nil, err
			}
			changed = day(t)
		}
		acc.LastPasswordChange = &changed
	}
	return acc, nil
}

// parseAgo reads "30d", a Go duration (that long before now) or an RFC 3339 time.
func parseAgo(s string, now time.Time) (time.Time, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 {
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("lastPasswordChange: expected 30d, a duration such as 720h, or an RFC 3339 time, got %q", s)
}
