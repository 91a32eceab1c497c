package drift

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// unknownUUID is an id no service holds: a well-formed one, so that the
// answer is the service's "not found", not its "malformed id".
const unknownUUID = "00000000-0000-4000-8000-00000000d71f"

// probesFor is the family's probe set: read-only unless opts.Write. Each
// probe is a request a client of the family makes: ping or version, lists
// and gets of the emulated objects, paging, a filter, an unknown id, bad
// credentials, and a malformed body the service refuses before it writes.
func probesFor(opts Options) ([]probe, error) {
	if !slices.Contains(Families, opts.Family) {
		return nil, fmt.Errorf("no family %q (the families: %s)", opts.Family, strings.Join(Families, ", "))
	}
	name := fmt.Sprintf("credemu-drift-%d", time.Now().Unix())
	get := func(n, path string, pick map[string]string, needs ...string) probe {
		return probe{name: n, method: http.MethodGet, path: path, pick: pick, needs: needs}
	}
	var ps []probe
	switch opts.Family {
	case "awx":
		const v2 = "/api/v2"
		ps = []probe{
			{name: "ping", method: http.MethodGet, path: v2 + "/ping/", auth: "none"},
			get("me", v2+"/me/", nil),
			get("users list", v2+"/users/?page_size=2", map[string]string{"user": "results.0.id"}),
			get("users list, second page", v2+"/users/?page_size=1&page=2", nil),
			get("users list, filtered", v2+"/users/?username__startswith=a", nil),
			get("user", v2+"/users/{user}/", nil, "user"),
			get("user's credentials", v2+"/users/{user}/credentials/", nil, "user"),
			get("credentials list", v2+"/credentials/?page_size=2", map[string]string{"cred": "results.0.id"}),
			get("credential", v2+"/credentials/{cred}/", nil, "cred"),
			get("credential types list", v2+"/credential_types/?page_size=2", nil),
			get("organizations list", v2+"/organizations/", nil),
			get("teams list", v2+"/teams/", nil),
			get("unknown user", v2+"/users/987654321/", nil),
			get("page past the end", v2+"/users/?page=987654", nil),
			{name: "bad credentials", method: http.MethodGet, path: v2 + "/me/", auth: "bad"},
			{name: "no credentials", method: http.MethodGet, path: v2 + "/users/", auth: "none"},
			{name: "malformed body", method: http.MethodPost, path: v2 + "/users/", body: "{"},
		}
		if opts.Write {
			ps = append(ps, writes(
				probe{name: "create user", method: http.MethodPost, path: v2 + "/users/",
					body: fmt.Sprintf(`{"username":%q,"password":"Drift-%d-pw","first_name":"credemu","last_name":"drift"}`, name, time.Now().UnixNano()),
					pick: map[string]string{"new": "id"}},
				get("created user", v2+"/users/{new}/", nil, "new"),
				probe{name: "update user", method: http.MethodPatch, path: v2 + "/users/{new}/", body: `{"last_name":"drift-updated"}`, needs: []string{"new"}},
				probe{name: "delete user", method: http.MethodDelete, path: v2 + "/users/{new}/", needs: []string{"new"}, cleanup: true},
				get("deleted user", v2+"/users/{new}/", nil, "new"),
			)...)
		}
	case "avisi":
		const org = "/api/v1/orgs/{org}"
		ps = []probe{
			get("cloud accounts list", org+"/cloud-accounts?size=2", map[string]string{"account": "content.0.identity"}),
			get("cloud accounts list, second page", org+"/cloud-accounts?size=1&page=1", nil),
			get("cloud accounts list, sorted", org+"/cloud-accounts?sort=displayName,desc", nil),
			get("cloud account", org+"/cloud-accounts/{account}", nil, "account"),
			get("cloud account's credentials", org+"/cloud-accounts/{account}/credentials", nil, "account"),
			get("cloud account's clusters", org+"/cloud-accounts/{account}/clusters", nil, "account"),
			get("cloud profiles list", org+"/cloud-profiles", map[string]string{"profile": "content.0.identity"}),
			get("cloud providers list", org+"/cloud-providers", nil),
			get("unknown cloud account", org+"/cloud-accounts/"+unknownUUID, nil),
			{name: "bad credentials", method: http.MethodGet, path: org + "/cloud-accounts", auth: "bad"},
			{name: "no credentials", method: http.MethodGet, path: org + "/cloud-accounts", auth: "none"},
			{name: "malformed body", method: http.MethodPost, path: org + "/cloud-accounts", body: "{"},
		}
		if opts.Write {
			ps = append(ps, writes(
				probe{name: "create cloud account", method: http.MethodPost, path: org + "/cloud-accounts",
					body: fmt.Sprintf(`{"displayName":%q,"cloudProfile":"{profile}"}`, name), pick: map[string]string{"new": "identity"}, needs: []string{"profile"}},
				get("created cloud account", org+"/cloud-accounts/{new}", nil, "new"),
				probe{name: "update cloud account", method: http.MethodPatch, path: org + "/cloud-accounts/{new}", body: `{"enabled":false}`, needs: []string{"new"}},
				probe{name: "delete cloud account", method: http.MethodDelete, path: org + "/cloud-accounts/{new}", needs: []string{"new"}, cleanup: true},
			)...)
		}
	case "zstack":
		const vids = "/zstack/v1/iam2/virtual-ids"
		ps = []probe{
			get("virtual IDs list", vids+"?limit=2", map[string]string{"vid": "inventories.0.uuid"}),
			get("virtual IDs list, with count", vids+"?limit=1&start=1&replyWithCount=true", nil),
			get("virtual IDs list, filtered", vids+"?q=state=Enabled", nil),
			get("virtual ID", vids+"/{vid}", nil, "vid"),
			get("unknown virtual ID", vids+"/"+strings.ReplaceAll(unknownUUID, "-", ""), nil),
			{name: "bad session", method: http.MethodGet, path: vids, auth: "bad"},
			{name: "malformed body", method: http.MethodPost, path: vids, body: "{"},
		}
		if opts.Write {
			// ZStack answers writes with API jobs; send polls them.
			ps = append(ps, writes(
				probe{name: "create virtual ID", method: http.MethodPost, path: vids,
					body: fmt.Sprintf(`{"params":{"name":%q,"password":"Drift-%d-pw","description":"credemu drift"}}`, name, time.Now().UnixNano()),
					pick: map[string]string{"new": "inventory.uuid"}},
				get("created virtual ID", vids+"/{new}", nil, "new"),
				probe{name: "update virtual ID", method: http.MethodPut, path: vids + "/{new}/actions",
					body: `{"updateIAM2VirtualID":{"description":"credemu drift updated"}}`, needs: []string{"new"}},
				probe{name: "delete virtual ID", method: http.MethodDelete, path: vids + "/{new}", needs: []string{"new"}, cleanup: true},
			)...)
		}
	case "vsphere":
		const la = "/api/appliance/local-accounts"
		ps = []probe{
			get("local accounts list", la, map[string]string{"account": "0"}),
			get("local account", la+"/{account}", nil, "account"),
			get("global policy", la+"/global-policy", nil),
			get("local accounts list (/rest)", "/rest/appliance/local-accounts", nil),
			get("local account (/rest)", "/rest/appliance/local-accounts/{account}", nil, "account"),
			get("unknown local account", la+"/credemu-drift-nobody", nil),
			{name: "bad credentials", method: http.MethodGet, path: la, auth: "bad"},
			{name: "no credentials", method: http.MethodGet, path: la, auth: "none"},
			{name: "malformed body", method: http.MethodPost, path: la, body: "{"},
		}
		if opts.Write {
			user := strings.ReplaceAll(name, "-", "")
			ps = append(ps, writes(
				probe{name: "create local account", method: http.MethodPost, path: la,
					body: fmt.Sprintf(`{"username":%q,"config":{"password":"Drift-%d-Pw!","roles":["operator"],"full_name":"credemu drift"}}`, user, time.Now().UnixNano())},
				probe{name: "created local account", method: http.MethodGet, path: la + "/" + user},
				probe{name: "update local account", method: http.MethodPatch, path: la + "/" + user, body: `{"full_name":"credemu drift updated"}`},
				probe{name: "delete local account", method: http.MethodDelete, path: la + "/" + user, cleanup: true},
			)...)
		}
	}
	return ps, nil
}

// writes marks probes as those of --write.
func writes(ps ...probe) []probe {
	for i := range ps {
		ps[i].write = true
	}
	return ps
}
