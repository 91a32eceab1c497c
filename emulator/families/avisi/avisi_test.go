package avisi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/journal"
)

// testScenario is the default world on a fixed clock, so golden files hold
// stable timestamps.
const testScenario = `
name: avisi-test
seed: 42
clock: 2026-01-01T12:00:00Z
include:
  - fixtures/avisi/cloud-profiles.yaml
  - fixtures/avisi/default-world.yaml
`

const (
	admin   = "Authorization: Token admin-token"
	acme    = "/api/v1/orgs/acme"
	prodAWS = acme + "/cloud-accounts/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a01"
	azure   = acme + "/cloud-accounts/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a02"
	vsphere = acme + "/cloud-accounts/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a03"
	hetzner = acme + "/cloud-accounts/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a04"
	mainCr  = "5f1b7a0e-7c1e-4e8e-8d8b-2a1c9e6f0b11"
	backup  = "5f1b7a0e-7c1e-4e8e-8d8b-2a1c9e6f0b12"
)

func start(t *testing.T, extra ...emulator.Option) *emulatortest.Server {
	t.Helper()
	return emulatortest.StartYAML(t, "avisi-test.yaml", testScenario, extra...)
}

func startWith(t *testing.T, yaml string) *emulatortest.Server {
	t.Helper()
	return emulatortest.StartYAML(t, "test.yaml", yaml)
}

func wantStatus(t *testing.T, r *emulatortest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
}

// errorBody decodes Avisi's error document and checks its exact shape.
func errorBody(t *testing.T, r *emulatortest.Response) (string, []string) {
	t.Helper()
	var e struct {
		Message *string   `json:"message"`
		Details *[]string `json:"details"`
	}
	dec := json.NewDecoder(strings.NewReader(string(r.Body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Message == nil || e.Details == nil {
		t.Fatalf("not an Avisi error body (%v): %s", err, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return *e.Message, *e.Details
}

// TestGolden drives every operation once on a fresh server and compares
// each full response body with its golden file.
func TestGolden(t *testing.T) {
	emulatortest.RunGolden(t, start, []emulatortest.GoldenCase{
		emulatortest.Case("list-accounts", "GET", acme+"/cloud-accounts", nil, admin, 200),
		emulatortest.Case("list-accounts-filtered", "GET", acme+"/cloud-accounts?display-name=prod-aws&cloud-provider-slug=aws", nil, admin, 200),
		emulatortest.Case("list-accounts-sorted-page", "GET", acme+"/cloud-accounts?sort=displayName,desc&size=2&page=1", nil, admin, 200),
		emulatortest.Case("get-account", "GET", prodAWS, nil, admin, 200),
		emulatortest.Case("create-account", "POST", acme+"/cloud-accounts", map[string]any{"displayName": "new-account", "cloudProfile": "aws-eu-central-1", "metadata": map[string]string{"owner": "qa"}}, admin, 200),
		emulatortest.Case("update-account", "PATCH", azure, map[string]any{"displayName": "renamed", "enabled": false, "primaryCloudCredentials": ""}, admin, 200),
		emulatortest.Case("list-clusters", "GET", prodAWS+"/clusters", nil, admin, 200),
		emulatortest.Case("list-credentials", "GET", prodAWS+"/credentials", nil, admin, 200),
		emulatortest.Case("create-vsphere-credentials", "POST", vsphere+"/credentials/vsphere", map[string]any{"displayName": "vcenter admin", "credentials": map[string]string{"username": "u", "password": "p", "provisionUsername": "pu", "provisionPassword": "pp"}}, admin, 200),
		emulatortest.Case("set-primary", "POST", prodAWS+"/credentials/"+backup+"/set-primary", nil, admin, 200),
		emulatortest.Case("delete-credentials-in-use", "DELETE", prodAWS+"/credentials/"+mainCr, nil, admin, 400),
		emulatortest.Case("list-profiles", "GET", acme+"/cloud-profiles", nil, admin, 200),
		emulatortest.Case("list-providers", "GET", acme+"/cloud-providers?size=3", nil, admin, 200),
		emulatortest.Case("list-regions", "GET", acme+"/cloud-providers/aws/regions", nil, admin, 200),
		emulatortest.Case("error-unknown-provider", "GET", acme+"/cloud-providers/nope/regions", nil, admin, 404),
		emulatortest.Case("error-validation", "POST", acme+"/cloud-accounts", map[string]any{"displayName": strings.Repeat("x", 65), "metadata": map[string]any{"k": 1}}, admin, 400),
		emulatortest.Case("error-not-found", "GET", acme+"/cloud-accounts/00000000-0000-4000-8000-000000000000", nil, admin, 404),
		emulatortest.Case("error-unknown-route", "GET", "/api/v1/nothing-here", nil, admin, 404),
		emulatortest.Case("error-method", "PUT", prodAWS, nil, admin, 405),
	})
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name, method, path, header string
		body                       any
		status                     int
	}{
		{"no header", "GET", acme + "/cloud-accounts", "", nil, 401},
		{"unknown token", "GET", acme + "/cloud-accounts", "Authorization: Token nope", nil, 401},
		{"wrong scheme", "GET", acme + "/cloud-accounts", "Authorization: Basic YWRtaW46cHc=", nil, 401},
		{"empty token", "GET", acme + "/cloud-accounts", "Authorization: Token ", nil, 401},
		{"bearer accepted", "GET", acme + "/cloud-accounts", "Authorization: Bearer admin-token", nil, 200},
		{"scheme case-insensitive", "GET", acme + "/cloud-accounts", "Authorization: token admin-token", nil, 200},
		{"org-limited token on its org", "GET", acme + "/cloud-accounts", "Authorization: Token acme-token", nil, 200},
		{"org-limited token elsewhere", "GET", "/api/v1/orgs/globex/cloud-accounts", "Authorization: Token acme-token", nil, 403},
		{"read-only token reads", "GET", prodAWS, "Authorization: Token reader-token", nil, 200},
		{"read-only token writes", "POST", acme + "/cloud-accounts", "Authorization: Token reader-token", map[string]string{"displayName": "x", "cloudProfile": "aws-eu-west-1"}, 403},
		{"read-only token deletes", "DELETE", hetzner, "Authorization: Token reader-token", nil, 403},
		{"unknown org with wildcard token", "GET", "/api/v1/orgs/nope/cloud-accounts", admin, nil, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			var hs []string
			if tc.header != "" {
				hs = append(hs, tc.header)
			}
			r := srv.Do(tc.method, tc.path, tc.body, hs...)
			wantStatus(t, r, tc.status)
			if tc.status >= 400 {
				msg, _ := errorBody(t, r)
				if msg == "" {
					t.Error("empty message")
				}
			}
			if tc.status == 401 && r.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// TestBadInput sends malformed requests and checks each gets a clear 4xx
// in Avisi's format and leaves the state as it was.
func TestBadInput(t *testing.T) {
	ct := func(v string) string { return "Content-Type: " + v }
	tests := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		wantInMessage      string
		wantDetail         string
	}{
		{"malformed JSON", "POST", acme + "/cloud-accounts", `{"displayName": "x",`, nil, 400, "Malformed JSON", ""},
		{"JSON array", "POST", acme + "/cloud-accounts", `[1,2]`, nil, 400, "Invalid request", "request body: must be object, but got array"},
		{"JSON string", "POST", acme + "/cloud-accounts", `"hello"`, nil, 400, "Invalid request", "request body: must be object"},
		{"JSON null", "POST", acme + "/cloud-accounts", `null`, nil, 400, "Invalid request", "request body: must be object"},
		{"empty body", "POST", acme + "/cloud-accounts", "", nil, 400, "Required request body is missing", ""},
		{"text content type", "POST", acme + "/cloud-accounts", `{}`, []string{ct("text/plain")}, 415, "text/plain", ""},
		{"form content type", "PATCH", prodAWS, `enabled=true`, []string{ct("application/x-www-form-urlencoded")}, 415, "not supported", ""},
		{"invalid UTF-8", "POST", acme + "/cloud-accounts", []byte("{\"displayName\": \"\xff\xfe\", \"cloudProfile\": \"aws-eu-west-1\"}"), nil, 400, "UTF-8", ""},
		{"missing required", "POST", acme + "/cloud-accounts", `{}`, nil, 400, "Invalid request", "cloudProfile: is required"},
		{"wrong type", "POST", acme + "/cloud-accounts", `{"displayName": 5, "cloudProfile": "aws-eu-west-1"}`, nil, 400, "", "displayName: must be string, but got number"},
		{"too long", "POST", acme + "/cloud-accounts", map[string]string{"displayName": strings.Repeat("a", 65), "cloudProfile": "aws-eu-west-1"}, nil, 400, "", "displayName: length must be <= 64, but got 65"},
		{"empty name", "POST", acme + "/cloud-accounts", map[string]string{"displayName": "", "cloudProfile": "aws-eu-west-1"}, nil, 400, "", "displayName: length must be >= 1, but got 0"},
		{"metadata not strings", "POST", acme + "/cloud-accounts", map[string]any{"displayName": "m", "cloudProfile": "aws-eu-west-1", "metadata": map[string]any{"a": true}}, nil, 400, "", "metadata.a: must be string, but got boolean"},
		{"unknown cloud profile", "POST", acme + "/cloud-accounts", map[string]string{"displayName": "x", "cloudProfile": "mars-1"}, nil, 400, "Cloud profile 'mars-1' does not exist", ""},
		{"malformed uuid", "GET", acme + "/cloud-accounts/not-a-uuid", nil, nil, 400, "", "cloudAccountIdentity: must be a valid uuid"},
		{"malformed slug", "GET", "/api/v1/orgs/ACME/cloud-accounts", nil, nil, 400, "", "organisationSlug: does not match pattern"},
		{"unknown org", "POST", "/api/v1/orgs/nope/cloud-accounts", map[string]string{"displayName": "x", "cloudProfile": "aws-eu-west-1"}, nil, 404, "Organisation 'nope' not found", ""},
		{"unknown account", "PATCH", acme + "/cloud-accounts/00000000-0000-4000-8000-000000000000", `{}`, nil, 404, "Cloud account", ""},
		{"unknown credential", "POST", prodAWS + "/credentials/00000000-0000-4000-8000-000000000000/set-primary", nil, nil, 404, "Cloud credentials", ""},
		{"credential name pattern", "POST", prodAWS + "/credentials/aws", map[string]string{"displayName": "bad/name"}, nil, 400, "", "displayName: does not match pattern"},
		{"credential type mismatch", "POST", prodAWS + "/credentials/azure", map[string]string{"displayName": "az"}, nil, 400, "its cloud profile is of type 'aws'", ""},
		{"credentials wrong type", "POST", prodAWS + "/credentials/aws", map[string]any{"displayName": "k", "credentials": map[string]any{"accessKeyId": 12}}, nil, 400, "", "credentials.accessKeyId: must be string"},
		{"patch short name", "PATCH", prodAWS, map[string]string{"displayName": "ab"}, nil, 400, "", "displayName"},
		{"patch bad primary", "PATCH", prodAWS, map[string]string{"primaryCloudCredentials": "xyz"}, nil, 400, "", "primaryCloudCredentials"},
		{"patch foreign primary", "PATCH", prodAWS, map[string]string{"primaryCloudCredentials": "5f1b7a0e-7c1e-4e8e-8d8b-2a1c9e6f0b21"}, nil, 400, "do not belong", ""},
		{"unknown sort property", "GET", acme + "/cloud-accounts?sort=password,asc", nil, nil, 400, "No property 'password' found for type 'CloudAccount'", ""},
		{"bad sandbox name", "GET", acme + "/cloud-accounts", nil, []string{"X-Emulator-Sandbox: ../etc"}, 400, "X-Emulator-Sandbox", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			before := srv.State()
			r := srv.Do(tc.method, tc.path, tc.body, append([]string{admin}, tc.headers...)...)
			wantStatus(t, r, tc.status)
			msg, details := errorBody(t, r)
			if !strings.Contains(msg, tc.wantInMessage) {
				t.Errorf("message %q does not contain %q", msg, tc.wantInMessage)
			}
			if tc.wantDetail != "" && !containsPrefix(details, tc.wantDetail) {
				t.Errorf("details %q have no entry starting %q", details, tc.wantDetail)
			}
			if diff := cmp.Diff(before["apis"], srv.State()["apis"]); diff != "" {
				t.Errorf("state changed by a rejected request:\n%s", diff)
			}
		})
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func TestBodyTooLarge(t *testing.T) {
	srv := start(t, emulator.WithBodyLimit(1024))
	big := `{"displayName": "` + strings.Repeat("a", 2000) + `", "cloudProfile": "aws-eu-west-1"}`
	r := srv.Do("POST", acme+"/cloud-accounts", big, admin)
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if msg, _ := errorBody(t, r); !strings.Contains(msg, "1024") {
		t.Errorf("message %q does not name the limit", msg)
	}
}

func TestDefaultBodyLimitIsOneMiB(t *testing.T) {
	srv := start(t)
	big := `{"displayName": "` + strings.Repeat("a", 1<<20) + `"}`
	wantStatus(t, srv.Do("POST", acme+"/cloud-accounts", big, admin), http.StatusRequestEntityTooLarge)
}

// TestPagingToTheEnd follows pages the way Avisi's Go client does (only
// page=, until last is true) over generated accounts.
func TestPagingToTheEnd(t *testing.T) {
	srv := startWith(t, `
seed: 3
include: [fixtures/avisi/cloud-profiles.yaml]
avisi:
  tokens: [{token: admin-token, organisations: ["*"]}]
  organisations:
    - slug: bulk
      generate: {cloudAccounts: 45}
`)
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page > 10 {
			t.Fatal("paging did not end")
		}
		r := srv.Do("GET", fmt.Sprintf("/api/v1/orgs/bulk/cloud-accounts?page=%d", page), nil, admin)
		wantStatus(t, r, 200)
		var p struct {
			Content []struct {
				Identity string `json:"identity"`
			} `json:"content"`
			Last, First                       bool
			TotalElements, TotalPages, Number int
			NumberOfElements, Size            int
		}
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		if p.TotalElements != 45 || p.TotalPages != 3 || p.Size != 20 || p.Number != page || p.First != (page == 0) {
			t.Fatalf("page %d: %+v", page, p)
		}
		for _, c := range p.Content {
			if seen[c.Identity] {
				t.Fatalf("account %s on two pages", c.Identity)
			}
			seen[c.Identity] = true
		}
		if p.NumberOfElements != len(p.Content) {
			t.Fatalf("numberOfElements %d for %d items", p.NumberOfElements, len(p.Content))
		}
		if p.Last {
			break
		}
	}
	if len(seen) != 45 {
		t.Fatalf("saw %d accounts, want 45", len(seen))
	}
	// Past the end: an empty last page, not an error (Spring's behaviour).
	r := srv.Do("GET", "/api/v1/orgs/bulk/cloud-accounts?page=9&size=20", nil, admin)
	wantStatus(t, r, 200)
	if m := r.JSON(t); m["empty"] != true || m["last"] != true {
		t.Errorf("page past the end: %s", r.Body)
	}
	// Spring falls back to defaults for page and size it cannot read.
	m := srv.Do("GET", "/api/v1/orgs/bulk/cloud-accounts?page=x&size=-3", nil, admin).JSON(t)
	if m["number"] != 0.0 || m["size"] != 20.0 {
		t.Errorf("lenient paging: number %v size %v", m["number"], m["size"])
	}
	m = srv.Do("GET", "/api/v1/orgs/bulk/cloud-accounts?size=5000", nil, admin).JSON(t)
	if m["size"] != 2000.0 {
		t.Errorf("size is capped at 2000, got %v", m["size"])
	}
}

func TestDuplicateDisplayNameIsAlreadyExists(t *testing.T) {
	srv := start(t)
	body := map[string]string{"displayName": "prod-aws", "cloudProfile": "aws-eu-west-1"}
	r := srv.Do("POST", acme+"/cloud-accounts", body, admin)
	wantStatus(t, r, 400)
	msg, _ := errorBody(t, r)
	if !strings.Contains(msg, "already exists") {
		t.Errorf("message %q", msg)
	}
	if e := srv.Requests(journal.Filter{Operation: "createCloudAccount"}); len(e) != 1 || e[0].Kind != "already_exists" {
		t.Errorf("journal: %+v", e)
	}
	// The same name is free in another organisation.
	wantStatus(t, srv.Do("POST", "/api/v1/orgs/globex/cloud-accounts", body, admin), 200)
	// Renaming onto a taken name is refused too.
	wantStatus(t, srv.Do("PATCH", azure, map[string]string{"displayName": "prod-aws"}, admin), 400)
}

func TestDeleteRefusedWhileUsedByCluster(t *testing.T) {
	srv := start(t)
	r := srv.Do("DELETE", prodAWS, nil, admin)
	wantStatus(t, r, 400)
	if msg, _ := errorBody(t, r); !strings.Contains(msg, "last 24 hours") {
		t.Errorf("message %q", msg)
	}
	wantStatus(t, srv.Do("DELETE", prodAWS+"/credentials/"+mainCr, nil, admin), 400)
	// The backup credential is not used by any cluster.
	wantStatus(t, srv.Do("DELETE", prodAWS+"/credentials/"+backup, nil, admin), 204)
	// 22 hours later the cluster's last use (2h before start) is 24h old.
	srv.AdvanceClock(22*time.Hour + time.Second)
	wantStatus(t, srv.Do("DELETE", prodAWS+"/credentials/"+mainCr, nil, admin), 204)
	r = srv.Do("DELETE", prodAWS, nil, admin)
	wantStatus(t, r, 204)
	if len(r.Body) != 0 {
		t.Errorf("204 with a body: %q", r.Body)
	}
	wantStatus(t, srv.Do("GET", prodAWS, nil, admin), 404)
	// staging-azure's cluster last used it 72h ago: deletable at once.
	wantStatus(t, srv.Do("DELETE", azure, nil, admin), 204)
}

func TestCredentialsLifecycle(t *testing.T) {
	srv := start(t)
	create := func(path string, body any) map[string]any {
		t.Helper()
		r := srv.Do("POST", hetzner+"/credentials/"+path, body, admin)
		wantStatus(t, r, 200)
		return r.JSON(t)
	}
	// The seed's apiToken and the Go client's apiKey are both accepted.
	first := create("hetzner", map[string]any{"displayName": "first", "credentials": map[string]string{"apiToken": "tok-1"}})
	second := create("hetzner", map[string]any{"displayName": "second & more", "credentials": map[string]string{"apiKey": "tok-2"}})
	if first["isPrimary"] != true || second["isPrimary"] != false {
		t.Fatalf("first credential must become primary: %v %v", first["isPrimary"], second["isPrimary"])
	}
	acct := srv.Do("GET", hetzner, nil, admin).JSON(t)
	if acct["primaryCloudCredentialsIdentity"] != first["identity"] {
		t.Fatalf("account primary %v, want %v", acct["primaryCloudCredentialsIdentity"], first["identity"])
	}
	// set-primary moves both the account's pointer and isPrimary.
	r := srv.Do("POST", hetzner+"/credentials/"+second["identity"].(string)+"/set-primary", nil, admin)
	wantStatus(t, r, 200)
	if r.JSON(t)["primaryCloudCredentialsIdentity"] != second["identity"] {
		t.Fatalf("set-primary answer: %s", r.Body)
	}
	primaries := func() map[string]bool {
		var p struct {
			Content []struct {
				Identity  string
				IsPrimary bool
			}
		}
		_ = json.Unmarshal(srv.Do("GET", hetzner+"/credentials", nil, admin).Body, &p)
		out := map[string]bool{}
		for _, c := range p.Content {
			out[c.Identity] = c.IsPrimary
		}
		return out
	}
	want := map[string]bool{first["identity"].(string): false, second["identity"].(string): true}
	if diff := cmp.Diff(want, primaries()); diff != "" {
		t.Fatalf("isPrimary after set-primary (-want +got):\n%s", diff)
	}
	// PATCH primaryCloudCredentials does the same; "" leaves it alone.
	wantStatus(t, srv.Do("PATCH", hetzner, map[string]any{"primaryCloudCredentials": first["identity"]}, admin), 200)
	wantStatus(t, srv.Do("PATCH", hetzner, map[string]any{"primaryCloudCredentials": "", "displayName": "", "enabled": true}, admin), 200)
	want = map[string]bool{first["identity"].(string): true, second["identity"].(string): false}
	if diff := cmp.Diff(want, primaries()); diff != "" {
		t.Fatalf("isPrimary after PATCH (-want +got):\n%s", diff)
	}
	// Deleting the primary leaves the account without one.
	wantStatus(t, srv.Do("DELETE", hetzner+"/credentials/"+first["identity"].(string), nil, admin), 204)
	acct = srv.Do("GET", hetzner, nil, admin).JSON(t)
	if _, has := acct["primaryCloudCredentialsIdentity"]; has {
		t.Errorf("primary still set after deleting it: %v", acct)
	}
	wantStatus(t, srv.Do("DELETE", hetzner+"/credentials/"+first["identity"].(string), nil, admin), 404)
}

func TestDummyCredentialsNeedNoBody(t *testing.T) {
	srv := start(t)
	r := srv.Do("POST", acme+"/cloud-accounts", map[string]string{"displayName": "nothing", "cloudProfile": "none"}, admin)
	wantStatus(t, r, 200)
	id := r.JSON(t)["identity"].(string)
	r = srv.Do("POST", acme+"/cloud-accounts/"+id+"/credentials/dummy", nil, admin)
	wantStatus(t, r, 200)
	if m := r.JSON(t); m["displayName"] != "dummy" || m["cloudType"] != "dummy" {
		t.Errorf("dummy credentials: %s", r.Body)
	}
	// Dummy credentials do not fit a real cloud.
	wantStatus(t, srv.Do("POST", prodAWS+"/credentials/dummy", nil, admin), 400)
}

// TestSecretsNeverLeave checks that secrets sent in or seeded never come
// back in any response, the journal or the state dump.
func TestSecretsNeverLeave(t *testing.T) {
	srv := start(t)
	const secret = "s3cr3t-value-XYZ"
	bodies := [][]byte{}
	r := srv.Do("POST", prodAWS+"/credentials/aws", map[string]any{"displayName": "leak check", "credentials": map[string]string{"accessKeyId": "AKIA1", "accessKeySecret": secret}}, admin)
	wantStatus(t, r, 200)
	bodies = append(bodies, r.Body)
	bodies = append(bodies, srv.Do("GET", prodAWS+"/credentials", nil, admin).Body)
	bodies = append(bodies, srv.Do("GET", "/_emulator/requests", nil).Body)
	bodies = append(bodies, srv.Do("GET", "/_emulator/state", nil).Body)
	for _, b := range bodies {
		for _, s := range []string{secret, "prod-main-secret", "staging-secret"} {
			if strings.Contains(string(b), s) {
				t.Errorf("secret %q leaked in %s", s, b)
			}
		}
	}
	if !strings.Contains(string(bodies[2]), journal.Redacted) {
		t.Errorf("journal does not show the redaction marker: %s", bodies[2])
	}
}

// TestCloudProfileCatalogue checks that the vendor's catalogue is there in
// every scenario, that a scenario may extend it, replace an entry or turn it
// off, and that a provider or region has one id wherever it appears.
func TestCloudProfileCatalogue(t *testing.T) {
	const base = "avisi:\n  tokens: [{token: admin-token, organisations: [\"*\"]}]\n  organisations: [{slug: acme}]\n"
	type profile struct {
		Identity, DisplayName string
		CloudProviderResponse struct {
			ID   int
			Slug string
		}
		CloudProviderRegionResponses []struct{ ID int }
	}
	list := func(t *testing.T, yaml, query string) (ids []string, byID map[string]profile, total float64) {
		t.Helper()
		srv := startWith(t, yaml)
		r := srv.Do("GET", acme+"/cloud-profiles"+query, nil, admin)
		wantStatus(t, r, 200)
		var page struct {
			Content       []profile
			TotalElements float64
		}
		if err := json.Unmarshal(r.Body, &page); err != nil {
			t.Fatal(err)
		}
		byID = map[string]profile{}
		for _, p := range page.Content {
			ids = append(ids, p.Identity)
			byID[p.Identity] = p
		}
		return ids, byID, page.TotalElements
	}
	t.Run("present without include", func(t *testing.T) {
		ids, byID, total := list(t, base, "?size=100")
		if total != 11 || len(ids) != 11 || ids[0] != "aws-eu-west-1" {
			t.Fatalf("catalogue: total %v, %v", total, ids)
		}
		a, b := byID["aws-eu-west-1"].CloudProviderResponse, byID["aws-eu-central-1"].CloudProviderResponse
		if a.ID == 0 || a != b {
			t.Errorf("one provider, two ids: %+v vs %+v", a, b)
		}
		if byID["azure-westeurope"].CloudProviderResponse.ID == a.ID {
			t.Errorf("two providers share id %d", a.ID)
		}
	})
	t.Run("paged and sorted", func(t *testing.T) {
		ids, _, total := list(t, base, "?size=3&page=1&sort=identity,asc")
		if total != 11 || !cmp.Equal(ids, []string{"byon", "digitalocean-ams3", "empty"}) {
			t.Errorf("page 1 of 3 by identity: %v (total %v)", ids, total)
		}
	})
	t.Run("extend and replace", func(t *testing.T) {
		ids, byID, total := list(t, base+`  cloudProfiles:
    - {identity: aws-eu-west-1, displayName: Replaced, type: aws, regions: [eu-west-1]}
    - {identity: aws-us-east-1, displayName: AWS Virginia, type: aws, regions: [us-east-1, eu-west-1]}
`, "?size=100")
		if total != 12 || ids[0] != "aws-eu-west-1" || byID["aws-eu-west-1"].DisplayName != "Replaced" || ids[11] != "aws-us-east-1" {
			t.Fatalf("extended catalogue: %v %+v", ids, byID["aws-eu-west-1"])
		}
		west := byID["aws-eu-west-1"].CloudProviderRegionResponses[0].ID
		if got := byID["aws-us-east-1"].CloudProviderRegionResponses; len(got) != 2 || got[1].ID != west || got[0].ID == west {
			t.Errorf("region ids: eu-west-1 is %d, us-east-1 profile has %+v", west, got)
		}
	})
	t.Run("turned off", func(t *testing.T) {
		ids, _, _ := list(t, base+"  builtinCloudProfiles: false\n  cloudProfiles: [{identity: mine, type: none}]\n", "")
		if !cmp.Equal(ids, []string{"mine"}) {
			t.Errorf("profiles: %v", ids)
		}
	})
	t.Run("defined twice", func(t *testing.T) {
		_, err := emulator.New(emulator.WithScenarioYAML("twice.yaml", []byte(base+"  cloudProfiles: [{identity: x, type: none}, {identity: x, type: none}]\n")))
		if err == nil || !strings.Contains(err.Error(), `twice.yaml:4:46:`) || !strings.Contains(err.Error(), `cloud profile "x" is defined twice`) {
			t.Errorf("error = %v", err)
		}
	})
}
