package avisi_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

func newAccount(name string) map[string]string {
	return map[string]string{"displayName": name, "cloudProfile": "aws-eu-west-1"}
}

// TestScenarioFaults runs the built-in "faults" scenario.
func TestScenarioFaults(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("faults"), emulator.WithResponseCheck(true))

	t.Run("third create fails once", func(t *testing.T) {
		var got []int
		for i := 0; i < 5; i++ {
			got = append(got, srv.Do("POST", acme+"/cloud-accounts", newAccount("acct-"+string(rune('a'+i))), admin).Status)
		}
		want := []int{200, 200, 500, 200, 200}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("statuses %v, want %v", got, want)
			}
		}
		// The failed create changed nothing: acct-c does not exist.
		r := srv.Do("GET", acme+"/cloud-accounts?display-name=acct-c", nil, admin)
		if r.JSON(t)["totalElements"] != 0.0 {
			t.Errorf("injected failure committed a write: %s", r.Body)
		}
		e := srv.Requests(journal.Filter{Operation: "createCloudAccount", Status: 500})
		if len(e) != 1 || e[0].Fault != "third-account-create-fails" {
			t.Errorf("journal: %+v", e)
		}
	})

	t.Run("body match gives already_exists exactly", func(t *testing.T) {
		r := srv.Do("POST", acme+"/cloud-accounts", newAccount("taken"), admin)
		wantStatus(t, r, 400)
		emulatortest.Golden(t, "fault-already-exists", r.Body)
	})

	t.Run("path glob forbids globex deletes", func(t *testing.T) {
		r := srv.Do("DELETE", "/api/v1/orgs/globex/cloud-accounts/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9b01", nil, admin)
		wantStatus(t, r, 403)
		msg, _ := errorBody(t, r)
		if msg != "You do not have the necessary permissions to access this resource." {
			t.Errorf("403 message %q", msg)
		}
	})

	t.Run("commit then fail leaves the write", func(t *testing.T) {
		r := srv.Do("POST", prodAWS+"/credentials/"+backup+"/set-primary", nil, admin)
		wantStatus(t, r, 500)
		if got := srv.Do("GET", prodAWS, nil, admin).JSON(t)["primaryCloudCredentialsIdentity"]; got != backup {
			t.Errorf("commit:true fault: primary is %v, want the committed %s", got, backup)
		}
		// times: 1, so the retry succeeds.
		wantStatus(t, srv.Do("POST", prodAWS+"/credentials/"+backup+"/set-primary", nil, admin), 200)
	})
}

// TestInjectedErrorsMatchNativeBodies checks that a rule naming only a
// status, or only a kind, renders exactly what the API sends for it.
func TestInjectedErrorsMatchNativeBodies(t *testing.T) {
	tests := []struct {
		respond fault.Respond
		status  int
		message string
	}{
		{fault.Respond{Status: 400}, 400, "Invalid request parameters. Please review the documentation for valid parameter values."},
		{fault.Respond{Status: 403}, 403, "You do not have the necessary permissions to access this resource."},
		{fault.Respond{Status: 404}, 404, "The requested resource could not be found. Please check the resource URL or identifier."},
		{fault.Respond{Status: 500}, 500, "An internal error occurred on the server."},
		{fault.Respond{Kind: api.KindAlreadyExists}, 400, "The resource already exists."},
		{fault.Respond{Kind: api.KindPermissionDenied, Message: "nope"}, 403, "nope"},
		{fault.Respond{Status: 503, Kind: api.KindInternal}, 503, "An internal error occurred on the server."},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSpace(string(tc.respond.Kind)+" "+http.StatusText(tc.status)), func(t *testing.T) {
			srv := start(t)
			srv.AddFault(fault.Rule{Match: fault.Match{API: "avisi", Operation: "getCloudAccount"}, Respond: tc.respond})
			r := srv.Do("GET", prodAWS, nil, admin)
			wantStatus(t, r, tc.status)
			msg, details := errorBody(t, r)
			if msg != tc.message || len(details) != 0 {
				t.Errorf("body %s, want message %q and no details", r.Body, tc.message)
			}
			// Other operations are untouched.
			wantStatus(t, srv.Do("GET", acme+"/cloud-accounts", nil, admin), 200)
		})
	}
}

func TestFaultMatchers(t *testing.T) {
	tests := []struct {
		name  string
		match fault.Match
		hit   bool
	}{
		{"method", fault.Match{Method: "get"}, true},
		{"other method", fault.Match{Method: "POST"}, false},
		{"route template", fault.Match{Path: "/api/v1/orgs/{organisationSlug}/cloud-accounts/{cloudAccountIdentity}"}, true},
		{"concrete path", fault.Match{Path: prodAWS}, true},
		{"glob", fault.Match{Path: "/api/v1/orgs/*/cloud-accounts/*"}, true},
		{"glob too short", fault.Match{Path: "/api/v1/orgs/*"}, false},
		{"header present", fault.Match{Headers: map[string]string{"X-Test": "*"}}, true},
		{"header value", fault.Match{Headers: map[string]string{"X-Test": "yes"}}, true},
		{"header other value", fault.Match{Headers: map[string]string{"X-Test": "no"}}, false},
		{"other api", fault.Match{API: "zstack-not-loaded"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			rule := fault.Rule{Match: tc.match, Respond: fault.Respond{Status: 500}}
			if rule.Match.API == "zstack-not-loaded" {
				// Unknown APIs are refused by the control API.
				r := srv.Do("POST", "/_emulator/faults", rule)
				wantStatus(t, r, 400)
				return
			}
			srv.AddFault(rule)
			r := srv.Do("GET", prodAWS, nil, admin, "X-Test: yes")
			if hit := r.Status == 500; hit != tc.hit {
				t.Errorf("status %d, hit want %v", r.Status, tc.hit)
			}
		})
	}
}

func TestFaultBodyMatchNested(t *testing.T) {
	srv := start(t)
	srv.AddFault(fault.Rule{
		Match:   fault.Match{Operation: "createAwsCredentials", Body: map[string]any{"credentials.accessKeyId": "AKIA-BLOCKED"}},
		Respond: fault.Respond{Kind: api.KindInvalidArgument, Message: "key revoked"},
	})
	body := func(key string) any {
		return map[string]any{"displayName": "k", "credentials": map[string]string{"accessKeyId": key}}
	}
	wantStatus(t, srv.Do("POST", prodAWS+"/credentials/aws", body("AKIA-BLOCKED"), admin), 400)
	wantStatus(t, srv.Do("POST", prodAWS+"/credentials/aws", body("AKIA-OK"), admin), 200)
}

// TestFaultProbabilityRepeats checks that the same seed gives the same
// sequence of injected failures, and a different seed a different one.
func TestFaultProbabilityRepeats(t *testing.T) {
	run := func(seed uint64) string {
		srv := start(t, emulator.WithSeed(seed))
		p := 0.5
		srv.AddFault(fault.Rule{Match: fault.Match{Operation: "getCloudAccount"}, Probability: &p, Respond: fault.Respond{Status: 500}})
		var b strings.Builder
		for i := 0; i < 40; i++ {
			if srv.Do("GET", prodAWS, nil, admin).Status == 500 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b, c := run(1), run(1), run(2)
	if a != b {
		t.Errorf("same seed, different outcomes:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same outcomes: %s", a)
	}
	if n := strings.Count(a, "x"); n < 8 || n > 32 {
		t.Errorf("probability 0.5 fired %d of 40 times", n)
	}
}

// TestFaultDropResets checks that a dropped connection reaches the client
// as a connection error, never as an HTTP status.
func TestFaultDropResets(t *testing.T) {
	for _, mode := range []string{"reset", "close"} {
		t.Run(mode, func(t *testing.T) {
			srv := start(t)
			srv.AddFault(fault.Rule{Match: fault.Match{Operation: "listCloudAccounts"}, Respond: fault.Respond{Drop: mode}})
			req, _ := http.NewRequest("GET", srv.URL()+acme+"/cloud-accounts", nil)
			req.Header.Set("Authorization", "Token admin-token")
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got status %d, want a connection error", resp.StatusCode)
			}
			var ne net.Error
			if !errors.As(err, &ne) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF") {
				t.Errorf("unexpected error kind: %v", err)
			}
			e := srv.Requests(journal.Filter{Operation: "listCloudAccounts"})
			if len(e) != 1 || !e[0].Dropped {
				t.Errorf("journal should record the drop: %+v", e)
			}
			// The server keeps serving.
			wantStatus(t, srv.Do("GET", prodAWS, nil, admin), 200)
		})
	}
}

// TestFaultDelay checks that a delay holds the answer and that a client
// giving up early is not kept waiting.
func TestFaultDelay(t *testing.T) {
	srv := start(t)
	srv.AddFault(fault.Rule{Match: fault.Match{Operation: "getCloudAccount"}, Times: 1, Respond: fault.Respond{Delay: fault.Duration(50 * time.Millisecond)}})
	const long = time.Minute
	srv.AddFault(fault.Rule{Match: fault.Match{Operation: "listCloudCredentials"}, Respond: fault.Respond{Delay: fault.Duration(long)}})

	t0 := time.Now()
	wantStatus(t, srv.Do("GET", prodAWS, nil, admin), 200)
	if d := time.Since(t0); d < 50*time.Millisecond {
		t.Errorf("delayed answer came after %v", d)
	}

	req, _ := http.NewRequest("GET", srv.URL()+prodAWS+"/credentials", nil)
	req.Header.Set("Authorization", "Token admin-token")
	client := &http.Client{Timeout: 100 * time.Millisecond}
	t0 = time.Now()
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("client timeout did not fire during a long delay")
	}
	// Behaviour, not speed: the client got its answer before the delay
	// could have ended.
	if d := time.Since(t0); d >= long {
		t.Errorf("client waited %v, the whole injected delay", d)
	}
}

// TestFaultDelayCutShortByShutdown checks that closing the server does not
// wait out a long injected delay.
func TestFaultDelayCutShortByShutdown(t *testing.T) {
	emu, err := emulator.New(emulator.WithScenarioYAML("t.yaml", []byte(testScenario)), emulator.WithAddr("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	const delay = time.Minute
	rule := `{"match": {"operation": "getCloudAccount"}, "respond": {"delay": "1m"}}`
	resp, err := http.Post(emu.URL()+"/_emulator/faults", "application/json", strings.NewReader(rule))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("adding fault: %v %v", err, resp)
	}
	resp.Body.Close()
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", emu.URL()+prodAWS, nil)
		req.Header.Set("Authorization", "Token admin-token")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		r.Body.Close()
		done <- r.StatusCode
	}()
	time.Sleep(100 * time.Millisecond)
	t0 := time.Now()
	ctx, cancel := contextWithTimeout(2 * delay) // bounds a shutdown that never ends
	defer cancel()
	if err := emu.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	if d := time.Since(t0); d >= delay {
		t.Errorf("shutdown waited %v for an injected delay", d)
	}
	if st := <-done; st != 200 {
		t.Errorf("in-flight request finished with %d, want 200", st)
	}
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
