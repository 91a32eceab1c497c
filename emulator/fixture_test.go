package emulator_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

func intp(n int) *int { return &n }

func TestVerify(t *testing.T) {
	srv := start(t)
	want(t, srv.Do("POST", accounts, account("v1"), admin), 200)
	want(t, srv.Do("POST", accounts, account("v2"), admin), 200)
	want(t, srv.Do("POST", accounts, account("v1"), admin), 400)
	tests := []struct {
		x      journal.Expectation
		status int
	}{
		{journal.Expectation{Operation: "createCloudAccount", Count: intp(3)}, 200},
		{journal.Expectation{Operation: "createCloudAccount", Status: 200, Count: intp(2)}, 200},
		{journal.Expectation{Operation: "createCloudAccount", Body: map[string]any{"displayName": "v1"}, Count: intp(2)}, 200},
		{journal.Expectation{Operation: "createCloudAccount", AtLeast: intp(1), AtMost: intp(5)}, 200},
		{journal.Expectation{API: "avisi", Method: "POST", Path: accounts}, 200},
		{journal.Expectation{Operation: "deleteCloudAccount"}, 409},
		{journal.Expectation{Operation: "createCloudAccount", Count: intp(1)}, 409},
		{journal.Expectation{Operation: "createCloudAccount", AtMost: intp(2)}, 409},
	}
	for i, tc := range tests {
		r := srv.Do("POST", "/_emulator/verify", tc.x)
		want(t, r, tc.status)
		var res journal.Result
		_ = json.Unmarshal(r.Body, &res)
		if (tc.status == 409) != (len(res.Diff) > 0) || res.OK != (tc.status == 200) {
			t.Errorf("case %d: %s", i, r.Body)
		}
	}
	r := srv.Do("POST", "/_emulator/verify", map[string]any{"operation": "createCloudAccount", "count": 1})
	if !strings.Contains(string(r.Body), "exactly 1") || !strings.Contains(string(r.Body), `POST /api/v1/orgs/acme/cloud-accounts → 400`) {
		t.Errorf("409 body should say what was wanted and what came: %s", r.Body)
	}
	// The diff speaks JSON: field paths, what was wanted and what came; a
	// call that matched all but its body says where the body differs.
	r = srv.Do("POST", "/_emulator/verify", map[string]any{"operation": "createCloudAccount", "status": 200, "count": 1,
		"body": map[string]any{"displayName": "v3", "cloudProfile": "aws-eu-west-1"}})
	want(t, r, 409)
	var res struct {
		Diff []map[string]any `json:"diff"`
	}
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	call := func(status int) string { return fmt.Sprintf("POST %s → %d (createCloudAccount)", accounts, status) }
	wantDiff := []map[string]any{
		{"path": "count", "want": 1.0, "got": 0.0},
		{"path": "body.displayName", "want": "v3", "got": "v2", "call": call(200)},
		{"path": "body.displayName", "want": "v3", "got": "v1", "call": call(200)},
	}
	if diff := gocmp.Diff(wantDiff, res.Diff); diff != "" {
		t.Errorf("verify's diff (-want +got):\n%s\nbody: %s", diff, r.Body)
	}
	want(t, srv.Do("POST", "/_emulator/verify", `{"cuont": 1}`), 400)
	want(t, srv.Do("POST", "/_emulator/verify", `{"count": -1}`), 400)
	// The Go helper passes and fails the same way.
	if !srv.Verify(journal.Expectation{Operation: "createCloudAccount", Count: intp(3)}) {
		t.Error("Verify helper refused a true expectation")
	}
	ft := &fakeT{TB: t}
	if ok := verifyWith(ft, srv, journal.Expectation{Operation: "createCloudAccount", Count: intp(9)}); ok || !strings.Contains(ft.msg, "want exactly 9 request(s)") {
		t.Errorf("Verify helper on a false expectation: ok=%v msg=%q", ok, ft.msg)
	}
}

// fakeT records Errorf instead of failing, to test a helper's failure path.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Errorf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }
func (f *fakeT) Helper()                           {}

func verifyWith(t testing.TB, srv *emulatortest.Server, x journal.Expectation) bool {
	return srv.WithT(t).Verify(x)
}

func TestCoverage(t *testing.T) {
	srv := start(t, emulator.WithScenario("faults"))
	want(t, srv.Do("GET", accounts, nil, admin), 200)
	want(t, srv.Do("POST", accounts, account("taken"), admin), 400)
	want(t, srv.Do("GET", "/api/v2/ping/", nil), 200)
	srv.Reset() // coverage spans the whole run, resets included
	want(t, srv.Do("GET", accounts, nil, admin), 200)
	rep := srv.Coverage()
	byAPI := map[string]emulator.APICoverage{}
	for _, a := range rep.APIs {
		byAPI[a.API] = a
	}
	if len(byAPI) != 4 {
		t.Fatalf("coverage lists %d APIs", len(byAPI))
	}
	ops := map[string]emulator.OperationCoverage{}
	for _, op := range byAPI["avisi"].Operations {
		ops[op.Operation] = op
	}
	if c := ops["listCloudAccounts"]; c.Calls != 2 || c.Statuses["200"] != 2 {
		t.Errorf("listCloudAccounts: %+v", c)
	}
	if c := ops["createCloudAccount"]; c.Calls != 1 || c.Statuses["400"] != 1 || c.Faults["duplicate-on-name-taken"] != 1 {
		t.Errorf("createCloudAccount: %+v", c)
	}
	never := strings.Join(byAPI["avisi"].NeverCalled, ",")
	if strings.Contains(never, "listCloudAccounts") || !strings.Contains(never, "deleteCloudAccount") {
		t.Errorf("never called: %s", never)
	}
	// Over HTTP, and cleared.
	r := srv.Do("GET", "/_emulator/coverage", nil)
	want(t, r, 200)
	if !strings.Contains(string(r.Body), `"neverCalled"`) {
		t.Errorf("coverage body: %.200s", r.Body)
	}
	want(t, srv.Do("DELETE", "/_emulator/coverage", nil), 204)
	for _, a := range srv.Coverage().APIs {
		for _, op := range a.Operations {
			if op.Calls != 0 {
				t.Errorf("%s.%s still counted after clearing", a.API, op.Operation)
			}
		}
	}
	// JUnit: one suite per API, never-called operations skipped.
	want(t, srv.Do("GET", "/api/v2/ping/", nil), 200)
	var buf bytes.Buffer
	if err := srv.Coverage().WriteJUnit(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name    string `xml:"name,attr"`
			Tests   int    `xml:"tests,attr"`
			Skipped int    `xml:"skipped,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil || len(doc.Suites) != 4 {
		t.Fatalf("JUnit: %v\n%s", err, buf.String())
	}
	for _, s := range doc.Suites {
		if s.Name == "awx" && s.Skipped != s.Tests-1 {
			t.Errorf("awx suite: %d tests, %d skipped (only ping was called)", s.Tests, s.Skipped)
		}
	}
}

// TestFiftyParallelSandboxes runs fifty parallel clients on one server,
// each in its own sandbox through the Go API, each with its own fault, and
// checks that none sees another's objects, faults or requests.
func TestFiftyParallelSandboxes(t *testing.T) {
	srv := start(t)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sb := srv.Sandbox(fmt.Sprintf("p%02d", i))
			sb.AddFault(fault.Rule{Match: fault.Match{Operation: "getCloudAccount"}, Respond: fault.Respond{Status: 500 + i%3}})
			for j := 0; j <= i%5; j++ {
				if r := sb.Do("POST", accounts, account(fmt.Sprintf("mine-%d-%d", i, j)), admin); r.Status != 200 {
					errs <- fmt.Errorf("sandbox %d: create %d", i, r.Status)
				}
			}
			r := sb.Do("GET", accounts+"?size=100", nil, admin)
			var p struct {
				Content []struct{ DisplayName string }
			}
			_ = json.Unmarshal(r.Body, &p)
			for _, a := range p.Content {
				if strings.HasPrefix(a.DisplayName, "mine-") && !strings.HasPrefix(a.DisplayName, fmt.Sprintf("mine-%d-", i)) {
					errs <- fmt.Errorf("sandbox %d sees %s", i, a.DisplayName)
				}
			}
			if len(p.Content) != 4+i%5+1 {
				errs <- fmt.Errorf("sandbox %d sees %d accounts", i, len(p.Content))
			}
			if r := sb.Do("GET", accounts+"/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a01", nil, admin); r.Status != 500+i%3 {
				errs <- fmt.Errorf("sandbox %d: its own fault gave %d", i, r.Status)
			}
			if n := len(sb.Requests(journal.Filter{})); n != i%5+3 {
				errs <- fmt.Errorf("sandbox %d journal has %d entries, want %d", i, n, i%5+3)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(srv.Requests(journal.Filter{})); n != 0 {
		t.Errorf("the default sandbox saw %d requests", n)
	}
}
