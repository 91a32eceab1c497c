// Command credemu runs the credemu emulator. It only turns flags into
// emulator options and handles signals; the emulator package does the rest.
//
// Exit codes: 0 success, 1 runtime error, 2 usage error.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/credemu/credemu/emulator"
)

const usage = `credemu: a stateful emulator of the Avisi Cloud, ZStack, AWX and vSphere
credential APIs, for contract-testing the programs that call them.

Usage:
  credemu serve [flags]        run the emulator (default scenario: "default")
  credemu validate FILE...     check scenario files and report every problem
  credemu scenarios            list the built-in scenarios
  credemu healthcheck [--url]  exit 0 when an emulator answers its health check
  credemu version              print the version

Run "credemu COMMAND --help" for a command's flags.
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
	case "version":
		fmt.Fprintln(stdout, "credemu", emulator.Version)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "credemu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(stderr, "credemu:", err)
		return 1
	}
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: credemu %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]", stderr)
	addr := fs.String("addr", emulator.DefaultAddr, "listen address; use 0.0.0.0:8080 inside a container")
	scen := fs.String("scenario", "default", "built-in scenario name or path to a scenario YAML file")
	seed := fs.Int64("seed", -1, "override the scenario's seed (ids, generated data, fault probabilities)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	adminToken := fs.String("admin-token", os.Getenv("CREDEMU_ADMIN_TOKEN"), "require this token on /_emulator calls (Authorization: Bearer or X-Emulator-Token); default $CREDEMU_ADMIN_TOKEN")
	journalSize := fs.Int("journal-size", 0, "requests kept per sandbox journal (default 10000)")
	journalBodyLimit := fs.Int("journal-body-limit", 0, "bytes of each request and response body the journal keeps; longer ones are cut and marked (default 65536)")
	journalBytes := fs.Int64("journal-bytes", 0, "memory bound of each sandbox's journal in bytes; the oldest entries go first (default 67108864)")
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
	fs.Var(&allowedHosts, "allowed-host", "host name, besides localhost and IP addresses, that control requests may be addressed to without an admin token (repeatable; a container's service name)")
	maxSandboxes := fs.Int("max-sandboxes", emulator.DefaultMaxSandboxes, "most named sandboxes at once; beyond it new ones get 429")
	sandboxIdle := fs.Duration("sandbox-idle", emulator.DefaultSandboxIdle, "a named sandbox unused this long is dropped to make room for a new one")
	readTimeout := fs.Duration("read-timeout", emulator.DefaultReadTimeout, "longest time to read one request, body included (injected delays are not affected)")
	idleTimeout := fs.Duration("idle-timeout", emulator.DefaultIdleTimeout, "keep-alive connections idle this long are closed")
	memoryLimit := fs.String("memory-limit", "", "soft memory limit of the process (Go's GOMEMLIMIT), e.g. 256MiB or 1GiB, for small CI containers; default: none, or $GOMEMLIMIT")
	if err := parse(fs, args); err != nil {
		return err
	}
	var memLimit int64
	if *memoryLimit != "" {
		n, err := parseByteSize(*memoryLimit)
		if err != nil {
			fmt.Fprintln(stderr, "credemu serve: --memory-limit:", err)
			return errUsage
		}
		memLimit = n
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "credemu serve: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return errUsage
	}
	sink := newLogSink(stderr, logFlushEvery)
	defer sink.Close()
	logger, err := newLogger(sink, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "credemu serve:", err)
		return errUsage
	}
	if memLimit > 0 {
		debug.SetMemoryLimit(memLimit)
		logger.Info("soft memory limit set", "memory_limit", memLimit)
	}
	if *coverageFormat != "json" && *coverageFormat != "junit" {
		fmt.Fprintf(stderr, "credemu serve: --coverage-format: %q is not json or junit\n", *coverageFormat)
		return errUsage
	}
	if *watch {
		if _, statErr := os.Stat(*scen); statErr != nil {
			fmt.Fprintln(stderr, "credemu serve: --watch needs --scenario to name a file")
			return errUsage
		}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintln(stderr, "credemu serve: --tls-cert and --tls-key go together")
		return errUsage
	}
	opts := []emulator.Option{
		emulator.WithAddr(*addr), emulator.WithScenario(*scen), emulator.WithLogger(logger),
		emulator.WithAdminToken(*adminToken), emulator.WithJournalCapacity(*journalSize),
		emulator.WithJournalBodyLimit(*journalBodyLimit), emulator.WithJournalBytes(*journalBytes),
		emulator.WithResponseCheck(*check), emulator.WithAllowedHosts(allowedHosts...),
		emulator.WithSandboxLimits(*maxSandboxes, *sandboxIdle), emulator.WithTimeouts(*readTimeout, *idleTimeout),
	}
	tlsOn := *useTLS || *tlsAddr != "" || *tlsCert != ""
	if tlsOn {
		opts = append(opts, emulator.WithTLS(emulator.TLS{Addr: *tlsAddr, CertFile: *tlsCert, KeyFile: *tlsKey, Names: tlsSANs}))
	} else if *tlsCAOut != "" || len(tlsSANs) > 0 {
		fmt.Fprintln(stderr, "credemu serve: --tls-ca-out and --tls-san need --tls, --tls-addr or --tls-cert")
		return errUsage
	}
	if *seed >= 0 {
		opts = append(opts, emulator.WithSeed(uint64(*seed)))
	}
	srv, err := emulator.New(opts...)
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
	fmt.Fprintf(stdout, "credemu %s serving scenario %q on %s (control API: %s/_emulator)\n",
		emulator.Version, *scen, srv.URL(), srv.URL())
	if u := srv.TLSURL(); u != "" && u != srv.URL() {
		fmt.Fprintf(stdout, "credemu serving HTTPS on %s\n", u)
	}

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
	fs := newFlagSet("healthcheck", "healthcheck [--url URL] [--cacert FILE | --insecure]", stderr)
	url := fs.String("url", "http://"+emulator.DefaultAddr, "base URL of the emulator (http:// or https://)")
	token := fs.String("admin-token", os.Getenv("CREDEMU_ADMIN_TOKEN"), "the emulator's admin token, if it has one (not needed for the health check); default $CREDEMU_ADMIN_TOKEN")
	caFile := fs.String("cacert", "", "PEM file of the certificate to trust for an https:// URL (what serve --tls-ca-out wrote)")
	insecure := fs.Bool("insecure", false, "do not verify the server's certificate (https:// only)")
	if err := parse(fs, args); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(*url, "/")+"/_emulator/health", nil)
	if err != nil {
		fmt.Fprintln(stderr, "credemu healthcheck:", err)
		return errUsage
	}
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: *insecure} //nolint:gosec // asked for with --insecure
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return fmt.Errorf("healthcheck: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("healthcheck: %s holds no PEM certificate", *caFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	client := &http.Client{Timeout: 3 * time.Second, Transport: tr}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d", *url, resp.StatusCode)
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
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
	fs := newFlagSet("validate", "validate FILE...", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "credemu validate: name at least one scenario file")
		return errUsage
	}
	srv, err := emulator.New(emulator.WithScenario("empty"))
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
	fs := newFlagSet("scenarios", "scenarios", stderr)
	if err := parse(fs, args); err != nil {
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
