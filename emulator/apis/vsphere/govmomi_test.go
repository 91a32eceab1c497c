package vsphere_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

// TestRealGovmomiClient drives the emulator with govmomi's own vapi/rest
// client, unchanged: a program written with it against a real vCenter
// appliance must work against credemu.
func TestRealGovmomiClient(t *testing.T) {
	srv := start(t)
	ctx := context.Background()
	u, err := url.Parse(srv.URL() + "/sdk")
	if err != nil {
		t.Fatal(err)
	}
	rc := rest.NewClient(&vim25.Client{Client: soap.NewClient(u, true)})

	if err := rc.Login(ctx, url.UserPassword("administrator@vsphere.local", "wrong")); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
	if err := rc.Login(ctx, url.UserPassword("administrator@vsphere.local", "Passw0rd!")); err != nil {
		t.Fatalf("login: %v", err)
	}
	s, err := rc.Session(ctx)
	if err != nil || s == nil || s.User != "administrator@vsphere.local" {
		t.Fatalf("session: %+v %v", s, err)
	}

	res := func(path string) *rest.Resource { return rc.Resource("/appliance/local-accounts" + path) }
	body := map[string]any{"config": map[string]any{"password": "Gv-1", "roles": []string{"operator"}, "full_name": "Govmomi"}}
	if err := rc.Do(ctx, res("/gv-user").Request(http.MethodPost, body), nil); err != nil {
		t.Fatalf("create: %v", err)
	}
	err = rc.Do(ctx, res("/gv-user").Request(http.MethodPost, body), nil)
	if err == nil || !strings.Contains(err.Error(), "com.vmware.vapi.std.errors.already_exists") {
		t.Fatalf("duplicate create: %v", err)
	}
	var names []string
	if err := rc.Do(ctx, res("").Request(http.MethodGet), &names); err != nil || len(names) != 4 {
		t.Fatalf("list: %v %v", names, err)
	}
	var info struct {
		Fullname    string   `json:"fullname"`
		Roles       []string `json:"roles"`
		HasPassword bool     `json:"has_password"`
	}
	if err := rc.Do(ctx, res("/gv-user").Request(http.MethodGet), &info); err != nil || info.Fullname != "Govmomi" || !info.HasPassword {
		t.Fatalf("get: %+v %v", info, err)
	}
	patch := map[string]any{"config": map[string]any{"email": "gv@example.com"}}
	if err := rc.Do(ctx, res("/gv-user").Request(http.MethodPatch, patch), nil); err != nil {
		t.Fatalf("update: %v", err)
	}
	if err := rc.Do(ctx, res("/gv-user").Request(http.MethodDelete), nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	err = rc.Do(ctx, res("/gv-user").Request(http.MethodGet), &info)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("get after delete: %v", err)
	}
	if err := rc.Logout(ctx); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if err := rc.Do(ctx, res("").Request(http.MethodGet), &names); err == nil {
		t.Fatal("call after logout succeeded")
	}
}
