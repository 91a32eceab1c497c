// Command credemu runs the credemu emulator. It only turns flags into
// emulator options and handles signals; the emulator package does the rest.
//
// Exit codes: 0 success, 1 runtime error, 2 usage error.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/scenario"
)

const usage = `credemu: a stateful emulator of the Avisi Cloud, ZStack, AWX and vSphere
credential APIs, for contract-testing the programs that call them.

Usage:
  credemu serve [flags]           run the emulator (default scenario: "default")
  credemu validate FILE...        check scenario files and report every problem
  credemu scenarios               list the built-in scenarios
  credemu operations [API...]     list the operation ids that fault rules, verify and coverage use
  credemu snapshot [--url URL]    print a sandbox's world as a scenario that loads back to it
  credemu coverage merge FILE...  merge coverage reports of several replicas into one
  credemu drift --family F ...    compare a real service with credemu, as a client would notice
  credemu healthcheck [--url URL] exit 0 when an emulator answers its health check
  credemu version                 print the version

Run "credemu COMMAND --help" for a command's flags and examples.
`

// errUsage marks errors that should exit with status 2.
var errUsage = errors.New("usage error")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(args[1:], stdout, stderr)
	case "validate":
		err = validate(args[1:], stdout, stderr)
	case "scenarios":
		err = listScenarios(args[1:], stdout, stderr)
	case "healthcheck":
		err = healthcheck(args[1:], stdout, stderr)
	case "operations":
		err = listOperations(args[1:], stdout, stderr)
	case "coverage":
		err = coverageCmd(args[1:], stdout, stderr)
	case "snapshot":
		err = snapshotCmd(args[1:], stdout, stderr)
	case "drift":
		err = driftCmd(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "credemu", emulator.Version)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "credemu: unknown command %q\nsee 'credemu --help'\n", args[0])
		return 2
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errDrift):
		return 1
	default:
		fmt.Fprintln(stderr, "credemu:", err)
		return 1
	}
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := newCommand("serve", "serve [flags]",
		"Runs the emulator until SIGINT or SIGTERM, then shuts down gracefully (requests in flight finish,\ninjected delays are cut short). The banner says, per API, where it is, how to log in and one curl to try.",
		stdout, stderr)
	addr := fs.String("addr", emulator.DefaultAddr, "listen address; use 0.0.0.0:8080 inside a container")
	scen := fs.String("scenario", "default", "built-in scenario name or path to a scenario YAML file")
	seed := fs.Int64("seed", -1, "override the scenario's seed (ids, generated data, fault probabilities)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	adminToken := fs.String("admin-token", os.Getenv("CREDEMU_ADMIN_TOKEN"), "require this token on /_emulator calls (Authorization: Bearer or X-Emulator-Token); default $CREDEMU_ADMIN_TOKEN")
	journalSize := fs.Int("journal-size", 0, "requests kept per sandbox journal (default 10000)")
	journalBodyLimit := fs.Int("journal-body-limit", 0, "bytes of each request and response body the journal keeps; longer ones are cut and marked (default 65536)")
	journalBytes := fs.Int64("journal-bytes", 0, "memory bound of each sandbox's journal in bytes; the oldest entries go first (default 67108864)")
	journalTotal := fs.Int64("journal-total-bytes", 0, "memory bound of every sandbox's journal together; the oldest entries of any sandbox go first (default 268435456)")
	check := fs.Bool("check-responses", false, "validate every response against its schema; violations become 500s (for contract tests)")
	watch := fs.Bool("watch", false, "reload the scenario file when it (or a file it includes) changes; a broken edit is reported and the old world kept")
	coverageOut := fs.String("coverage-out", "", "write the coverage report to this file on shutdown")
	coverageFormat := fs.String("coverage-format", "json", "coverage report format: json or junit")
	useTLS := fs.Bool("tls", false, "serve HTTPS on --addr (HTTP/2 and HTTP/1.1) with a certificate generated at start-up")
	tlsAddr := fs.String("tls-addr", "", "serve HTTPS on this address as well, beside plain HTTP on --addr (implies --tls)")
	tlsCert := fs.String("tls-cert", "", "PEM certificate chain to serve instead of a generated one (with --tls-key; implies --tls)")
	tlsKey := fs.String("tls-key", "", "PEM private key of --tls-cert")
	tlsCAOut := fs.String("tls-ca-out", "", "write the certificate clients should trust (the generated CA) to this file, PEM")
	var tlsSANs listFlag
	fs.Var(&tlsSANs, "tls-san", "extra DNS name or IP address for the generated certificate (repeatable, or comma-separated)")
	var allowedHosts listFlag
	_ = allowedHosts.Set(os.Getenv("CREDEMU_ALLOWED_HOSTS"))
	fs.Var(&allowedHosts, "allowed-host", "host name, besides localhost and IP addresses, that control requests may be addressed to without an admin token (repeatable; a container's service name); default $CREDEMU_ALLOWED_HOSTS, comma-separated")
	maxSandboxes := fs.Int("max-sandboxes", emulator.DefaultMaxSandboxes, "most named sandboxes at once; beyond it new ones get 429")
	sandboxIdle := fs.Duration("sandbox-idle", emulator.DefaultSandboxIdle, "a named sandbox unused this long is dropped to make room for a new one")
	readTimeout := fs.Duration("read-timeout", emulator.DefaultReadTimeout, "longest time to read one request, body included (injected delays are not affected)")
	maxConns := fs.Int("max-connections", emulator.DefaultMaxConnections, "most connections served at once per listener; one past it is answered 503 (plain HTTP) or closed (TLS); 0: no cap")
	idleTimeout := fs.Duration("idle-timeout", emulator.DefaultIdleTimeout, "keep-alive connections idle this long are closed")
	maxGenerated := fs.Int("max-generated", scenario.DefaultGenerateLimit, "most objects a scenario's generate: blocks may make together, across APIs and organisations, credentials included")
	sandboxMemory := fs.String("sandbox-memory", "2GiB", "budget of the worlds named sandboxes build, as their APIs estimate them, e.g. 512MiB; a request that would pass it gets 429; 0: none")
	stateFile := fs.String("state-file", "", "keep the default sandbox's world in this file: start from it when it exists (instead of --scenario), write it on shutdown and on POST /_emulator/snapshot?save=true")
	stateEvery := fs.Duration("state-save-interval", 0, "with --state-file, also save this often (e.g. 1m); 0: on shutdown and on request only")
	memoryLimit := fs.String("memory-limit", "", "soft memory limit of the process (Go's GOMEMLIMIT), e.g. 256MiB or 1GiB, for small CI containers; default: none, or $GOMEMLIMIT")
	gcPercent := fs.String("gc-percent", "", fmt.Sprintf("garbage collector target (Go's GOGC): the heap may grow this many percent over what is live before a collection, or off; default: $GOGC, or %d with at least %d MiB of headroom (peak memory near 1.5 times what is stored, and few collections while little is)", defaultGCPercent, defaultGCFloor>>20))
	fs.groups = serveGroups
	fs.examples = serveExamples
	if err := fs.parse(args); err != nil {
		return err
	}
	var memLimit int64
	if *memoryLimit != "" {
		n, err := parseByteSize(*memoryLimit)
		if err != nil {
			return fs.usage("--memory-limit: %v", err)
		}
		memLimit = n
	}
	gc, err := gcTarget(*gcPercent, os.Getenv("GOGC"))
	if err != nil {
		return fs.usage("--gc-percent: %v", err)
	}
	var sbMem int64
	if *sandboxMemory != "0" {
		n, err := parseByteSize(*sandboxMemory)
		if err != nil {
			return fs.usage("--sandbox-memory: %v", err)
		}
		sbMem = n
	}
	if fs.NArg() > 0 {
		return fs.usage("unexpected arguments: %s (flags come as --name value)", strings.Join(fs.Args(), " "))
	}
	sink := newLogSink(stderr, logFlushEvery)
	defer sink.Close()
	logger, err := newLogger(sink, *logFormat, *logLevel)
	if err != nil {
		return fs.usage("%v", err)
	}
	if memLimit > 0 {
		debug.SetMemoryLimit(memLimit)
		logger.Info("soft memory limit set", "memory_limit", memLimit)
	}
	gcCtl := startupGC(gc, startupHeapCeiling)
	defer gcCtl.stop()
	if gc.percent != 0 {
		logger.Debug("garbage collector target set", "gc_percent", gc.percent, "gc_floor", gc.floor)
	}
	if *coverageFormat != "json" && *coverageFormat != "junit" {
		return fs.usage("--coverage-format: %q is not json or junit", *coverageFormat)
	}
	if *watch {
		if _, statErr := os.Stat(*scen); statErr != nil {
			return fs.usage("--watch needs --scenario to name a file")
		}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return fs.usage("--tls-cert and --tls-key go together")
	}
	opts := []emulator.Option{
		emulator.WithAddr(*addr), emulator.WithScenario(*scen), emulator.WithLogger(logger),
		emulator.WithAdminToken(*adminToken), emulator.WithJournalCapacity(*journalSize),
		emulator.WithJournalBodyLimit(*journalBodyLimit), emulator.WithJournalBytes(*journalBytes), emulator.WithJournalTotalBytes(*journalTotal),
		emulator.WithResponseCheck(*check), emulator.WithAllowedHosts(allowedHosts...),
		emulator.WithSandboxLimits(*maxSandboxes, *sandboxIdle), emulator.WithTimeouts(*readTimeout, *idleTimeout),
		emulator.WithGenerateLimit(*maxGenerated), emulator.WithMaxConnections(*maxConns), emulator.WithSandboxMemory(sbMem),
	}
	tlsOn := *useTLS || *tlsAddr != "" || *tlsCert != ""
	if tlsOn {
		opts = append(opts, emulator.WithTLS(emulator.TLS{Addr: *tlsAddr, CertFile: *tlsCert, KeyFile: *tlsKey, Names: tlsSANs}))
	} else if *tlsCAOut != "" || len(tlsSANs) > 0 {
		return fs.usage("--tls-ca-out and --tls-san need --tls, --tls-addr or --tls-cert")
	}
	if *seed >= 0 {
		opts = append(opts, emulator.WithSeed(uint64(*seed)))
	}
	if *stateFile != "" {
		opts = append(opts, emulator.WithStateFile(*stateFile, *stateEvery))
	} else if *stateEvery != 0 {
		return fs.usage("--state-save-interval needs --state-file")
	}
	// The listener is opened while the scenario compiles, on a second core.
	srv, err := emulator.New(append(opts, emulator.WithEarlyListen())...)
	var unknown *scenario.UnknownError
	if errors.As(err, &unknown) {
		return fs.usage("--scenario: %v", err)
	}
	if err != nil {
		return err
	}
	// Signals are caught before the banner says the server is up: a
	// supervisor (or a test) may stop it as soon as it reads that line.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Start(); err != nil {
		return err
	}
	gcCtl.started()
	if *tlsCAOut != "" {
		b, err := srv.TLSBundle()
		if err == nil {
			err = b.WriteTrust(*tlsCAOut)
		}
		if err != nil {
			_ = srv.Close(context.Background())
			return fmt.Errorf("--tls-ca-out: %w", err)
		}
	}
	b := banner{scenario: *scen, url: srv.URL(), caFile: *tlsCAOut, srv: srv}
	if u := srv.TLSURL(); u != "" && u != srv.URL() {
		b.tlsURL = u
	}
	b.write(stdout, *logFormat)

	if *watch {
		go srv.Watch(ctx, *scen, 500*time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	var runErr error
	select {
	case runErr = <-done:
	case <-ctx.Done():
		logger.Info("shutting down", "reason", "signal")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		runErr = srv.Close(sctx)
	}
	if *coverageOut != "" {
		if err := writeCoverage(srv, *coverageOut, *coverageFormat); err != nil {
			return err
		}
		logger.Info("coverage report written", "file", *coverageOut, "format", *coverageFormat)
	}
	return runErr
}

// parseByteSize reads a size as GOMEMLIMIT writes it: a number of bytes
// with an optional unit B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB,
// GB, TB (powers of 1000); "K", "M", "G" alone mean the binary units.
func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	units := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30,
		"t": 1 << 40, "tib": 1 << 40, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12}
	mult, ok := units[strings.ToLower(unit)]
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || num == "" {
		return 0, fmt.Errorf("%q is not a size such as 512MiB or 2GiB", s)
	}
	n := v * mult
	if n < 1<<20 || n > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is out of range (at least 1MiB)", s)
	}
	return int64(n), nil
}

func writeCoverage(srv *emulator.Server, path, format string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rep := srv.Coverage()
	if format == "junit" {
		err = rep.WriteJUnit(f)
	} else {
		err = rep.WriteJSON(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// healthcheck asks a running emulator for its health: the command a
// container's HEALTHCHECK runs, as the image has no curl.
func healthcheck(args []string, stdout, stderr io.Writer) error {
	fs := newCommand("healthcheck", "healthcheck [--url URL] [--cacert FILE | --insecure]",
		"Exits 0 when an emulator answers its health check: the command a container's HEALTHCHECK runs.", stdout, stderr)
	fs.examples = []string{"credemu healthcheck", "credemu healthcheck --url https://127.0.0.1:8443 --cacert /tmp/credemu-ca.pem"}
	url := fs.String("url", "http://"+emulator.DefaultAddr, "base URL of the emulator (http:// or https://)")
	token := fs.String("admin-token", os.Getenv("CREDEMU_ADMIN_TOKEN"), "the emulator's admin token, if it has one (not needed for the health check); default $CREDEMU_ADMIN_TOKEN")
	caFile := fs.String("cacert", "", "PEM file of the certificate to trust for an https:// URL (what serve --tls-ca-out wrote)")
	insecure := fs.Bool("insecure", false, "do not verify the server's certificate (https:// only)")
	if err := fs.parse(args); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(*url, "/")+"/_emulator/health", nil)
	if err != nil {
		return fs.usage("--url: %v", err)
	}
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	tr, err := trustingTransport(*caFile, *insecure)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	client := &http.Client{Timeout: 3 * time.Second, Transport: tr}
	resp, err := client.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
			return fmt.Errorf("healthcheck: %s speaks plain HTTP, not HTTPS: try --url %s", *url, strings.Replace(*url, "https://", "http://", 1))
		}
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		// Go's TLS server answers a plain request with 400 and this text.
		if strings.Contains(string(body), "HTTP request to an HTTPS server") {
			return fmt.Errorf("healthcheck: %s speaks HTTPS, not plain HTTP: try --url %s with --cacert FILE (what serve --tls-ca-out wrote) or --insecure",
				*url, strings.Replace(*url, "http://", "https://", 1))
		}
		return fmt.Errorf("healthcheck: %s answered %d", *url, resp.StatusCode)
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
}

// trustingTransport is an HTTP transport that trusts the PEM certificates
// in caFile (when set), or no certificate at all with insecure.
func trustingTransport(caFile string, insecure bool) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: insecure} //nolint:gosec // asked for with --insecure
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return tr, nil
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}

func validate(args []string, stdout, stderr io.Writer) error {
	fs := newCommand("validate", "validate FILE...",
		"Checks scenario files without serving them and reports every problem as file:line:col, in file and line order.", stdout, stderr)
	fs.examples = []string{"credemu validate ci/credemu.yaml", "credemu validate scenarios/*.yaml"}
	maxGenerated := fs.Int("max-generated", scenario.DefaultGenerateLimit, "most objects a scenario's generate: blocks may make together (as serve --max-generated)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fs.usage("name at least one scenario file")
	}
	// Generated objects are counted against the limit, not built: a
	// scenario of 500,000 generated accounts validates in little memory.
	srv, err := emulator.New(emulator.WithScenario("empty"), emulator.WithGenerateLimit(*maxGenerated), emulator.WithCountOnly())
	if err != nil {
		return err
	}
	failed := 0
	for _, file := range fs.Args() {
		data, err := os.ReadFile(file)
		if err == nil {
			err = srv.CompileScenario(file, data, filepath.Dir(file))
		}
		if err != nil {
			failed++
			fmt.Fprintln(stderr, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", file)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d scenario files have problems", failed, fs.NArg())
	}
	return nil
}

func listScenarios(args []string, stdout, stderr io.Writer) error {
	fs := newCommand("scenarios", "scenarios", "Lists the built-in scenarios, which --scenario takes by name.", stdout, stderr)
	if err := fs.parse(args); err != nil {
		return err
	}
	srv, err := emulator.New(emulator.WithScenario("empty"))
	if err != nil {
		return err
	}
	for _, name := range srv.Loader().Builtins() {
		sc, err := srv.Loader().Resolve(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-10s %s\n", name, sc.Description)
	}
	return nil
}

// listOperations prints every operation id, per API, with its method and
// path: the names fault rules, verify and the coverage report use.
func listOperations(args []string, stdout, stderr io.Writer) error {
	fs := newCommand("operations", "operations [--format text|json] [API...]",
		"Lists every operation id with its method and paths, for all APIs or the ones named (avisi, zstack, awx, vsphere).\n"+
			"These are the names fault rules (match.operation), verify (operation) and the coverage report use.", stdout, stderr)
	format := fs.String("format", "text", "output format: text or json")
	fs.examples = []string{"credemu operations", "credemu operations awx", "credemu operations --format json zstack"}
	if err := fs.parse(args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fs.usage("--format: %q is not text or json", *format)
	}
	families := emulator.DefaultFamilies()
	var picked []family.Family
	for _, name := range fs.Args() {
		i := slices.IndexFunc(families, func(f family.Family) bool { return f.Name() == name })
		if i < 0 {
			names := make([]string, len(families))
			for j, f := range families {
				names[j] = f.Name()
			}
			return fs.usage("no API %q (the APIs: %s)", name, strings.Join(names, ", "))
		}
		picked = append(picked, families[i])
	}
	if len(picked) == 0 {
		picked = families
	}
	ops := emulator.Operations(picked)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ops)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "API\tOPERATION\tMETHOD\tPATH")
	for _, op := range ops {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", op.API, op.ID, op.Method, strings.Join(op.Paths, " "))
	}
	return tw.Flush()
}

// listFlag collects a repeatable flag; each value may also hold a
// comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}
