package vsphere_test

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/vmware/govmomi/vapi/rest"
)

// A local-accounts client written the way govmomi writes its appliance
// clients (vapi/appliance/access/shell): a Manager over rest.Client with
// one method per operation. govmomi has no local-accounts package; a
// program that manages appliance accounts writes exactly this.

// APIPath and RESTPath are the two URL families of the same service.
const (
	APIPath  = "/api/appliance/local-accounts"
	RESTPath = "/appliance/local-accounts" // under rest.Path, answers wrapped in {"value": ...}
)

// Config is a local account's configuration (create, set, update).
type Config struct {
	Password                         string     `json:"password,omitempty"`
	OldPassword                      string     `json:"old_password,omitempty"`
	FullName                         string     `json:"full_name,omitempty"`
	Email                            string     `json:"email,omitempty"`
	Roles                            []string   `json:"roles,omitempty"`
	Enabled                          *bool      `json:"enabled,omitempty"`
	PasswordExpires                  *bool      `json:"password_expires,omitempty"`
	PasswordExpiresAt                *time.Time `json:"password_expires_at,omitempty"`
	InactiveAfterPasswordExpiration  *bool      `json:"inactive_after_password_expiration,omitempty"`
	DaysAfterPasswordExpiration      *int       `json:"days_after_password_expiration,omitempty"`
	MinDaysBetweenPasswordChange     *int       `json:"min_days_between_password_change,omitempty"`
	MaxDaysBetweenPasswordChange     *int       `json:"max_days_between_password_change,omitempty"`
	WarnDaysBeforePasswordExpiration *int       `json:"warn_days_before_password_expiration,omitempty"`
}

// Info is what reading an account answers.
type Info struct {
	Fullname                         string    `json:"fullname"`
	Email                            string    `json:"email"`
	Roles                            []string  `json:"roles"`
	Enabled                          bool      `json:"enabled"`
	HasPassword                      bool      `json:"has_password"`
	LastPasswordChange               time.Time `json:"last_password_change"`
	PasswordExpiresAt                time.Time `json:"password_expires_at"`
	InactiveAt                       time.Time `json:"inactive_at"`
	MinDaysBetweenPasswordChange     int       `json:"min_days_between_password_change"`
	MaxDaysBetweenPasswordChange     int       `json:"max_days_between_password_change"`
	WarnDaysBeforePasswordExpiration int       `json:"warn_days_before_password_expiration"`
}

// Policy is the global password policy.
type Policy struct {
	MaxDays  int `json:"max_days"`
	MinDays  int `json:"min_days"`
	WarnDays int `json:"warn_days"`
}

// Manager speaks to one URL family: /api (rest false) or /rest.
type Manager struct {
	*rest.Client
	rest bool
}

func (m *Manager) path(name string) string {
	p := APIPath
	if m.rest {
		p = RESTPath
	}
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}

func (m *Manager) List(ctx context.Context) ([]string, error) {
	var names []string
	return names, m.Do(ctx, m.Resource(m.path("")).Request(http.MethodGet), &names)
}

func (m *Manager) Get(ctx context.Context, name string) (*Info, error) {
	var info Info
	return &info, m.Do(ctx, m.Resource(m.path(name)).Request(http.MethodGet), &info)
}

func (m *Manager) Create(ctx context.Context, name string, c Config) error {
	if m.rest {
		return m.Do(ctx, m.Resource(m.path(name)).Request(http.MethodPost, map[string]any{"config": c}), nil)
	}
	return m.Do(ctx, m.Resource(m.path("")).Request(http.MethodPost, map[string]any{"username": name, "config": c}), nil)
}

func (m *Manager) modify(ctx context.Context, method, name string, c Config) error {
	var body any = c
	if m.rest {
		body = map[string]any{"config": c}
	}
	return m.Do(ctx, m.Resource(m.path(name)).Request(method, body), nil)
}

// Set replaces the configuration (PUT); Update changes what is sent (PATCH).
func (m *Manager) Set(ctx context.Context, name string, c Config) error {
	return m.modify(ctx, http.MethodPut, name, c)
}

func (m *Manager) Update(ctx context.Context, name string, c Config) error {
	return m.modify(ctx, http.MethodPatch, name, c)
}

func (m *Manager) Delete(ctx context.Context, name string) error {
	return m.Do(ctx, m.Resource(m.path(name)).Request(http.MethodDelete), nil)
}

func (m *Manager) GetPolicy(ctx context.Context) (*Policy, error) {
	var p Policy
	return &p, m.Do(ctx, m.Resource(m.path("global-policy")).Request(http.MethodGet), &p)
}

func (m *Manager) SetPolicy(ctx context.Context, p Policy) error {
	var body any = p
	if m.rest {
		body = map[string]any{"policy": p}
	}
	return m.Do(ctx, m.Resource(m.path("global-policy")).Request(http.MethodPut, body), nil)
}

func ptr[T any](v T) *T { return &v }
