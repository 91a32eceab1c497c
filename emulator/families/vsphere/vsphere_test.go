package vsphere_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

const testScenario = `
name: vsphere-test
seed: 42
clock: 2026-01-01T12:00:00Z
include: [fixtures/vsphere/default-world.yaml]
`

const (
	admin  = "Authorization: Basic YWRtaW5pc3RyYXRvckB2c3BoZXJlLmxvY2FsOlBhc3N3MHJkIQ==" // administrator@vsphere.local:Passw0rd!
	viewer = "Authorization: Basic dmlld2VyQHZzcGhlcmUubG9jYWw6dmlld2VyLXBhc3M="         // viewer@vsphere.local:viewer-pass
	nobody = "Authorization: Basic bm9ib2R5QHZzcGhlcmUubG9jYWw6bm9ib2R5LXBhc3M="         // nobody@vsphere.local:nobody-pass
	opsPW  = "Authorization: Basic b3BzOm9wcy1wYXNz"                                     // ops:ops-pass (a local account)
	restLA = "/rest/appliance/local-accounts"
	apiLA  = "/api/appliance/local-accounts"
)

func start(t *testing.T, extra ...emulator.Option) *emulatortest.Server {
	t.Helper()
	return emulatortest.StartYAML(t, "vsphere-test.yaml", testScenario, extra...)
}

func want(t *testing.T, r *emulatortest.Response, status int) {
	t.Helper()
	r.Want(t, status)
}

// restErr checks a /rest error body and returns its type suffix and first message.
func restErr(t *testing.T, r *emulatortest.Response, status int) (string, string) {
	t.Helper()
	want(t, r, status)
	var e struct {
		Type  string
		Value struct {
			Messages []struct{ ID, DefaultMessage string }
		}
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || !strings.HasPrefix(e.Type, "com.vmware.vapi.std.errors.") || len(e.Value.Messages) == 0 {
		t.Fatalf("not a /rest error: %s", r.Body)
	}
	return strings.TrimPrefix(e.Type, "com.vmware.vapi.std.errors."), e.Value.Messages[0].ID
}

// apiErr checks an /api error body and returns its error_type.
func apiErr(t *testing.T, r *emulatortest.Response, status int) string {
	t.Helper()
	want(t, r, status)
	var e struct {
		ErrorType string `json:"error_type"`
		Messages  []json.RawMessage
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.ErrorType == "" || len(e.Messages) == 0 {
		t.Fatalf("not an /api error: %s", r.Body)
	}
	return e.ErrorType
}

func config(extra map[string]any) map[string]any {
	c := map[string]any{"password": "Secret-1", "roles": []string{"operator"}}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestGolden(t *testing.T) {
	emulatortest.RunGolden(t, start, []emulatortest.GoldenCase{
		emulatortest.Case("rest-list", "GET", restLA, nil, admin, 200),
		emulatortest.Case("api-list", "GET", apiLA, nil, admin, 200),
		emulatortest.Case("rest-get", "GET", restLA+"/ops", nil, admin, 200),
		emulatortest.Case("api-get", "GET", apiLA+"/ops", nil, admin, 200),
		emulatortest.Case("api-get-no-expiry", "GET", apiLA+"/backup", nil, admin, 200),
		emulatortest.Case("rest-policy", "GET", restLA+"/global-policy", nil, admin, 200),
		emulatortest.Case("api-policy", "GET", apiLA+"/global-policy", nil, admin, 200),
		emulatortest.Case("rest-create", "POST", restLA+"/carol", map[string]any{"config": config(map[string]any{"full_name": "Carol", "email": "c@example.com"})}, admin, 200),
		emulatortest.Case("api-create", "POST", apiLA, map[string]any{"username": "carol", "config": config(nil)}, admin, 201),
		emulatortest.Case("rest-error-already-exists", "POST", restLA+"/ops", map[string]any{"config": config(nil)}, admin, 400),
		emulatortest.Case("api-error-already-exists", "POST", apiLA, map[string]any{"username": "ops", "config": config(nil)}, admin, 400),
		emulatortest.Case("rest-error-invalid-username", "POST", restLA+"/-x", map[string]any{"config": config(nil)}, admin, 400),
		emulatortest.Case("rest-error-missing-config", "POST", restLA+"/carol", map[string]any{"nothing": 1}, admin, 400),
		emulatortest.Case("api-error-invalid-fields", "PATCH", apiLA+"/ops", map[string]any{"max_days_between_password_change": -5, "roles": []string{"god"}, "password_expires_at": "tomorrow"}, admin, 400),
		emulatortest.Case("rest-error-not-found", "GET", restLA+"/ghost", nil, admin, 404),
		emulatortest.Case("api-error-not-found", "DELETE", apiLA+"/ghost", nil, admin, 404),
		emulatortest.Case("rest-error-unauthenticated", "GET", restLA, nil, "", 401),
		emulatortest.Case("api-error-unauthenticated", "GET", apiLA, nil, "", 401),
		emulatortest.Case("rest-error-unauthorized", "DELETE", restLA+"/ops", nil, viewer, 403),
		emulatortest.Case("api-error-unauthorized", "GET", apiLA, nil, nobody, 403),
		emulatortest.Case("api-error-unknown-path", "GET", "/api/appliance/nothing", nil, admin, 404),
	})
}

func TestSessions(t *testing.T) {
	srv := start(t)
	// /rest: {"value": "<id>"}; /api: 201 and a bare JSON string.
	r := srv.Do("POST", "/rest/com/vmware/cis/session", nil, admin)
	want(t, r, 200)
	var rest struct{ Value string }
	_ = json.Unmarshal(r.Body, &rest)
	r = srv.Do("POST", "/api/session", nil, admin)
	want(t, r, 201)
	var apiID string
	if err := json.Unmarshal(r.Body, &apiID); err != nil || len(apiID) != 32 {
		t.Fatalf("/api/session body %s", r.Body)
	}
	for _, id := range []string{rest.Value, apiID} {
		h := "vmware-api-session-id: " + id
		want(t, srv.Do("GET", apiLA, nil, h), 200)
		want(t, srv.Do("GET", restLA, nil, h), 200) // both families share sessions
	}
	r = srv.Do("POST", "/rest/com/vmware/cis/session?~action=get", nil, "vmware-api-session-id: "+rest.Value)
	want(t, r, 200)
	if !strings.Contains(string(r.Body), `"user":"administrator@vsphere.local"`) {
		t.Errorf("session info: %s", r.Body)
	}
	want(t, srv.Do("GET", "/api/session", nil, "vmware-api-session-id: "+apiID), 200)
	// Wrong password, no credentials.
	restErr(t, srv.Do("POST", "/rest/com/vmware/cis/session", nil, "Authorization: Basic YWRtaW46bm9wZQ=="), 401)
	apiErr(t, srv.Do("POST", "/api/session", nil), 401)
	// Sessions end after 30 idle minutes on the virtual clock; use keeps them alive.
	srv.AdvanceClock(20 * time.Minute)
	want(t, srv.Do("GET", apiLA, nil, "vmware-api-session-id: "+apiID), 200)
	srv.AdvanceClock(25 * time.Minute)
	want(t, srv.Do("GET", apiLA, nil, "vmware-api-session-id: "+apiID), 200)
	srv.AdvanceClock(31 * time.Minute)
	apiErr(t, srv.Do("GET", apiLA, nil, "vmware-api-session-id: "+apiID), 401)
	// Logging out.
	r = srv.Do("POST", "/api/session", nil, admin)
	_ = json.Unmarshal(r.Body, &apiID)
	want(t, srv.Do("DELETE", "/api/session", nil, "vmware-api-session-id: "+apiID), 204)
	apiErr(t, srv.Do("GET", apiLA, nil, "vmware-api-session-id: "+apiID), 401)
	// Session ids never reach the journal.
	if j := string(srv.Do("GET", "/_emulator/requests?operation=createSession", nil).Body); strings.Contains(j, rest.Value) || strings.Contains(j, apiID) {
		t.Errorf("session id in the journal: %s", j)
	}
}

func info(t *testing.T, srv *emulatortest.Server, name string) map[string]any {
	t.Helper()
	r := srv.Do("GET", apiLA+"/"+name, nil, admin)
	want(t, r, 200)
	return r.JSON(t)
}

// TestAccountLifecycle creates through /rest, reads through /api, updates,
// sets, changes the policy and deletes, checking Info as computed.
func TestAccountLifecycle(t *testing.T) {
	srv := start(t)
	want(t, srv.Do("POST", restLA+"/dana", map[string]any{"config": config(map[string]any{"full_name": "Dana", "days_after_password_expiration": 5})}, admin), 200)
	got := info(t, srv, "dana")
	wantInfo := map[string]any{"fullname": "Dana", "roles": []any{"operator"}, "enabled": true, "has_password": true,
		"last_password_change": "2026-01-01T00:00:00.000Z", "password_expires_at": "2026-04-01T00:00:00.000Z", "inactive_at": "2026-04-06T00:00:00.000Z",
		"min_days_between_password_change": 0.0, "max_days_between_password_change": 90.0, "warn_days_before_password_expiration": 7.0}
	if diff := cmp.Diff(wantInfo, got); diff != "" {
		t.Fatalf("info (-want +got):\n%s", diff)
	}
	// The global policy holds the defaults for accounts created (or set)
	// after it changes, as /etc/login.defs does; existing accounts keep theirs.
	want(t, srv.Do("PUT", restLA+"/global-policy", map[string]any{"policy": map[string]any{"max_days": 30, "min_days": 1, "warn_days": 3}}, admin), 200)
	if got := info(t, srv, "dana")["password_expires_at"]; got != "2026-04-01T00:00:00.000Z" {
		t.Errorf("existing account after policy change: %v", got)
	}
	want(t, srv.Do("POST", restLA+"/erin", map[string]any{"config": config(map[string]any{})}, admin), 200)
	got = info(t, srv, "erin")
	if got["password_expires_at"] != "2026-01-31T00:00:00.000Z" || got["min_days_between_password_change"] != 1.0 || got["warn_days_before_password_expiration"] != 3.0 {
		t.Errorf("account created after the policy change: %v", got)
	}
	// PATCH through /api changes only what is sent.
	want(t, srv.Do("PATCH", apiLA+"/dana", map[string]any{"email": "d@example.com", "max_days_between_password_change": 10}, admin), 204)
	got = info(t, srv, "dana")
	if got["email"] != "d@example.com" || got["fullname"] != "Dana" || got["password_expires_at"] != "2026-01-11T00:00:00.000Z" {
		t.Errorf("after PATCH: %v", got)
	}
	// A password change moves last_password_change to the day it happens.
	srv.AdvanceClock(72 * time.Hour)
	want(t, srv.Do("PATCH", restLA+"/dana", map[string]any{"config": map[string]any{"password": "New-1"}}, admin), 200)
	if got := info(t, srv, "dana")["last_password_change"]; got != "2026-01-04T00:00:00.000Z" {
		t.Errorf("last_password_change %v", got)
	}
	// PUT replaces the configuration: unsent fields go back to defaults.
	want(t, srv.Do("PUT", apiLA+"/dana", config(map[string]any{"password_expires": false}), admin), 204)
	got = info(t, srv, "dana")
	if _, has := got["fullname"]; has || got["max_days_between_password_change"] != 30.0 {
		t.Errorf("after PUT (unsent day counts from the current policy): %v", got)
	}
	if _, has := got["password_expires_at"]; has {
		t.Errorf("password_expires false still shows an expiry: %v", got)
	}
	// An explicit password_expires_at wins.
	want(t, srv.Do("PATCH", apiLA+"/dana", map[string]any{"password_expires": true, "password_expires_at": "2027-05-01T10:00:00Z"}, admin), 204)
	if got := info(t, srv, "dana")["password_expires_at"]; got != "2027-05-01T10:00:00.000Z" {
		t.Errorf("explicit expiry: %v", got)
	}
	want(t, srv.Do("DELETE", restLA+"/dana", nil, admin), 200)
	restErr(t, srv.Do("GET", restLA+"/dana", nil, admin), 404)
	want(t, srv.Do("POST", apiLA, map[string]any{"username": "dana", "config": config(nil)}, admin), 201)
}

func TestOwnPasswordChange(t *testing.T) {
	srv := start(t)
	// A local account that is not a superAdmin must prove its old password.
	r := srv.Do("PATCH", apiLA+"/ops", map[string]any{"password": "Next-1"}, opsPW)
	if apiErr(t, r, 400) != "INVALID_ARGUMENT" {
		t.Error(string(r.Body))
	}
	apiErr(t, srv.Do("PATCH", apiLA+"/ops", map[string]any{"password": "Next-1", "old_password": "wrong"}, opsPW), 400)
	want(t, srv.Do("PATCH", apiLA+"/ops", map[string]any{"password": "Next-1", "old_password": "ops-pass"}, opsPW), 204)
	want(t, srv.Do("GET", apiLA+"/ops", nil, "Authorization: Basic b3BzOk5leHQtMQ=="), 200) // ops:Next-1
	// ... and may not touch its roles, or anyone else.
	apiErr(t, srv.Do("PATCH", apiLA+"/ops", map[string]any{"roles": []string{"superAdmin"}}, "Authorization: Basic b3BzOk5leHQtMQ=="), 403)
	apiErr(t, srv.Do("PATCH", apiLA+"/backup", map[string]any{"password": "x", "old_password": "x"}, "Authorization: Basic b3BzOk5leHQtMQ=="), 403)
	// superAdmins change others' passwords without the old one.
	want(t, srv.Do("PATCH", apiLA+"/backup", map[string]any{"password": "Other-1"}, admin), 204)
	// root exists and is a superAdmin.
	want(t, srv.Do("GET", apiLA, nil, "Authorization: Basic cm9vdDpWTXdhcmUxIQ=="), 200) // root:VMware1!
}

// TestPasswordRules checks the minimum days between a user's own password
// changes and the lock-out at inactive_at, on the virtual clock.
func TestPasswordRules(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithResponseCheck(true), emulator.WithScenarioYAML("rules.yaml", []byte(`
clock: 2026-01-01T00:00:00Z
vsphere:
  users: [{username: administrator@vsphere.local, password: "Passw0rd!", roles: [superAdmin]}]
  localAccounts:
    - {username: dev, password: Dev-1, roles: [operator], minDays: 2, lastPasswordChange: 1d}
    - {username: old, password: Old-1, roles: [operator], maxDays: 10, daysAfterPasswordExpiration: 2, lastPasswordChange: 11d}
`)))
	const (
		dev = "Authorization: Basic ZGV2OkRldi0x" // dev:Dev-1
		old = "Authorization: Basic b2xkOk9sZC0x" // old:Old-1
	)
	// old's password expired yesterday; it locks two days after expiry.
	if got := info(t, srv, "old")["inactive_at"]; got != "2026-01-02T00:00:00.000Z" {
		t.Fatalf("inactive_at %v", got)
	}
	want(t, srv.Do("POST", "/api/session", nil, old), 201) // expired, not yet locked

	change := map[string]any{"password": "Dev-2", "old_password": "Dev-1"}
	r := srv.Do("PATCH", apiLA+"/dev", change, dev)
	if apiErr(t, r, 400) != "INVALID_ARGUMENT" || !strings.Contains(string(r.Body), "min_days_between_password_change is 2") {
		t.Errorf("own change one day after the last: %s", r.Body)
	}
	// A superAdmin is not held to the minimum.
	want(t, srv.Do("PATCH", apiLA+"/dev", map[string]any{"email": "dev@example.com"}, admin), 204)

	srv.AdvanceClock(24 * time.Hour)
	want(t, srv.Do("PATCH", apiLA+"/dev", change, dev), 204)
	// inactive_at reached: no session, no Basic calls.
	apiErr(t, srv.Do("POST", "/api/session", nil, old), 401)
	restErr(t, srv.Do("POST", "/rest/com/vmware/cis/session", nil, old), 401)
	apiErr(t, srv.Do("GET", apiLA+"/old", nil, old), 401)
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		errType            string
	}{
		{"malformed JSON", "POST", restLA + "/x1", `{"config": `, nil, 400, "invalid_argument"},
		{"body without config", "POST", restLA + "/x1", `{"password": "x"}`, nil, 400, "invalid_argument"},
		{"config not an object", "POST", restLA + "/x1", `{"config": []}`, nil, 400, "invalid_argument"},
		{"missing password", "POST", restLA + "/x1", map[string]any{"config": map[string]any{"roles": []string{"admin"}}}, nil, 400, "invalid_argument"},
		{"wrong type", "POST", restLA + "/x1", map[string]any{"config": config(map[string]any{"enabled": "yes"})}, nil, 400, "invalid_argument"},
		{"bad date", "POST", restLA + "/x1", map[string]any{"config": config(map[string]any{"password_expires_at": "01/02/2026"})}, nil, 400, "invalid_argument"},
		{"negative days", "POST", restLA + "/x1", map[string]any{"config": config(map[string]any{"warn_days_before_password_expiration": -2})}, nil, 400, "invalid_argument"},
		{"min above max", "POST", restLA + "/x1", map[string]any{"config": config(map[string]any{"min_days_between_password_change": 9, "max_days_between_password_change": 3})}, nil, 400, "invalid_argument"},
		{"over-long name", "POST", restLA + "/x1", map[string]any{"config": config(map[string]any{"full_name": strings.Repeat("n", 300)})}, nil, 400, "invalid_argument"},
		{"one-letter username", "POST", restLA + "/x", map[string]any{"config": config(nil)}, nil, 400, "invalid_argument"},
		{"bad policy", "PUT", restLA + "/global-policy", map[string]any{"policy": map[string]any{"max_days": -1}}, nil, 400, "invalid_argument"},
		{"policy without envelope", "PUT", restLA + "/global-policy", map[string]any{"max_days": 5}, nil, 400, "invalid_argument"},
		{"text content type", "POST", restLA + "/x1", `{}`, []string{"Content-Type: text/plain"}, 415, "invalid_request"},
		{"wrong method", "PATCH", restLA, nil, nil, 405, "operation_not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			before := srv.State()["apis"]
			r := srv.Do(tc.method, tc.path, tc.body, append([]string{admin}, tc.headers...)...)
			if typ, _ := restErr(t, r, tc.status); typ != tc.errType {
				t.Errorf("type %s, want %s", typ, tc.errType)
			}
			if diff := cmp.Diff(before, srv.State()["apis"]); diff != "" {
				t.Errorf("state changed:\n%s", diff)
			}
		})
	}
}

func TestInjectedFaultsRenderPerFamily(t *testing.T) {
	srv := start(t)
	srv.AddFault(fault.Rule{Match: fault.Match{API: "vsphere", Operation: "getLocalAccount"}, Respond: fault.Respond{Status: 500}})
	if typ, _ := restErr(t, srv.Do("GET", restLA+"/ops", nil, admin), 500); typ != "error" {
		t.Errorf("/rest type %s", typ)
	}
	if typ := apiErr(t, srv.Do("GET", apiLA+"/ops", nil, admin), 500); typ != "ERROR" {
		t.Errorf("/api type %s", typ)
	}
	srv2 := start(t)
	srv2.AddFault(fault.Rule{Match: fault.Match{Operation: "createLocalAccount"}, Respond: fault.Respond{Kind: "already_exists"}})
	if typ, _ := restErr(t, srv2.Do("POST", restLA+"/zed", map[string]any{"config": config(nil)}, admin), 400); typ != "already_exists" {
		t.Error(typ)
	}
	if typ := apiErr(t, srv2.Do("POST", apiLA, map[string]any{"username": "zed", "config": config(nil)}, admin), 400); typ != "ALREADY_EXISTS" {
		t.Error(typ)
	}
	if n := len(srv2.Requests(journal.Filter{API: "vsphere", Operation: "createLocalAccount"})); n != 2 {
		t.Errorf("journal has %d creates", n)
	}
}

func TestScenarioFaults(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("faults"), emulator.WithResponseCheck(true))
	r := srv.Do("POST", restLA+"/dup", map[string]any{"config": config(map[string]any{"full_name": "taken"})}, admin)
	if typ, _ := restErr(t, r, 400); typ != "already_exists" {
		t.Error(typ)
	}
	want(t, srv.Do("POST", restLA+"/dup", map[string]any{"config": config(nil)}, admin), 200)
}

func TestScenarioErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"vsphere:\n  localAccounts: [{username: '-x', password: p}]\n", `s.yaml:2:19: local account "-x": username must match`},
		{"vsphere:\n  users: [{username: a, password: b, roles: [god]}]\n", `s.yaml:2:11: user a: role "god" is not one of operator, admin, superAdmin`},
		{"vsphere:\n  localAccounts: [{username: ab, password: p, lastPasswordChange: whenever}]\n", "lastPasswordChange: expected 30d"},
		{"vsphere:\n  globalPolicy: {max_days: -1}\n", "day counts must not be negative"},
	}
	for _, tc := range tests {
		_, err := emulator.New(emulator.WithScenarioYAML("s.yaml", []byte(tc.yaml)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// TestGovmomiFlow follows govmomi's vapi/rest client: Login posts Basic
// auth to /rest/com/vmware/cis/session and keeps the {"value"} id in the
// vmware-api-session-id header; Logout deletes the session.
func TestGovmomiFlow(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", "/rest/com/vmware/cis/session", nil, admin, "Content-Type: application/json")
	var login struct{ Value string }
	if err := json.Unmarshal(r.Body, &login); err != nil || login.Value == "" {
		t.Fatalf("login: %s", r.Body)
	}
	h := "vmware-api-session-id: " + login.Value
	for i := 0; i < 3; i++ {
		want(t, srv.Do("POST", restLA+fmt.Sprintf("/svc%d", i), map[string]any{"config": config(nil)}, h), 200)
	}
	var list struct{ Value []string }
	_ = json.Unmarshal(srv.Do("GET", restLA, nil, h).Body, &list)
	if diff := cmp.Diff([]string{"root", "ops", "backup", "svc0", "svc1", "svc2"}, list.Value); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	want(t, srv.Do("DELETE", "/rest/com/vmware/cis/session", nil, h), 200)
	restErr(t, srv.Do("GET", restLA, nil, h), 401)
}
