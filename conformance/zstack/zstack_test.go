// Package zstack_test runs ZStack's Go SDK (github.com/terraform-zstack-modules/zstack-sdk-go,
// unmodified, from ../shared/clients) against credemu started in-process, the way
// ZStack's Terraform provider drives it, and asserts on what the SDK returns.
package zstack_test

import (
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kataras/golog"
	"github.com/terraform-zstack-modules/zstack-sdk-go/pkg/client"
	zserrors "github.com/terraform-zstack-modules/zstack-sdk-go/pkg/errors"
	"github.com/terraform-zstack-modules/zstack-sdk-go/pkg/param"
	"github.com/terraform-zstack-modules/zstack-sdk-go/pkg/util/httputils"
	"github.com/terraform-zstack-modules/zstack-sdk-go/pkg/view"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

const (
	vids  = "v1/iam2/virtual-ids"
	alice = "894f1c5bf6714a76b08324c69b8cac7c"
	bob   = "5c6e4d2f0a1b4c3d9e8f7a6b5c4d3e2f"
)

// Attribute and VirtualID are the inventories as a provider declares them;
// the SDK's decoder fills them, dates included.
type Attribute struct {
	UUID          string    `json:"uuid"`
	Name          string    `json:"name"`
	Value         string    `json:"value"`
	Type          string    `json:"type"`
	VirtualIDUuid string    `json:"virtualIDUuid"`
	CreateDate    time.Time `json:"createDate"`
	LastOpDate    time.Time `json:"lastOpDate"`
}

type VirtualID struct {
	UUID        string      `json:"uuid"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Type        string      `json:"type"`
	State       string      `json:"state"`
	CreateDate  time.Time   `json:"createDate"`
	LastOpDate  time.Time   `json:"lastOpDate"`
	Attributes  []Attribute `json:"attributes"`
}

type createParams struct {
	Params struct {
		Name        string              `json:"name"`
		Password    string              `json:"password,omitempty"`
		Description string              `json:"description,omitempty"`
		Attributes  []map[string]string `json:"attributes,omitempty"`
	} `json:"params"`
	param.BaseParam
}

func newVID(name string) createParams {
	var p createParams
	p.Params.Name, p.Params.Password = name, "pw-"+name
	return p
}

// start serves credemu on a loopback port (the SDK takes a host and a
// port, and speaks plain HTTP only).
func start(t *testing.T, scenario string) *emulatortest.Server {
	t.Helper()
	return emulatortest.Start(t, emulator.WithScenarioYAML("conformance.yaml", []byte(scenario)), emulator.WithResponseCheck(true))
}

const defaultWorld = "name: conformance\ninclude: [fixtures/zstack/default-world.yaml]\n"

// login returns an SDK client logged in as account/password.
func login(t *testing.T, srv *emulatortest.Server, account, password string) (*client.ZSClient, *view.SessionView) {
	t.Helper()
	u, _ := url.Parse(srv.URL())
	host, portStr, _ := net.SplitHostPort(u.Host)
	port, _ := strconv.Atoi(portStr)
	cli := client.NewZSClient(client.NewZSConfig(host, port, "zstack").LoginAccount(account, password).RetryInterval(0).RetryTimes(50))
	sess, err := cli.Login()
	if err != nil {
		t.Fatalf("Login(%s): %v", account, err)
	}
	return cli, sess
}

// zsError digs the SDK's error out of its wrapping.
func zsError(t *testing.T, err error) *httputils.JSONClientError {
	t.Helper()
	var ce *httputils.JSONClientError
	if !errors.As(err, &ce) {
		t.Fatalf("not a ZStack error: %v", err)
	}
	return ce
}

func wantZSError(t *testing.T, err error, code int, class, details string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %s", class, details)
	}
	ce := zsError(t, err)
	if ce.Code != code || ce.Class != class || ce.Details != details {
		t.Errorf("error = %d %q %q, want %d %q %q", ce.Code, ce.Class, ce.Details, code, class, details)
	}
}

// TestMain quiets the SDK's own error log: the tests check every error.
func TestMain(m *testing.M) {
	golog.SetLevel("disable")
	os.Exit(m.Run())
}

func TestSessions(t *testing.T) {
	srv := start(t, defaultWorld)
	before := time.Now()
	cli, sess := login(t, srv, "admin", "password")
	if sess.AccountUuid != "36c27e8ff05c4780bf6d2fa65700f22e" || len(sess.UUID) != 32 {
		t.Errorf("session: %+v", sess)
	}
	// The SDK reads ZStack's zone-less dates as UTC+8; credemu must write
	// them so that they mean the right instant.
	if d := sess.CreateDate.Sub(before); d < -2*time.Second || d > time.Minute {
		t.Errorf("createDate %v is %v away from now", sess.CreateDate, d)
	}
	if d := sess.ExpiredDate.Sub(sess.CreateDate); d != 2*time.Hour {
		t.Errorf("session lives %v, want ZStack's 2h", d)
	}
	valid, err := cli.ValidateSession()
	if err != nil || !valid["valid"] {
		t.Fatalf("ValidateSession: %v %v", valid, err)
	}
	if err := cli.Logout(); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	other, _ := login(t, srv, "admin", "password")
	valid, err = other.ValidateSessionId(sess.UUID)
	if err != nil || valid["valid"] {
		t.Errorf("ValidateSessionId after logout: %v %v", valid, err)
	}
	// A logged-out session is refused.
	cli.LoadSession(sess.UUID)
	var out []VirtualID
	err = cli.List(vids, ptr(param.NewQueryParam()), &out)
	wantZSError(t, err, 503, "ID.1001", fmt.Sprintf("Session expired or invalid, session uuid[%s]", sess.UUID))

	_, err = client.NewZSClient(client.NewZSConfig("127.0.0.1", port(srv), "zstack").LoginAccount("admin", "wrong")).Login()
	wantZSError(t, err, 503, "ID.1000", "wrong account name or password")
}

func ptr(q param.QueryParam) *param.QueryParam { return &q }

func port(srv *emulatortest.Server) int {
	u, _ := url.Parse(srv.URL())
	_, p, _ := net.SplitHostPort(u.Host)
	n, _ := strconv.Atoi(p)
	return n
}

func TestQueries(t *testing.T) {
	srv := start(t, defaultWorld)
	cli, _ := login(t, srv, "admin", "password")
	for i := range 120 {
		if err := cli.Post(vids, newVID(fmt.Sprintf("user-%03d", i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	var all []VirtualID
	if err := cli.ListAll(vids, ptr(param.NewQueryParam()), &all); err != nil {
		t.Fatalf("ListAll: %v", err)
	}
	if len(all) != 122 {
		t.Errorf("ListAll over pages of 50: %d virtual IDs, want 122", len(all))
	}

	var found []VirtualID
	q := param.NewQueryParam()
	q.AddQ("name=ALICE")
	if err := cli.List(vids, &q, &found); err != nil || len(found) != 1 || found[0].UUID != alice {
		t.Fatalf("name=ALICE: %v %+v", err, found)
	}
	a := found[0]
	if a.Description != "Platform engineer" || a.State != "Enabled" || a.Type != "ZStack" || len(a.Attributes) != 2 || a.CreateDate.IsZero() {
		t.Errorf("alice as decoded: %+v", a)
	}

	var page []VirtualID
	q = param.NewQueryParam()
	q.AddQ("name~=user-%").Sort("-name").Start(10).Limit(5)
	total, err := cli.Page(vids, &q, &page)
	if err != nil {
		t.Fatalf("Page: %v", err)
	}
	var names []string
	for _, v := range page {
		names = append(names, v.Name)
	}
	if total != 120 || !cmp.Equal(names, []string{"user-109", "user-108", "user-107", "user-106", "user-105"}) {
		t.Errorf("Page: total %d, names %v", total, names)
	}

	var count int
	q = param.NewQueryParam()
	q.AddQ("state=Disabled").Count(true)
	if err := cli.ListWithRespKey(vids, "total", &q, &count); err != nil || count != 1 {
		t.Errorf("count of disabled: %d %v", count, err)
	}

	var one VirtualID
	if err := cli.Get(vids, bob, nil, &one); err != nil || one.Name != "bob" || one.State != "Disabled" {
		t.Errorf("Get: %v %+v", err, one)
	}
	// The SDK's GetZone style puts "//" in the path; ZStack serves it.
	if err := cli.Get(vids+"/", alice, nil, &one); err != nil || one.Name != "alice" {
		t.Errorf("Get with //: %v %+v", err, one)
	}
	err = cli.Get(vids, "0123456789abcdef0123456789abcdef", nil, &one)
	if !errors.Is(err, zserrors.ErrNotFound) {
		t.Errorf("Get of an unknown uuid: %v, want ErrNotFound", err)
	}
}

func TestWrites(t *testing.T) {
	srv := start(t, defaultWorld)
	cli, _ := login(t, srv, "admin", "password")
	p := newVID("carol")
	p.Params.Description = "new hire"
	p.Params.Attributes = []map[string]string{{"name": "dept", "value": "ops"}}
	var created VirtualID
	if err := cli.Post(vids, p, &created); err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.Name != "carol" || created.State != "Enabled" || len(created.Attributes) != 1 || time.Since(created.CreateDate).Abs() > time.Minute {
		t.Errorf("created: %+v", created)
	}

	err := cli.Post(vids, newVID("CAROL"), nil)
	wantZSError(t, err, 503, "SYS.1007", "duplicate virtualID name[CAROL]")

	var updated VirtualID
	if err := cli.Put(vids, created.UUID, map[string]any{"updateIAM2VirtualID": map[string]string{"name": "carol2", "description": "renamed"}}, &updated); err != nil {
		t.Fatalf("update: %v", err)
	}
	if updated.Name != "carol2" || updated.Description != "renamed" {
		t.Errorf("updated: %+v", updated)
	}
	if err := cli.Put(vids, created.UUID, map[string]any{"changeIAM2VirtualIDState": map[string]string{"stateEvent": "disable"}}, &updated); err != nil || updated.State != "Disabled" {
		t.Errorf("disable: %v %+v", err, updated)
	}

	// Attributes: add answers {}, update is an action, remove by uuid.
	added := map[string]any{}
	if err := cli.PostWithRespKey(vids+"/"+created.UUID+"/attributes", "", map[string]any{"params": map[string]any{"attributes": []map[string]string{{"name": "site", "value": "ams"}}}}, &added); err != nil {
		t.Fatalf("add attributes: %v", err)
	}
	if len(added) != 0 {
		t.Errorf("add attributes answered %v, ZStack answers {}", added)
	}
	var attrs []Attribute
	q := param.NewQueryParam()
	q.AddQ("virtualIDUuid=" + created.UUID).AddQ("name=site")
	if err := cli.List(vids+"/attributes", &q, &attrs); err != nil || len(attrs) != 1 {
		t.Fatalf("query attributes: %v %+v", err, attrs)
	}
	var attr Attribute
	if err := cli.Put(vids+"/attributes", attrs[0].UUID, map[string]any{"updateIAM2VirtualIDAttribute": map[string]string{"value": "fra"}}, &attr); err != nil {
		t.Fatalf("update attribute: %v", err)
	}
	if attr.Value != "fra" || attr.VirtualIDUuid != created.UUID {
		t.Errorf("updated attribute: %+v", attr)
	}
	if err := cli.DeleteWithSpec(vids, created.UUID, "attributes", "attributeUuids="+attr.UUID, nil); err != nil {
		t.Fatalf("remove attributes: %v", err)
	}
	if err := cli.List(vids+"/attributes", &q, &attrs); err != nil || len(attrs) != 0 {
		t.Errorf("after removal: %v %+v", err, attrs)
	}

	// A virtual ID logs in with its own name and password.
	var vidSession view.SessionView
	if err := cli.Put(vids+"/login", "", map[string]any{"loginIAM2VirtualID": map[string]string{"name": "alice", "password": sha512hex("secret")}}, &vidSession); err != nil {
		t.Fatalf("virtual ID login: %v", err)
	}
	if vidSession.UserUuid != alice || len(vidSession.UUID) != 32 {
		t.Errorf("virtual ID session: %+v", vidSession)
	}

	if err := cli.Delete(vids, created.UUID, string(param.DeleteModePermissive)); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := cli.Delete(vids, created.UUID, string(param.DeleteModeEnforcing)); err != nil {
		t.Errorf("delete of a missing well-formed uuid: %v", err)
	}
	err = cli.Delete(vids, "not-a-uuid", string(param.DeleteModePermissive))
	wantZSError(t, err, 503, "SYS.1003", "invalid field[uuid], resource[uuid:not-a-uuid, type:IAM2VirtualIDVO] not found")
}

func TestErrorPaths(t *testing.T) {
	srv := start(t, defaultWorld)
	cli, _ := login(t, srv, "admin", "password")
	var p createParams
	p.Params.Name = "nopass"
	err := cli.Post(vids, p, nil)
	wantZSError(t, err, 503, "SYS.1007", "field[password] of message[org.zstack.iam2.api.APICreateIAM2VirtualIDMsg] is mandatory, can not be null")

	err = cli.Put(vids, "0123456789abcdef0123456789abcdef", map[string]any{"updateIAM2VirtualID": map[string]string{"name": "x"}}, nil)
	wantZSError(t, err, 503, "SYS.1003", "invalid field[uuid], resource[uuid:0123456789abcdef0123456789abcdef, type:IAM2VirtualIDVO] not found")

	err = cli.Put(vids, alice, map[string]any{"changeIAM2VirtualIDState": map[string]string{"stateEvent": "maintain"}}, nil)
	wantZSError(t, err, 503, "SYS.1007", "valid value for field[stateEvent] of message[org.zstack.iam2.api.APIChangeIAM2VirtualIDStateMsg] are [enable, disable], but maintain found")

	ops, opsSession := login(t, srv, "ops", "ops-password")
	err = ops.Post(vids, newVID("denied"), nil)
	wantZSError(t, err, 503, "ID.1002", fmt.Sprintf("the session[uuid:%s] has no permission to call createVirtualID", opsSession.UUID))

	t.Run("injected faults", func(t *testing.T) {
		srv.AddFault(fault.Rule{Match: fault.Match{API: "zstack", Operation: "createVirtualID"}, Times: 1, Respond: fault.Respond{Kind: "internal"}})
		err := cli.Post(vids, newVID("faulty"), nil)
		wantZSError(t, err, 503, "SYS.1006", "An operation failed")
		// Nothing was committed: the retry succeeds.
		if err := cli.Post(vids, newVID("faulty"), nil); err != nil {
			t.Errorf("retry: %v", err)
		}
		srv.AddFault(fault.Rule{Match: fault.Match{Operation: "createVirtualID"}, Times: 1, Respond: fault.Respond{Kind: "already_exists", Message: "duplicate virtualID name[x]"}})
		err = cli.Post(vids, newVID("x"), nil)
		wantZSError(t, err, 503, "SYS.1007", "duplicate virtualID name[x]")
		srv.AddFault(fault.Rule{Match: fault.Match{Operation: "queryVirtualID"}, Times: 1, Respond: fault.Respond{Status: 500}})
		var out []VirtualID
		err = cli.List(vids, ptr(param.NewQueryParam()), &out)
		if ce := zsError(t, err); ce.Code != 500 || ce.Details != "Internal Server Error" {
			t.Errorf("REST-layer 500: %+v", ce)
		}
	})
}

// TestAsyncJobs drives the API-job path: every write answers 202 with a
// location the SDK polls until the job is done.
func TestAsyncJobs(t *testing.T) {
	srv := start(t, defaultWorld+"zstack:\n  asyncJobs: true\n  jobs: {polls: 2}\n")
	cli, _ := login(t, srv, "admin", "password")
	var created VirtualID
	if err := cli.Post(vids, newVID("async"), &created); err != nil {
		t.Fatalf("async create: %v", err)
	}
	if created.Name != "async" || len(created.UUID) != 32 {
		t.Errorf("created through a job: %+v", created)
	}
	polls := srv.Requests(journal.Filter{Operation: "getApiJob"})
	if len(polls) != 3 || polls[0].Status != 202 || polls[2].Status != 200 {
		t.Errorf("polls: %d", len(polls))
	}
	// A failure reaches the SDK through the job.
	err := cli.Post(vids, newVID("async"), nil)
	if err == nil {
		t.Fatal("duplicate through a job succeeded")
	}
	// The SDK reports a failed job as text, not as a JSONClientError.
	if msg := err.Error(); !strings.Contains(msg, "StatusCode: 503") || !strings.Contains(msg, `"class":"SYS.1007"`) || !strings.Contains(msg, `"details":"duplicate virtualID name[async]"`) {
		t.Errorf("job failure: %v", err)
	}
	var updated VirtualID
	if err := cli.Put(vids, created.UUID, map[string]any{"updateIAM2VirtualID": map[string]string{"description": "via job"}}, &updated); err != nil || updated.Description != "via job" {
		t.Errorf("async update: %v %+v", err, updated)
	}
	if err := cli.Delete(vids, created.UUID, "Permissive"); err != nil {
		t.Errorf("async delete: %v", err)
	}
}

func sha512hex(s string) string {
	sum := sha512.Sum512([]byte(s))
	return hex.EncodeToString(sum[:])
}
