package vsphere

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/ids"
)

func principal(r *api.Request) *session { return r.Principal.(*session) }

func result(v any) (*api.Response, error) { return &api.Response{Body: v}, nil }

func void() (*api.Response, error) { return &api.Response{}, nil }

func notFound(name string) error {
	return &api.Error{Kind: api.KindNotFound, Message: fmt.Sprintf("User %s not found.", name), Code: "com.vmware.appliance.localaccounts.user_not_found"}
}

func invalid(format string, args ...any) error {
	return &api.Error{Kind: api.KindInvalidArgument, Message: fmt.Sprintf(format, args...)}
}

func body(r *api.Request) map[string]any {
	m, _ := r.JSON.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// config returns the account configuration of a request: under "config"
// in /rest bodies and in /api creates, the body itself in /api set/update.
func config(r *api.Request) map[string]any {
	b := body(r)
	if isREST(r) || r.Op.ID == "createLocalAccount" {
		c, _ := b["config"].(map[string]any)
		if c == nil {
			c = map[string]any{}
		}
		return c
	}
	return b
}

func createSession(s *State, r *api.Request) (*api.Response, error) {
	p := principal(r)
	s.mu.Lock()
	s.purge(r.Now)
	ss := &session{ID: ids.Token(), User: p.User, Roles: p.Roles, Local: p.Local, Created: r.Now, LastUsed: r.Now}
	s.sessions[ss.ID] = ss
	s.mu.Unlock()
	if isREST(r) {
		return result(ss.ID)
	}
	return &api.Response{Status: http.StatusCreated, Body: ss.ID}, nil
}

// SessionInfo is what describing a CIS session answers.
type SessionInfo struct {
	User             string `json:"user"`
	CreatedTime      string `json:"created_time"`
	LastAccessedTime string `json:"last_accessed_time"`
}

// getSession describes the session the request carries (Basic callers get
// a description of the session they would have).
func getSession(s *State, r *api.Request) (*api.Response, error) {
	p := principal(r)
	created, used := p.Created, p.LastUsed
	if created.IsZero() {
		created, used = r.Now, r.Now
	}
	return result(SessionInfo{User: p.User, CreatedTime: formatTime(created), LastAccessedTime: formatTime(used)})
}

func deleteSession(s *State, r *api.Request) (*api.Response, error) {
	s.mu.Lock()
	delete(s.sessions, principal(r).ID)
	s.mu.Unlock()
	return void()
}

func listAccounts(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := []string{}
	s.accounts.Scan(func(name string, _ *account) bool {
		names = append(names, name)
		return true
	})
	return result(names)
}

func getAccount(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts.Get(r.Vars["username"])
	if !ok {
		return nil, notFound(r.Vars["username"])
	}
	return result(a.info(s.policy))
}

func getPolicy(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return result(s.policy)
}

func setPolicy(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	if isREST(r) {
		b, _ = b["policy"].(map[string]any)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.policy
	for key, dst := range map[string]*int{"max_days": &p.MaxDays, "min_days": &p.MinDays, "warn_days": &p.WarnDays} {
		if v, ok := b[key].(float64); ok {
			*dst = int(v)
		}
	}
	s.policy = p
	return void()
}

// apply copies a configuration onto a; set (PUT) starts from the defaults
// so that what is not sent is reset, update (PATCH) keeps it.
func apply(a *account, c map[string]any) error {
	str := func(k string, dst *string) {
		if v, ok := c[k].(string); ok {
			*dst = v
		}
	}
	boolean := func(k string, dst *bool) {
		if v, ok := c[k].(bool); ok {
			*dst = v
		}
	}
	num := func(k string, dst *int) {
		if v, ok := c[k].(float64); ok {
			*dst = int(v)
		}
	}
	str("full_name", &a.FullName)
	str("email", &a.Email)
	boolean("enabled", &a.Enabled)
	boolean("password_expires", &a.PasswordExpires)
	boolean("inactive_after_password_expiration", &a.InactiveAfterExp)
	num("days_after_password_expiration", &a.DaysAfterExp)
	num("min_days_between_password_change", &a.MinDays)
	num("max_days_between_password_change", &a.MaxDays)
	num("warn_days_before_password_expiration", &a.WarnDays)
	if v, ok := c["password_expires_at"].(string); ok {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return invalid("Invalid value for field 'password_expires_at': %q is not an ISO 8601 date-time", v)
		}
		t = t.UTC()
		a.PasswordExpiresAt = &t
	}
	if v, ok := c["roles"].([]any); ok {
		roles := make([]string, 0, len(v))
		for _, x := range v {
			roles = append(roles, fmt.Sprint(x))
		}
		a.Roles = roles
	}
	if a.MinDays >= 0 && a.MaxDays >= 0 && a.MinDays > a.MaxDays {
		return invalid("min_days_between_password_change (%d) must not be greater than max_days_between_password_change (%d)", a.MinDays, a.MaxDays)
	}
	return nil
}

// fresh is a new account before its configuration is applied: the day
// counts a configuration leaves out come from the global policy p.
func fresh(name string, p Policy) *account {
	return &account{Username: name, Enabled: true, PasswordExpires: true, InactiveAfterExp: true,
		DaysAfterExp: unset, MinDays: p.MinDays, MaxDays: p.MaxDays, WarnDays: p.WarnDays}
}

// setPassword changes the password. A user who is not a superAdmin and
// changes their own must prove the old one, and may not change it again
// sooner than their min_days_between_password_change after the last change
// (the policy's rule; a superAdmin is exempt, as root is from /etc/shadow's).
func setPassword(r *api.Request, a *account, c map[string]any) error {
	pw, ok := c["password"].(string)
	if !ok {
		return nil
	}
	p := principal(r)
	if !slices.Contains(p.Roles, "superAdmin") && p.Local && p.User == a.Username && a.Password != "" {
		old, _ := c["old_password"].(string)
		if old != a.Password {
			return invalid("The old password is incorrect or missing; it is required to change your own password.")
		}
		if last := a.LastPasswordChange; last != nil && a.MinDays > 0 && r.Now.Before(last.AddDate(0, 0, a.MinDays)) {
			return &api.Error{Kind: api.KindInvalidArgument, Code: "com.vmware.appliance.localaccounts.password_change_too_soon",
				Message: fmt.Sprintf("The password of user %s cannot be changed before %s: min_days_between_password_change is %d day(s) since the last change on %s.",
					a.Username, formatTime(last.AddDate(0, 0, a.MinDays)), a.MinDays, formatTime(*last))}
		}
	}
	a.Password = pw
	changed := day(r.Now)
	a.LastPasswordChange = &changed
	a.PasswordExpiresAt = nil
	return nil
}

func createAccount(s *State, r *api.Request) (*api.Response, error) {
	name := r.Vars["username"]
	if name == "" {
		name, _ = body(r)["username"].(string)
	}
	if !validUsername(name) {
		return nil, invalid("Invalid user name %s: it must match [a-zA-Z0-9][a-zA-Z0-9\\-\\.@]*[a-zA-Z0-9]", name)
	}
	c := config(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts.Has(name) {
		return nil, &api.Error{Kind: api.KindAlreadyExists, Message: fmt.Sprintf("User %s already exists.", name), Code: "com.vmware.appliance.localaccounts.user_already_exists"}
	}
	a := fresh(name, s.policy)
	if err := configure(r, a, c); err != nil {
		return nil, err
	}
	s.accounts.Put(name, a)
	if isREST(r) {
		return void()
	}
	return &api.Response{Status: http.StatusCreated}, nil
}

// configure applies a sent config to a: its fields, its password and an
// explicit password expiry.
func configure(r *api.Request, a *account, c map[string]any) error {
	if err := apply(a, c); err != nil {
		return err
	}
	if err := setPassword(r, a, c); err != nil {
		return err
	}
	if v, ok := c["password_expires_at"].(string); ok {
		t, _ := time.Parse(time.RFC3339Nano, v)
		t = t.UTC()
		a.PasswordExpiresAt = &t
	}
	return nil
}

// modify serves PUT (set: what is not sent goes back to defaults) and
// PATCH (update: only what is sent changes). A user who is not a
// superAdmin may change only their own password, name and email.
func modify(s *State, r *api.Request, set bool) (*api.Response, error) {
	name := r.Vars["username"]
	c := config(r)
	p := principal(r)
	if !slices.Contains(p.Roles, "superAdmin") {
		for k := range c {
			if k != "password" && k != "old_password" && k != "full_name" && k != "email" {
				return nil, unauthorized()
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts.Get(name)
	if !ok {
		return nil, notFound(name)
	}
	if set {
		keep := a
		a = fresh(name, s.policy)
		a.Password, a.LastPasswordChange = keep.Password, keep.LastPasswordChange
	}
	if err := configure(r, a, c); err != nil {
		return nil, err
	}
	s.accounts.Put(name, a)
	return void()
}

func setAccount(s *State, r *api.Request) (*api.Response, error)    { return modify(s, r, true) }
func updateAccount(s *State, r *api.Request) (*api.Response, error) { return modify(s, r, false) }

func deleteAccount(s *State, r *api.Request) (*api.Response, error) {
	name := r.Vars["username"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.accounts.Delete(name) {
		return nil, notFound(name)
	}
	for id, ss := range s.sessions {
		if ss.Local && ss.User == name {
			delete(s.sessions, id)
		}
	}
	return void()
}
