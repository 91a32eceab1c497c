package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credemu/credemu/emulator"
)

// request builds the i-th request of a worker.
type request func(worker, i int) (*http.Request, error)

// rate is what drive measured: requests per second and the 99th
// percentile latency.
type rate struct {
	rps float64
	p99 time.Duration
}

// samples gathers the requests and latencies of one or more rounds.
type samples struct {
	n   int64
	d   time.Duration
	lat []time.Duration
}

func (s *samples) rate() rate {
	return rate{rps: float64(s.n) / s.d.Seconds(), p99: percentile(s.lat, 0.99)}
}

// drive adds a round of d. Request numbers start at first, so that rounds
// never repeat a create's name.
func (s *samples) drive(d time.Duration, concurrency int, build request, want int, first int) error {
	return s.load(d, 0, concurrency, build, want, first)
}

// driveN adds a round of n requests (rounded down to a multiple of
// concurrency), however long they take.
func (s *samples) driveN(n, concurrency int, build request, want int, first int) error {
	return s.load(0, n/concurrency, concurrency, build, want, first)
}

// load runs concurrency workers for d, or for perWorker requests each.
func (s *samples) load(d time.Duration, perWorker, concurrency int, build request, want int, first int) error {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	var n atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	deadline := start.Add(d)
	more := func(i int) bool {
		if perWorker > 0 {
			return i < first+perWorker
		}
		return time.Now().Before(deadline)
	}
	var wg sync.WaitGroup
	// Each worker keeps its own latencies (at most maxSamples), merged at
	// the end for the percentile.
	const maxSamples = 1 << 18
	lat := make([][]time.Duration, concurrency)
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := first; more(i); i++ {
				req, err := build(w, i)
				t0 := time.Now()
				if err == nil {
					var resp *http.Response
					if resp, err = client.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != want {
							err = fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
						}
					}
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				if len(lat[w]) < maxSamples {
					lat[w] = append(lat[w], time.Since(t0))
				}
				n.Add(1)
			}
		}(w)
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return err
	}
	s.n += n.Load()
	if perWorker > 0 {
		d = time.Since(start)
	}
	s.d += d
	for _, l := range lat {
		s.lat = append(s.lat, l...)
	}
	return nil
}

// percentile returns the q-th quantile of ds (sorted in place).
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// bareServer answers every request with header and body, like the
// fastest server that could send the same answer. Date and Content-Length
// are net/http's own, as they are for credemu.
func bareServer(body []byte, header http.Header) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	header = header.Clone()
	header.Del("Date")
	header.Del("Content-Length")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// startEmulator starts credemu in this process on the default scenario
// with 20 fault rules that never match, as the targets specify, and
// request logging at credemu serve's default level (info, text): every
// line is formatted, then thrown away rather than written to a terminal.
func startEmulator(scenario string, opts ...emulator.Option) (*emulator.Server, error) {
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	emu, err := emulator.New(append([]emulator.Option{emulator.WithScenario(scenario), emulator.WithAddr("127.0.0.1:0"), emulator.WithLogger(logger)}, opts...)...)
	if err != nil {
		return nil, err
	}
	if err := emu.Start(); err != nil {
		return nil, err
	}
	return emu, neverFaults(emu)
}

// neverFaults adds the 20 fault rules that never match (a reset removes
// them with everything else added through the control API).
func neverFaults(emu *emulator.Server) error {
	for i := 0; i < 20; i++ {
		rule := fmt.Sprintf(`{"match": {"headers": {"X-Never-Sent": "%d"}}, "respond": {"status": 500}}`, i)
		resp, err := http.Post(emu.URL()+"/_emulator/faults", "application/json", strings.NewReader(rule))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("adding a fault rule: status %d", resp.StatusCode)
		}
	}
	return nil
}

type figure struct {
	name    string
	method  string
	path    string
	headers []string
	body    func(worker, i int) string
	status  int
	// scenario is where the figure runs: "" for the default one; lists of
	// 20 run on "large", so a page is 20 out of thousands.
	scenario string
}

const (
	avisiAuth   = "Token admin-token"
	vsphereAuth = "Basic YWRtaW5pc3RyYXRvckB2c3BoZXJlLmxvY2FsOlBhc3N3MHJkIQ==" // administrator@vsphere.local
)

var figures = []figure{
	{name: "avisi GET one cloud account", method: "GET", path: "/api/v1/orgs/acme/cloud-accounts/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a01",
		headers: []string{"Authorization", avisiAuth}, status: 200},
	{name: "avisi validated create", method: "POST", path: "/api/v1/orgs/acme/cloud-accounts",
		headers: []string{"Authorization", avisiAuth, "Content-Type", "application/json"}, status: 200,
		body: func(w, i int) string {
			return fmt.Sprintf(`{"displayName":"load-%d-%d","cloudProfile":"aws-eu-west-1"}`, w, i)
		}},
	{name: "zstack GET one virtual ID", method: "GET", path: "/zstack/v1/iam2/virtual-ids/894f1c5bf6714a76b08324c69b8cac7c",
		headers: []string{"Authorization", "OAuth 0123456789abcdef0123456789abcdef"}, status: 200},
	{name: "awx GET one credential", method: "GET", path: "/api/v2/credentials/1/",
		headers: []string{"Authorization", "Basic YWRtaW46cGFzc3dvcmQ="}, status: 200},
	{name: "awx validated create", method: "POST", path: "/api/v2/users/2/credentials/",
		headers: []string{"Authorization", "Basic YWRtaW46cGFzc3dvcmQ=", "Content-Type", "application/json"}, status: 201,
		body: func(w, i int) string {
			return fmt.Sprintf(`{"name":"load-%d-%d","credential_type":1,"inputs":{"username":"u","password":"p"}}`, w, i)
		}},
	{name: "zstack validated create", method: "POST", path: "/zstack/v1/iam2/virtual-ids",
		headers: []string{"Authorization", "OAuth 0123456789abcdef0123456789abcdef", "Content-Type", "application/json"}, status: 200,
		body: func(w, i int) string {
			return fmt.Sprintf(`{"params":{"name":"load-%d-%d","password":"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"}}`, w, i)
		}},
	{name: "vsphere GET one local account", method: "GET", path: "/api/appliance/local-accounts/ops",
		headers: []string{"Authorization", vsphereAuth}, status: 200},
	{name: "vsphere validated create", method: "POST", path: "/api/appliance/local-accounts",
		headers: []string{"Authorization", vsphereAuth, "Content-Type", "application/json"}, status: 201,
		body: func(w, i int) string {
			return fmt.Sprintf(`{"username":"load%dx%d","config":{"password":"Secret-1","roles":["operator"]}}`, w, i)
		}},
	{name: "avisi list 20 of 20,000", method: "GET", path: "/api/v1/orgs/bulk/cloud-accounts?size=20",
		headers: []string{"Authorization", avisiAuth}, status: 200, scenario: "large"},
	{name: "zstack list 20 of 20,000 (q=)", method: "GET", path: "/zstack/v1/iam2/virtual-ids?limit=20&q=state=Enabled",
		headers: []string{"Authorization", "OAuth 0123456789abcdef0123456789abcdef"}, status: 200, scenario: "large"},
	// vSphere's list has no paging: it names every local account.
	{name: "vsphere list of local accounts", method: "GET", path: "/api/appliance/local-accounts",
		headers: []string{"Authorization", vsphereAuth}, status: 200},
	{name: "awx list 20 of 20,000 (filter)", method: "GET", path: "/api/v2/credentials/?page_size=20&credential_type__kind=ssh",
		headers: []string{"Authorization", "Basic YWRtaW46cGFzc3dvcmQ="}, status: 200, scenario: "large"},
}

func (f figure) request(base string) request {
	return func(w, i int) (*http.Request, error) {
		var body io.Reader
		if f.body != nil {
			body = strings.NewReader(f.body(w, i))
		}
		req, err := http.NewRequest(f.method, base+f.path, body)
		if err != nil {
			return nil, err
		}
		for k := 0; k+1 < len(f.headers); k += 2 {
			req.Header.Set(f.headers[k], f.headers[k+1])
		}
		return req, nil
	}
}

// rounds is how many turns bare server and credemu take per figure.
const rounds = 8

// tailConnections is how many connections the p99 figure is measured at
// (issue 24's), in tailRounds turns of each server after its throughput
// rounds.
const (
	tailConnections = 32
	tailRounds      = 4
)

// throughputFigures measures each figure on credemu and on a bare server
// sending credemu's own answer, side by side.
func throughputFigures(w io.Writer, d time.Duration, concurrency int, pick *regexp.Regexp) error {
	emus := map[string]*emulator.Server{}
	defer func() {
		for _, emu := range emus {
			_ = emu.Close(context.Background())
		}
	}()
	fmt.Fprintf(w, "throughput, requests per second (whole pipeline on: auth, journal, 20 fault rules, validation, state),\n")
	fmt.Fprintf(w, "and p99 latency in ms:\n")
	fmt.Fprintf(w, "  %-34s %12s %12s %8s %9s %9s %6s\n", "figure", "bare net/http", "credemu", "ratio", "bare p99", "p99", "ratio")
	for _, f := range figures {
		if !pick.MatchString(f.name) {
			continue
		}
		scen := cmp.Or(f.scenario, "default")
		emu := emus[scen]
		if emu == nil {
			var err error
			if emu, err = startEmulator(scen); err != nil {
				return err
			}
			emus[scen] = emu
		}
		// Each figure starts from the scenario as loaded: a list must not
		// read what the creates before it made.
		reset, err := http.Post(emu.URL()+"/_emulator/reset", "application/json", nil)
		if err != nil {
			return err
		}
		reset.Body.Close()
		if err := neverFaults(emu); err != nil {
			return err
		}
		// The bare server answers with the headers and body credemu sends
		// for this request.
		req, _ := f.request(emu.URL())(999, 999)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		sample, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		base, stop, err := bareServer(sample, resp.Header)
		if err != nil {
			return err
		}
		// Bare server and credemu take turns, in rounds, so that a change
		// in the machine's background load falls on both alike.
		var bareS, gotS samples
		for r := 0; r < rounds; r++ {
			if err := bareS.drive(d/rounds, concurrency, f.request(base), http.StatusOK, r<<24); err != nil {
				stop()
				return err
			}
			if err := gotS.drive(d/rounds, concurrency, f.request(emu.URL()), f.status, r<<24); err != nil {
				stop()
				return fmt.Errorf("%s: %w", f.name, err)
			}
		}
		stop()
		bare, got := bareS.rate(), gotS.rate()
		fmt.Fprintf(w, "  %-34s %12.0f %12.0f %7.0f%% %9.2f %9.2f %5.1fx\n", f.name, bare.rps, got.rps, 100*got.rps/bare.rps,
			ms(bare.p99), ms(got.p99), float64(got.p99)/float64(max(bare.p99, 1)))
	}
	fmt.Fprintln(w, "  targets: GET at least 75% of the bare server, validated create at least 60%, list of 20 at least 50%;")
	fmt.Fprintln(w, "  p99 at most 2x the bare server's")
	return nil
}

// soakReport is what a soak run prints.
type soakReport struct {
	duration         time.Duration
	requests         int64
	byStatus         map[string]int64
	p50, p90, p99    time.Duration
	max              time.Duration
	rssStart, rssEnd string
	rssWarm          string // after a quarter of the run: journal full, state at its size
	// warmMin and warmMax bound resident memory (kB) over every second
	// after warm-up: flat memory keeps them close.
	warmMin, warmMax int64
	resets           int
	// hostile counts the outcomes of the hostile traffic by kind.
	hostile map[string]int64
}

func (r soakReport) print(w io.Writer) {
	fmt.Fprintf(w, "soak: %s, %d requests (%.0f/s)\n", r.duration.Round(time.Millisecond), r.requests, float64(r.requests)/r.duration.Seconds())
	keys := make([]string, 0, len(r.byStatus))
	for k := range r.byStatus {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-22s %d\n", k, r.byStatus[k])
	}
	fmt.Fprintf(w, "latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max))
	fmt.Fprintf(w, "resident memory: start %s, after warm-up %s, end %s (%d resets keep the state bounded)\n", r.rssStart, r.rssWarm, r.rssEnd, r.resets)
	if r.warmMax > 0 {
		fmt.Fprintf(w, "resident memory after warm-up, sampled at every reset: min %d kB, max %d kB\n", r.warmMin, r.warmMax)
	}
	if len(r.hostile) > 0 {
		keys := make([]string, 0, len(r.hostile))
		for k := range r.hostile {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintln(w, "hostile traffic (bounded by the emulator's limits):")
		for _, k := range keys {
			fmt.Fprintf(w, "  %-40s %d\n", k, r.hostile[k])
		}
	}
}

// soakConfig bounds a soak run. A run ends when its duration is up or
// when every worker has sent its share of requests, whichever comes first;
// a zero bound is no bound, and one of the two must be set. Resets and the
// memory samples are driven by request counts, so a run that is bounded by
// count does the same work, and checks the same things, at any speed.
type soakConfig struct {
	duration    time.Duration
	requests    int64 // requests of the main mix, over all workers
	concurrency int
	// resetEvery is how many requests of the mix come between two resets.
	resetEvery int64
	hostile    bool
	// hostileCounts, when set, bounds each kind of hostile traffic by a
	// count instead of by the run's duration.
	hostileCounts *hostileCounts
	// maxSandboxes, sandboxIdle and readTimeout are the emulator's limits
	// the hostile traffic is to meet.
	maxSandboxes int
	sandboxIdle  time.Duration
	readTimeout  time.Duration
}

// hostileCounts is how many requests of each hostile kind a count-bounded
// soak sends.
type hostileCounts struct {
	churn, queries, slowBodies int
	// escapes, bigBodies, inLists and bombs count the attacks of the
	// reliability re-probe: ids with an escaped slash, 64 KiB bodies to new
	// sandboxes without credentials, ZStack ?= lists of 9,000 values, and
	// scenarios whose generate: blocks would make millions of objects.
	escapes, bigBodies, inLists, bombs int
}

// defaultSoak is make soak's configuration for a run of d: short limits, so
// that the hostile traffic meets them within the run, and a reset about
// every second at this machine's rate.
func defaultSoak(d time.Duration, concurrency int, maxRequests int64, hostile bool) soakConfig {
	return soakConfig{duration: d, requests: maxRequests, concurrency: concurrency, resetEvery: 10_000, hostile: hostile,
		maxSandboxes: 200, sandboxIdle: time.Minute, readTimeout: time.Second}
}

// hostileRun sends the traffic a careless or hostile client sends: a new
// sandbox name on every request (sandbox churn), 60 KiB query strings
// (journal growth) and bodies that trickle in and stall (slow uploads).
// Each kind runs until its count is sent (counts set) or until deadline.
// Every request goes to 127.0.0.1.
func hostileRun(ctx context.Context, base string, deadline time.Time, counts *hostileCounts, count func(string)) {
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 2 * time.Minute}
	loop := func(n func(hostileCounts) int, f func(i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				if counts != nil && i >= n(*counts) || counts == nil && !time.Now().Before(deadline) {
					return
				}
				f(i)
			}
		}()
	}
	do := func(kind string, req *http.Request) {
		resp, err := client.Do(req)
		if err != nil {
			count(kind + ": transport error")
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		count(fmt.Sprintf("%s: status %d", kind, resp.StatusCode))
	}
	loop(func(c hostileCounts) int { return c.churn }, func(i int) { // sandbox churn, unauthenticated
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/orgs/acme/cloud-accounts", nil)
		req.Header.Set("X-Emulator-Sandbox", fmt.Sprintf("churn-%d", i))
		do("sandbox churn", req)
	})
	big := strings.Repeat("q", 60<<10)
	loop(func(c hostileCounts) int { return c.queries }, func(i int) { // large queries
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v2/users/?search="+big, nil)
		req.Header.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
		do("60 KiB query", req)
	})
	loop(func(c hostileCounts) int { return c.escapes }, func(i int) { // an escaped slash aimed at another object
		req, _ := http.NewRequest(http.MethodDelete, base+"/api/v2/users/1%2f..%2f..%2fcredentials%2f3/", nil)
		req.Header.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
		do("escaped slash", req)
	})
	bigBody := `{"displayName": "` + strings.Repeat("b", 64<<10) + `"}`
	loop(func(c hostileCounts) int { return c.bigBodies }, func(i int) { // journal bytes, no credentials
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/orgs/acme/cloud-accounts", strings.NewReader(bigBody))
		req.Header.Set("Content-Type", "application/json")
		do("64 KiB body, no credentials", req)
	})
	inList := make([]string, 9000)
	for i := range inList {
		inList[i] = fmt.Sprintf("x%d", i)
	}
	loop(func(c hostileCounts) int { return c.inLists }, func(i int) { // a long ZStack in-list
		req, _ := http.NewRequest(http.MethodGet, base+"/zstack/v1/iam2/virtual-ids?q=name%3F%3D"+strings.Join(inList, ","), nil)
		req.Header.Set("Authorization", "OAuth 0123456789abcdef0123456789abcdef")
		do("9,000-value in-list", req)
	})
	bomb := "include: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  organisations: [{slug: a, generate: {cloudAccounts: 100000, credentialsPerAccount: 100}}]\n"
	loop(func(c hostileCounts) int { return c.bombs }, func(i int) { // 112 bytes that would make ten million objects
		req, _ := http.NewRequest(http.MethodPut, base+"/_emulator/scenario", strings.NewReader(bomb))
		req.Header.Set("Content-Type", "application/yaml")
		do("generate bomb", req) // refused: the world in force stays, or the mix would show it
	})
	host := strings.TrimPrefix(base, "http://")
	loop(func(c hostileCounts) int { return c.slowBodies }, func(i int) { // a body that never finishes, one at a time
		conn, err := net.DialTimeout("tcp", host, time.Minute)
		if err != nil {
			count("slow body: dial error")
			return
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/orgs/acme/cloud-accounts HTTP/1.1\r\nHost: %s\r\nAuthorization: Token admin-token\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", host)
		// The server's read timeout ends the upload; this deadline only
		// bounds a server that never does, and is far past any timeout.
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Minute))
		if _, err := conn.Read(make([]byte, 512)); err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			count("slow body: cut by the server")
		} else {
			count("slow body: still open after 2m")
		}
	})
	wg.Wait()
}

// soakRun drives a mixed load on every family of an in-process credemu
// running the faults scenario, within cfg's bounds. Latencies are kept in
// a bounded reservoir so the soak's own memory stays flat too.
func soakRun(ctx context.Context, cfg soakConfig) (soakReport, error) {
	if cfg.duration <= 0 && cfg.requests <= 0 {
		return soakReport{}, errors.New("a soak needs a duration or a request count")
	}
	emu, err := startEmulator("faults", emulator.WithSandboxLimits(cfg.maxSandboxes, cfg.sandboxIdle), emulator.WithTimeouts(cfg.readTimeout, 5*time.Second))
	if err != nil {
		return soakReport{}, err
	}
	defer func() { _ = emu.Close(context.Background()) }()
	// The faults scenario delays every credential list by 1.5 s; the soak
	// measures the rest of the mix, so that rule is removed.
	req, _ := http.NewRequest(http.MethodDelete, emu.URL()+"/_emulator/faults/3", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	rep := soakReport{byStatus: map[string]int64{}, rssStart: rss()}
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.concurrency}
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	defer tr.CloseIdleConnections()
	const reservoir = 100_000
	var mu sync.Mutex
	lat := make([]time.Duration, 0, reservoir)
	var seen, total int64
	start := time.Now()
	var deadline time.Time
	if cfg.duration > 0 {
		deadline = start.Add(cfg.duration)
	}
	running := func() bool {
		return ctx.Err() == nil && (deadline.IsZero() || time.Now().Before(deadline))
	}
	// warm is whether the first quarter of the run, by its own bound, is over:
	// the journal is full and the state at its size from then on.
	warm := func(n int64) bool {
		if deadline.IsZero() {
			return n >= cfg.requests/4
		}
		return time.Since(start) >= cfg.duration/4
	}
	// Writes would grow the state without bound; a reset every resetEvery
	// requests keeps it at the scenario's size, so what the soak shows is
	// whether the emulator itself (journal, sessions, caches) stays flat.
	// Resident memory is sampled at every reset after warm-up.
	resetEvery := max(cfg.resetEvery, 1)
	var resetMu sync.Mutex
	reset := func(n int64) {
		resetMu.Lock()
		defer resetMu.Unlock()
		if warm(n) {
			if rep.rssWarm == "" {
				rep.rssWarm = rss()
			}
			if kb := rssKB(); kb > 0 {
				if rep.warmMin == 0 || kb < rep.warmMin {
					rep.warmMin = kb
				}
				rep.warmMax = max(rep.warmMax, kb)
			}
		}
		if resp, err := http.Post(emu.URL()+"/_emulator/reset", "application/json", nil); err == nil {
			resp.Body.Close()
			rep.resets++
		}
	}
	var wg sync.WaitGroup
	if cfg.hostile {
		rep.hostile = map[string]int64{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			hdl := deadline
			if hdl.IsZero() {
				hdl = time.Now().Add(24 * time.Hour) // bounded by counts instead
			}
			hostileRun(ctx, emu.URL(), hdl, cfg.hostileCounts, func(k string) {
				mu.Lock()
				rep.hostile[k]++
				mu.Unlock()
			})
		}()
	}
	for w := 0; w < cfg.concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := 0; running(); i++ {
				n := atomic.AddInt64(&total, 1)
				if cfg.requests > 0 && n > cfg.requests {
					return
				}
				if n%resetEvery == 0 {
					reset(n)
				}
				f := figures[rng.IntN(len(figures))]
				req, err := f.request(emu.URL())(w, i)
				if err != nil {
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				el := time.Since(t0)
				key := "transport error"
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					key = fmt.Sprintf("status %d", resp.StatusCode)
				}
				mu.Lock()
				rep.byStatus[key]++
				seen++
				if len(lat) < reservoir {
					lat = append(lat, el)
				} else if j := rng.Int64N(seen); j < reservoir {
					lat[j] = el
				}
				if el > rep.max {
					rep.max = el
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if rep.rssWarm == "" {
		rep.rssWarm = rss()
	}
	rep.duration = time.Since(start)
	rep.requests = seen
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	rep.p50, rep.p90, rep.p99 = pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99)
	rep.rssEnd = rss()
	return rep, nil
}
