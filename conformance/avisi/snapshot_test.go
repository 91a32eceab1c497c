package avisi_test

import (
	"context"
	"testing"

	"github.com/avisi-cloud/go-client/pkg/acloudapi"
	"github.com/google/go-cmp/cmp"
)

// TestSnapshotRoundTrip builds a world with Avisi's client, starts a second
// credemu from its snapshot, and reads it back with the same client and
// token: accounts and credentials with their identities, times and the
// primary credential as they were.
func TestSnapshotRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := start(t)
	c := client(srv, "admin-token")
	acct, err := c.CreateCloudAccount(ctx, acme, acloudapi.CreateCloudAccount{DisplayName: "built-by-client", CloudProfile: "aws-eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCloudCredential(ctx, acme, *acct, acloudapi.CreateCloudCredential{DisplayName: "kept",
		Credentials: &acloudapi.CloudCredentialAWS{AccessKeyID: "AKIA1", AccessKeySecret: "s3cret"}}); err != nil {
		t.Fatal(err)
	}
	accounts, err := c.GetCloudAccounts(ctx, acme)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := c.GetCloudCredentials(ctx, acme, acct.Identity)
	if err != nil {
		t.Fatal(err)
	}

	lc := client(srv.Reload(), "admin-token")
	accounts2, err := lc.GetCloudAccounts(ctx, acme)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(accounts, accounts2); diff != "" {
		t.Errorf("accounts read back differ (-before +after):\n%s", diff)
	}
	creds2, err := lc.GetCloudCredentials(ctx, acme, acct.Identity)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(creds, creds2); diff != "" {
		t.Errorf("credentials read back differ (-before +after):\n%s", diff)
	}
}
