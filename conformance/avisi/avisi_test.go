// Package avisi_test runs Avisi's own Go client (github.com/avisi-cloud/go-client,
// unmodified, from ../shared/clients) against credemu started in-process, and
// asserts on what the client returns, never on raw HTTP.
package avisi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/avisi-cloud/go-client/pkg/acloudapi"
	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

// Well-known objects of the built-in default scenario (README).
const (
	acme          = "acme"
	globex        = "globex"
	prodAWS       = "0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a01"
	stagingAzure  = "0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a02"
	prodMainCreds = "5f1b7a0e-7c1e-4e8e-8d8b-2a1c9e6f0b11"
	prodBackup    = "5f1b7a0e-7c1e-4e8e-8d8b-2a1c9e6f0b12"
)

// start runs credemu on the default scenario with the response self-check
// on, and returns it with a client using token.
func start(t *testing.T) *emulatortest.Server {
	t.Helper()
	return emulatortest.Start(t, emulator.WithScenario("default"), emulator.WithResponseCheck(true))
}

func client(srv *emulatortest.Server, token string) acloudapi.Client {
	return acloudapi.NewClient(acloudapi.NewPersonalAccessTokenAuthenticator(token), acloudapi.ClientOpts{APIUrl: srv.URL()})
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func names(accts []acloudapi.CloudAccount) []string {
	out := make([]string, len(accts))
	for i, a := range accts {
		out[i] = a.DisplayName
	}
	return out
}

func TestCloudAccounts(t *testing.T) {
	ctx := context.Background()
	srv := start(t)
	c := client(srv, "admin-token")

	accts, err := c.GetCloudAccounts(ctx, acme)
	if err != nil {
		t.Fatalf("GetCloudAccounts: %v", err)
	}
	if diff := cmp.Diff([]string{"prod-aws", "staging-azure", "onprem-vsphere", "lab-hetzner"}, names(accts)); diff != "" {
		t.Errorf("GetCloudAccounts (-want +got):\n%s", diff)
	}
	if accts[0].CloudProfile.CloudProviderResponse.ID == 0 || accts[0].CloudProfile.CloudProviderResponse.Slug != "aws" {
		t.Errorf("provider as decoded: %+v", accts[0].CloudProfile.CloudProviderResponse)
	}

	found, err := c.FindCloudAccountByName(ctx, acme, "onprem-vsphere", "")
	if err != nil {
		t.Fatalf("FindCloudAccountByName: %v", err)
	}
	if found.CloudProfile.Type != "vsphere" || found.Metadata.VsphereParentFolder == nil || *found.Metadata.VsphereParentFolder != "/dc1/vm/ame" {
		t.Errorf("found account: %+v", found)
	}
	if _, err := c.FindCloudAccountByName(ctx, acme, "prod-aws", "aws"); err != nil {
		t.Errorf("FindCloudAccountByName with provider: %v", err)
	}
	_, err = c.FindCloudAccountByName(ctx, acme, "prod-aws", "azure")
	wantErr(t, err, `cloud account "prod-aws" for cloud provider "azure" not found`)

	tenant := "tenant-1"
	created, err := c.CreateCloudAccount(ctx, acme, acloudapi.CreateCloudAccount{
		DisplayName: "from-client", CloudProfile: "openstack-default",
		Metadata: acloudapi.CloudAccountMetadata{OpenStackTenantID: &tenant},
	})
	if err != nil {
		t.Fatalf("CreateCloudAccount: %v", err)
	}
	if created.Identity == "" || !created.Enabled || created.CloudProfile.Type != "openstack" ||
		created.Metadata.OpenStackTenantID == nil || *created.Metadata.OpenStackTenantID != tenant {
		t.Errorf("created: %+v", created)
	}

	// The client always sends every field; an empty primary means unchanged,
	// and enabled is applied as sent.
	updated, err := c.UpdateCloudAccount(ctx, acme, created.Identity, acloudapi.UpdateCloudAccount{DisplayName: "renamed", Enabled: false})
	if err != nil {
		t.Fatalf("UpdateCloudAccount: %v", err)
	}
	if updated.DisplayName != "renamed" || updated.Enabled || updated.Identity != created.Identity {
		t.Errorf("updated: %+v", updated)
	}
	primary, err := c.UpdateCloudAccount(ctx, acme, prodAWS, acloudapi.UpdateCloudAccount{Enabled: true, PrimaryCloudCredentials: prodBackup})
	if err != nil {
		t.Fatalf("UpdateCloudAccount primary: %v", err)
	}
	if primary.PrimaryCloudCredentialsIdentity != prodBackup || primary.DisplayName != "prod-aws" {
		t.Errorf("set primary through update: %+v", primary)
	}

	if err := c.DeleteCloudAccount(ctx, acme, created.Identity); err != nil {
		t.Fatalf("DeleteCloudAccount: %v", err)
	}
	if _, err := c.FindCloudAccountByName(ctx, acme, "renamed", ""); err == nil {
		t.Error("deleted account is still found")
	}
}

func TestPagingFollowsEveryPage(t *testing.T) {
	ctx := context.Background()
	srv := start(t)
	c := client(srv, "admin-token")
	for i := range 45 {
		if _, err := c.CreateCloudAccount(ctx, acme, acloudapi.CreateCloudAccount{DisplayName: fmt.Sprintf("bulk-%02d", i), CloudProfile: "aws-eu-west-1"}); err != nil {
			t.Fatal(err)
		}
	}
	accts, err := c.GetCloudAccounts(ctx, acme)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 49 || accts[48].DisplayName != "bulk-44" {
		t.Errorf("GetCloudAccounts over 3 pages: %d accounts, last %q", len(accts), accts[len(accts)-1].DisplayName)
	}
	// page=0, 1, 2: the client stops at last=true.
	if n := len(srv.Requests(journal.Filter{Operation: "listCloudAccounts"})); n != 3 {
		t.Errorf("client made %d list calls, want 3", n)
	}
}

func TestCloudProfilesAndProviders(t *testing.T) {
	ctx := context.Background()
	c := client(start(t), "acme-token")
	profiles, err := c.GetCloudProfiles(ctx, acme)
	if err != nil {
		t.Fatalf("GetCloudProfiles: %v", err)
	}
	if len(profiles) != 11 {
		t.Fatalf("GetCloudProfiles: %d profiles", len(profiles))
	}
	byID := map[string]acloudapi.CloudProfile{}
	for _, p := range profiles {
		byID[p.Identity] = p
	}
	west, central := byID["aws-eu-west-1"], byID["aws-eu-central-1"]
	if west.Type != "aws" || west.CloudProviderResponse != central.CloudProviderResponse || west.CloudProviderResponse.ID == 0 {
		t.Errorf("one provider, one id: %+v vs %+v", west.CloudProviderResponse, central.CloudProviderResponse)
	}
	if len(west.CloudProviderRegionResponses) != 1 || west.CloudProviderRegionResponses[0].Slug != "eu-west-1" || west.CloudProviderRegionResponses[0].ID == 0 {
		t.Errorf("regions: %+v", west.CloudProviderRegionResponses)
	}

	providers, err := c.GetCloudProviders(ctx, acme)
	if err != nil {
		t.Fatalf("GetCloudProviders: %v", err)
	}
	var aws acloudapi.CloudProvider
	for _, p := range providers {
		if p.Slug == "aws" {
			aws = p
		}
	}
	if aws != west.CloudProviderResponse {
		t.Errorf("GetCloudProviders aws = %+v, profile says %+v", aws, west.CloudProviderResponse)
	}
	regions, err := c.GetRegions(ctx, acme, "aws")
	if err != nil {
		t.Fatalf("GetRegions: %v", err)
	}
	if len(regions) != 2 || regions[0] != west.CloudProviderRegionResponses[0] || regions[1] != central.CloudProviderRegionResponses[0] {
		t.Errorf("GetRegions: %+v", regions)
	}
	_, err = c.GetRegions(ctx, acme, "nope")
	wantErr(t, err, "404: Cloud provider 'nope' not found")
}

func TestCloudCredentials(t *testing.T) {
	ctx := context.Background()
	srv := start(t)
	c := client(srv, "admin-token")

	creds, err := c.GetCloudCredentials(ctx, acme, prodAWS)
	if err != nil {
		t.Fatalf("GetCloudCredentials: %v", err)
	}
	if len(creds) != 2 || !creds[0].IsPrimary || creds[0].Identity != prodMainCreds || creds[0].CloudType != "aws" || creds[0].CreatedAt.IsZero() {
		t.Errorf("GetCloudCredentials: %+v", creds)
	}

	cases := []struct {
		profile string
		creds   acloudapi.CloudCredentialCredentials
	}{
		{"aws-eu-west-1", &acloudapi.CloudCredentialAWS{AccessKeyID: "AKIA1", AccessKeySecret: "s3cret"}},
		{"azure-westeurope", &acloudapi.CloudCredentialAzure{ClientID: "c", ClientSecret: "s", SubscriptionID: "sub", TenantID: "t"}},
		{"digitalocean-ams3", &acloudapi.CloudCredentialDigitalOcean{APIKey: "k"}},
		{"hetzner-fsn1", &acloudapi.CloudCredentialHetzner{APIKey: "k"}},
		{"openstack-default", &acloudapi.CloudCredentialOpenStack{CredentialID: "id", CredentialSecret: "s"}},
		{"vsphere-default", &acloudapi.CloudCredentialVSphere{Username: "u", Password: "p", ProvisionUsername: "pu", ProvisionPassword: "pp"}},
	}
	for _, tc := range cases {
		t.Run(tc.profile, func(t *testing.T) {
			acct, err := c.CreateCloudAccount(ctx, acme, acloudapi.CreateCloudAccount{DisplayName: "acct " + tc.profile, CloudProfile: tc.profile})
			if err != nil {
				t.Fatal(err)
			}
			cr, err := c.CreateCloudCredential(ctx, acme, *acct, acloudapi.CreateCloudCredential{DisplayName: "first & only", Credentials: tc.creds})
			if err != nil {
				t.Fatalf("CreateCloudCredential: %v", err)
			}
			if cr.CloudAccountIdentity != acct.Identity || string(cr.CloudType) != acct.CloudProfile.Type || !cr.IsPrimary || cr.DisplayName != "first & only" {
				t.Errorf("created credential: %+v", cr)
			}
			list, err := c.GetCloudCredentials(ctx, acme, acct.Identity)
			if err != nil || len(list) != 1 || list[0].Identity != cr.Identity {
				t.Fatalf("GetCloudCredentials: %+v, %v", list, err)
			}
			if err := c.DeleteCloudCredential(ctx, acme, acct.Identity, cr.Identity); err != nil {
				t.Fatalf("DeleteCloudCredential: %v", err)
			}
			if list, _ := c.GetCloudCredentials(ctx, acme, acct.Identity); len(list) != 0 {
				t.Errorf("credential still listed: %+v", list)
			}
		})
	}
	// Secrets never come back, in answers or the journal.
	for _, e := range srv.Requests(journal.Filter{}) {
		if strings.Contains(string(e.RequestBody)+string(e.ResponseBody), "s3cret") {
			t.Errorf("secret in journal entry %s %s", e.Method, e.Path)
		}
	}
}

func TestErrorPaths(t *testing.T) {
	ctx := context.Background()
	srv := start(t)
	admin := client(srv, "admin-token")

	t.Run("401 unknown token", func(t *testing.T) {
		_, err := client(srv, "nope").GetCloudAccounts(ctx, acme)
		wantErr(t, err, "401: The access token is invalid or has expired.")
	})
	t.Run("403 read-only token", func(t *testing.T) {
		reader := client(srv, "reader-token")
		if _, err := reader.GetCloudAccounts(ctx, acme); err != nil {
			t.Fatalf("read with a read-only token: %v", err)
		}
		_, err := reader.CreateCloudAccount(ctx, acme, acloudapi.CreateCloudAccount{DisplayName: "x", CloudProfile: "aws-eu-west-1"})
		wantErr(t, err, "403: This access token is read-only.")
	})
	t.Run("403 other organisation", func(t *testing.T) {
		_, err := client(srv, "acme-token").GetCloudAccounts(ctx, globex)
		wantErr(t, err, "403: You do not have the necessary permissions to access this resource.")
	})
	t.Run("404", func(t *testing.T) {
		err := admin.DeleteCloudAccount(ctx, acme, "00000000-0000-4000-8000-000000000000")
		wantErr(t, err, "404: Cloud account '00000000-0000-4000-8000-000000000000' not found")
		_, err = admin.GetCloudAccounts(ctx, "no-such-org")
		wantErr(t, err, "404: Organisation 'no-such-org' not found")
	})
	t.Run("duplicate name", func(t *testing.T) {
		_, err := admin.CreateCloudAccount(ctx, acme, acloudapi.CreateCloudAccount{DisplayName: "prod-aws", CloudProfile: "aws-eu-west-1"})
		wantErr(t, err, "400: A cloud account with display name 'prod-aws' already exists in organisation 'acme'")
	})
	t.Run("unknown profile", func(t *testing.T) {
		_, err := admin.CreateCloudAccount(ctx, acme, acloudapi.CreateCloudAccount{DisplayName: "x", CloudProfile: "nope"})
		wantErr(t, err, "400: Cloud profile 'nope' does not exist")
	})
	t.Run("wrong credential type for the profile", func(t *testing.T) {
		// The client checks the type against the account it is given; an
		// account value that claims aws lets the request reach the server.
		acct := acloudapi.CloudAccount{Identity: stagingAzure, CloudProfile: acloudapi.CloudProfile{Type: "aws"}}
		_, err := admin.CreateCloudCredential(ctx, acme, acct, acloudapi.CreateCloudCredential{DisplayName: "x", Credentials: &acloudapi.CloudCredentialAWS{AccessKeyID: "a", AccessKeySecret: "b"}})
		wantErr(t, err, "400: Cannot add aws credentials to cloud account 'staging-azure': its cloud profile is of type 'azure'")
	})
	t.Run("credential in use", func(t *testing.T) {
		err := admin.DeleteCloudCredential(ctx, acme, prodAWS, prodMainCreds)
		wantErr(t, err, "400: Cloud credentials 'main' were used by cluster 'prod' in the last 24 hours and cannot be deleted")
	})
}

func TestInjectedFaults(t *testing.T) {
	ctx := context.Background()
	create := acloudapi.CreateCloudAccount{DisplayName: "faulty", CloudProfile: "aws-eu-west-1"}

	t.Run("500 then retry succeeds", func(t *testing.T) {
		srv := start(t)
		c := client(srv, "admin-token")
		srv.AddFault(fault.Rule{Match: fault.Match{API: "avisi", Operation: "createCloudAccount"}, Times: 1, Respond: fault.Respond{Status: 500}})
		_, err := c.CreateCloudAccount(ctx, acme, create)
		wantErr(t, err, "500: An internal error occurred on the server.")
		// Nothing was committed, so the retry is not a duplicate.
		if _, err := c.CreateCloudAccount(ctx, acme, create); err != nil {
			t.Errorf("retry after an injected 500: %v", err)
		}
	})
	t.Run("already_exists", func(t *testing.T) {
		srv := start(t)
		srv.AddFault(fault.Rule{Match: fault.Match{Operation: "createCloudAccount", Body: map[string]any{"displayName": "faulty"}}, Respond: fault.Respond{Kind: "already_exists"}})
		_, err := client(srv, "admin-token").CreateCloudAccount(ctx, acme, create)
		wantErr(t, err, "400: The resource already exists.")
	})
	t.Run("commit then fail", func(t *testing.T) {
		srv := start(t)
		c := client(srv, "admin-token")
		srv.AddFault(fault.Rule{Match: fault.Match{Operation: "createCloudAccount"}, Commit: true, Times: 1, Respond: fault.Respond{Status: 500}})
		_, err := c.CreateCloudAccount(ctx, acme, create)
		wantErr(t, err, "500: An internal error occurred on the server.")
		// The write happened: the client's retry meets its own account.
		if _, err := c.FindCloudAccountByName(ctx, acme, "faulty", ""); err != nil {
			t.Errorf("committed account not found: %v", err)
		}
		_, err = c.CreateCloudAccount(ctx, acme, create)
		wantErr(t, err, "400: A cloud account with display name 'faulty' already exists in organisation 'acme'")
	})
	t.Run("403 on delete", func(t *testing.T) {
		srv := start(t)
		srv.AddFault(fault.Rule{Match: fault.Match{Operation: "deleteCloudCredentials"}, Respond: fault.Respond{Status: 403}})
		err := client(srv, "admin-token").DeleteCloudCredential(ctx, acme, prodAWS, prodBackup)
		wantErr(t, err, "403: You do not have the necessary permissions to access this resource.")
	})
}
