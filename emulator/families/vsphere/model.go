package vsphere

import (
	"slices"
	"time"
)

// timeFormat is how the appliance writes dates: ISO 8601 with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// day truncates to midnight UTC: the appliance keeps password dates as days
// (as /etc/shadow does), so they read "2021-04-27T00:00:00.000Z".
func day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// Roles an appliance local account can have.
var validRoles = []string{"operator", "admin", "superAdmin"}

// unset marks a day count that was not given; creation fills the three the
// global policy has (min, max, warn) from it, as the appliance takes them
// "from system defaults (see local-accounts/policy)". Days after expiration
// have no policy default and stay unset: the account is never locked.
const unset = -1

// account is a local account.
type account struct {
	Username           string     `yaml:"username,omitempty"`
	Password           string     `yaml:"password,omitempty"` // never shown
	FullName           string     `yaml:"fullName,omitempty"`
	Email              string     `yaml:"email,omitempty"`
	Roles              []string   `yaml:"roles,omitempty"`
	Enabled            bool       `yaml:"enabled,omitempty"`
	PasswordExpires    bool       `yaml:"passwordExpires,omitempty"`
	PasswordExpiresAt  *time.Time `yaml:"passwordExpiresAt,omitempty"` // explicit expiry, overrides the computed one
	InactiveAfterExp   bool       `yaml:"inactiveAfterExpiration,omitempty"`
	DaysAfterExp       int        `yaml:"daysAfterPasswordExpiration,omitempty"`
	MinDays            int        `yaml:"minDays,omitempty"`
	MaxDays            int        `yaml:"maxDays,omitempty"`
	WarnDays           int        `yaml:"warnDays,omitempty"`
	LastPasswordChange *time.Time `yaml:"lastPasswordChange,omitempty"`
}

// defaultDays fills the day counts that were not given from the policy.
func (a *account) defaultDays(p Policy) {
	for _, d := range []struct {
		dst *int
		def int
	}{{&a.MinDays, p.MinDays}, {&a.MaxDays, p.MaxDays}, {&a.WarnDays, p.WarnDays}} {
		if *d.dst == unset {
			*d.dst = d.def
		}
	}
}

// inactiveAt is when the account locks after its password expired, or nil.
func (a *account) inactiveAt(p Policy) *time.Time {
	exp := a.expiresAt(p)
	if exp == nil || !a.InactiveAfterExp || a.DaysAfterExp < 0 {
		return nil
	}
	t := exp.AddDate(0, 0, a.DaysAfterExp)
	return &t
}

func cloneAccount(a *account) *account {
	d := *a
	d.Roles = slices.Clone(a.Roles)
	return &d
}

// Policy is the global password policy.
type Policy struct {
	MaxDays  int `json:"max_days" yaml:"max_days"`
	MinDays  int `json:"min_days" yaml:"min_days"`
	WarnDays int `json:"warn_days" yaml:"warn_days"`
}

// DefaultPolicy is a fresh appliance's policy: passwords expire after 90 days.
var DefaultPolicy = Policy{MaxDays: 90, MinDays: 0, WarnDays: 7}

// Info is what GET of a local account returns. Note fullname, not full_name.
type Info struct {
	Fullname                         string   `json:"fullname,omitempty"`
	Email                            string   `json:"email,omitempty"`
	Roles                            []string `json:"roles"`
	Enabled                          bool     `json:"enabled"`
	HasPassword                      bool     `json:"has_password"`
	LastPasswordChange               string   `json:"last_password_change,omitempty"`
	PasswordExpiresAt                string   `json:"password_expires_at,omitempty"`
	InactiveAt                       string   `json:"inactive_at,omitempty"`
	MinDaysBetweenPasswordChange     int      `json:"min_days_between_password_change"`
	MaxDaysBetweenPasswordChange     int      `json:"max_days_between_password_change"`
	WarnDaysBeforePasswordExpiration int      `json:"warn_days_before_password_expiration"`
}

// info computes the account's Info the way the appliance does: the expiry
// from an explicit date, else the last change plus the account's maximum
// age or, failing that, the global policy's; inactivity from the expiry plus
// the days after expiration.
func (a *account) info(p Policy) Info {
	in := Info{Fullname: a.FullName, Email: a.Email, Roles: slices.Clone(a.Roles), Enabled: a.Enabled,
		HasPassword: a.Password != "", MinDaysBetweenPasswordChange: a.MinDays,
		MaxDaysBetweenPasswordChange: a.MaxDays, WarnDaysBeforePasswordExpiration: a.WarnDays}
	if in.Roles == nil {
		in.Roles = []string{}
	}
	if a.LastPasswordChange != nil {
		in.LastPasswordChange = formatTime(*a.LastPasswordChange)
	}
	if exp := a.expiresAt(p); exp != nil {
		in.PasswordExpiresAt = formatTime(*exp)
	}
	if lock := a.inactiveAt(p); lock != nil {
		in.InactiveAt = formatTime(*lock)
	}
	return in
}

func (a *account) expiresAt(p Policy) *time.Time {
	if !a.PasswordExpires || a.Password == "" {
		return nil
	}
	if a.PasswordExpiresAt != nil {
		t := *a.PasswordExpiresAt
		return &t
	}
	maxDays := a.MaxDays
	if maxDays < 0 {
		maxDays = p.MaxDays
	}
	if a.LastPasswordChange == nil || maxDays < 0 {
		return nil
	}
	t := a.LastPasswordChange.AddDate(0, 0, maxDays)
	return &t
}

// user is an SSO user of the scenario (administrator@vsphere.local).
type user struct {
	Username string   `yaml:"username,omitempty"`
	Password string   `yaml:"password,omitempty"`
	Roles    []string `yaml:"roles,omitempty"`
}

// clone copies a user with its roles.
func (u *user) clone() *user { c := *u; c.Roles = slices.Clone(u.Roles); return &c }

// clone copies a session with its roles.
func (ss *session) clone() *session { c := *ss; c.Roles = slices.Clone(ss.Roles); return &c }

type session struct {
	ID       string    `yaml:"id,omitempty"`
	User     string    `yaml:"user,omitempty"`
	Roles    []string  `yaml:"roles,omitempty"`
	Local    bool      `yaml:"local,omitempty"` // a local account's session
	Created  time.Time `yaml:"created,omitempty"`
	LastUsed time.Time `yaml:"lastUsed,omitempty"`
}
