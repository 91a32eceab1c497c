// Package vsphere_test runs govmomi (github.com/vmware/govmomi, the newest
// release on the Go module proxy) against credemu started in-process, over
// plain HTTP and HTTPS, and asserts on what govmomi returns.
package vsphere_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vmware/govmomi/session/cache"
	"github.com/vmware/govmomi/session/keepalive"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

var (
	admin  = url.UserPassword("administrator@vsphere.local", "Passw0rd!")
	viewer = url.UserPassword("viewer@vsphere.local", "viewer-pass")
	nobody = url.UserPassword("nobody@vsphere.local", "nobody-pass")
)

// transports runs f over plain HTTP and over HTTPS with the generated CA.
func transports(t *testing.T, f func(t *testing.T, srv *emulatortest.Server, newClient func() *rest.Client)) {
	for _, secure := range []bool{false, true} {
		name := "http"
		if secure {
			name = "https"
		}
		t.Run(name, func(t *testing.T) {
			opts := []emulator.Option{emulator.WithScenario("default"), emulator.WithResponseCheck(true)}
			var srv *emulatortest.Server
			if secure {
				srv = emulatortest.StartTLS(t, opts...)
			} else {
				srv = emulatortest.Start(t, opts...)
			}
			f(t, srv, func() *rest.Client { return client(t, srv) })
		})
	}
}

// client builds govmomi's REST client for the emulator, as govc does from
// GOVC_URL: a soap.Client for the /sdk URL, trusting the emulator's CA
// under HTTPS (GOVC_TLS_CA_CERTS), then rest.NewClient over it.
func client(t *testing.T, srv *emulatortest.Server) *rest.Client {
	t.Helper()
	u, err := soap.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	sc := soap.NewClient(u, false)
	if strings.HasPrefix(srv.URL(), "https://") {
		if err := sc.SetRootCAs(srv.CAFile()); err != nil {
			t.Fatal(err)
		}
	}
	return rest.NewClient(&vim25.Client{Client: sc})
}

func TestLogin(t *testing.T) {
	transports(t, func(t *testing.T, srv *emulatortest.Server, newClient func() *rest.Client) {
		ctx := context.Background()
		rc := newClient()
		if err := rc.Login(ctx, url.UserPassword("administrator@vsphere.local", "wrong")); !rest.IsStatusError(err, http.StatusUnauthorized) {
			t.Fatalf("login with a wrong password: %v", err)
		}
		if err := rc.Login(ctx, admin); err != nil {
			t.Fatalf("Login: %v", err)
		}
		s, err := rc.Session(ctx)
		if err != nil || s == nil || s.User != "administrator@vsphere.local" || s.Created.IsZero() {
			t.Fatalf("Session: %+v %v", s, err)
		}
		if id := rc.SessionID(); len(id) != 32 {
			t.Errorf("session id %q", id)
		}

		// /api login with Basic, then the token alone on another client, as
		// a program that was handed a session id does.
		req := rc.Resource("/api/session").Request(http.MethodPost)
		req.SetBasicAuth(viewer.Username(), mustPassword(viewer))
		var apiID string
		if err := newClient().Do(ctx, req, &apiID); err != nil || len(apiID) != 32 {
			t.Fatalf("/api login: %q %v", apiID, err)
		}
		byToken := newClient()
		byToken.SessionID(apiID)
		s, err = byToken.Session(ctx)
		if err != nil || s == nil || s.User != "viewer@vsphere.local" {
			t.Fatalf("session by token: %+v %v", s, err)
		}
		m := &Manager{Client: byToken}
		if names, err := m.List(ctx); err != nil || len(names) != 3 {
			t.Errorf("list with a token: %v %v", names, err)
		}
		var apiSession struct {
			User string `json:"user"`
		}
		if err := byToken.Do(ctx, byToken.Resource("/api/session").Request(http.MethodGet), &apiSession); err != nil || apiSession.User != "viewer@vsphere.local" {
			t.Errorf("GET /api/session: %+v %v", apiSession, err)
		}

		if err := rc.Logout(ctx); err != nil {
			t.Fatalf("Logout: %v", err)
		}
		if s, err := rc.Session(ctx); s != nil || err != nil {
			t.Errorf("session after logout: %+v %v", s, err)
		}
		_, err = (&Manager{Client: rc}).List(ctx)
		if !rest.IsStatusError(err, http.StatusUnauthorized) {
			t.Errorf("call after logout: %v", err)
		}
	})
}

func mustPassword(u *url.Userinfo) string { p, _ := u.Password(); return p }

// TestSessionCacheAcrossReset is govc's default flow: a session id cached
// on disk is revalidated before use. After a reset another user logs in;
// the cached administrator id must not now belong to them.
func TestSessionCacheAcrossReset(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("default"))
	ctx := context.Background()
	u, _ := soap.ParseURL(srv.URL())
	u.User = admin
	sess := &cache.Session{URL: u, DirREST: t.TempDir()}
	logins := func() int { return len(srv.Requests(journal.Filter{Operation: "createSession"})) }

	first := new(rest.Client)
	if err := sess.Login(ctx, first, nil); err != nil {
		t.Fatalf("cache login: %v", err)
	}
	second := new(rest.Client)
	if err := sess.Login(ctx, second, nil); err != nil {
		t.Fatalf("cache reuse: %v", err)
	}
	if logins() != 1 || second.SessionID() != first.SessionID() {
		t.Fatalf("the cached session was not reused: %d logins", logins())
	}

	srv.Reset()
	other := client(t, srv)
	for range 5 {
		if err := other.Login(ctx, viewer); err != nil {
			t.Fatal(err)
		}
	}
	third := new(rest.Client)
	if err := sess.Login(ctx, third, nil); err != nil {
		t.Fatalf("cache login after reset: %v", err)
	}
	s, err := third.Session(ctx)
	if err != nil || s == nil || s.User != "administrator@vsphere.local" {
		t.Fatalf("the cached administrator session now runs as %+v (%v)", s, err)
	}
	if third.SessionID() == first.SessionID() {
		t.Error("a session id was handed out again after a reset")
	}
}

// TestKeepAlive checks that govmomi's REST keep-alive holds a session past
// the 30-minute idle timeout of the virtual clock.
func TestKeepAlive(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("default"))
	ctx := context.Background()
	rc := client(t, srv)
	ka := keepalive.NewHandlerREST(rc, 20*time.Millisecond, nil)
	rc.Transport = ka
	if err := rc.Login(ctx, admin); err != nil {
		t.Fatal(err)
	}
	// govmomi's Stop holds the handler's lock while it waits for the
	// keep-alive goroutine, and a keep-alive in flight (a POST through the
	// same handler) takes that lock on its way back: the two deadlock when
	// Stop lands during one. stop bounds that wait; the stuck goroutine
	// sends nothing more, so the keep-alive has stopped either way.
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			done := make(chan struct{})
			go func() { ka.Stop(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Log("govmomi's keepalive Stop deadlocked with a keep-alive in flight; it sends no more")
			}
		})
	}
	defer stop()
	pings := func() int { return len(srv.Requests(journal.Filter{Operation: "getSession"})) }
	for hop := range 3 { // 3 × 20 virtual minutes, a keep-alive in between each
		srv.AdvanceClock(20 * time.Minute)
		n := pings()
		deadline := time.Now().Add(2 * time.Minute) // bounds a keep-alive that never comes
		for pings() == n {
			if time.Now().After(deadline) {
				t.Fatalf("hop %d: no keep-alive sent", hop)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if names, err := (&Manager{Client: rc}).List(ctx); err != nil || len(names) == 0 {
		t.Fatalf("after 60 virtual minutes with keep-alive: %v %v", names, err)
	}
	stop()
	srv.AdvanceClock(31 * time.Minute)
	if _, err := (&Manager{Client: rc}).List(ctx); !rest.IsStatusError(err, http.StatusUnauthorized) {
		t.Errorf("31 idle minutes without keep-alive: %v", err)
	}
}

func TestLocalAccounts(t *testing.T) {
	transports(t, func(t *testing.T, srv *emulatortest.Server, newClient func() *rest.Client) {
		ctx := context.Background()
		rc := newClient()
		if err := rc.Login(ctx, admin); err != nil {
			t.Fatal(err)
		}
		for _, family := range []string{"api", "rest"} {
			t.Run(family, func(t *testing.T) {
				m := &Manager{Client: rc, rest: family == "rest"}
				name := "gv-" + family
				if err := m.Create(ctx, name, Config{Password: "Gv-1", Roles: []string{"operator"}, FullName: "Govmomi", Email: "gv@example.com"}); err != nil {
					t.Fatalf("create: %v", err)
				}
				names, err := m.List(ctx)
				if err != nil || !contains(names, name) {
					t.Fatalf("list: %v %v", names, err)
				}
				info, err := m.Get(ctx, name)
				if err != nil {
					t.Fatalf("get: %v", err)
				}
				// Unset day counts come from the global policy (default 0/90/7).
				if info.Fullname != "Govmomi" || !info.HasPassword || !info.Enabled || info.MinDaysBetweenPasswordChange != 0 ||
					info.MaxDaysBetweenPasswordChange != 90 || info.WarnDaysBeforePasswordExpiration != 7 ||
					!info.PasswordExpiresAt.Equal(info.LastPasswordChange.AddDate(0, 0, 90)) {
					t.Errorf("info: %+v", info)
				}
				if err := m.Update(ctx, name, Config{Email: "new@example.com", MaxDaysBetweenPasswordChange: ptr(30)}); err != nil {
					t.Fatalf("update: %v", err)
				}
				info, _ = m.Get(ctx, name)
				if info.Email != "new@example.com" || info.Fullname != "Govmomi" || info.MaxDaysBetweenPasswordChange != 30 {
					t.Errorf("after update: %+v", info)
				}
				if err := m.Set(ctx, name, Config{Password: "Gv-2", Roles: []string{"admin"}}); err != nil {
					t.Fatalf("set: %v", err)
				}
				info, _ = m.Get(ctx, name)
				if info.Fullname != "" || info.Email != "" || !cmp.Equal(info.Roles, []string{"admin"}) || info.MaxDaysBetweenPasswordChange != 90 {
					t.Errorf("after set (what is not sent goes back to defaults): %+v", info)
				}
				if err := m.Delete(ctx, name); err != nil {
					t.Fatalf("delete: %v", err)
				}
				if _, err := m.Get(ctx, name); !rest.IsStatusError(err, http.StatusNotFound) {
					t.Errorf("get after delete: %v", err)
				}

				p, err := m.GetPolicy(ctx)
				if err != nil || *p != (Policy{MaxDays: 90, MinDays: 0, WarnDays: 7}) {
					t.Fatalf("policy: %+v %v", p, err)
				}
				if err := m.SetPolicy(ctx, Policy{MaxDays: 60, MinDays: 1, WarnDays: 5}); err != nil {
					t.Fatalf("set policy: %v", err)
				}
				if p, _ := m.GetPolicy(ctx); *p != (Policy{MaxDays: 60, MinDays: 1, WarnDays: 5}) {
					t.Errorf("policy after set: %+v", p)
				}
				_ = m.SetPolicy(ctx, Policy{MaxDays: 90, MinDays: 0, WarnDays: 7})
			})
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// vapiError decodes the body govmomi puts in a 400 error ("400 Bad
// Request: <body>") and returns its error type and first message.
func vapiError(t *testing.T, err error, rest bool) (string, string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	_, body, ok := strings.Cut(err.Error(), "400 Bad Request: ")
	if !ok {
		t.Fatalf("not a 400: %v", err)
	}
	type msg struct {
		DefaultMessage string `json:"default_message"`
		ID             string `json:"id"`
	}
	if rest {
		var e struct {
			Type  string `json:"type"`
			Value struct {
				Messages []msg `json:"messages"`
			} `json:"value"`
		}
		if json.Unmarshal([]byte(body), &e) != nil || len(e.Value.Messages) == 0 {
			t.Fatalf("not a vAPI error: %s", body)
		}
		return e.Type, e.Value.Messages[0].DefaultMessage
	}
	var e struct {
		ErrorType string `json:"error_type"`
		Messages  []msg  `json:"messages"`
	}
	if json.Unmarshal([]byte(body), &e) != nil || len(e.Messages) == 0 {
		t.Fatalf("not a vAPI error: %s", body)
	}
	return e.ErrorType, e.Messages[0].DefaultMessage
}

func TestErrorPaths(t *testing.T) {
	transports(t, func(t *testing.T, srv *emulatortest.Server, newClient func() *rest.Client) {
		ctx := context.Background()
		rc := newClient()
		if err := rc.Login(ctx, admin); err != nil {
			t.Fatal(err)
		}
		api, rst := &Manager{Client: rc}, &Manager{Client: rc, rest: true}
		cfg := Config{Password: "x", Roles: []string{"operator"}}

		typ, msg := vapiError(t, api.Create(ctx, "ops", cfg), false)
		if typ != "ALREADY_EXISTS" || msg != "User ops already exists." {
			t.Errorf("duplicate on /api: %s %s", typ, msg)
		}
		typ, _ = vapiError(t, rst.Create(ctx, "ops", cfg), true)
		if typ != "com.vmware.vapi.std.errors.already_exists" {
			t.Errorf("duplicate on /rest: %s", typ)
		}
		typ, _ = vapiError(t, api.Create(ctx, "-bad-", cfg), false)
		if typ != "INVALID_ARGUMENT" {
			t.Errorf("bad username: %s", typ)
		}
		typ, msg = vapiError(t, api.Create(ctx, "noroles", Config{Password: "x"}), false)
		if typ != "INVALID_ARGUMENT" || !strings.Contains(msg, "roles") {
			t.Errorf("missing roles: %s %s", typ, msg)
		}
		if _, err := api.Get(ctx, "ghost"); !rest.IsStatusError(err, http.StatusNotFound) {
			t.Errorf("unknown account: %v", err)
		}
		if err := rst.Delete(ctx, "ghost"); !rest.IsStatusError(err, http.StatusNotFound) {
			t.Errorf("delete of an unknown account: %v", err)
		}

		anon := newClient()
		if _, err := (&Manager{Client: anon}).List(ctx); !rest.IsStatusError(err, http.StatusUnauthorized) {
			t.Errorf("no session: %v", err)
		}
		noRole := newClient()
		if err := noRole.Login(ctx, nobody); err != nil {
			t.Fatal(err)
		}
		if _, err := (&Manager{Client: noRole}).List(ctx); !rest.IsStatusError(err, http.StatusForbidden) {
			t.Errorf("user without a role: %v", err)
		}
		operator := newClient()
		if err := operator.Login(ctx, viewer); err != nil {
			t.Fatal(err)
		}
		if err := (&Manager{Client: operator}).Delete(ctx, "ops"); !rest.IsStatusError(err, http.StatusForbidden) {
			t.Errorf("operator deleting: %v", err)
		}

		srv.AddFault(fault.Rule{Match: fault.Match{API: "vsphere", Operation: "createLocalAccount"}, Times: 1, Respond: fault.Respond{Status: 500}})
		if err := api.Create(ctx, "faulty", cfg); !rest.IsStatusError(err, http.StatusInternalServerError) {
			t.Errorf("injected 500: %v", err)
		}
		if err := api.Create(ctx, "faulty", cfg); err != nil {
			t.Errorf("retry after an injected 500 (nothing committed): %v", err)
		}
		srv.AddFault(fault.Rule{Match: fault.Match{Operation: "createLocalAccount"}, Times: 1, Respond: fault.Respond{Kind: "already_exists"}})
		if typ, _ := vapiError(t, rst.Create(ctx, "faulty2", cfg), true); typ != "com.vmware.vapi.std.errors.already_exists" {
			t.Errorf("injected already_exists: %s", typ)
		}
	})
}

// TestPasswordPolicyOnTheClock checks expiry, lock-out at inactive_at and
// the minimum days between a user's own changes, moving the virtual clock.
func TestPasswordPolicyOnTheClock(t *testing.T) {
	srv := emulatortest.StartTLS(t, emulator.WithScenarioYAML("clock.yaml", []byte(`
clock: 2026-03-01T00:00:00Z
vsphere:
  sessionIdleTimeout: 72h   # so that only the lock can end the open session below
  users: [{username: administrator@vsphere.local, password: "Passw0rd!", roles: [superAdmin]}]
`)))
	ctx := context.Background()
	rc := client(t, srv)
	if err := rc.Login(ctx, admin); err != nil {
		t.Fatal(err)
	}
	m := &Manager{Client: rc}
	if err := m.Create(ctx, "dev", Config{Password: "Dev-1", Roles: []string{"operator"}, MaxDaysBetweenPasswordChange: ptr(10),
		MinDaysBetweenPasswordChange: ptr(2), DaysAfterPasswordExpiration: ptr(3)}); err != nil {
		t.Fatal(err)
	}
	info, _ := m.Get(ctx, "dev")
	want := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	if !info.PasswordExpiresAt.Equal(want("2026-03-11T00:00:00Z")) || !info.InactiveAt.Equal(want("2026-03-14T00:00:00Z")) {
		t.Fatalf("dates: %+v", info)
	}
	dev := client(t, srv)
	if err := dev.Login(ctx, url.UserPassword("dev", "Dev-1")); err != nil {
		t.Fatalf("dev login: %v", err)
	}
	self := &Manager{Client: dev}
	typ, msg := vapiError(t, self.Update(ctx, "dev", Config{Password: "Dev-2", OldPassword: "Dev-1"}), false)
	if typ != "INVALID_ARGUMENT" || !strings.Contains(msg, "min_days_between_password_change is 2") {
		t.Errorf("own change too soon: %s %s", typ, msg)
	}
	srv.AdvanceClock(48 * time.Hour)
	if err := self.Update(ctx, "dev", Config{Password: "Dev-2", OldPassword: "Dev-1"}); err != nil {
		t.Fatalf("own change after two days: %v", err)
	}
	info, _ = m.Get(ctx, "dev")
	if !info.LastPasswordChange.Equal(want("2026-03-03T00:00:00Z")) || !info.InactiveAt.Equal(want("2026-03-16T00:00:00Z")) {
		t.Fatalf("after the change: %+v", info)
	}
	srv.AdvanceClock(12 * 24 * time.Hour) // 03-15: expired, not yet locked
	later := client(t, srv)
	if err := later.Login(ctx, url.UserPassword("dev", "Dev-2")); err != nil {
		t.Fatalf("login between expiry and inactive_at: %v", err)
	}
	srv.AdvanceClock(20 * time.Minute)
	if s, err := later.Session(ctx); s == nil || err != nil {
		t.Fatalf("session before the lock: %+v %v", s, err)
	}
	srv.AdvanceClock(24*time.Hour - 20*time.Minute) // 03-16: locked
	if err := client(t, srv).Login(ctx, url.UserPassword("dev", "Dev-2")); !rest.IsStatusError(err, http.StatusUnauthorized) {
		t.Errorf("login at inactive_at: %v", err)
	}
	if _, err := (&Manager{Client: later}).List(ctx); !rest.IsStatusError(err, http.StatusUnauthorized) {
		t.Errorf("an open session of a locked account: %v", err)
	}
}
