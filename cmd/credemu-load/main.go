// Command credemu-load measures credemu against a bare Go net/http server
// in one run: start-up time, throughput of reads and validated writes for
// every API family, and, with -soak, a bounded mixed load with faults on
// that reports latency percentiles, errors by kind and resident memory.
// All traffic goes to 127.0.0.1 only.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("credemu-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 3*time.Second, "how long each throughput measurement runs")
	concurrency := fs.Int("concurrency", 8, "concurrent clients")
	binary := fs.String("binary", "", "credemu binary for the start-up measurement (skipped when empty)")
	creates := fs.Int("creates", 100_000, "with -bare: creates per family for the memory-per-object figure")
	sandboxes := fs.Int("sandboxes", 1000, "with -bare: fresh sandboxes per family for the sandbox figures")
	wiremock := fs.String("wiremock", "", "WireMock's standalone jar: with -binary, measure credemu side by side with WireMock (what make bench-peers does)")
	bareBin := fs.String("bare", "", "credemu-bare binary: with -binary, measure every figure on separate processes against it (what make bench does)")
	startupRuns := fs.Int("startup-runs", 21, "start-up measurements of each binary to take the median of (the binaries take turns)")
	soak := fs.Duration("soak", 0, "run a mixed soak load for this long instead of the throughput figures")
	maxRequests := fs.Int64("max-requests", 50_000_000, "stop the soak after this many requests")
	resetEvery := fs.Int64("reset-every", 10_000, "reset the soak's emulator after every this many requests (its memory is sampled then)")
	hostile := fs.Bool("hostile", true, "add hostile traffic to the soak: sandbox churn, 60 KiB queries, stalled uploads")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run (client and in-process emulator) to this file")
	only := fs.String("only", "", "measure only the throughput figures whose name matches this regular expression")
	serveBaseline := fs.Bool("serve-baseline", false, "internal: serve the bare baseline and print its URL")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: credemu-load [flags]\n\nMeasures credemu against a bare net/http server on 127.0.0.1.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *serveBaseline {
		return serveBare(stdout)
	}
	if *concurrency < 1 || *duration <= 0 || *resetEvery < 1 {
		fmt.Fprintln(stderr, "credemu-load: -concurrency, -duration and -reset-every must be positive")
		return 2
	}
	pick, err := regexp.Compile(*only)
	if err != nil {
		fmt.Fprintln(stderr, "credemu-load: -only:", err)
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "credemu-load:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "credemu-load:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if *soak > 0 {
		cfg := defaultSoak(*soak, *concurrency, *maxRequests, *hostile)
		cfg.resetEvery = *resetEvery
		rep, err := soakRun(context.Background(), cfg)
		if err != nil {
			fmt.Fprintln(stderr, "credemu-load:", err)
			return 1
		}
		rep.print(stdout)
		return 0
	}
	fmt.Fprintf(stdout, "credemu-load: %s, %d clients, %s per figure, all on 127.0.0.1\n\n", time.Now().UTC().Format("2006-01-02"), *concurrency, *duration)
	if *binary != "" && *wiremock != "" {
		if err := peerFigures(stdout, *binary, *wiremock, *duration, *concurrency, max(*creates, *concurrency), pick); err != nil {
			fmt.Fprintln(stderr, "credemu-load:", err)
			return 1
		}
		return 0
	}
	if *binary != "" && *bareBin != "" {
		if err := separateFigures(stdout, *binary, *bareBin, *duration, *concurrency, *startupRuns, pick, max(*creates, *concurrency), max(*sandboxes, 1)); err != nil {
			fmt.Fprintln(stderr, "credemu-load:", err)
			return 1
		}
		return 0
	}
	if *binary != "" {
		if err := startupFigures(stdout, *binary, *startupRuns); err != nil {
			fmt.Fprintln(stderr, "credemu-load: start-up:", err)
			return 1
		}
	}
	if err := throughputFigures(stdout, *duration, *concurrency, pick); err != nil {
		fmt.Fprintln(stderr, "credemu-load:", err)
		return 1
	}
	return 0
}

// serveBare is the baseline server for the start-up measurement: a bare
// net/http handler, started by exec'ing this same binary.
func serveBare(stdout io.Writer) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 1
	}
	fmt.Fprintf(stdout, "serving on http://%s\n", ln.Addr())
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) }))
	return 0
}

var urlRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

// startOnce launches a server process and returns the time until its
// first answered request.
func startOnce(name string, args []string, probe string) (time.Duration, error) {
	t0 := time.Now()
	cmd := exec.Command(name, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("%s printed no address: %w", name, err)
	}
	base := urlRE.FindString(line)
	if base == "" {
		return 0, fmt.Errorf("%s printed %q", name, line)
	}
	client := &http.Client{Timeout: time.Second}
	for time.Since(t0) < 10*time.Second {
		if resp, err := client.Get(base + probe); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(t0), nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return 0, fmt.Errorf("%s did not answer within 10s", name)
}

// toExit measures the time from launch to exit of a command that does
// nothing after its packages are initialised (credemu version): what any
// start-up of that binary pays before its main function runs.
func toExit(name string, args ...string) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		t0 := time.Now()
		if err := exec.Command(name, args...).Run(); err != nil {
			return 0, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
		}
		return time.Since(t0), nil
	}
}

// toAnswer measures the time from launch to probe's first answer.
func toAnswer(name string, args []string, probe string) func() (time.Duration, error) {
	return func() (time.Duration, error) { return startOnce(name, args, probe) }
}

// medians takes each measurement once per round, in turn, for runs rounds,
// and returns the median of each: taking turns, they share the machine's
// load of the moment, which on a shared machine moves a start-up by a
// millisecond from one minute to the next.
func medians(runs int, measures ...func() (time.Duration, error)) ([]time.Duration, error) {
	all := make([][]time.Duration, len(measures))
	for range max(runs, 1) {
		for i, m := range measures {
			d, err := m()
			if err != nil {
				return nil, err
			}
			all[i] = append(all[i], d)
		}
	}
	out := make([]time.Duration, len(measures))
	for i, ds := range all {
		slices.Sort(ds)
		out[i] = ds[len(ds)/2]
	}
	return out, nil
}

func startupFigures(w io.Writer, binary string, runs int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ds, err := medians(runs, toAnswer(self, []string{"-serve-baseline"}, "/"), toAnswer(binary, []string{"serve", "--addr", "127.0.0.1:0"}, "/_emulator/health"))
	if err != nil {
		return err
	}
	bare, emu := ds[0], ds[1]
	fmt.Fprintf(w, "start-up, process launch to first answered request (median of %d launches each, taking turns):\n", runs)
	fmt.Fprintf(w, "  %-40s %8.1f ms\n", "bare net/http server", ms(bare))
	fmt.Fprintf(w, "  %-40s %8.1f ms   (%.2fx the bare server; target at most 2.5x)\n\n", "credemu serve (default scenario)", ms(emu), float64(emu)/float64(bare))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pct returns the p-th percentile of sorted latencies.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

// rssKB is this process's resident memory in kB, or 0 where unknown.
func rssKB() int64 {
	kb, _ := strconv.ParseInt(strings.TrimSuffix(rss(), " kB"), 10, 64)
	return kb
}

// rss is this process's resident memory as /proc reports it.
func rss() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
