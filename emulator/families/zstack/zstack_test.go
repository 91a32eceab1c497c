package zstack_test

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
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
name: zstack-test
seed: 42
clock: 2026-01-01T12:00:00Z
include: [fixtures/zstack/default-world.yaml]
`

const (
	base   = "/zstack/v1"
	vids   = base + "/iam2/virtual-ids"
	alice  = "894f1c5bf6714a76b08324c69b8cac7c"
	bob    = "5c6e4d2f0a1b4c3d9e8f7a6b5c4d3e2f"
	adminS = "Authorization: OAuth 0123456789abcdef0123456789abcdef"
)

func sha(s string) string {
	h := sha512.Sum512([]byte(s))
	return hex.EncodeToString(h[:])
}

func start(t *testing.T, extra ...emulator.Option) *emulatortest.Server {
	t.Helper()
	return emulatortest.StartYAML(t, "zstack-test.yaml", testScenario, extra...)
}

func startWith(t *testing.T, yaml string) *emulatortest.Server {
	t.Helper()
	return emulatortest.StartYAML(t, "z.yaml", yaml)
}

func want(t *testing.T, r *emulatortest.Response, status int) {
	t.Helper()
	r.Want(t, status)
}

// apiError checks the ZStack error envelope and returns its code and details.
func apiError(t *testing.T, r *emulatortest.Response, status int) (string, string) {
	t.Helper()
	want(t, r, status)
	var e struct {
		Error *struct {
			Code, Description, Details string
		} `json:"error"`
	}
	dec := json.NewDecoder(strings.NewReader(string(r.Body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error == nil || e.Error.Description == "" {
		t.Fatalf("not a ZStack error envelope (%v): %s", err, r.Body)
	}
	return e.Error.Code, e.Error.Details
}

// plain checks a plain-text answer from ZStack's REST layer.
func plain(t *testing.T, r *emulatortest.Response, status int, text string) {
	t.Helper()
	want(t, r, status)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || !strings.Contains(string(r.Body), text) {
		t.Fatalf("want plain text containing %q, got %s %q", text, r.Header.Get("Content-Type"), r.Body)
	}
}

func login(t *testing.T, srv *emulatortest.Server, name, password string) string {
	t.Helper()
	r := srv.Do("PUT", base+"/accounts/login", map[string]any{"logInByAccount": map[string]string{"accountName": name, "password": sha(password)}})
	want(t, r, 200)
	return "Authorization: OAuth " + r.JSON(t)["inventory"].(map[string]any)["uuid"].(string)
}

func TestGolden(t *testing.T) {
	create := map[string]any{"params": map[string]any{"name": "carol", "password": sha("pw"), "description": "new hire",
		"attributes": []map[string]string{{"name": "dept", "value": "ops"}}}, "systemTags": []string{}, "userTags": []string{}}
	tests := []struct {
		name, method, path string
		body               any
		auth               bool
		status             int
	}{
		{"login", "PUT", base + "/accounts/login", map[string]any{"logInByAccount": map[string]string{"accountName": "admin", "password": sha("password")}}, false, 200},
		{"login-wrong-password", "PUT", base + "/accounts/login", map[string]any{"logInByAccount": map[string]string{"accountName": "admin", "password": sha("nope")}}, false, 503},
		{"create", "POST", vids, create, true, 200},
		{"create-duplicate", "POST", vids, map[string]any{"params": map[string]string{"name": "alice", "password": "x"}}, true, 503},
		{"create-invalid", "POST", vids, map[string]any{"params": map[string]any{"name": strings.Repeat("n", 256)}}, true, 503},
		{"query", "GET", vids + "?replyWithCount=true&sort=+name", nil, true, 200},
		{"query-fields", "GET", vids + "?q=attributes.name=dept&fields=uuid,name", nil, true, 200},
		{"query-count", "GET", vids + "?count=true", nil, true, 200},
		{"get", "GET", vids + "/" + alice, nil, true, 200},
		{"get-unknown", "GET", vids + "/00000000000000000000000000000000", nil, true, 200},
		{"update", "PUT", vids + "/" + alice + "/actions", map[string]any{"updateIAM2VirtualID": map[string]string{"description": "Staff engineer"}}, true, 200},
		{"update-unknown", "PUT", vids + "/00000000000000000000000000000000/actions", map[string]any{"updateIAM2VirtualID": map[string]string{"name": "x"}}, true, 503},
		{"disable", "PUT", vids + "/" + alice + "/actions", map[string]any{"changeIAM2VirtualIDState": map[string]string{"stateEvent": "disable"}}, true, 200},
		{"delete", "DELETE", vids + "/" + bob + "?deleteMode=Enforcing", nil, true, 200},
		{"add-attributes", "POST", vids + "/" + bob + "/attributes", map[string]any{"params": map[string]any{"attributes": []map[string]string{{"name": "site", "value": "ams"}}}}, true, 200},
		{"query-attributes", "GET", vids + "/attributes?q=virtualIDUuid=" + alice, nil, true, 200},
		{"login-virtual-id", "PUT", vids + "/login", map[string]any{"loginIAM2VirtualID": map[string]string{"name": "alice", "password": sha("secret")}}, false, 200},
		{"login-disabled-virtual-id", "PUT", vids + "/login", map[string]any{"loginIAM2VirtualID": map[string]string{"name": "bob", "password": sha("bob-secret")}}, false, 503},
		{"no-session", "GET", vids, nil, false, 400},
		{"unknown-path", "GET", base + "/nothing", nil, true, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			var h []string
			if tc.auth {
				h = append(h, adminS)
			}
			r := srv.Do(tc.method, tc.path, tc.body, h...)
			want(t, r, tc.status)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
				emulatortest.Golden(t, tc.name, mustJSON(string(r.Body)))
				return
			}
			var random []emulatortest.Random
			if strings.HasPrefix(tc.name, "login") && r.Status == 200 {
				random = append(random, "inventory.uuid") // session tokens are random
			}
			emulatortest.Golden(t, tc.name, r.Body, random...)
		})
	}
}

// mustJSON stores a plain-text body in a golden file as a JSON string.
func mustJSON(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

func TestAuthentication(t *testing.T) {
	srv := start(t)
	plain(t, srv.Do("GET", vids, nil), 400, "missing header 'Authorization'")
	plain(t, srv.Do("GET", vids, nil, "Authorization: Bearer x"), 400, "Authorization type must be 'OAuth'")
	code, _ := apiError(t, srv.Do("GET", vids, nil, "Authorization: OAuth ffffffffffffffffffffffffffffffff"), 503)
	if code != "ID.1001" {
		t.Errorf("unknown session: %s", code)
	}
	// Sessions expire on the virtual clock (default 2h).
	s := login(t, srv, "admin", "password")
	want(t, srv.Do("GET", vids, nil, s), 200)
	srv.AdvanceClock(2*time.Hour + time.Second)
	if code, _ := apiError(t, srv.Do("GET", vids, nil, s), 503); code != "ID.1001" {
		t.Errorf("expired session: %s", code)
	}
	// Logging out ends a session; logging out twice is harmless.
	s = login(t, srv, "admin", "password")
	id := strings.TrimPrefix(s, "Authorization: OAuth ")
	want(t, srv.Do("DELETE", base+"/accounts/sessions/"+id, nil), 200)
	want(t, srv.Do("DELETE", base+"/accounts/sessions/"+id, nil), 200)
	apiError(t, srv.Do("GET", vids, nil, s), 503)
	// Plain-text passwords are refused unless the scenario allows them.
	r := srv.Do("PUT", base+"/accounts/login", map[string]any{"logInByAccount": map[string]string{"accountName": "admin", "password": "password"}})
	if code, _ := apiError(t, r, 503); code != "ID.1000" {
		t.Errorf("plain password: %s", code)
	}
	srv2 := startWith(t, "zstack:\n  plainPasswords: true\n  accounts: [{name: admin, password: password}]\n")
	want(t, srv2.Do("PUT", base+"/accounts/login", map[string]any{"logInByAccount": map[string]string{"accountName": "admin", "password": "password"}}), 200)
}

func TestPermissions(t *testing.T) {
	srv := start(t)
	ops := login(t, srv, "ops", "ops-password")
	want(t, srv.Do("GET", vids, nil, ops), 200) // reads are allowed
	code, _ := apiError(t, srv.Do("POST", vids, map[string]any{"params": map[string]string{"name": "x", "password": "y"}}, ops), 503)
	if code != "ID.1002" {
		t.Errorf("non-admin create: %s", code)
	}
	// A virtual ID may change its own password, proving the old one.
	r := srv.Do("PUT", vids+"/login", map[string]any{"loginIAM2VirtualID": map[string]string{"name": "alice", "password": sha("secret")}})
	want(t, r, 200)
	me := "Authorization: OAuth " + r.JSON(t)["inventory"].(map[string]any)["uuid"].(string)
	upd := func(body map[string]string) *emulatortest.Response {
		return srv.Do("PUT", vids+"/"+alice+"/actions", map[string]any{"updateIAM2VirtualID": body}, me)
	}
	apiError(t, upd(map[string]string{"password": sha("new")}), 503)                              // no oldPassword
	apiError(t, upd(map[string]string{"password": sha("new"), "oldPassword": sha("wrong")}), 503) // wrong one
	want(t, upd(map[string]string{"password": sha("new"), "oldPassword": sha("secret")}), 200)    // right one
	want(t, srv.Do("PUT", vids+"/login", map[string]any{"loginIAM2VirtualID": map[string]string{"name": "alice", "password": sha("new")}}), 200)
	// ... but not another virtual ID.
	code, _ = apiError(t, srv.Do("PUT", vids+"/"+bob+"/actions", map[string]any{"updateIAM2VirtualID": map[string]string{"description": "x"}}, me), 503)
	if code != "ID.1002" {
		t.Errorf("virtual ID updating another: %s", code)
	}
	// Disabling a virtual ID ends its sessions and stops new logins.
	want(t, srv.Do("PUT", vids+"/"+alice+"/actions", map[string]any{"changeIAM2VirtualIDState": map[string]string{"stateEvent": "disable"}}, adminS), 200)
	apiError(t, srv.Do("GET", vids, nil, me), 503)
	apiError(t, srv.Do("PUT", vids+"/login", map[string]any{"loginIAM2VirtualID": map[string]string{"name": "alice", "password": sha("new")}}), 503)
}

func names(t *testing.T, r *emulatortest.Response) []string {
	t.Helper()
	want(t, r, 200)
	var out struct {
		Inventories []struct{ Name string }
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	n := []string{}
	for _, i := range out.Inventories {
		n = append(n, i.Name)
	}
	return n
}

// TestQueryOperators checks every operator of ZStack's query language.
func TestQueryOperators(t *testing.T) {
	srv := startWith(t, `
clock: 2026-01-01T00:00:00Z
zstack:
  accounts: [{name: admin, password: password}]
  sessions: [{uuid: 0123456789abcdef0123456789abcdef, account: admin}]
  virtualIDs:
    - {name: ann, password: p, description: first, attributes: [{name: dept, value: eng}]}
    - {name: ben, password: p, attributes: [{name: dept, value: ops}]}
    - {name: cat, password: p, description: third, state: Disabled}
    - {name: Dan, password: p}
`)
	tests := []struct {
		q    string
		want []string
	}{
		{"name=ann", []string{"ann"}},
		{"name=ANN", []string{"ann"}}, // MySQL's utf8_general_ci: = ignores case
		{"name?=ANN,dan", []string{"ann", "Dan"}},
		{"name!=ann", []string{"ben", "cat", "Dan"}},
		{"name?=ann,cat", []string{"ann", "cat"}},
		{"name!?=ann,cat", []string{"ben", "Dan"}},
		{"name~=%a%", []string{"ann", "cat", "Dan"}},
		{"name~=d__", []string{"Dan"}}, // LIKE ignores case, as MySQL does
		{"name!~=%n", []string{"cat"}},
		{"name>ben", []string{"cat", "Dan"}}, // ordering ignores case too
		{"name>=ben", []string{"ben", "cat", "Dan"}},
		{"name<ben", []string{"ann"}},
		{"name<=ann", []string{"ann"}},
		{"description is null", []string{"ben", "Dan"}},
		{"description not null", []string{"ann", "cat"}},
		{"state=Disabled", []string{"cat"}},
		{"attributes.value=ops", []string{"ben"}},
		{"createDate>=2025-12-31 00:00:00", []string{"ann", "ben", "cat", "Dan"}},
		{"createDate>2026-01-02", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			got := names(t, srv.Do("GET", vids+"?q="+url.QueryEscape(tc.q), nil, adminS))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("q=%s (-want +got):\n%s", tc.q, diff)
			}
		})
	}
	t.Run("a long in-list", func(t *testing.T) {
		// 9,000 values, parsed once into a set: the same answer as a short list.
		vals := make([]string, 9000)
		for i := range vals {
			vals[i] = fmt.Sprintf("x%d", i)
		}
		vals[17], vals[8000] = "BEN", "dan"
		for q, want := range map[string][]string{"name?=": {"ben", "Dan"}, "name!?=": {"ann", "cat"}} {
			got := names(t, srv.Do("GET", vids+"?q="+url.QueryEscape(q)+strings.Join(vals, ","), nil, adminS))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s with 9,000 values (-want +got):\n%s", q, diff)
			}
		}
	})
	t.Run("conditions combine", func(t *testing.T) {
		got := names(t, srv.Do("GET", vids+"?q=name~=%25a%25&q=state=Enabled", nil, adminS))
		if diff := cmp.Diff([]string{"ann", "Dan"}, got); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("paging and sort", func(t *testing.T) {
		got := names(t, srv.Do("GET", vids+"?sort=-name&start=1&limit=2", nil, adminS))
		if diff := cmp.Diff([]string{"cat", "ben"}, got); diff != "" {
			t.Error(diff)
		}
		m := srv.Do("GET", vids+"?limit=1&replyWithCount=true", nil, adminS).JSON(t)
		if m["total"] != 4.0 || len(m["inventories"].([]any)) != 1 {
			t.Errorf("replyWithCount: %v", m)
		}
		// A filtered window without a sort stops reading at its end; the
		// total still counts every match.
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"?q=state=Enabled&start=1&limit=1", []string{"ben"}},
			{"?q=state=Enabled&start=1&limit=5", []string{"ben", "Dan"}},
			{"?q=state=Enabled&start=3&limit=1", []string{}},
			{"?q=state=Enabled&limit=0", []string{}},
		} {
			if diff := cmp.Diff(tc.want, names(t, srv.Do("GET", vids+tc.query, nil, adminS))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.query, diff)
			}
		}
		m = srv.Do("GET", vids+"?q=state=Enabled&limit=1&replyWithCount=true", nil, adminS).JSON(t)
		if m["total"] != 3.0 || len(m["inventories"].([]any)) != 1 {
			t.Errorf("filtered replyWithCount: %v", m)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		plain(t, srv.Do("GET", vids+"?q=name", nil, adminS), 400, "doesn't contain any query operator")
		plain(t, srv.Do("GET", vids+"?q=name%3D", nil, adminS), 400, "is not a key-value pair split by =")
		plain(t, srv.Do("GET", vids+"?limit=ten", nil, adminS), 400, "'limit' must be an integer")
		plain(t, srv.Do("GET", vids+"?start=x", nil, adminS), 400, "'start' must be an integer")
		plain(t, srv.Do("GET", vids+"?fields=,", nil, adminS), 400, "'fields' contains zero field")
		code, details := apiError(t, srv.Do("GET", vids+"?q=password=x", nil, adminS), 503)
		if code != "SYS.1007" || !strings.Contains(details, "no such field") {
			t.Errorf("unknown field: %s %s", code, details)
		}
		apiError(t, srv.Do("GET", vids+"?sort=+bogus", nil, adminS), 503)
	})
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, method, path string
		body               any
		check              func(*testing.T, *emulatortest.Response)
	}{
		{"malformed JSON", "POST", vids, `{"params": {`, func(t *testing.T, r *emulatortest.Response) { plain(t, r, 400, "Malformed JSON") }},
		{"missing params", "POST", vids, `{"name": "x"}`, func(t *testing.T, r *emulatortest.Response) {
			if _, d := apiError(t, r, 503); d != "field[params] of message[org.zstack.iam2.api.APICreateIAM2VirtualIDMsg] is mandatory, can not be null" {
				t.Error(d)
			}
		}},
		{"array body", "POST", vids, `[]`, func(t *testing.T, r *emulatortest.Response) { apiError(t, r, 503) }},
		{"wrong type", "POST", vids, `{"params": {"name": {}, "password": "x"}}`, func(t *testing.T, r *emulatortest.Response) {
			if _, d := apiError(t, r, 503); d != "field[name] of message[org.zstack.iam2.api.APICreateIAM2VirtualIDMsg] must be string, but got object" {
				t.Error(d)
			}
		}},
		{"over-long name", "POST", vids, map[string]any{"params": map[string]string{"name": strings.Repeat("n", 300), "password": "x"}}, func(t *testing.T, r *emulatortest.Response) {
			if _, d := apiError(t, r, 503); d != "field[name] of message[org.zstack.iam2.api.APICreateIAM2VirtualIDMsg] exceeds max length of string. expected was <= 255, actual was 300" {
				t.Error(d)
			}
		}},
		{"missing password", "POST", vids, map[string]any{"params": map[string]string{"name": "n"}}, func(t *testing.T, r *emulatortest.Response) {
			if _, d := apiError(t, r, 503); d != "field[password] of message[org.zstack.iam2.api.APICreateIAM2VirtualIDMsg] is mandatory, can not be null" {
				t.Error(d)
			}
		}},
		{"bad state event", "PUT", vids + "/" + alice + "/actions", map[string]any{"changeIAM2VirtualIDState": map[string]string{"stateEvent": "maintain"}}, func(t *testing.T, r *emulatortest.Response) {
			if _, d := apiError(t, r, 503); d != "valid value for field[stateEvent] of message[org.zstack.iam2.api.APIChangeIAM2VirtualIDStateMsg] are [enable, disable], but maintain found" {
				t.Error(d)
			}
		}},
		{"delete of a malformed uuid", "DELETE", vids + "/not-a-uuid", nil, func(t *testing.T, r *emulatortest.Response) {
			if code, d := apiError(t, r, 503); code != "SYS.1003" || d != "invalid field[uuid], resource[uuid:not-a-uuid, type:IAM2VirtualIDVO] not found" {
				t.Error(code, d)
			}
		}},
		{"bad resourceUuid", "POST", vids, map[string]any{"params": map[string]string{"name": "n", "password": "x", "resourceUuid": "NOT-HEX"}}, func(t *testing.T, r *emulatortest.Response) { apiError(t, r, 503) }},
		{"wrong action key", "PUT", vids + "/" + alice + "/actions", `{"updateIAM2Thing": {}}`, func(t *testing.T, r *emulatortest.Response) {
			plain(t, r, 400, "the body doesn't contain action mapping to the URL[/zstack/v1/iam2/virtual-ids/"+alice+"/actions]")
		}},
		{"bad stateEvent", "PUT", vids + "/" + alice + "/actions", `{"changeIAM2VirtualIDState": {"stateEvent": "pause"}}`, func(t *testing.T, r *emulatortest.Response) { apiError(t, r, 503) }},
		{"bad deleteMode", "DELETE", vids + "/" + alice + "?deleteMode=Sometimes", nil, func(t *testing.T, r *emulatortest.Response) { apiError(t, r, 503) }},
		{"unknown uuid update", "PUT", vids + "/ffffffffffffffffffffffffffffffff/actions", `{"updateIAM2VirtualID": {"name": "z"}}`, func(t *testing.T, r *emulatortest.Response) {
			if c, _ := apiError(t, r, 503); c != "SYS.1003" {
				t.Error(c)
			}
		}},
		{"unknown attribute", "PUT", vids + "/attributes/ffffffffffffffffffffffffffffffff/actions", `{"updateIAM2VirtualIDAttribute": {"value": "z"}}`, func(t *testing.T, r *emulatortest.Response) { apiError(t, r, 503) }},
		{"remove without uuids", "DELETE", vids + "/" + alice + "/attributes", nil, func(t *testing.T, r *emulatortest.Response) { apiError(t, r, 503) }},
		{"wrong method", "PATCH", vids, nil, func(t *testing.T, r *emulatortest.Response) {
			plain(t, r, 405, "The method[PATCH] is not allowed for the path[/zstack/v1/iam2/virtual-ids]")
		}},
		{"invalid UTF-8", "POST", vids, []byte("{\"params\": {\"name\": \"\xff\", \"password\": \"x\"}}"), func(t *testing.T, r *emulatortest.Response) { plain(t, r, 400, "UTF-8") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			before := srv.State()["apis"]
			tc.check(t, srv.Do(tc.method, tc.path, tc.body, adminS))
			if diff := cmp.Diff(before, srv.State()["apis"]); diff != "" {
				t.Errorf("state changed:\n%s", diff)
			}
		})
	}
}

func TestAnyContentTypeAccepted(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", vids, `{"params": {"name": "t", "password": "x"}}`, adminS, "Content-Type: text/plain")
	want(t, r, 200)
}

func TestAttributes(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", vids+"/"+bob+"/attributes", map[string]any{"params": map[string]any{"attributes": []map[string]string{{"name": "a", "value": "1"}, {"name": "b", "value": "2"}}}}, adminS)
	want(t, r, 200)
	if string(r.Body) != "{}" {
		t.Errorf("adding attributes answers %s, ZStack answers {}", r.Body)
	}
	attrs := srv.Do("GET", vids+"/attributes?q=virtualIDUuid="+bob+"&sort=+name", nil, adminS).JSON(t)["inventories"].([]any)
	if len(attrs) != 2 {
		t.Fatalf("attributes: %v", attrs)
	}
	first := attrs[0].(map[string]any)["uuid"].(string)
	// ZStack serves this update only under .../actions, as every action.
	r = srv.Do("PUT", vids+"/attributes/"+first, map[string]any{"updateIAM2VirtualIDAttribute": map[string]string{"value": "changed"}}, adminS)
	want(t, r, 404)
	r = srv.Do("PUT", vids+"/attributes/"+first+"/actions", map[string]any{"updateIAM2VirtualIDAttribute": map[string]string{"value": "changed"}}, adminS)
	want(t, r, 200)
	if v := r.JSON(t)["inventory"].(map[string]any)["value"]; v != "changed" {
		t.Errorf("updated value %v", v)
	}
	want(t, srv.Do("DELETE", vids+"/"+bob+"/attributes?attributeUuids="+first, nil, adminS), 200)
	m := srv.Do("GET", vids+"/attributes?q=virtualIDUuid="+bob+"&replyWithCount=true", nil, adminS).JSON(t)
	if m["total"] != 1.0 {
		t.Errorf("after removing one of two: %v", m)
	}
}

// TestAsyncJobs drives both reply modes and the API-job life cycle.
func TestAsyncJobs(t *testing.T) {
	srv := startWith(t, `
clock: 2026-01-01T00:00:00Z
include: [fixtures/zstack/default-world.yaml]
zstack:
  asyncJobs: true
  jobs: {polls: 2, duration: 30s, expireAfter: 10m}
`)
	create := func(name string, headers ...string) *emulatortest.Response {
		return srv.Do("POST", vids, map[string]any{"params": map[string]string{"name": name, "password": "x"}}, append([]string{adminS}, headers...)...)
	}
	r := create("async-1")
	want(t, r, 202)
	loc := r.JSON(t)["location"].(string)
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(loc, srv.URL()+"/zstack/v1/api-jobs/") {
		t.Fatalf("location %q should use the host the client called (%s)", loc, srv.URL())
	}
	poll := func() *emulatortest.Response { return srv.Do("GET", u.Path, nil) }
	want(t, poll(), 202)
	want(t, poll(), 202)
	if r := poll(); r.Status != 202 || string(r.Body) != "{}" {
		t.Fatalf("still running until 30s have passed: %d %s", r.Status, r.Body)
	}
	srv.AdvanceClock(31 * time.Second)
	r = poll()
	want(t, r, 200)
	if r.JSON(t)["inventory"].(map[string]any)["name"] != "async-1" {
		t.Errorf("job result: %s", r.Body)
	}
	want(t, poll(), 200) // results can be fetched again ...
	srv.AdvanceClock(11 * time.Minute)
	plain(t, poll(), 404, "the job has been expired") // ... until they expire

	// A failing write fails the job, not the 202.
	r = create("alice")
	want(t, r, 202)
	srv.AdvanceClock(time.Minute)
	job := strings.TrimPrefix(r.JSON(t)["location"].(string), srv.URL())
	srv.Do("GET", job, nil)
	srv.Do("GET", job, nil)
	if code, _ := apiError(t, srv.Do("GET", job, nil), 503); code != "SYS.1007" {
		t.Errorf("duplicate in a job: %s", code)
	}

	// X-Emulator-Async: false answers synchronously; X-Job-UUID names the job.
	want(t, create("sync-1", "X-Emulator-Async: false"), 200)
	r = create("named", "X-Job-UUID: aaaabbbbccccddddeeeeffff00001111")
	if !strings.HasSuffix(r.JSON(t)["location"].(string), "/aaaabbbbccccddddeeeeffff00001111") {
		t.Errorf("X-Job-UUID ignored: %s", r.Body)
	}
	plain(t, create("bad-job", "X-Job-UUID: short"), 400, "Invalid header[X-Job-UUID]")
	plain(t, srv.Do("GET", base+"/api-jobs/ffffffffffffffffffffffffffffffff", nil), 404, "the job has been expired")
	// Transport errors never go into a job.
	plain(t, srv.Do("POST", vids, `{"params":`, adminS), 400, "Malformed JSON")
	// Auth failures of a deferred write do.
	r = srv.Do("POST", vids, map[string]any{"params": map[string]string{"name": "z", "password": "x"}}, "Authorization: OAuth ffffffffffffffffffffffffffffffff")
	want(t, r, 202)
}

// TestFaultsInsideJobs checks that an injected failure of a deferred write
// fails the job, and that commit: true leaves the write in place.
func TestFaultsInsideJobs(t *testing.T) {
	srv := start(t)
	srv.AddFault(fault.Rule{Name: "commit-then-fail", Match: fault.Match{API: "zstack", Operation: "createVirtualID"}, Commit: true, Times: 1,
		Respond: fault.Respond{Kind: "internal"}})
	r := srv.Do("POST", vids, map[string]any{"params": map[string]string{"name": "ghost", "password": "x"}}, adminS, "X-Emulator-Async: true")
	want(t, r, 202)
	job := strings.TrimPrefix(r.JSON(t)["location"].(string), srv.URL())
	want(t, srv.Do("GET", job, nil), 202)
	if code, _ := apiError(t, srv.Do("GET", job, nil), 503); code != "SYS.1006" {
		t.Errorf("job error %s", code)
	}
	if got := names(t, srv.Do("GET", vids+"?q=name=ghost", nil, adminS)); len(got) != 1 {
		t.Error("commit: true must leave the write in place")
	}
	if e := srv.Requests(journal.Filter{Operation: "createVirtualID"}); len(e) != 1 || e[0].Fault != "commit-then-fail" || e[0].Status != 202 {
		t.Errorf("journal: %+v", e)
	}
}

func TestInjectedErrorsMatchNativeBodies(t *testing.T) {
	tests := []struct {
		respond fault.Respond
		check   func(*testing.T, *emulatortest.Response)
	}{
		{fault.Respond{Status: 400}, func(t *testing.T, r *emulatortest.Response) { plain(t, r, 400, "Bad Request") }},
		{fault.Respond{Status: 404}, func(t *testing.T, r *emulatortest.Response) {
			plain(t, r, 404, "no api mapping to /v1/iam2/virtual-ids")
		}},
		{fault.Respond{Status: 500, Message: "java.lang.NullPointerException"}, func(t *testing.T, r *emulatortest.Response) {
			plain(t, r, 500, "java.lang.NullPointerException")
		}},
		{fault.Respond{Status: 503}, func(t *testing.T, r *emulatortest.Response) {
			if c, _ := apiError(t, r, 503); c != "SYS.1006" {
				t.Error(c)
			}
		}},
		{fault.Respond{Status: 403}, func(t *testing.T, r *emulatortest.Response) {
			if c, _ := apiError(t, r, 403); c != "ID.1002" {
				t.Error(c)
			}
		}},
		{fault.Respond{Kind: "already_exists", Message: "duplicate virtualID name[carol]"}, func(t *testing.T, r *emulatortest.Response) {
			if c, d := apiError(t, r, 503); c != "SYS.1007" || d != "duplicate virtualID name[carol]" {
				t.Error(c, d)
			}
		}},
		{fault.Respond{Kind: "not_found"}, func(t *testing.T, r *emulatortest.Response) {
			if c, _ := apiError(t, r, 503); c != "SYS.1003" {
				t.Error(c)
			}
		}},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			srv := start(t)
			srv.AddFault(fault.Rule{Match: fault.Match{API: "zstack", Operation: "queryVirtualID"}, Respond: tc.respond})
			tc.check(t, srv.Do("GET", vids, nil, adminS))
		})
	}
}

func TestScenarioFaults(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("faults"), emulator.WithResponseCheck(true))
	r := srv.Do("POST", vids, map[string]any{"params": map[string]string{"name": "carol", "password": "x"}}, adminS)
	if c, d := apiError(t, r, 503); c != "SYS.1007" || d != "duplicate virtualID name[carol]" {
		t.Errorf("%s %s", c, d)
	}
	apiError(t, srv.Do("DELETE", vids+"/"+bob, nil, adminS), 503)
	want(t, srv.Do("DELETE", vids+"/"+bob, nil, adminS), 200)
}

func TestScenarioErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"zstack:\n  accounts: [{name: a}]\n", "z.yaml:2:14: account: name and password are required"},
		{"zstack:\n  sessions: [{uuid: nothex, account: admin}]\n", "z.yaml:2:14: session: uuid must be 32 lowercase hex digits"},
		{"zstack:\n  virtualIDs:\n    - {name: a, password: p, state: Sleeping}\n", "z.yaml:3:7: virtual ID \"a\": state must be Enabled or Disabled"},
		{"zstack:\n  sessionTimeout: forever\n", "z.yaml:2:3: zstack.sessionTimeout: expected a duration"},
		{"zstack:\n  virtualIDs: [{name: a, password: p, attributes: [{nme: x}]}]\n", `z.yaml:2:53: unknown key "nme"`},
	}
	for _, tc := range tests {
		_, err := emulator.New(emulator.WithScenarioYAML("z.yaml", []byte(tc.yaml)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// TestExpiredSessionsSwept: expired sessions go without waiting for the
// next login: /_emulator/state never counts them, and the server's sweep
// drops them from every sandbox.
func TestExpiredSessionsSwept(t *testing.T) {
	srv := start(t)
	sessions := func() float64 {
		return srv.State()["apis"].(map[string]any)["zstack"].(map[string]any)["sessions"].(float64)
	}
	seeded := sessions()
	login(t, srv, "admin", "password")
	login(t, srv, "admin", "password")
	if got := sessions(); got != seeded+2 {
		t.Fatalf("sessions after two logins: %v, want %v", got, seeded+2)
	}
	srv.AdvanceClock(3 * time.Hour) // past the 2h session timeout; the seeded one lasts a year
	if got := sessions(); got != seeded {
		t.Errorf("sessions after they expired: %v, want %v", got, seeded)
	}
	// The sweep reaches named sandboxes too.
	sb := srv.Sandbox("swept")
	login(t, sb, "admin", "password")
	sb.AdvanceClock(3 * time.Hour)
	srv.Emu.Sweep()
	if got := sb.State()["apis"].(map[string]any)["zstack"].(map[string]any)["sessions"].(float64); got != seeded {
		t.Errorf("named sandbox after the sweep: %v sessions, want %v", got, seeded)
	}
}

// TestGsonScalars: ZStack reads bodies with Gson into a map (a number is a
// Double) and then into the message, so a number in a String field is
// Double.toString of it, and a boolean its text; an object is refused.
func TestGsonScalars(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", vids, `{"params": {"name": 12345, "password": "`+sha("pw")+`", "description": true}}`, adminS)
	want(t, r, 200)
	inv := r.JSON(t)["inventory"].(map[string]any)
	if inv["name"] != "12345.0" || inv["description"] != "true" {
		t.Errorf("created %v", inv)
	}
	for sent, name := range map[string]string{"1.50e3": "1500.0", "-0.25": "-0.25", "12345678": "1.2345678E7", "0.0001": "1.0E-4"} {
		r := srv.Do("POST", vids, `{"params": {"name": `+sent+`, "password": "`+sha("pw")+`"}}`, adminS)
		if r.Status != 200 || r.JSON(t)["inventory"].(map[string]any)["name"] != name {
			t.Errorf("name %s: want %q, got %d %s", sent, name, r.Status, r.Body)
		}
	}
	if r := srv.Do("POST", vids, `{"params": {"name": {"a": 1}, "password": "`+sha("pw")+`"}}`, adminS); r.Status != 503 {
		t.Errorf("an object as a name: %d %s", r.Status, r.Body)
	}
	// The journal keeps what was sent.
	if e := srv.Requests(journal.Filter{Operation: "createVirtualID"}); len(e) == 0 || !strings.Contains(string(e[0].RequestBody), `12345`) || strings.Contains(string(e[0].RequestBody), `"12345"`) {
		t.Errorf("journal: %s", e[0].RequestBody)
	}
}
