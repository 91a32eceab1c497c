package avisi_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
)

// Avisi's Go client (github.com/avisi-cloud/go-client, package acloudapi)
// is not on the module proxy, so it cannot be a test dependency. These
// tests send the request shapes it sends and decode the answers the way it
// decodes them, as read from its source:
//   - "Authorization: Token <pat>" on every call;
//   - lists fetched with only ?page=N, following pages until "last";
//   - FindCloudAccountByName sends display-name and cloud-provider-slug,
//     the latter often empty, and fails on more than one hit;
//   - UpdateCloudAccount always sends displayName, enabled and
//     primaryCloudCredentials, empty when unchanged;
//   - GetCloudProfiles decodes a bare JSON array;
//   - errors are shown as "<status>: <message>".

type goClientPage struct {
	Content       []json.RawMessage `json:"content"`
	Last          bool              `json:"last"`
	TotalElements int               `json:"totalElements"`
}

type goClientAccount struct {
	Identity                        string `json:"identity"`
	DisplayName                     string `json:"displayName"`
	Enabled                         bool   `json:"enabled"`
	PrimaryCloudCredentialsIdentity string `json:"primaryCloudCredentialsIdentity"`
	Metadata                        struct {
		ParentResourcePool *string `json:"parentResourcePool,omitempty"`
		ParentFolder       *string `json:"parentFolder,omitempty"`
		TenantID           *string `json:"tenantId,omitempty"`
	} `json:"metadata"`
	CloudProfile struct {
		Identity      string   `json:"identity"`
		Type          string   `json:"type"`
		CloudProvider string   `json:"cloudProvider"`
		Regions       []string `json:"regions"`
	} `json:"cloudProfile"`
}

func TestGoClientFlows(t *testing.T) {
	srv := start(t)
	const tok = "Authorization: Token admin-token"

	getPaged := func(path string) []json.RawMessage {
		t.Helper()
		var all []json.RawMessage
		for page := 0; page < 100; page++ {
			sep := "?"
			if u, _ := url.Parse(path); u.RawQuery != "" {
				sep = "&"
			}
			r := srv.Do("GET", fmt.Sprintf("%s%spage=%d", path, sep, page), nil, tok)
			wantStatus(t, r, 200)
			var p goClientPage
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatalf("page does not decode as the client's PagedResult: %v", err)
			}
			all = append(all, p.Content...)
			if p.Last {
				return all
			}
		}
		t.Fatal("never saw last=true")
		return nil
	}

	// GetCloudAccounts
	if n := len(getPaged(acme + "/cloud-accounts")); n != 4 {
		t.Fatalf("GetCloudAccounts: %d accounts", n)
	}

	// FindCloudAccountByName with an empty provider slug.
	found := getPaged(acme + "/cloud-accounts?display-name=onprem-vsphere&cloud-provider-slug=")
	if len(found) != 1 {
		t.Fatalf("FindCloudAccountByName: %d hits", len(found))
	}
	var acct goClientAccount
	if err := json.Unmarshal(found[0], &acct); err != nil {
		t.Fatal(err)
	}
	if acct.Metadata.ParentFolder == nil || *acct.Metadata.ParentFolder != "/dc1/vm/ame" || acct.CloudProfile.Type != "vsphere" {
		t.Errorf("account as the client sees it: %+v", acct)
	}

	// CreateCloudAccount with the client's metadata struct (omitempty fields).
	r := srv.Do("POST", acme+"/cloud-accounts", map[string]any{"displayName": "from-client", "cloudProfile": "openstack-default", "metadata": map[string]string{"tenantId": "t-1"}}, tok)
	wantStatus(t, r, 200)
	var created goClientAccount
	_ = json.Unmarshal(r.Body, &created)

	// The client checks cloudProfile.type against the credential type.
	if created.CloudProfile.Type != "openstack" {
		t.Fatalf("profile type %q", created.CloudProfile.Type)
	}
	r = srv.Do("POST", acme+"/cloud-accounts/"+created.Identity+"/credentials/openstack",
		map[string]any{"displayName": "os", "credentials": map[string]string{"credential": "blob"}}, tok)
	wantStatus(t, r, 200)

	// UpdateCloudAccount: every field sent, empty meaning unchanged.
	r = srv.Do("PATCH", acme+"/cloud-accounts/"+created.Identity,
		map[string]any{"displayName": "", "enabled": true, "primaryCloudCredentials": ""}, tok)
	wantStatus(t, r, 200)
	var updated goClientAccount
	_ = json.Unmarshal(r.Body, &updated)
	if updated.DisplayName != "from-client" || updated.PrimaryCloudCredentialsIdentity == "" {
		t.Errorf("update with empty fields changed them: %+v", updated)
	}

	// GetCloudProfiles decodes a bare array.
	var profiles []struct {
		Identity string `json:"identity"`
		Type     string `json:"type"`
	}
	r = srv.Do("GET", acme+"/cloud-profiles", nil, tok)
	if err := json.Unmarshal(r.Body, &profiles); err != nil || len(profiles) == 0 {
		t.Fatalf("GetCloudProfiles: %v %s", err, r.Body)
	}

	// DeleteCloudAccount answers 204 with nothing to decode.
	r = srv.Do("DELETE", acme+"/cloud-accounts/"+created.Identity, nil, tok)
	wantStatus(t, r, 204)

	// Error display: "<status>: <message>".
	r = srv.Do("GET", acme+"/cloud-accounts/"+created.Identity, nil, tok)
	msg, _ := errorBody(t, r)
	if got := fmt.Sprintf("%d: %s", r.Status, msg); got != "404: Cloud account '"+created.Identity+"' not found" {
		t.Errorf("client would show %q", got)
	}
}
