package zstack_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// ZStack's Go SDK (zstack-sdk-go) is not a test dependency here; these
// flows send what its ZSHttpClient sends, as read from its source:
//   - PUT v1/accounts/login with the SHA-512 password, then
//     "Authorization: OAuth <uuid>" plus "x-session-id" on every call;
//   - ListAll pages with start/limit=50 and replyWithCount=true until a
//     page comes back short;
//   - Get reads "inventories" and fails on zero or several;
//   - a write whose answer holds "location" is waited for: the location's
//     host is replaced with the configured one, then polled while 202;
//   - Delete sends ?deleteMode=.
func TestGoSDKFlows(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenarioYAML("sdk.yaml", []byte(`
include: [fixtures/zstack/default-world.yaml]
zstack:
  generate: {virtualIDs: 120}
  jobs: {polls: 3}
`)), emulator.WithResponseCheck(true))
	r := srv.Do("PUT", base+"/accounts/login", map[string]any{"logInByAccount": map[string]string{"accountName": "admin", "password": sha("password")}})
	want(t, r, 200)
	id := r.JSON(t)["inventory"].(map[string]any)["uuid"].(string)
	auth := []string{"Authorization: OAuth " + id, "x-session-id: " + id}

	// ListAll
	var all []json.RawMessage
	for start := 0; ; start += 50 {
		q := url.Values{"start": {fmt.Sprint(start)}, "limit": {"50"}, "replyWithCount": {"true"}}
		var page struct {
			Inventories []json.RawMessage `json:"inventories"`
			Total       string            `json:"-"`
		}
		r := srv.Do("GET", vids+"?"+q.Encode(), nil, auth...)
		want(t, r, 200)
		if err := json.Unmarshal(r.Body, &page); err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Inventories...)
		if start+50 > len(all) {
			break
		}
	}
	if len(all) != 122 {
		t.Fatalf("ListAll saw %d virtual IDs, want 122", len(all))
	}

	// Post with an API job, waited for through a rewritten host.
	r = srv.Do("POST", vids, map[string]any{"params": map[string]string{"name": "sdk-user", "password": sha("pw")}}, append(auth, "X-Emulator-Async: true")...)
	want(t, r, 202)
	loc := r.JSON(t)["location"].(string)
	parts := strings.Split(loc, "/zstack/v1/api-jobs")
	if len(parts) != 2 {
		t.Fatalf("location %q", loc)
	}
	rewritten := "/zstack/v1/api-jobs" + parts[1]
	polls := 0
	for {
		r = srv.Do("GET", rewritten, nil, auth...)
		if r.Status != 202 {
			break
		}
		polls++
	}
	want(t, r, 200)
	created := r.JSON(t)["inventory"].(map[string]any)
	if polls != 3 || created["name"] != "sdk-user" {
		t.Fatalf("waited %d polls for %v", polls, created)
	}

	// Get
	r = srv.Do("GET", vids+"/"+created["uuid"].(string), nil, auth...)
	var got struct{ Inventories []map[string]any }
	_ = json.Unmarshal(r.Body, &got)
	if len(got.Inventories) != 1 || got.Inventories[0]["name"] != "sdk-user" {
		t.Fatalf("Get: %s", r.Body)
	}

	// Delete, synchronously
	want(t, srv.Do("DELETE", vids+"/"+created["uuid"].(string)+"?deleteMode=Permissive", nil, auth...), 200)
	r = srv.Do("GET", vids+"/"+created["uuid"].(string), nil, auth...)
	_ = json.Unmarshal(r.Body, &got)
	if len(got.Inventories) != 0 {
		t.Fatal("deleted virtual ID still found")
	}
}
