package awx_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
)

const testScenario = `
name: awx-test
seed: 42
clock: 2026-01-01T12:00:00Z
include: [fixtures/awx/default-world.yaml]
`

const (
	v2    = "/api/v2"
	admin = "Authorization: Basic YWRtaW46cGFzc3dvcmQ=" // admin:password
	bob   = "Authorization: Bearer awx-bob-token"
	carol = "Authorization: Basic Y2Fyb2w6Y2Fyb2wtcGFzc3dvcmQ=" // carol:carol-password
)

func start(t *testing.T, extra ...emulator.Option) *emulatortest.Server {
	t.Helper()
	return emulatortest.StartYAML(t, "awx-test.yaml", testScenario, extra...)
}

func want(t *testing.T, r *emulatortest.Response, status int) {
	t.Helper()
	r.Want(t, status)
}

func decode(t *testing.T, r *emulatortest.Response) map[string]any {
	t.Helper()
	return r.JSON(t)
}

// wantBody compares a whole (small) JSON error body.
func wantBody(t *testing.T, r *emulatortest.Response, status int, body string) {
	t.Helper()
	want(t, r, status)
	var got, exp any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("not JSON: %s", r.Body)
	}
	if err := json.Unmarshal([]byte(body), &exp); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(exp, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestGolden(t *testing.T) {
	machine := map[string]any{"name": "bob-key", "credential_type": 1, "inputs": map[string]any{"username": "bob", "password": "s3cret", "ssh_key_data": encryptedKey, "ssh_key_unlock": "pass"}}
	emulatortest.RunGolden(t, start, []emulatortest.GoldenCase{
		emulatortest.Case("ping", "GET", v2+"/ping/", nil, "", 200),
		emulatortest.Case("me", "GET", v2+"/me/", nil, bob, 200),
		emulatortest.Case("list-users", "GET", v2+"/users/?page_size=2", nil, admin, 200),
		emulatortest.Case("get-user", "GET", v2+"/users/2/", nil, admin, 200),
		emulatortest.Case("create-user", "POST", v2+"/users/", map[string]any{"username": "dave", "password": "pw", "email": "dave@example.com"}, admin, 201),
		emulatortest.Case("create-user-credential", "POST", v2+"/users/2/credentials/", machine, admin, 201),
		emulatortest.Case("list-user-credentials", "GET", v2+"/users/2/credentials/", nil, bob, 200),
		emulatortest.Case("get-credential", "GET", v2+"/credentials/1/", nil, admin, 200),
		emulatortest.Case("get-org-credential", "GET", v2+"/credentials/3/", nil, admin, 200),
		emulatortest.Case("list-credentials-as-bob", "GET", v2+"/credentials/", nil, bob, 200),
		emulatortest.Case("patch-credential", "PATCH", v2+"/credentials/1/", map[string]any{"description": "patched", "inputs": map[string]any{"username": "robert", "password": "$encrypted$"}}, admin, 200),
		emulatortest.Case("get-credential-type", "GET", v2+"/credential_types/1/", nil, admin, 200),
		emulatortest.Case("create-credential-type", "POST", v2+"/credential_types/", map[string]any{"name": "MyCloud", "kind": "cloud",
			"inputs":    map[string]any{"fields": []any{map[string]any{"id": "api_token", "label": "API Token", "type": "string", "secret": true}}},
			"injectors": map[string]any{"env": map[string]any{"AWX_MY_CLOUD_TOKEN": "{{api_token}}"}}}, admin, 201),
		emulatortest.Case("error-unauthenticated", "GET", v2+"/me/", nil, "", 401),
		emulatortest.Case("error-bad-password", "GET", v2+"/me/", nil, "Authorization: Basic YWRtaW46bm9wZQ==", 401),
		emulatortest.Case("error-forbidden", "GET", v2+"/credentials/2/", nil, bob, 403),
		emulatortest.Case("error-not-found", "GET", v2+"/credentials/999/", nil, admin, 404),
		emulatortest.Case("error-validation", "POST", v2+"/users/2/credentials/", map[string]any{"name": strings.Repeat("n", 513), "credential_type": 99}, admin, 400),
		emulatortest.Case("error-inputs", "POST", v2+"/users/2/credentials/", map[string]any{"name": "aws", "credential_type": 5, "inputs": map[string]any{"username": 7, "security_token": "$encrypted$"}}, admin, 400),
		emulatortest.Case("error-unknown-input", "POST", v2+"/users/2/credentials/", map[string]any{"name": "m", "credential_type": 1, "inputs": map[string]any{"usernme": "x", "extra": 1}}, admin, 400),
		emulatortest.Case("error-dependency", "POST", v2+"/users/2/credentials/", map[string]any{"name": "n", "credential_type": 4, "inputs": map[string]any{"username": "u", "authorize_password": "x"}}, admin, 400),
		emulatortest.Case("error-ssh-key", "POST", v2+"/users/2/credentials/", map[string]any{"name": "k", "credential_type": 1, "inputs": map[string]any{"ssh_key_data": "not a key"}}, admin, 400),
		emulatortest.Case("error-ssh-key-unlock", "POST", v2+"/users/2/credentials/", map[string]any{"name": "k", "credential_type": 1, "inputs": map[string]any{"ssh_key_data": clearKey, "ssh_key_unlock": "x"}}, admin, 400),
		emulatortest.Case("error-duplicate-org-credential", "POST", v2+"/credentials/", map[string]any{"name": "shared-vault", "credential_type": 3, "organization": 1, "inputs": map[string]any{"vault_password": "x"}}, admin, 400),
		emulatortest.Case("error-duplicate-username", "POST", v2+"/users/", map[string]any{"username": "bob", "password": "x"}, admin, 400),
		emulatortest.Case("error-user-without-password", "POST", v2+"/users/", map[string]any{"username": "nopass", "password": ""}, admin, 400),
		emulatortest.Case("error-invalid-page", "GET", v2+"/credentials/?page=7", nil, admin, 404),
		emulatortest.Case("error-filter-inputs", "GET", v2+"/credentials/?inputs__username=bob", nil, admin, 403),
		emulatortest.Case("error-unknown-filter", "GET", v2+"/credentials/?colour=red", nil, admin, 400),
	})
}

func TestHeaders(t *testing.T) {
	srv := start(t)
	for _, r := range []*emulatortest.Response{srv.Do("GET", v2+"/ping/", nil), srv.Do("GET", v2+"/me/", nil)} {
		for _, h := range []string{"X-API-Product-Name", "X-API-Product-Version", "X-API-Node", "X-API-Time"} {
			if r.Header.Get(h) == "" {
				t.Errorf("status %d: no %s header", r.Status, h)
			}
		}
	}
	r := srv.Do("GET", v2+"/me/", nil)
	if got := r.Header.Get("WWW-Authenticate"); got != "Bearer realm=api authorization_url=/api/o/authorize/" {
		t.Errorf("WWW-Authenticate %q", got)
	}
}

func TestTrailingSlashRedirect(t *testing.T) {
	srv := start(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, loc := range map[string]string{
		v2 + "/users":                   v2 + "/users/",
		v2 + "/users/2/credentials":     v2 + "/users/2/credentials/",
		v2 + "/credentials?page_size=5": v2 + "/credentials/?page_size=5",
	} {
		req, _ := http.NewRequest("GET", srv.URL()+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 301 || resp.Header.Get("Location") != loc {
			t.Errorf("%s: %d Location %q, want 301 %q", path, resp.StatusCode, resp.Header.Get("Location"), loc)
		}
	}
	wantBody(t, srv.Do("GET", v2+"/nothing", nil, admin), 404, `{"detail": "The requested resource could not be found."}`)
	wantBody(t, srv.Do("GET", v2+"/users/abc/", nil, admin), 404, `{"detail": "The requested resource could not be found."}`)
}

func TestAuthentication(t *testing.T) {
	srv := start(t)
	tests := []struct {
		header string
		status int
		detail string
	}{
		{"", 401, "Authentication credentials were not provided. To establish a login session, visit /api/login/."},
		{"Authorization: Basic !!!", 401, "Invalid basic header. Credentials not correctly base64 encoded."},
		{"Authorization: Basic Ym9iOndyb25n", 401, "Invalid username/password."},
		{"Authorization: Bearer nope", 401, "Authentication credentials were not provided. To establish a login session, visit /api/login/."},
		{"Authorization: Token awx-bob-token", 401, "Authentication credentials were not provided. To establish a login session, visit /api/login/."},
		{bob, 200, ""},
		{"Authorization: Basic Ym9iOmJvYi1wYXNzd29yZA==", 200, ""},
	}
	for _, tc := range tests {
		var h []string
		if tc.header != "" {
			h = append(h, tc.header)
		}
		r := srv.Do("GET", v2+"/me/", nil, h...)
		if tc.status != 200 {
			wantBody(t, r, tc.status, fmt.Sprintf(`{"detail": %q}`, tc.detail))
			continue
		}
		want(t, r, 200)
	}
	// A read-scoped token may read but not write.
	want(t, srv.Do("GET", v2+"/users/", nil, "Authorization: Bearer awx-read-token"), 200)
	wantBody(t, srv.Do("POST", v2+"/users/", map[string]string{"username": "x"}, "Authorization: Bearer awx-read-token"), 403,
		`{"detail": "You do not have permission to perform this action."}`)
}

func TestPermissions(t *testing.T) {
	srv := start(t)
	machine := func(name string) map[string]any {
		return map[string]any{"name": name, "credential_type": 1, "inputs": map[string]any{"username": "u"}}
	}
	// bob creates for himself, through both endpoints.
	want(t, srv.Do("POST", v2+"/users/2/credentials/", machine("mine"), bob), 201)
	want(t, srv.Do("POST", v2+"/credentials/", map[string]any{"name": "mine2", "credential_type": 1, "user": 2}, bob), 201)
	// ... but not for carol, nor for an organization.
	want(t, srv.Do("POST", v2+"/users/3/credentials/", machine("x"), bob), 403)
	want(t, srv.Do("POST", v2+"/credentials/", map[string]any{"name": "x", "credential_type": 1, "user": 3}, bob), 403)
	want(t, srv.Do("POST", v2+"/credentials/", map[string]any{"name": "x", "credential_type": 1, "organization": 1}, bob), 403)
	// bob sees his own credentials and the one his team may use, nothing
	// of carol's.
	var page struct {
		Count   int
		Results []struct{ Name string }
	}
	_ = json.Unmarshal(srv.Do("GET", v2+"/credentials/", nil, bob).Body, &page)
	if page.Count != 4 {
		t.Errorf("bob sees %d credentials, want his 3 and shared-vault: %+v", page.Count, page.Results)
	}
	// carol is in bob's organization, so bob may see her and list her
	// credentials, filtered to the ones he may see (none), as AWX does.
	wantBody(t, srv.Do("GET", v2+"/users/3/credentials/", nil, bob), 200,
		`{"count": 0, "next": null, "previous": null, "results": []}`)
	want(t, srv.Do("PATCH", v2+"/credentials/2/", map[string]any{"name": "stolen"}, bob), 403)
	want(t, srv.Do("DELETE", v2+"/credentials/2/", nil, bob), 403)
	want(t, srv.Do("GET", v2+"/users/3/", nil, bob), 200)
	// The auditor is in no organization bob is in.
	want(t, srv.Do("GET", v2+"/users/4/", nil, bob), 403)
	want(t, srv.Do("GET", v2+"/users/4/credentials/", nil, bob), 403)
	// A user may edit themself, but not promote themself.
	want(t, srv.Do("PATCH", v2+"/users/2/", map[string]any{"first_name": "Rob"}, bob), 200)
	want(t, srv.Do("PATCH", v2+"/users/2/", map[string]any{"is_superuser": true}, bob), 403)
	want(t, srv.Do("DELETE", v2+"/users/2/", nil, bob), 403)
	// The system auditor sees everything and changes nothing.
	_ = json.Unmarshal(srv.Do("GET", v2+"/credentials/", nil, auditor).Body, &page)
	if page.Count != 5 {
		t.Errorf("auditor sees %d credentials, want 5", page.Count)
	}
	want(t, srv.Do("PATCH", v2+"/credentials/2/", map[string]any{"name": "x"}, auditor), 403)
	// Superusers may not delete themselves; they may delete others, whose
	// credentials stay without an owner.
	want(t, srv.Do("DELETE", v2+"/users/1/", nil, admin), 403)
	want(t, srv.Do("DELETE", v2+"/users/3/", nil, admin), 204)
	owners := decode(t, srv.Do("GET", v2+"/credentials/2/", nil, admin))["summary_fields"].(map[string]any)["owners"].([]any)
	if len(owners) != 0 {
		t.Errorf("owners after deleting the owner: %v", owners)
	}
}

func TestSecrets(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", v2+"/users/3/credentials/", map[string]any{"name": "aws", "credential_type": 5,
		"inputs": map[string]any{"username": "AKIA1", "password": "very-secret"}}, admin)
	want(t, r, 201)
	id := int(decode(t, r)["id"].(float64))
	path := fmt.Sprintf("%s/credentials/%d/", v2, id)
	if in := decode(t, srv.Do("GET", path, nil, admin))["inputs"].(map[string]any); in["password"] != "$encrypted$" || in["username"] != "AKIA1" {
		t.Fatalf("inputs shown as %v", in)
	}
	// Sending $encrypted$ back keeps the secret ...
	want(t, srv.Do("PATCH", path, map[string]any{"inputs": map[string]any{"username": "AKIA2", "password": "$encrypted$"}}, admin), 200)
	if in := decode(t, srv.Do("GET", path, nil, admin))["inputs"].(map[string]any); in["password"] != "$encrypted$" {
		t.Errorf("secret lost: %v", in)
	}
	// ... while leaving it out replaces inputs without it: AWX checks
	// required inputs when a job starts, not on save.
	r = srv.Do("PATCH", path, map[string]any{"inputs": map[string]any{"username": "AKIA3"}}, admin)
	want(t, r, 200)
	if in := decode(t, r)["inputs"].(map[string]any); len(in) != 1 {
		t.Errorf("inputs after replacing them: %v", in)
	}
	// A secret sent empty is not stored.
	r = srv.Do("PATCH", path, map[string]any{"inputs": map[string]any{"username": "AKIA3", "password": ""}}, admin)
	if in := decode(t, r)["inputs"].(map[string]any); len(in) != 1 {
		t.Errorf("an empty secret was kept: %v", in)
	}
	// $encrypted$ on create is refused, as one message listed under inputs.
	r = srv.Do("POST", v2+"/users/3/credentials/", map[string]any{"name": "aws2", "credential_type": 5,
		"inputs": map[string]any{"username": "A", "password": "$encrypted$"}}, admin)
	wantBody(t, r, 400, `{"inputs": ["$encrypted$ is a reserved keyword, and cannot be used for password."]}`)
	for _, b := range []string{string(srv.Do("GET", "/_emulator/requests", nil).Body), string(srv.Do("GET", "/_emulator/state", nil).Body)} {
		if strings.Contains(b, "very-secret") || strings.Contains(b, "bob-ssh-secret") {
			t.Errorf("secret leaked: %s", b)
		}
	}
}

func names(t *testing.T, r *emulatortest.Response) []string {
	t.Helper()
	want(t, r, 200)
	var p struct{ Results []map[string]any }
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, x := range p.Results {
		if n, ok := x["name"].(string); ok {
			out = append(out, n)
		} else {
			out = append(out, x["username"].(string))
		}
	}
	return out
}

func TestFiltersSearchOrder(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenarioYAML("f.yaml", []byte(`
clock: 2026-01-01T00:00:00Z
include: [fixtures/awx/default-world.yaml]
awx:
  credentials:
    - {name: Prod SSH, user: admin, credentialType: Machine, description: production}
    - {name: prod-vault, user: admin, credentialType: Vault, inputs: {vault_password: x}}
    - {name: staging ssh, user: admin, credentialType: 1}
`)), emulator.WithResponseCheck(true))
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Prod SSH", "bob-ssh", "carol-aws", "prod-vault", "shared-vault", "staging ssh"}},
		{"name=bob-ssh", []string{"bob-ssh"}},
		{"name__icontains=SSH", []string{"Prod SSH", "bob-ssh", "staging ssh"}},
		{"name__startswith=prod", []string{"prod-vault"}},
		{"name__istartswith=prod", []string{"Prod SSH", "prod-vault"}},
		{"name__in=bob-ssh,carol-aws", []string{"bob-ssh", "carol-aws"}},
		{"credential_type=1", []string{"Prod SSH", "bob-ssh", "staging ssh"}},
		{"credential_type__name=Vault", []string{"prod-vault", "shared-vault"}},
		{"not__credential_type=1", []string{"carol-aws", "prod-vault", "shared-vault"}},
		{"organization__isnull=false", []string{"shared-vault"}},
		{"organization=1", []string{"shared-vault"}},
		{"or__name=bob-ssh&or__name=carol-aws", []string{"bob-ssh", "carol-aws"}},
		{"search=production", []string{"Prod SSH"}},
		{"search=VAULT", []string{"prod-vault", "shared-vault"}},
		{"order_by=-name", []string{"staging ssh", "shared-vault", "prod-vault", "carol-aws", "bob-ssh", "Prod SSH"}},
		{"order_by=credential_type,-id", []string{"staging ssh", "Prod SSH", "bob-ssh", "prod-vault", "shared-vault", "carol-aws"}},
		{"id__gt=4", []string{"prod-vault", "staging ssh"}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			got := names(t, srv.Do("GET", v2+"/credentials/?"+tc.query, nil, admin))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	bad := []struct{ query, body string }{
		{"order_by=colour", `{"detail": "Cannot resolve keyword 'colour' into field. Choices are: created, credential_type, credential_type__kind, credential_type__name, credential_type__namespace, description, id, managed, modified, name, organization"}`},
		{"id=abc", `{"detail": "Field 'id' expected a number but got 'abc'."}`},
		{"managed=maybe", `{"detail": "Unable to convert \"maybe\" to boolean"}`},
	}
	for _, b := range bad {
		wantBody(t, srv.Do("GET", v2+"/credentials/?"+b.query, nil, admin), 400, b.body)
	}
	wantBody(t, srv.Do("GET", v2+"/users/?password=x", nil, admin), 403, `{"detail": "Filtering on password fields is not allowed."}`)
	if got := names(t, srv.Do("GET", v2+"/users/?is_superuser=true", nil, admin)); !cmp.Equal(got, []string{"admin"}) {
		t.Errorf("users filter: %v", got)
	}
}

// TestPagingToTheEnd follows next links as awxkit and the Go clients do.
func TestPagingToTheEnd(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenarioYAML("p.yaml", []byte(`
awx:
  users: [{username: admin, password: password, superuser: true}]
  generate: {users: 60, credentialsPerUser: 1}
`)), emulator.WithResponseCheck(true))
	seen := map[float64]bool{}
	next := v2 + "/credentials/?page_size=25"
	var prev []string
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging did not end")
		}
		r := srv.Do("GET", next, nil, admin)
		want(t, r, 200)
		var p struct {
			Count          int
			Next, Previous *string
			Results        []map[string]any
		}
		_ = json.Unmarshal(r.Body, &p)
		if p.Count != 60 {
			t.Fatalf("count %d", p.Count)
		}
		for _, c := range p.Results {
			seen[c["id"].(float64)] = true
		}
		if p.Previous != nil {
			prev = append(prev, *p.Previous)
		}
		next = ""
		if p.Next != nil {
			next = *p.Next
		}
	}
	if len(seen) != 60 {
		t.Fatalf("saw %d credentials", len(seen))
	}
	if diff := cmp.Diff([]string{v2 + "/credentials/?page=1&page_size=25", v2 + "/credentials/?page=2&page_size=25"}, prev); diff != "" {
		t.Errorf("previous links (-want +got):\n%s", diff)
	}
	if m := decode(t, srv.Do("GET", v2+"/credentials/?page_size=500", nil, admin)); len(m["results"].([]any)) != 60 {
		t.Errorf("page_size above 200 is capped, not refused")
	}
	wantBody(t, srv.Do("GET", v2+"/credentials/?page=0", nil, admin), 404, `{"detail": "Invalid page."}`)
	wantBody(t, srv.Do("GET", v2+"/credentials/?page=x", nil, admin), 404, `{"detail": "Invalid page."}`)
	// An empty list still has a page 1.
	want(t, srv.Do("GET", v2+"/credentials/?name=none", nil, admin), 200)
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		want               string
	}{
		{"malformed JSON", "POST", v2 + "/users/", `{"username": `, nil, 400, `"detail"`},
		{"JSON array", "POST", v2 + "/users/", `[1]`, nil, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
		{"text body", "POST", v2 + "/users/", `x`, []string{"Content-Type: text/plain"}, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{"missing username", "POST", v2 + "/users/", `{}`, nil, 400, `{"username":["This field is required."]}`},
		{"bad username", "POST", v2 + "/users/", `{"username": "a b"}`, nil, 400, `{"username":["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]}`},
		{"bad email", "POST", v2 + "/users/", `{"username": "x", "email": "nope"}`, nil, 400, `{"email":["Enter a valid email address."]}`},
		{"bad boolean", "POST", v2 + "/users/", `{"username": "x", "is_superuser": "perhaps"}`, nil, 400, `{"is_superuser":["Must be a valid boolean."]}`},
		{"blank name", "POST", v2 + "/users/2/credentials/", `{"name": "", "credential_type": 1}`, nil, 400, `{"name":["This field may not be blank."]}`},
		{"name as object", "POST", v2 + "/users/2/credentials/", `{"name": {}, "credential_type": 1}`, nil, 400, `{"name":["Not a valid string."]}`},
		{"pk as bool", "POST", v2 + "/users/2/credentials/", `{"name": "n", "credential_type": true}`, nil, 400, `{"credential_type":["Incorrect type. Expected pk value, received bool."]}`},
		{"pk as letters", "POST", v2 + "/users/2/credentials/", `{"name": "n", "credential_type": "one"}`, nil, 400, `{"credential_type":["Incorrect type. Expected pk value, received str."]}`},
		{"pk as fraction", "POST", v2 + "/users/2/credentials/", `{"name": "n", "credential_type": 1.5}`, nil, 400, `{"credential_type":["Incorrect type. Expected pk value, received float."]}`},
		{"pk as null", "POST", v2 + "/users/2/credentials/", `{"name": "n", "credential_type": null}`, nil, 400, `{"credential_type":["This field may not be null."]}`},
		{"inputs as list", "POST", v2 + "/users/2/credentials/", `{"name": "n", "credential_type": 1, "inputs": []}`, nil, 400, `{"inputs":["Expected a dictionary of items but got type \"list\"."]}`},
		{"two owners", "POST", v2 + "/credentials/", `{"name": "n", "credential_type": 1, "user": 2, "organization": 1}`, nil, 400, `{"detail":["Only one of 'user', 'team', or 'organization' should be provided, received organization, user fields."]}`},
		{"missing user", "POST", v2 + "/credentials/", `{"name": "n", "credential_type": 1, "user": 77}`, nil, 400, `{"user":["Invalid pk \"77\" - object does not exist."]}`},
		{"PUT without name", "PUT", v2 + "/credentials/1/", `{"credential_type": 1}`, nil, 400, `{"name":["This field is required."]}`},
		{"unknown user path", "POST", v2 + "/users/99/credentials/", `{"name": "n", "credential_type": 1}`, nil, 404, `{"detail":"Not found."}`},
		{"bad kind", "POST", v2 + "/credential_types/", `{"name": "t", "kind": "ssh"}`, nil, 400, `{"kind":["Must be 'cloud' or 'net', not ssh"]}`},
		{"unknown kind", "POST", v2 + "/credential_types/", `{"name": "t", "kind": "bogus"}`, nil, 400, `{"kind":["\"bogus\" is not a valid choice."]}`},
		{"undefined injector field", "POST", v2 + "/credential_types/", `{"name": "t", "kind": "cloud", "inputs": {"fields": [{"id": "api_token", "label": "T"}]}, "injectors": {"env": {"TOKEN": "{{ api_tolkien }}"}}}`, nil, 400,
			`{"injectors":["TOKEN uses an undefined field ('api_tolkien' is undefined)"]}`},
		{"managed type edit", "PATCH", v2 + "/credential_types/1/", `{"name": "Mine"}`, nil, 403, `{"detail":"Modifications not allowed for managed credential types"}`},
		{"managed type delete", "DELETE", v2 + "/credential_types/1/", nil, nil, 403, `{"detail":"You do not have permission to perform this action."}`},
		{"method", "PUT", v2 + "/users/", `{}`, nil, 405, `{"detail":"Method \"PUT\" not allowed."}`},
		{"invalid UTF-8", "POST", v2 + "/users/", []byte("{\"username\": \"\xff\"}"), nil, 400, `"detail"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			before := srv.State()["apis"]
			r := srv.Do(tc.method, tc.path, tc.body, append([]string{admin}, tc.headers...)...)
			want(t, r, tc.status)
			if strings.HasPrefix(tc.want, "{") {
				wantBody(t, r, tc.status, tc.want)
			} else if !strings.Contains(string(r.Body), tc.want) {
				t.Errorf("body %s lacks %s", r.Body, tc.want)
			}
			if diff := cmp.Diff(before, srv.State()["apis"]); diff != "" {
				t.Errorf("state changed:\n%s", diff)
			}
		})
	}
}

// TestPrimaryKeysAsSent: DRF takes a primary key as a JSON integer or a
// string of digits, and an owner sent as null as no owner.
func TestPrimaryKeysAsSent(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
	}{
		{"type as a string of digits", v2 + "/users/2/credentials/", `{"name": "n", "credential_type": "1"}`},
		{"owner as a string of digits", v2 + "/credentials/", `{"name": "n", "credential_type": 1, "user": "2"}`},
		{"a null owner beside a real one", v2 + "/credentials/", `{"name": "n", "credential_type": 1, "user": 2, "organization": null, "team": null}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			r := srv.Do("POST", tc.path, tc.body, admin)
			want(t, r, 201)
			m := decode(t, r)
			if m["credential_type"] != float64(1) {
				t.Errorf("credential_type %v, want 1", m["credential_type"])
			}
			owners, _ := m["summary_fields"].(map[string]any)["owners"].([]any)
			if len(owners) != 1 || owners[0].(map[string]any)["name"] != "bob" {
				t.Errorf("owners %v, want bob alone", owners)
			}
		})
	}
}

func TestCredentialTypes(t *testing.T) {
	srv := start(t)
	m := decode(t, srv.Do("GET", v2+"/credential_types/?managed=true&page_size=200", nil, admin))
	if m["count"].(float64) != 30 {
		t.Errorf("%v managed types, want AWX 24.6.1's 30", m["count"])
	}
	r := srv.Do("POST", v2+"/credential_types/", map[string]any{"name": "Mine", "kind": "net",
		"inputs": map[string]any{"fields": []any{map[string]any{"id": "key", "label": "Key", "secret": true}}, "required": []any{"key"}}}, admin)
	want(t, r, 201)
	id := int(decode(t, r)["id"].(float64))
	if id != 31 {
		t.Errorf("custom type id %d, want 31 (after the built-ins)", id)
	}
	typePath := fmt.Sprintf("%s/credential_types/%d/", v2, id)
	// A credential of the custom type may be saved without its required
	// input (a job checks it), and its kind is null.
	r = srv.Do("POST", v2+"/users/2/credentials/", map[string]any{"name": "c0", "credential_type": id}, admin)
	want(t, r, 201)
	c0 := decode(t, r)
	if k, has := c0["kind"]; !has || k != nil {
		t.Errorf("kind of a custom type's credential: %v", k)
	}
	r = srv.Do("POST", v2+"/users/2/credentials/", map[string]any{"name": "c", "credential_type": id, "inputs": map[string]any{"key": "k"}}, admin)
	want(t, r, 201)
	if in := decode(t, r)["inputs"].(map[string]any); in["key"] != "$encrypted$" {
		t.Errorf("custom secret shown as %v", in["key"])
	}
	// In use: its inputs may not change (403), though sending them back
	// unchanged is fine; and it may not be deleted.
	wantBody(t, srv.Do("PATCH", typePath, map[string]any{"inputs": map[string]any{"fields": []any{}}}, admin), 403,
		`{"detail": "Modifications to inputs are not allowed for credential types that are in use"}`)
	want(t, srv.Do("PUT", typePath, map[string]any{"name": "Mine", "kind": "net", "description": "same inputs",
		"inputs": map[string]any{"fields": []any{map[string]any{"id": "key", "label": "Key", "secret": true}}, "required": []any{"key"}}}, admin), 200)
	wantBody(t, srv.Do("POST", v2+"/credential_types/", map[string]any{"name": "Ssh", "kind": "ssh"}, admin), 400,
		`{"kind": ["Must be 'cloud' or 'net', not ssh"]}`)
	wantBody(t, srv.Do("PATCH", v2+"/credential_types/1/", map[string]any{"description": "x"}, admin), 403,
		`{"detail": "Modifications not allowed for managed credential types"}`)
	wantBody(t, srv.Do("DELETE", typePath, nil, admin), 403, `{"detail": "Credential types that are in use cannot be deleted"}`)
	want(t, srv.Do("PATCH", typePath, map[string]any{"description": "mine"}, admin), 200)
	if n := len(names(t, srv.Do("GET", typePath+"credentials/", nil, admin))); n != 2 {
		t.Errorf("type's credentials: %d", n)
	}
	want(t, srv.Do("DELETE", v2+fmt.Sprintf("/credentials/%d/", int(decode(t, r)["id"].(float64))), nil, admin), 204)
	want(t, srv.Do("DELETE", v2+fmt.Sprintf("/credentials/%d/", int(c0["id"].(float64))), nil, admin), 204)
	want(t, srv.Do("DELETE", typePath, nil, admin), 204)
	// Only superusers create types.
	want(t, srv.Do("POST", v2+"/credential_types/", map[string]any{"name": "X", "kind": "cloud"}, bob), 403)
	wantBody(t, srv.Do("POST", v2+"/credential_types/", map[string]any{"name": "Machine", "kind": "ssh"}, admin), 400, `{"kind": ["Must be 'cloud' or 'net', not ssh"]}`)
}

func TestInjectedErrorsMatchNativeBodies(t *testing.T) {
	tests := []struct {
		respond fault.Respond
		status  int
		body    string
	}{
		{fault.Respond{Status: 400}, 400, `{"detail": "Invalid input."}`},
		{fault.Respond{Status: 401}, 401, `{"detail": "Authentication credentials were not provided. To establish a login session, visit /api/login/."}`},
		{fault.Respond{Status: 403}, 403, `{"detail": "You do not have permission to perform this action."}`},
		{fault.Respond{Status: 404}, 404, `{"detail": "Not found."}`},
		{fault.Respond{Status: 500}, 500, `{"detail": "A server error has occurred."}`},
		{fault.Respond{Kind: "already_exists"}, 400, `{"__all__": ["Credential with this Organization, Name and Credential type already exists."]}`},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status, tc.respond.Kind), func(t *testing.T) {
			srv := start(t)
			srv.AddFault(fault.Rule{Match: fault.Match{API: "awx", Operation: "createUserCredential"}, Respond: tc.respond})
			r := srv.Do("POST", v2+"/users/2/credentials/", map[string]any{"name": "n", "credential_type": 1}, admin)
			wantBody(t, r, tc.status, tc.body)
			if r.Header.Get("X-API-Product-Name") != "AWX" {
				t.Error("injected error without AWX headers")
			}
		})
	}
}

func TestScenarioFaults(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("faults"), emulator.WithResponseCheck(true))
	body := map[string]any{"name": "n", "credential_type": 1}
	want(t, srv.Do("POST", v2+"/users/2/credentials/", body, admin), 201)
	want(t, srv.Do("POST", v2+"/users/2/credentials/", body, admin), 500)
	want(t, srv.Do("POST", v2+"/users/2/credentials/", body, admin), 201)
}

func TestScenarioErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"awx:\n  users: [{username: 'a b'}]\n", "s.yaml:2:11: user: username is required"},
		{"awx:\n  credentials: [{name: c, user: ghost, credentialType: Machine}]\n", `s.yaml:2:17: credential "c": no user "ghost"`},
		{"awx:\n  users: [{username: a}]\n  credentials: [{name: c, user: a, credentialType: Nope}]\n", `s.yaml:3:17: credential "c": unknown credentialType "Nope"`},
		{"awx:\n  users: [{username: a}]\n  credentials: [{name: c, user: a, credentialType: Machine, inputs: {bogus: 1}}]\n", "Additional properties are not allowed ('bogus' was unexpected)"},
		{"awx:\n  tokens: [{token: t, user: nobody}]\n", "s.yaml:2:12: token: a token and an existing user are required"},
		{"awx:\n  credentialTypes: [{name: T, kind: cloud, inputs: {fields: [{id: 'bad id', label: x}]}}]\n", `credential type "T": inputs: "bad id" is not a valid field id`},
	}
	for _, tc := range tests {
		_, err := emulator.New(emulator.WithScenarioYAML("s.yaml", []byte(tc.yaml)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// TestClientFlow follows the seed's flow the way a Go AWX client does it:
// ping, authenticate, create a machine credential for a user, page through
// the user's credentials, read it back, patch it, delete it.
func TestClientFlow(t *testing.T) {
	srv := start(t)
	want(t, srv.Do("GET", v2+"/ping/", nil), 200)
	me := decode(t, srv.Do("GET", v2+"/me/", nil, bob))["results"].([]any)[0].(map[string]any)
	uid := int(me["id"].(float64))
	r := srv.Do("POST", fmt.Sprintf("%s/users/%d/credentials/", v2, uid), map[string]any{
		"name": "deploy", "credential_type": 1, "inputs": map[string]any{"username": "deploy", "password": "pw", "become_method": "sudo"}}, bob)
	want(t, r, 201)
	loc := r.Header.Get("Location")
	got := decode(t, srv.Do("GET", loc, nil, bob))
	if got["name"] != "deploy" || got["inputs"].(map[string]any)["password"] != "$encrypted$" || got["kind"] != "ssh" {
		t.Fatalf("read back: %v", got)
	}
	q := url.Values{"name__icontains": {"deploy"}}
	if n := names(t, srv.Do("GET", fmt.Sprintf("%s/users/%d/credentials/?%s", v2, uid, q.Encode()), nil, bob)); len(n) != 1 {
		t.Fatalf("sub-list filter: %v", n)
	}
	want(t, srv.Do("PATCH", loc, map[string]any{"description": "rotated"}, bob), 200)
	want(t, srv.Do("DELETE", loc, nil, bob), 204)
	want(t, srv.Do("GET", loc, nil, bob), 404)
}

// TestDjangoDetails checks two things Django does that clients meet: ids
// with leading zeros resolve, and names are capped at 150 characters.
func TestDjangoDetails(t *testing.T) {
	srv := start(t)
	r := srv.Do("GET", "/api/v2/users/0002/", nil, admin)
	if r.Status != 200 || r.JSON(t)["username"] != "bob" {
		t.Errorf("/users/0002/: %d %s", r.Status, r.Body)
	}
	r = srv.Do("PATCH", "/api/v2/users/2/", map[string]string{"first_name": strings.Repeat("x", 151)}, admin)
	if r.Status != 400 || !strings.Contains(string(r.Body), "first_name") {
		t.Errorf("151-character first_name: %d %s", r.Status, r.Body)
	}
	want(t, srv.Do("PATCH", "/api/v2/users/2/", map[string]string{"last_name": strings.Repeat("y", 150)}, admin), 200)
}

// encryptedKey is a PEM private key marked encrypted, as ssh-keygen writes
// one with a passphrase (its body only needs to be base64 here).
const encryptedKey = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\nbm90IGEgcmVhbCBrZXksIGJ1dCB2YWxpZCBiYXNlNjQ=\n-----END RSA PRIVATE KEY-----\n"

// clearKey is a PEM private key without a passphrase.
const clearKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n"
