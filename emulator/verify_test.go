package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator/journal"
)

// TestVerifyWithin: POST /_emulator/verify with "within" answers once a
// client in another goroutine (as a reconciler in another process would)
// makes the call, and 409 with the closest calls when time is up.
func TestVerifyWithin(t *testing.T) {
	srv := start(t)
	go func() {
		// Made while the verify below waits, or before it: either way it
		// must answer 200.
		srv.WithT(t).Do("POST", accounts, account("async"), admin)
	}()
	r := srv.Do("POST", "/_emulator/verify", map[string]any{"operation": "createCloudAccount", "count": 1, "within": "2m"})
	want(t, r, 200)
	var res journal.Result
	if err := json.Unmarshal(r.Body, &res); err != nil || !res.OK || res.Waited == "" {
		t.Errorf("result %s", r.Body)
	}

	// Time up: 409, the diff, and the closest call (same operation, other status).
	r = srv.Do("POST", "/_emulator/verify", map[string]any{"operation": "createCloudAccount", "status": 400, "within": "50ms"})
	want(t, r, 409)
	res = journal.Result{}
	_ = json.Unmarshal(r.Body, &res)
	if len(res.Closest) != 1 || res.Closest[0].Differs[0].Path != "status" {
		t.Errorf("closest = %s", r.Body)
	}
	// A sequence: create, then get; the reverse is out of order.
	want(t, srv.Do("GET", accounts, nil, admin), 200)
	want(t, srv.Do("POST", "/_emulator/verify", map[string]any{"sequence": []any{
		map[string]any{"operation": "createCloudAccount"}, map[string]any{"operation": "listCloudAccounts"}}}), 200)
	r = srv.Do("POST", "/_emulator/verify", map[string]any{"sequence": []any{
		map[string]any{"operation": "listCloudAccounts"}, map[string]any{"operation": "createCloudAccount"}}})
	want(t, r, 409)
	if !strings.Contains(string(r.Body), "out of order") || !strings.Contains(string(r.Body), "sequence[1]") {
		t.Errorf("out-of-order answer: %s", r.Body)
	}
	for _, bad := range []string{
		`{"operation": "ping", "within": "10m"}`,
		`{"operation": "ping", "within": "soon"}`,
		`{"operation": "ping", "sequence": [{"operation": "ping"}]}`,
		`{"sequence": [{"operation": "ping", "atLeast": 2}]}`,
	} {
		if r := srv.Do("POST", "/_emulator/verify", bad); r.Status != 400 {
			t.Errorf("%s: %d %s, want 400", bad, r.Status, r.Body)
		}
	}
}

// TestVerifyWithinEndsAtShutdown: a waiting verify does not hold up a
// graceful shutdown.
func TestVerifyWithinEndsAtShutdown(t *testing.T) {
	srv := start(t)
	done := make(chan error, 1)
	go func() {
		// A plain client: if the server closes before the call arrives, a
		// refused connection is an answer too, not a test failure.
		resp, err := http.Post(srv.URL()+"/_emulator/verify", "application/json",
			strings.NewReader(`{"operation": "deleteCloudAccount", "within": "5m"}`))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	// Give the call time to start waiting (it need not: the assertion
	// below holds either way, and only a wait that shutdown does not end
	// can break it).
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go func() { _ = srv.Emu.Close(ctx) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("a waiting verify held the server past two minutes")
	}
}

// TestWaitForAndVerifySequence drives emulatortest's helpers, and checks
// that they fail a test when the expectation does not hold.
func TestWaitForAndVerifySequence(t *testing.T) {
	srv := start(t)
	go srv.WithT(t).Do("POST", accounts, account("later"), admin)
	if !srv.WaitFor(journal.Expectation{Operation: "createCloudAccount"}, time.Minute) {
		t.Fatal("WaitFor failed")
	}
	want(t, srv.Do("GET", accounts, nil, admin), 200)
	if !srv.VerifySequence(journal.Expectation{Operation: "createCloudAccount"}, journal.Expectation{Operation: "listCloudAccounts"}) {
		t.Fatal("VerifySequence failed")
	}
	ft := &fakeT{TB: t}
	if srv.WithT(ft).VerifySequence(journal.Expectation{Operation: "listCloudAccounts"}, journal.Expectation{Operation: "createCloudAccount"}) || ft.msg == "" {
		t.Error("a reversed sequence passed")
	}
	ft = &fakeT{TB: t}
	if srv.WithT(ft).WaitFor(journal.Expectation{Operation: "setPrimaryCloudCredentials"}, 10*time.Millisecond) || ft.msg == "" {
		t.Error("WaitFor passed without the call")
	}
	if !strings.Contains(ft.msg, "want at least 1") {
		t.Errorf("message %q", ft.msg)
	}
}
