// Package emulatortest runs credemu inside Go tests: Start gives each test
// its own in-process emulator on 127.0.0.1, closed automatically when the
// test ends, with helpers for faults, the journal, state and the clock.
//
//	srv := emulatortest.Start(t, emulator.WithScenario("default"))
//	client := myclient.New(srv.URL(), "admin-token")
//	srv.AddFault(fault.Rule{Match: fault.Match{Operation: "createCloudAccount"}, Respond: fault.Respond{Status: 500}})
//	... run the client ...
//	if n := len(srv.Requests(journal.Filter{Operation: "createCloudAccount"})); n != 1 { t.Errorf(...) }
package emulatortest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/tlscert"
)

// Server is an emulator started for one test. Its helpers work on the
// default sandbox; Sandbox returns the same helpers for a named one.
type Server struct {
	t   testing.TB
	Emu *emulator.Server
	ts  *httptest.Server
	// sandbox is sent as X-Emulator-Sandbox on every call ("": default).
	sandbox string
	// client is the HTTPS client of StartTLS (nil: httptest's own).
	client *http.Client
	bundle *tlscert.Bundle
}

// Sandbox returns helpers bound to the named sandbox of the same server:
// its own copy of the scenario's world, faults, journal and clock. Parallel
// subtests that each take their own sandbox do not see one another. The
// sandbox is dropped when the test that asked for it ends.
func (s *Server) Sandbox(name string) *Server {
	c := *s
	c.sandbox = name
	s.t.Cleanup(func() { s.Emu.DropSandbox(name) })
	return &c
}

// Start starts an emulator with opts (the built-in default scenario unless
// a scenario option says otherwise) and closes it when the test ends. A
// scenario that fails to load fails the test at once.
func Start(t testing.TB, opts ...emulator.Option) *Server {
	t.Helper()
	return start(t, false, opts)
}

// StartYAML starts an emulator on the scenario text yaml (named name in
// its errors), with every answer checked against its response schema, the
// way the family tests run.
func StartYAML(t testing.TB, name, yaml string, opts ...emulator.Option) *Server {
	t.Helper()
	return Start(t, append([]emulator.Option{emulator.WithScenarioYAML(name, []byte(yaml)), emulator.WithResponseCheck(true)}, opts...)...)
}

// StartTLS is Start over HTTPS, HTTP/2 and HTTP/1.1, with the certificate
// credemu generates (or the one emulator.WithTLS names). Client trusts it;
// CAFile gives it to tools that want a PEM file.
func StartTLS(t testing.TB, opts ...emulator.Option) *Server {
	t.Helper()
	return start(t, true, opts)
}

func start(t testing.TB, secure bool, opts []emulator.Option) *Server {
	t.Helper()
	emu, err := emulator.New(opts...)
	if err != nil {
		t.Fatalf("emulatortest: starting credemu: %v", err)
	}
	ts := httptest.NewUnstartedServer(emu)
	s := &Server{t: t, Emu: emu, ts: ts}
	if secure {
		b, err := emu.TLSBundle()
		if err != nil {
			t.Fatalf("emulatortest: TLS certificate: %v", err)
		}
		ts.EnableHTTP2 = true
		ts.TLS = b.ServerConfig()
		ts.StartTLS()
		s.bundle = b
		s.client = &http.Client{Transport: &http.Transport{TLSClientConfig: b.ClientConfig(), ForceAttemptHTTP2: true}}
	} else {
		ts.Start()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = emu.Close(ctx)
		ts.Close()
		if s.client != nil {
			s.client.CloseIdleConnections()
		}
	})
	return s
}

// URL is the emulator's base URL, e.g. "http://127.0.0.1:41234"
// ("https://..." for StartTLS).
func (s *Server) URL() string { return s.ts.URL }

// CACertPEM returns the PEM certificate a client of a StartTLS server must
// trust (nil for plain HTTP).
func (s *Server) CACertPEM() []byte {
	if s.bundle == nil {
		return nil
	}
	return s.bundle.TrustPEM
}

// CAFile writes CACertPEM to a file in the test's temporary directory and
// returns its path, for tools that take a CA file (curl --cacert, govmomi,
// Ansible's ca_path).
func (s *Server) CAFile() string {
	s.t.Helper()
	if s.bundle == nil {
		s.t.Fatal("emulatortest: CAFile needs a server started with StartTLS")
	}
	path := filepath.Join(s.t.TempDir(), "credemu-ca.pem")
	if err := s.bundle.WriteTrust(path); err != nil {
		s.t.Fatalf("emulatortest: %v", err)
	}
	return path
}

// Client returns an HTTP client for the emulator (trusting its certificate
// under StartTLS); for a sandbox it adds the X-Emulator-Sandbox header to
// every request, so a client under test needs no change.
func (s *Server) Client() *http.Client {
	shared := s.client
	if shared == nil {
		shared = s.ts.Client()
	}
	if s.sandbox == "" {
		return shared
	}
	// Wrap a copy, never the shared client.
	c := *shared
	c.Transport = sandboxTransport{base: shared.Transport, name: s.sandbox}
	return &c
}

type sandboxTransport struct {
	base http.RoundTripper
	name string
}

func (t sandboxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(emulator.SandboxHeader, t.name)
	return t.base.RoundTrip(r)
}

// Reset puts the sandbox back to its scenario's initial state.
func (s *Server) Reset() {
	s.t.Helper()
	if err := s.Emu.Reset(s.sandbox); err != nil {
		s.t.Fatalf("emulatortest: reset: %v", err)
	}
}

// AddFault adds a fault rule to the sandbox and returns its id.
func (s *Server) AddFault(r fault.Rule) int {
	s.t.Helper()
	var out struct {
		ID int `json:"id"`
	}
	s.control(http.MethodPost, "/faults", r, &out)
	return out.ID
}

// Requests returns the journal entries of the sandbox that match f.
func (s *Server) Requests(f journal.Filter) []journal.Entry {
	s.t.Helper()
	q := url.Values{}
	add := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	add("api", f.API)
	add("operation", f.Operation)
	add("method", f.Method)
	add("path", f.Path)
	if f.Status != 0 {
		add("status", fmt.Sprint(f.Status))
	}
	if f.Limit != 0 {
		add("limit", fmt.Sprint(f.Limit))
	}
	if !f.Since.IsZero() {
		add("since", f.Since.Format(time.RFC3339Nano))
	}
	if !f.Until.IsZero() {
		add("until", f.Until.Format(time.RFC3339Nano))
	}
	after := f.AfterSeq
	all := []journal.Entry{}
	for {
		if after > 0 {
			q.Set("after", fmt.Sprint(after))
		}
		var out struct {
			Requests []journal.Entry `json:"requests"`
			Next     int64           `json:"next"`
		}
		s.control(http.MethodGet, "/requests?"+q.Encode(), nil, &out)
		all = append(all, out.Requests...)
		if out.Next == 0 {
			return all
		}
		after = out.Next
	}
}

// State returns the sandbox's state, secrets redacted, as decoded JSON.
func (s *Server) State() map[string]any {
	s.t.Helper()
	var out map[string]any
	s.control(http.MethodGet, "/state", nil, &out)
	return out
}

// AdvanceClock moves the sandbox's virtual clock forward by d.
func (s *Server) AdvanceClock(d time.Duration) {
	s.t.Helper()
	s.control(http.MethodPost, "/clock", map[string]string{"advance": d.String()}, nil)
}

func (s *Server) control(method, path string, body, out any) {
	s.t.Helper()
	data := s.controlRaw(method, path, body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("emulatortest: %s %s: decoding %s: %v", method, path, data, err)
		}
	}
}

// controlRaw makes a control call and returns its body, failing the test
// on an error status.
func (s *Server) controlRaw(method, path string, body any) []byte {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatalf("emulatortest: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL()+"/_emulator"+path, rd)
	if err != nil {
		s.t.Fatalf("emulatortest: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.sandbox != "" {
		req.Header.Set(emulator.SandboxHeader, s.sandbox)
	}
	if tok := s.Emu.AdminToken(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		s.t.Fatalf("emulatortest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 && !(path == "/verify" && resp.StatusCode == http.StatusConflict) {
		s.t.Fatalf("emulatortest: %s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return data
}

// Snapshot returns the sandbox's world as scenario YAML (GET
// /_emulator/snapshot): every object with its ids, times and passwords,
// the fault rules in force, the clock and the id sequence. Save it as a
// test fixture, or start another emulator from it (Reload).
func (s *Server) Snapshot() []byte {
	s.t.Helper()
	return s.controlRaw(http.MethodGet, "/snapshot", nil)
}

// Reload starts a second emulator (with opts) on a snapshot of this
// sandbox's world, fails the test unless its /_emulator/state is this
// one's, and returns it: what a client built here, a restart from a
// snapshot or a state file keeps.
func (s *Server) Reload(opts ...emulator.Option) *Server {
	s.t.Helper()
	loaded := Start(s.t, append([]emulator.Option{emulator.WithScenarioYAML("snapshot.yaml", s.Snapshot())}, opts...)...)
	if diff := cmp.Diff(s.State()["apis"], loaded.State()["apis"]); diff != "" {
		s.t.Fatalf("emulatortest: the state loaded from a snapshot differs (-snapshotted +loaded):\n%s", diff)
	}
	return loaded
}

// Response is a finished HTTP exchange, read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Want fails the test at once, showing the body, unless the status is status.
func (r *Response) Want(t testing.TB, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
}

// JSON decodes the body into a generic value, failing the test if it is not JSON.
func (r *Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("response body is not a JSON object: %v\n%s", err, r.Body)
	}
	return v
}

// Do sends a request to the emulator. body may be nil, a string or []byte
// (sent as is) or any other value (sent as JSON); headers are "Name: value"
// strings. A JSON Content-Type is set for bodies unless a header sets one.
func (s *Server) Do(method, path string, body any, headers ...string) *Response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			s.t.Fatalf("emulatortest: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		s.t.Fatalf("emulatortest: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.sandbox != "" {
		req.Header.Set(emulator.SandboxHeader, s.sandbox)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		s.t.Fatalf("emulatortest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("emulatortest: reading %s %s: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// Verify checks that the sandbox's journal holds requests matching x (see
// journal.Expectation) and reports a diff with t.Errorf when it does not.
// It returns whether the expectation held.
func (s *Server) Verify(x journal.Expectation) bool {
	s.t.Helper()
	return s.report(x)
}

// WaitFor waits, in real time, up to timeout (at most journal.MaxWithin)
// for the sandbox's journal to hold requests matching x, for a client that
// works asynchronously (a reconciler, a job in another process). It
// returns as soon as x holds; one with AtMost waits the whole timeout. On
// failure it reports the diff and the closest calls with t.Errorf.
func (s *Server) WaitFor(x journal.Expectation, timeout time.Duration) bool {
	s.t.Helper()
	x.Within = timeout.String()
	return s.report(x)
}

// VerifySequence checks that requests matching steps came in this order
// (others may come between), reporting the first missing or out-of-order
// step with t.Errorf.
func (s *Server) VerifySequence(steps ...journal.Expectation) bool {
	s.t.Helper()
	return s.report(journal.Expectation{Sequence: steps})
}

func (s *Server) report(x journal.Expectation) bool {
	s.t.Helper()
	var res journal.Result
	s.control(http.MethodPost, "/verify", x, &res)
	if !res.OK {
		var diff strings.Builder
		for _, d := range res.Diff {
			diff.WriteString("  " + d.String() + "\n")
		}
		for _, n := range res.Closest {
			diff.WriteString("  closest: " + n.Call + "\n")
			for _, d := range n.Differs {
				diff.WriteString("    " + d.String() + "\n")
			}
		}
		if len(x.Sequence) > 0 {
			s.t.Errorf("credemu: want %s; %d step(s) matched:\n%scalls: %v", res.Want, res.Matched, diff.String(), res.Calls)
		} else {
			s.t.Errorf("credemu: want %s request(s) matching %+v, got %d:\n%scalls: %v", res.Want, x, res.Matched, diff.String(), res.Calls)
		}
	}
	return res.OK
}

// Coverage returns the server-wide coverage report.
func (s *Server) Coverage() emulator.CoverageReport {
	return s.Emu.Coverage()
}

// WithT returns the same helpers reporting to t, for a subtest or a
// parallel test that shares the server.
func (s *Server) WithT(t testing.TB) *Server {
	c := *s
	c.t = t
	return &c
}
