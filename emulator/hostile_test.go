package emulator_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/google/go-cmp/cmp"
)

// aliasBomb nests aliases so that a few hundred bytes stand for 10^levels
// nodes under a typed field (AWX users).
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("awx:\n  users:\n    - &a0 {username: u, password: p}\n")
	prev := "a0"
	for i := 1; i <= levels; i++ {
		name := fmt.Sprintf("a%d", i)
		fmt.Fprintf(&b, "    - &%s [%s]\n", name, strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", "))
		prev = name
	}
	return b.String()
}

// TestAliasBomb checks that a scenario expanding through aliases to
// billions of nodes is refused quickly, with a short error, by every path:
// emulator.New (--scenario, validate) and PUT /_emulator/scenario.
func TestAliasBomb(t *testing.T) {
	bomb := aliasBomb(9)
	if len(bomb) > 1500 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	_, err := emulator.New(emulator.WithScenarioYAML("bomb.yaml", []byte(bomb)))
	if err == nil || !strings.Contains(err.Error(), "expands through its aliases to more than") {
		t.Fatalf("New: %v", err)
	}
	srv := start(t)
	r := srv.Do("PUT", "/_emulator/scenario?name=bomb.yaml", bomb, "Content-Type: application/yaml")
	if r.Status != http.StatusBadRequest || len(r.Body) > 4096 || !strings.Contains(string(r.Body), "expands through its aliases") {
		t.Errorf("PUT /scenario: %d, %d bytes: %.300s", r.Status, len(r.Body), r.Body)
	}
}

// TestErrorsAreCapped checks that a scenario with thousands of problems
// reports a bounded list, ending with a count of the rest.
func TestErrorsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("awx:\n  users:\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "    - {username: u%d, bogus%s: 1}\n", i, strings.Repeat("x", 600))
	}
	_, err := emulator.New(emulator.WithScenarioYAML("many.yaml", []byte(b.String())))
	list, ok := err.(scenario.ErrorList)
	if !ok || len(list) != scenario.MaxReported+1 || !strings.Contains(list[len(list)-1].Msg, "more problems") {
		t.Fatalf("errors: %d (%T)", len(list), err)
	}
	for _, e := range list {
		if len(e.Msg) > 600 {
			t.Errorf("message of %d bytes", len(e.Msg))
		}
	}
}

// TestControlBodiesAreBounded checks that control calls refuse huge bodies
// and never echo their input back at length.
func TestControlBodiesAreBounded(t *testing.T) {
	srv := start(t)
	huge := `{"set": "` + strings.Repeat("9", 2<<20) + `"}`
	for _, path := range []string{"/_emulator/clock", "/_emulator/verify", "/_emulator/faults"} {
		r := srv.Do("POST", path, huge)
		if r.Status != http.StatusRequestEntityTooLarge || len(r.Body) > 1024 {
			t.Errorf("%s with 2 MiB: %d, %d bytes", path, r.Status, len(r.Body))
		}
	}
	long := `{"set": "` + strings.Repeat("9", 100000) + `"}`
	if r := srv.Do("POST", "/_emulator/clock", long); r.Status != 400 || len(r.Body) > 1024 {
		t.Errorf("a long bad value is echoed: %d, %d bytes", r.Status, len(r.Body))
	}
}

// TestClockRange checks that the clock refuses instants it cannot hold.
func TestClockRange(t *testing.T) {
	srv := start(t)
	for _, body := range []string{`{"set": "9999-01-01T00:00:00Z"}`, `{"set": "0001-01-01T00:00:00Z"}`, `{"advance": "2562047h"}`, `{"advance": "-2562047h"}`} {
		r := srv.Do("POST", "/_emulator/clock", body)
		if r.Status != 400 || !strings.Contains(string(r.Body), "must stay between 1900-01-01 and 2200-01-01") {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	want(t, srv.Do("POST", "/_emulator/clock", `{"set": "2199-12-31T00:00:00Z"}`), 200)
	for range 3 { // repeated advances cannot wrap around either
		if r := srv.Do("POST", "/_emulator/clock", `{"advance": "2000000h"}`); r.Status != 400 {
			t.Errorf("advance past 2200: %d %s", r.Status, r.Body)
		}
	}
}

// TestFaultNumbersValidated checks every number of a rule, in the control
// API and in scenarios alike.
func TestFaultNumbersValidated(t *testing.T) {
	srv := start(t)
	for _, rule := range []string{
		"match: {api: avisi}\nprobability: .nan\nrespond: {status: 500}\n",
		"match: {api: avisi}\nprobability: .inf\nrespond: {status: 500}\n",
		"match: {api: avisi}\nprobability: -0.5\nrespond: {status: 500}\n",
		"match: {api: avisi}\nprobability: 1.5\nrespond: {status: 500}\n",
		"match: {api: avisi}\nafter: -1\nrespond: {status: 500}\n",
		"match: {api: avisi}\ntimes: -1\nrespond: {status: 500}\n",
	} {
		if r := srv.Do("POST", "/_emulator/faults", rule, "Content-Type: application/yaml"); r.Status != 400 {
			t.Errorf("control API took %q: %d %s", rule, r.Status, r.Body)
		}
		sc := "faults:\n  - " + strings.ReplaceAll(strings.TrimSpace(rule), "\n", "\n    ") + "\n"
		if _, err := emulator.New(emulator.WithScenarioYAML("f.yaml", []byte(sc))); err == nil {
			t.Errorf("scenario took %q", rule)
		}
	}
	if r := srv.Do("GET", "/_emulator/faults", nil); r.Status != 200 {
		t.Errorf("listing: %d", r.Status)
	}
}

// TestControlAPIRefusesBrowsers checks the defences against web pages
// without an admin token: foreign Host (DNS rebinding), foreign Origin and
// simple cross-site content types; and that tools still get through.
func TestControlAPIRefusesBrowsers(t *testing.T) {
	srv := start(t)
	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string
		status  int
	}{
		{"tool", "POST", "/_emulator/reset", "", nil, 200},
		{"tool with JSON", "POST", "/_emulator/clock", `{"advance": "1h"}`, []string{"Content-Type: application/json"}, 200},
		{"rebinding host", "GET", "/_emulator/state", "", []string{"Host: attacker.example:8080"}, 403},
		{"localhost", "GET", "/_emulator/health", "", []string{"Host: localhost:8080"}, 200},
		{"cross-site origin", "POST", "/_emulator/reset", "", []string{"Origin: http://evil.example"}, 403},
		{"other local origin", "POST", "/_emulator/reset", "", []string{"Origin: http://127.0.0.1:3000"}, 403},
		{"text/plain body", "POST", "/_emulator/faults", `{"match": {}, "respond": {"status": 500}}`, []string{"Content-Type: text/plain"}, 415},
		{"form body", "POST", "/_emulator/clock", `advance=1h`, []string{"Content-Type: application/x-www-form-urlencoded"}, 415},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL()+tc.path, strings.NewReader(tc.body))
			for _, h := range tc.headers {
				k, v, _ := strings.Cut(h, ":")
				if k == "Host" {
					req.Host = strings.TrimSpace(v)
				} else {
					req.Header.Set(k, strings.TrimSpace(v))
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
	// Same-origin pages (the emulator's own URL) and allowed names pass.
	allowed := start(t, emulator.WithAllowedHosts("credemu"))
	req, _ := http.NewRequest("GET", allowed.URL()+"/_emulator/health", nil)
	req.Host = "credemu:8080"
	req.Header.Set("Origin", "http://credemu:8080")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("allowed host: %v %v", err, resp)
	}
	// An admin token replaces these checks.
	guarded := start(t, emulator.WithAdminToken("s3cret"))
	r := guarded.Do("POST", "/_emulator/reset", nil, "Authorization: Bearer s3cret", "Origin: http://evil.example")
	want(t, r, 200)
}

// TestExportRacesReset reads every family's state while resets run, for
// the race detector.
func TestExportRacesReset(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 150 {
				srv.Do("GET", "/_emulator/state", nil)
			}
		}()
		go func() {
			defer wg.Done()
			for range 150 {
				srv.Do("POST", "/_emulator/reset", nil)
			}
		}()
	}
	wg.Wait()
}

// startReal runs an emulator on a real loopback listener.
func startReal(t *testing.T, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	emu, err := emulator.New(append([]emulator.Option{emulator.WithAddr("127.0.0.1:0")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = emu.Close(ctx)
	})
	return emu
}

// TestTimeouts checks that a trickled body and an idle keep-alive
// connection are both closed by the server, and that a stalled upload does
// not hold up a graceful shutdown.
func TestTimeouts(t *testing.T) {
	emu := startReal(t, emulator.WithTimeouts(300*time.Millisecond, 300*time.Millisecond))
	addr := strings.TrimPrefix(emu.URL(), "http://")
	closedWithin := func(conn net.Conn, d time.Duration) bool {
		_ = conn.SetReadDeadline(time.Now().Add(d))
		buf := make([]byte, 4096)
		for {
			if _, err := conn.Read(buf); err != nil {
				var ne net.Error
				return !(errors.As(err, &ne) && ne.Timeout())
			}
		}
	}
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "POST /api/v1/orgs/acme/cloud-accounts HTTP/1.1\r\nHost: %s\r\nAuthorization: Token admin-token\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", addr)
	if !closedWithin(slow, time.Minute) {
		t.Error("a trickled body kept its connection past the read timeout")
	}
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /_emulator/health HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	if !closedWithin(idle, time.Minute) {
		t.Error("an idle keep-alive connection stayed open past the idle timeout")
	}

	// A long read timeout: only the drain can end this upload.
	drain := startReal(t, emulator.WithTimeouts(time.Hour, time.Hour))
	daddr := strings.TrimPrefix(drain.URL(), "http://")
	stalled, err := net.Dial("tcp", daddr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "POST /api/v1/orgs/acme/cloud-accounts HTTP/1.1\r\nHost: %s\r\nAuthorization: Token admin-token\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", daddr)
	time.Sleep(100 * time.Millisecond) // the handler is (most likely) reading the body; if not, it will find the server closing
	// The bound only ends a shutdown that never drains; an hour-long read
	// timeout is what the drain is cutting short.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := drain.Close(ctx); err != nil {
		t.Errorf("shutdown with a stalled upload: %v", err)
	}
}

// TestEscapedSecretKeysRedacted sends a secret under a JSON-escaped key to
// every family and finds it redacted in the journal.
func TestEscapedSecretKeysRedacted(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	const secret = "hunter2-escaped"
	calls := []struct{ method, path, body string }{
		{"POST", accounts + "/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a03/credentials/vsphere", `{"displayName":"x","credentials":{"username":"u","pass\u0077ord":"` + secret + `"}}`},
		{"PUT", zstackLogin, `{"logInByAccount":{"accountName":"admin","pass\u0077ord":"` + secret + `"}}`},
		{"POST", "/api/v2/users/", `{"username":"esc","pass\u0077ord":"` + secret + `"}`},
		{"POST", "/rest/appliance/local-accounts/esc", `{"config":{"roles":["operator"],"pass\u0077ord":"` + secret + `"}}`},
	}
	for _, c := range calls {
		srv.Do(c.method, c.path, c.body, admin, "Authorization: Basic YWRtaW46cGFzc3dvcmQ=")
	}
	for _, e := range srv.Requests(journal.Filter{}) {
		if strings.Contains(string(e.RequestBody), secret) {
			t.Errorf("%s %s journalled the secret: %s", e.Method, e.Path, e.RequestBody)
		}
	}
}

// TestSessionsArePurged checks that expired ZStack sessions and idle
// vSphere sessions do not pile up: they are swept on the virtual clock.
func TestSessionsArePurged(t *testing.T) {
	srv := start(t, emulator.WithScenarioYAML("purge.yaml", []byte("clock: 2026-01-01T00:00:00Z\ninclude: [fixtures/zstack/default-world.yaml, fixtures/vsphere/default-world.yaml]\n")))
	for range 50 {
		loginIDs(t, srv)
	}
	count := func() (float64, float64, float64) {
		apis := srv.State()["apis"].(map[string]any)
		z := apis["zstack"].(map[string]any)
		return z["sessions"].(float64), z["jobs"].(float64), apis["vsphere"].(map[string]any)["sessions"].(float64)
	}
	zs, jobs, vs := count()
	if zs < 51 || jobs != 50 || vs < 100 {
		t.Fatalf("before: %v ZStack sessions, %v jobs, %v vSphere sessions", zs, jobs, vs)
	}
	// Past ZStack's 2h sessions and 3h jobs (never polled) and vSphere's
	// 30 idle minutes; a login sweeps.
	srv.AdvanceClock(3 * time.Hour)
	loginIDs(t, srv)
	zs, jobs, vs = count()
	// Left: the pinned ZStack session and this login's, its job, its two vSphere sessions.
	if zs != 2 || jobs != 1 || vs != 2 {
		t.Errorf("after: %v ZStack sessions, %v jobs, %v vSphere sessions", zs, jobs, vs)
	}
}

// TestEscapedSlashStaysInItsSegment: an id with an escaped slash and dot
// segments never reaches another object. Django's resolver and vAPI answer
// 404; the journal records the path as it was asked.
func TestEscapedSlashStaysInItsSegment(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	awx := "Authorization: Basic YWRtaW46cGFzc3dvcmQ="
	vs := "Authorization: Basic YWRtaW5pc3RyYXRvckB2c3BoZXJlLmxvY2FsOlBhc3N3MHJkIQ=="
	cases := []struct {
		method, path, auth string
		status             int
	}{
		{"DELETE", "/api/v2/users/1%2f..%2f..%2fcredentials%2f3/", awx, 404},
		{"DELETE", "/api/v2/users/1%2F..%2F..%2Fcredentials%2F3/", awx, 404},
		{"GET", "/api/v2/credentials/3%2f/", awx, 404},
		{"GET", "/api/appliance/local-accounts/x%2f..%2fops", vs, 404},
		{"GET", "/rest/appliance/local-accounts/x%2F..%2Fops", vs, 404},
		// ZStack answers a get of an unknown uuid with an empty inventory.
		{"GET", "/zstack/v1/iam2/virtual-ids/x%2f..%2f894f1c5bf6714a76b08324c69b8cac7c", "Authorization: OAuth 0123456789abcdef0123456789abcdef", 200},
		// Escapes that decode within a segment still work.
		{"GET", "/api/appliance/local-accounts/%6fps", vs, 200},
		{"GET", "/api/v2/credentials/%33/", awx, 200},
	}
	for _, c := range cases {
		if r := srv.Do(c.method, c.path, nil, c.auth); r.Status != c.status || strings.HasPrefix(c.path, "/zstack") && string(r.Body) != `{"inventories":[]}` {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, r.Status, c.status, r.Body)
		}
	}
	if r := srv.Do("GET", "/api/v2/credentials/3/", nil, awx); r.Status != 200 {
		t.Errorf("credential 3 is gone: %d", r.Status)
	}
	if r := srv.Do("GET", "/api/appliance/local-accounts/ops", nil, vs); r.Status != 200 {
		t.Errorf("ops is gone: %d", r.Status)
	}
	var paths []string
	for _, e := range srv.Requests(journal.Filter{Method: "DELETE"}) {
		paths = append(paths, e.Path)
	}
	if diff := cmp.Diff([]string{"/api/v2/users/1%2f..%2f..%2fcredentials%2f3/", "/api/v2/users/1%2F..%2F..%2Fcredentials%2F3/"}, paths); diff != "" {
		t.Errorf("journal paths (-want +got):\n%s", diff)
	}
}

// TestUnstorableText: a NUL or half a surrogate pair in a string is refused
// in every family's own format (the vendors' databases do not store them),
// while a whole pair and an escaped backslash pass.
func TestUnstorableText(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	awx := "Authorization: Basic YWRtaW46cGFzc3dvcmQ="
	zs := "Authorization: OAuth 0123456789abcdef0123456789abcdef"
	cases := []struct {
		name, path, body, auth string
		status                 int
		want                   string
	}{
		{"AWX NUL", "/api/v2/organizations/", `{"name": "ev\u0000il"}`, awx, 400, `{"name":["Null characters are not allowed."]}`},
		{"AWX lone surrogate", "/api/v2/organizations/", `{"name": "x\ud800y"}`, awx, 400, `{"name":["Lone UTF-16 surrogates are not allowed."]}`},
		{"AWX low surrogate alone", "/api/v2/organizations/", `{"name": "x\udc00"}`, awx, 400, `Lone UTF-16 surrogates`},
		{"AWX pair", "/api/v2/organizations/", `{"name": "emoji \ud83d\ude00"}`, awx, 201, `"name":"emoji 😀"`},
		{"AWX escaped backslash", "/api/v2/organizations/", `{"name": "back\\u0000slash"}`, awx, 201, `back\\u0000slash`},
		{"Avisi NUL", accounts, `{"displayName": "a\u0000", "cloudProfile": "aws-eu-west-1"}`, admin, 400, `Null characters are not allowed.`},
		{"ZStack NUL", "/zstack/v1/iam2/virtual-ids", `{"params": {"name": "n\u0000", "password": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"}}`, zs, 503, `Null characters are not allowed.`},
	}
	for _, c := range cases {
		r := srv.Do("POST", c.path, c.body, c.auth)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s; want %d with %s", c.name, r.Status, r.Body, c.status, c.want)
		}
	}
}

// TestConnectionCap: past --max-connections a new connection is answered
// at once with a 503 that says why, and closed; once one closes, a new one
// is served again.
func TestConnectionCap(t *testing.T) {
	emu := startReal(t, emulator.WithMaxConnections(2), emulator.WithTimeouts(time.Hour, time.Hour))
	addr := strings.TrimPrefix(emu.URL(), "http://")
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// A request answered, so the server has surely accepted the
		// connection, which stays open (keep-alive).
		fmt.Fprintf(c, "GET /_emulator/health HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	resp, err := http.Get(emu.URL() + "/_emulator/health")
	if err != nil {
		t.Fatalf("the third connection: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "at most 2 at once (--max-connections)") {
		t.Errorf("past the cap: %d %s", resp.StatusCode, body)
	}
	held[0].Close()
	// The server frees the place when it sees the close; the bound only
	// ends a place that is never freed.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get(emu.URL() + "/_emulator/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed connection's place was never freed")
		}
	}
}

// TestHTTP2Settings: the server tells HTTP/2 clients it takes at most
// MaxConcurrentStreams streams per connection, and a small window per
// stream, so stalled uploads on many streams hold little memory.
func TestHTTP2Settings(t *testing.T) {
	emu := startReal(t, emulator.WithTLS(emulator.TLS{}))
	b, err := emu.TLSBundle()
	if err != nil {
		t.Fatal(err)
	}
	conf := b.ClientConfig()
	conf.NextProtos = []string{"h2"}
	conn, err := tls.Dial("tcp", strings.TrimPrefix(emu.URL(), "https://"), conf)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if p := conn.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("negotiated %q", p)
	}
	// The client preface and an empty SETTINGS frame; the server's first
	// frame is its SETTINGS.
	if _, err := conn.Write(append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 0, 0, 0, 4, 0, 0, 0, 0, 0)); err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 9)
	if _, err := io.ReadFull(conn, head); err != nil || head[3] != 4 {
		t.Fatalf("first frame: % x %v", head, err)
	}
	payload := make([]byte, int(head[0])<<16|int(head[1])<<8|int(head[2]))
	if _, err := io.ReadFull(conn, payload); err != nil {
		t.Fatal(err)
	}
	settings := map[uint16]uint32{}
	for i := 0; i+6 <= len(payload); i += 6 {
		settings[binary.BigEndian.Uint16(payload[i:])] = binary.BigEndian.Uint32(payload[i+2:])
	}
	const maxStreams, initialWindow = 0x3, 0x4
	if settings[maxStreams] != emulator.MaxConcurrentStreams || settings[initialWindow] == 0 || settings[initialWindow] > 64<<10 {
		t.Errorf("SETTINGS: %v; want MAX_CONCURRENT_STREAMS %d and INITIAL_WINDOW_SIZE at most 64 KiB", settings, emulator.MaxConcurrentStreams)
	}
}

// TestStartOn: a server serves on a listener its caller opened, over plain
// HTTP or, with WithTLS, HTTPS; Close closes that listener, and so does a
// StartOn that fails.
func TestStartOn(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []emulator.Option
	}{
		{"http", nil},
		{"https", []emulator.Option{emulator.WithTLS(emulator.TLS{})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			emu, err := emulator.New(tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := emu.StartOn(ln); err != nil {
				t.Fatal(err)
			}
			if want := tc.name + "://" + ln.Addr().String(); emu.URL() != want {
				t.Errorf("URL %q; want %q", emu.URL(), want)
			}
			client := http.DefaultClient
			if tc.name == "https" {
				b, err := emu.TLSBundle()
				if err != nil {
					t.Fatal(err)
				}
				client = &http.Client{Transport: &http.Transport{TLSClientConfig: b.ClientConfig()}}
			}
			resp, err := client.Get(emu.URL() + "/_emulator/health")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("health: %d", resp.StatusCode)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := emu.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if conn, err := net.Dial("tcp", ln.Addr().String()); err == nil {
				conn.Close()
				t.Error("the listener still takes connections after Close")
			}
		})
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	emu, err := emulator.New(emulator.WithTLS(emulator.TLS{CertFile: missing, KeyFile: missing}))
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.StartOn(ln); err == nil {
		t.Fatal("StartOn served a certificate that does not exist")
	}
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(time.Second))
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("after a StartOn that failed, its listener's Accept says %v; want it closed", err)
	}
}

// TestEarlyListen: with WithEarlyListen, the port New opens is the one
// Start serves on; an address in use is Start's error; a New that fails, and
// a Close with no Start, let the port go.
func TestEarlyListen(t *testing.T) {
	freePort := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	released := func(addr string) bool {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			ln.Close()
		}
		return err == nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	addr := freePort()
	emu, err := emulator.New(emulator.WithAddr(addr), emulator.WithEarlyListen())
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	if released(addr) {
		t.Error("after Start the port is free; want it held")
	}
	resp, err := http.Get("http://" + addr + "/_emulator/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || emu.URL() != "http://"+addr {
		t.Errorf("health %d at %s; want 200 at http://%s", resp.StatusCode, emu.URL(), addr)
	}
	if err := emu.Close(ctx); err != nil || !released(addr) {
		t.Errorf("Close: %v; port released: %v", err, released(addr))
	}

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	emu, err = emulator.New(emulator.WithAddr(taken.Addr().String()), emulator.WithEarlyListen())
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("Start on an address in use: %v", err)
	}
	_ = emu.Close(ctx)

	addr = freePort()
	if _, err := emulator.New(emulator.WithAddr(addr), emulator.WithEarlyListen(), emulator.WithScenario("nonesuch")); err == nil {
		t.Fatal("New loaded a scenario that does not exist")
	}
	if !released(addr) {
		t.Error("a New that failed kept the port")
	}
	addr = freePort()
	emu, err = emulator.New(emulator.WithAddr(addr), emulator.WithEarlyListen())
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Close(ctx); err != nil || !released(addr) {
		t.Errorf("Close with no Start: %v; port released: %v", err, released(addr))
	}
}
