package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/credemu/credemu/emulator"
)

// FuzzScenario feeds arbitrary YAML to the scenario loader: it may refuse
// it, but must not panic, and a refusal must name the file.
func FuzzScenario(f *testing.F) {
	for _, seed := range []string{
		"name: x\n",
		"seed: 3\nclock: 2026-01-01T00:00:00Z\n",
		"include: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  organisations: [{slug: a, generate: {cloudAccounts: 3}}]\n",
		"faults:\n  - match: {api: avisi, body: {a.b: 1}}\n    respond: {status: 500, delay: 1ms}\n",
		"avisi:\n  tokens: [{token: t, organisations: ['*']}]\n",
		"&a [*a]\n",
		"avisi: {organisations: [{slug: a, clusters: [{name: c, cloudAccount: x, lastUsed: 2h}]}]}\n",
		"- 1\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, yaml string) {
		if strings.Contains(yaml, "generate") && !strings.Contains(yaml, "cloudAccounts: 3}") {
			t.Skip("generated worlds are tested elsewhere; large ones only slow the fuzzer")
		}
		_, err := emulator.New(emulator.WithScenarioYAML("fuzz.yaml", []byte(yaml)))
		if err != nil && !strings.Contains(err.Error(), "fuzz.yaml") && !strings.Contains(err.Error(), "fixtures") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

var (
	fuzzOnce sync.Once
	fuzzEmu  *emulator.Server
)

// FuzzRequests sends arbitrary methods, paths, queries and bodies to every
// API family: no input may panic or produce a 500 that no fault rule
// injected, and every Avisi error must be Avisi's own body.
func FuzzRequests(f *testing.F) {
	fuzzOnce.Do(func() {
		var err error
		fuzzEmu, err = emulator.New(emulator.WithScenario("default"), emulator.WithResponseCheck(true))
		if err != nil {
			f.Fatal(err)
		}
	})
	acct := "0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a01"
	for _, s := range []struct{ method, path, body string }{
		{"POST", "/api/v1/orgs/acme/cloud-accounts", `{"displayName":"a","cloudProfile":"aws-eu-west-1"}`},
		{"POST", "/api/v1/orgs/acme/cloud-accounts", `{"displayName":1}`},
		{"PATCH", "/api/v1/orgs/acme/cloud-accounts/" + acct, `{"primaryCloudCredentials":"","enabled":true}`},
		{"POST", "/api/v1/orgs/acme/cloud-accounts/" + acct + "/credentials/aws", `{"displayName":"k","credentials":{"accessKeyId":"a"}}`},
		{"POST", "/api/v1/orgs/acme/cloud-accounts/" + acct + "/credentials/dummy", ``},
		{"GET", "/api/v1/orgs/acme/cloud-accounts?page=-1&size=99999&sort=displayName,desc&sort=x", ``},
		{"DELETE", "/api/v1/orgs/acme/cloud-accounts/" + acct + "/credentials/zz", `[]`},
		{"GET", "/api/v1/orgs/%00/cloud-accounts", ``},
		{"POST", "/zstack/v1/iam2/virtual-ids", `{"params":{"name":"n","password":"p","attributes":[{"name":"a"}]}}`},
		{"PUT", "/zstack/v1/iam2/virtual-ids/894f1c5bf6714a76b08324c69b8cac7c/actions", `{"updateIAM2VirtualID":{"password":"x","oldPassword":"y"}}`},
		{"GET", "/zstack/v1/iam2/virtual-ids?q=name~=%25a&limit=2&sort=-name&fields=name", ``},
		{"PUT", "/zstack/v1/accounts/login", `{"logInByAccount":{"accountName":"admin","password":"p"}}`},
		{"GET", "/zstack/v1/api-jobs/0123", ``},
		{"POST", "/api/v2/users/2/credentials/", `{"name":"n","credential_type":1,"inputs":{"username":"u","ssh_key_unlock":"x"}}`},
		{"PATCH", "/api/v2/credentials/1/", `{"inputs":{"password":"$encrypted$"},"organization":null}`},
		{"GET", "/api/v2/credentials/?name__icontains=a&or__id=1&not__credential_type__in=1,2&order_by=-name&page=2&page_size=1", ``},
		{"POST", "/api/v2/credential_types/", `{"name":"t","kind":"cloud","inputs":{"fields":[{"id":"a","label":"A"}]},"injectors":{"env":{"X":"{{a}}"}}}`},
		{"GET", "/api/v2/users", ``},
		{"POST", "/rest/appliance/local-accounts/fuzzy", `{"config":{"password":"p","roles":["operator"],"password_expires_at":"2026-01-01T00:00:00Z"}}`},
		{"PATCH", "/api/appliance/local-accounts/ops", `{"password":"x","old_password":"y","max_days_between_password_change":3}`},
		{"PUT", "/rest/appliance/local-accounts/global-policy", `{"policy":{"max_days":1}}`},
		{"POST", "/rest/com/vmware/cis/session?~action=get", ``},
	} {
		f.Add(s.method, s.path, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(method, " \t\r\n") || method == "" || method == "CONNECT" {
			return
		}
		req, err := http.NewRequest(method, "http://emu"+path, bytes.NewReader([]byte(body)))
		if err != nil {
			return
		}
		if strings.HasPrefix(path, "/rest/") || strings.HasPrefix(path, "/api/appliance") || strings.HasPrefix(path, "/api/session") {
			req.SetBasicAuth("administrator@vsphere.local", "Passw0rd!")
		} else if strings.HasPrefix(path, "/api/v2/") {
			req.Header.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
		} else if strings.HasPrefix(path, "/zstack/") {
			req.Header.Set("Authorization", "OAuth 0123456789abcdef0123456789abcdef")
			req.Header.Set("X-Emulator-Async", []string{"true", "false"}[len(body)%2])
		} else {
			req.Header.Set("Authorization", "Token admin-token")
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Emulator-Sandbox", "fuzz")
		rec := httptest.NewRecorder()
		fuzzEmu.ServeHTTP(rec, req)
		// No fault rules are loaded, so nothing may look like an internal
		// failure: no 500, and no ZStack 503 with the internal code SYS.1006
		// (its other 503s are ordinary API errors).
		if rec.Code == 500 || (rec.Code >= 500 && !strings.HasPrefix(req.URL.Path, "/zstack/")) || strings.Contains(rec.Body.String(), `"SYS.1006"`) {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 && strings.HasPrefix(req.URL.Path, "/api/v2/") {
			var e map[string]any
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || len(e) == 0 {
				t.Fatalf("%s %s: not an AWX error body: %s", method, path, rec.Body.String())
			}
		}
		if rec.Code >= 400 && strings.HasPrefix(req.URL.Path, "/api/v1/") {
			var e struct {
				Message *string   `json:"message"`
				Details *[]string `json:"details"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Message == nil || e.Details == nil {
				t.Fatalf("%s %s: not an Avisi error body: %s", method, path, rec.Body.String())
			}
		}
	})
}
