package drift_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/drift"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/journal"
)

var logins = map[string]drift.Target{
	"awx":     {User: "admin", Password: "password"},
	"avisi":   {Token: "admin-token", Org: "acme"},
	"zstack":  {User: "admin", Password: "password"},
	"vsphere": {User: "administrator@vsphere.local", Password: "Passw0rd!"},
}

func target(family, url string) drift.Target {
	t := logins[family]
	t.URL = url
	t.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return t
}

// TestNoDriftAgainstCredemu: credemu against a second credemu, every
// family, writes included, finds nothing, runs every probe, and deletes
// what it wrote.
func TestNoDriftAgainstCredemu(t *testing.T) {
	for _, family := range drift.Families {
		t.Run(family, func(t *testing.T) {
			service, mine := emulatortest.Start(t), emulatortest.Start(t)
			rep, err := drift.Run(context.Background(), drift.Options{Family: family, Write: true}, target(family, service.URL()), target(family, mine.URL()))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 0 {
				t.Errorf("drift against itself: %v", rep.Findings)
			}
			if len(rep.Probes) < 7 {
				t.Errorf("only %d probes ran: %v", len(rep.Probes), rep.Probes)
			}
			writes := service.Requests(journal.Filter{Method: "POST"})
			deletes := 0
			for _, e := range service.Requests(journal.Filter{Method: "DELETE"}) {
				if e.Status < 300 && !strings.Contains(e.Path, "session") {
					deletes++
				}
			}
			created := 0
			for _, e := range writes {
				if e.Status < 300 && !strings.Contains(e.Path, "session") && !strings.Contains(e.Path, "login") {
					created++
				}
			}
			if created != deletes {
				t.Errorf("%d objects created on the service, %d deleted", created, deletes)
			}
			if created != 1 {
				t.Errorf("--write created %d objects, want 1", created)
			}
		})
	}
}

// TestWritesOnlyWithWrite: without --write nothing but the malformed body
// (refused before any write) and logins is sent with a write method.
func TestWritesOnlyWithWrite(t *testing.T) {
	for _, family := range drift.Families {
		service, mine := emulatortest.Start(t), emulatortest.Start(t)
		if _, err := drift.Run(context.Background(), drift.Options{Family: family}, target(family, service.URL()), target(family, mine.URL())); err != nil {
			t.Fatal(err)
		}
		for _, e := range service.Requests(journal.Filter{}) {
			if e.Method != "GET" && e.Status < 300 && !strings.Contains(e.Path, "session") && !strings.Contains(e.Path, "login") {
				t.Errorf("%s: a write without --write: %s %s → %d", family, e.Method, e.Path, e.Status)
			}
		}
	}
}

// alter is a proxy in front of a credemu that changes some answers, as a
// newer or older release of the service would.
func alter(t *testing.T, backend string, change func(r *http.Request, body map[string]any) bool) string {
	u, _ := url.Parse(backend)
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var body map[string]any
		if json.Unmarshal(data, &body) == nil && change(resp.Request, body) {
			data, _ = json.Marshal(body)
		}
		resp.Body = io.NopCloser(bytes.NewReader(data))
		resp.ContentLength = int64(len(data))
		resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
		return nil
	}
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestEachAlterationReportedOnce: an extra field, a changed type, another
// error body and a missing paging key are each reported exactly once, in
// AWX's terms.
func TestEachAlterationReportedOnce(t *testing.T) {
	service, mine := emulatortest.Start(t), emulatortest.Start(t)
	proxy := alter(t, service.URL(), func(r *http.Request, b map[string]any) bool {
		switch {
		case r.URL.Path == "/api/v2/me/" && r.Header.Get("Authorization") != "" && b["results"] != nil:
			for _, u := range b["results"].([]any) {
				u.(map[string]any)["last_login_ip"] = "192.0.2.1" // extra field
			}
		case r.URL.Path == "/api/v2/users/" && r.URL.Query().Get("page_size") == "2":
			b["count"] = strconv.Itoa(int(b["count"].(float64))) // changed type
		case r.URL.Path == "/api/v2/users/987654321/":
			b["error_code"] = "not_found" // another error body
		case r.URL.Path == "/api/v2/credentials/":
			delete(b, "previous") // missing paging key
		default:
			return false
		}
		return true
	})
	rep, err := drift.Run(context.Background(), drift.Options{Family: "awx"}, target("awx", proxy), target("awx", mine.URL()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.String())
	}
	want := []string{
		`me: field "results[].last_login_ip" present on the service (string), missing in credemu`,
		`users list: field "count" is string on the service, number in credemu`,
		`credentials list: field "previous" present in credemu (null), missing on the service`,
		`unknown user: field "error_code" present on the service (string), missing in credemu`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	// JSON for CI carries the same, with kinds.
	if rep.Findings[1].Kind != "type" || rep.Findings[1].Path != "count" {
		t.Errorf("finding %+v", rep.Findings[1])
	}
}

// TestStatusAndChallenge: a status and an auth challenge that differ.
func TestStatusAndChallenge(t *testing.T) {
	service, mine := emulatortest.Start(t), emulatortest.Start(t)
	u, _ := url.Parse(service.URL())
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode == 401 {
			resp.Header.Set("WWW-Authenticate", `Basic realm="vcsa"`)
		}
		if resp.Request.URL.Path == "/api/appliance/local-accounts/credemu-drift-nobody" {
			resp.StatusCode = 400
		}
		return nil
	}
	ts := httptest.NewServer(p)
	defer ts.Close()
	rep, err := drift.Run(context.Background(), drift.Options{Family: "vsphere"}, target("vsphere", ts.URL), target("vsphere", mine.URL()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.String())
	}
	want := []string{
		`unknown local account: status 400 on the service, 404 in credemu`,
		`bad credentials: auth-challenge "Basic" on the service, none in credemu`,
		`no credentials: auth-challenge "Basic" on the service, none in credemu`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestUnknownFamily(t *testing.T) {
	if _, err := drift.Run(context.Background(), drift.Options{Family: "nova"}, drift.Target{}, drift.Target{}); err == nil {
		t.Error("unknown family accepted")
	}
}

// TestZStackWritesThroughJobs: a ZStack that answers writes with API jobs
// (202 and a location, polled until done) compares the same as one that
// answers at once: drift polls the job and compares its outcome.
func TestZStackWritesThroughJobs(t *testing.T) {
	async := emulatortest.StartYAML(t, "async.yaml", "name: async\ninclude: [fixtures/zstack/default-world.yaml]\nzstack:\n  asyncJobs: true\n")
	mine := emulatortest.Start(t)
	rep, err := drift.Run(context.Background(), drift.Options{Family: "zstack", Write: true}, target("zstack", async.URL()), target("zstack", mine.URL()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 {
		t.Errorf("findings: %v", rep.Findings)
	}
	if n := len(async.Requests(journal.Filter{Status: 202})); n < 3 {
		t.Errorf("%d writes answered 202 on the async side, want the create, update and delete", n)
	}
	if n := len(async.Requests(journal.Filter{Operation: "getApiJob"})); n < 3 {
		t.Errorf("%d job polls, want at least one per write", n)
	}
}

// TestWriteFailureStillCleansUp: when the service refuses the update of
// the throwaway user, the later steps are skipped but its delete still
// runs, and the refusal is reported.
func TestWriteFailureStillCleansUp(t *testing.T) {
	service, mine := emulatortest.Start(t), emulatortest.Start(t)
	u, _ := url.Parse(service.URL())
	p := httputil.NewSingleHostReverseProxy(u)
	inner := p.Director
	p.Director = func(r *http.Request) {
		inner(r)
		if r.Method == http.MethodPatch {
			r.URL.Path = "/api/v2/users/987654321/" // the update misses: 404
		}
	}
	ts := httptest.NewServer(p)
	defer ts.Close()
	rep, err := drift.Run(context.Background(), drift.Options{Family: "awx", Write: true}, target("awx", ts.URL), target("awx", mine.URL()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.String())
	}
	if len(got) == 0 || got[0] != "update user: status 404 on the service, 200 in credemu" {
		t.Errorf("findings: %q", got)
	}
	if slices.Contains(rep.Probes, "deleted user") || !slices.Contains(rep.Probes, "delete user") {
		t.Errorf("probes run: %v; want the delete, and nothing else after the failure", rep.Probes)
	}
	if n := len(service.Requests(journal.Filter{Operation: "deleteUser", Status: 204})); n != 1 {
		t.Errorf("%d deletes of the throwaway user on the service, want 1", n)
	}
}
