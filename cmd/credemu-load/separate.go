package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Measured as a user measures it: credemu and the baseline (credemu-bare,
// standard library only) each run as their own process, launched from
// their binaries; this process only sends the load. The two servers take
// turns in rounds on the same cores, so that the machine's background load
// falls on both.

// process is a server started from its binary.
type process struct {
	cmd  *exec.Cmd
	base string
	// dir, when set, is a scratch directory the process works in; stop
	// removes it.
	dir string
	// exited, when set, is closed once a goroutine's cmd.Wait returned:
	// stop then waits for it instead of calling Wait a second time.
	exited <-chan struct{}
}

// launch starts bin with args and waits for the URL it prints.
func launch(bin string, args ...string) (*process, error) {
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	rd := bufio.NewReader(out)
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, fmt.Errorf("%s printed no address", bin)
		}
		if base := urlRE.FindString(line); base != "" {
			go func() { _, _ = io.Copy(io.Discard, rd) }()
			return &process{cmd: cmd, base: base}, nil
		}
	}
}

func (p *process) stop() {
	_ = p.cmd.Process.Kill()
	if p.exited != nil {
		<-p.exited
	} else {
		_ = p.cmd.Wait()
	}
	if p.dir != "" {
		_ = os.RemoveAll(p.dir)
	}
}

// status reads a field of /proc/PID/status in kB (VmRSS, VmHWM).
func (p *process) status(field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// timed sends req and returns how long its answer took, read in full; a
// status other than want is an error.
func timed(client *http.Client, req *http.Request, want int) (time.Duration, error) {
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return 0, fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
	}
	return time.Since(t0), nil
}

func post(url, body string) error {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %d", url, resp.StatusCode)
	}
	return nil
}

// prepare puts a credemu process back to its scenario with the 20 fault
// rules that never match.
func prepare(base string) error {
	if err := post(base+"/_emulator/reset", ""); err != nil {
		return err
	}
	for i := 0; i < 20; i++ {
		if err := post(base+"/_emulator/faults", fmt.Sprintf(`{"match": {"headers": {"X-Never-Sent": "%d"}}, "respond": {"status": 500}}`, i)); err != nil {
			return err
		}
	}
	return nil
}

// answer is what credemu-bare replays (its Answer type).
type answer struct {
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Status int                 `json:"status"`
	Header map[string][]string `json:"header"`
	Body   []byte              `json:"body"`
}

// record asks credemu once for each figure's request (as the load sends
// it) and keeps its answer, for credemu-bare to replay. A create's answer
// is recorded for every name the load may send: the bare server keys
// answers by path, and a create's path does not change.
func record(base string, figs []figure) ([]answer, error) {
	var out []answer
	for _, f := range figs {
		req, err := f.request(base)(999, 999)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != f.status {
			return nil, fmt.Errorf("%s: credemu answered %d: %.200s", f.name, resp.StatusCode, body)
		}
		out = append(out, answer{Method: f.method, Path: f.path, Status: resp.StatusCode, Header: resp.Header, Body: body})
	}
	return out, nil
}

// separateFigures is make bench: start-up, throughput and p99 against
// credemu-bare, memory per object and per sandbox, a fresh sandbox's first
// request and a reset, every figure from processes of their own.
func separateFigures(w io.Writer, credemuBin, bareBin string, d time.Duration, concurrency, startupRuns int, pick *regexp.Regexp, creates, sandboxes int) error {
	starts, err := medians(startupRuns, toAnswer(bareBin, nil, "/"),
		toAnswer(credemuBin, []string{"serve", "--addr", "127.0.0.1:0"}, "/_emulator/health"), toExit(credemuBin, "version"))
	if err != nil {
		return err
	}
	bareStart, emuStart, floor := starts[0], starts[1], starts[2]
	fmt.Fprintf(w, "start-up, process launch to first answered request (median of %d launches each, the three taking turns):\n", startupRuns)
	fmt.Fprintf(w, "  %-44s %8.1f ms\n", "credemu-bare (standard library only)", ms(bareStart))
	fmt.Fprintf(w, "  %-44s %8.1f ms   %.2fx   (target at most 2.5x)\n", "credemu serve (default scenario)", ms(emuStart), float64(emuStart)/float64(bareStart))
	fmt.Fprintf(w, "  %-44s %8.1f ms   %.2fx   (package initialisation, the floor: serve's own part is %.1f ms)\n\n",
		"credemu version, launch to exit", ms(floor), float64(floor)/float64(bareStart), ms(emuStart-floor))

	fmt.Fprintf(w, "throughput in requests per second at %d clients, and p99 in ms at %d connections; credemu and credemu-bare are separate processes,\n", concurrency, tailConnections)
	fmt.Fprintf(w, "taking turns in %d rounds; credemu has its whole pipeline on (auth, journal, 20 fault rules, validation, state, info logging):\n", rounds)
	fmt.Fprintf(w, "  %-34s %12s %12s %7s %9s %9s %6s\n", "figure", "credemu-bare", "credemu", "ratio", "bare p99", "p99", "ratio")
	byScenario := map[string][]figure{}
	var order []string
	for _, f := range figures {
		if !pick.MatchString(f.name) {
			continue
		}
		scen := cmp.Or(f.scenario, "default")
		if byScenario[scen] == nil {
			order = append(order, scen)
		}
		byScenario[scen] = append(byScenario[scen], f)
	}
	dir, err := os.MkdirTemp("", "credemu-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, scen := range order {
		figs := byScenario[scen]
		emu, err := launch(credemuBin, "serve", "--addr", "127.0.0.1:0", "--scenario", scen, "--log-level", "info")
		if err != nil {
			return err
		}
		if err := prepare(emu.base); err != nil {
			emu.stop()
			return err
		}
		answers, err := record(emu.base, figs)
		if err != nil {
			emu.stop()
			return err
		}
		file := filepath.Join(dir, scen+".json")
		data, _ := json.Marshal(answers)
		if err := os.WriteFile(file, data, 0o600); err != nil {
			emu.stop()
			return err
		}
		bare, err := launch(bareBin, "-answers", file)
		if err != nil {
			emu.stop()
			return err
		}
		for _, f := range figs {
			if err := prepare(emu.base); err != nil {
				return err
			}
			var bareS, gotS samples
			for r := 0; r < rounds; r++ {
				if err := bareS.drive(d/rounds, concurrency, f.request(bare.base), f.status, r<<24); err != nil {
					return fmt.Errorf("%s on credemu-bare: %w", f.name, err)
				}
				if err := gotS.drive(d/rounds, concurrency, f.request(emu.base), f.status, r<<24); err != nil {
					return fmt.Errorf("%s: %w", f.name, err)
				}
			}
			// The tail at the 32 connections, in rounds of its own
			// (request numbers past the throughput rounds').
			var bareT, gotT samples
			for r := 0; r < tailRounds; r++ {
				if err := bareT.drive(d/rounds, tailConnections, f.request(bare.base), f.status, (rounds+r)<<24); err != nil {
					return fmt.Errorf("%s on credemu-bare: %w", f.name, err)
				}
				if err := gotT.drive(d/rounds, tailConnections, f.request(emu.base), f.status, (rounds+r)<<24); err != nil {
					return fmt.Errorf("%s: %w", f.name, err)
				}
			}
			b, g := bareS.rate(), gotS.rate()
			bt, gt := bareT.rate(), gotT.rate()
			fmt.Fprintf(w, "  %-34s %12.0f %12.0f %7.2f %9.2f %9.2f %5.1fx\n", f.name, b.rps, g.rps, g.rps/b.rps,
				ms(bt.p99), ms(gt.p99), float64(gt.p99)/float64(max(bt.p99, 1)))
		}
		bare.stop()
		emu.stop()
	}
	fmt.Fprintln(w, "  targets: GET at least 0.75, validated create at least 0.60, list of 20 at least 0.50; p99 at most 2x")
	fmt.Fprintln(w)
	return memoryFigures(w, credemuBin, concurrency, pick, creates, sandboxes)
}

// memoryFigures measures, on processes of their own, peak resident memory
// per stored object over creates, memory and first-request time of fresh
// sandboxes, and a reset against a warm list.
func memoryFigures(w io.Writer, credemuBin string, concurrency int, pick *regexp.Regexp, creates, sandboxes int) error {
	fmt.Fprintf(w, "peak resident memory (VmHWM) per stored object over %d creates through the API, journal and GC included:\n", creates)
	for _, f := range figures {
		if f.body == nil || !pick.MatchString(f.name) {
			continue
		}
		emu, err := launch(credemuBin, "serve", "--addr", "127.0.0.1:0", "--log-level", "warn")
		if err != nil {
			return err
		}
		var warm samples
		if err := warm.driveN(200, concurrency, f.request(emu.base), f.status, 1<<30); err != nil {
			emu.stop()
			return err
		}
		before := emu.status("VmRSS")
		var s samples
		if err := s.driveN(creates, concurrency, f.request(emu.base), f.status, 0); err != nil {
			emu.stop()
			return fmt.Errorf("%s: %w", f.name, err)
		}
		peak := emu.status("VmHWM")
		emu.stop()
		fmt.Fprintf(w, "  %-34s %6d B   (RSS %d → peak %d MB; target at most 1,024 B)\n", f.name,
			(peak-before)*1024/int64(creates), before>>10, peak>>10)
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "fresh sandboxes: memory per sandbox over %d sandboxes with one request each, and a first request against a warm one, taking turns (medians):\n", sandboxes)
	for _, f := range figures {
		if f.body != nil || f.scenario != "" || !strings.Contains(f.name, "GET one") || !pick.MatchString(f.name) {
			continue
		}
		emu, err := launch(credemuBin, "serve", "--addr", "127.0.0.1:0", "--log-level", "warn", "--max-sandboxes", strconv.Itoa(2*sandboxes+10))
		if err != nil {
			return err
		}
		client := &http.Client{Timeout: 10 * time.Second}
		inSandbox := func(sandbox string) (time.Duration, error) {
			req, _ := f.request(emu.base)(0, 0)
			if sandbox != "" {
				req.Header.Set("X-Emulator-Sandbox", sandbox)
			}
			return timed(client, req, f.status)
		}
		for i := 0; i < 50; i++ { // connections and code paths warm
			if _, err := inSandbox("warm"); err != nil {
				emu.stop()
				return err
			}
		}
		// Memory first, over sandboxes that get one request each and
		// nothing in between.
		before := emu.status("VmRSS")
		for i := 0; i < sandboxes; i++ {
			if _, err := inSandbox(fmt.Sprintf("sb-%d", i)); err != nil {
				emu.stop()
				return err
			}
		}
		after := emu.status("VmRSS")
		// Then the times, a fresh sandbox's first request and a warm one
		// taking turns, so that both see the machine's load of the moment
		// (one phase after the other moved the ratio by a third).
		var first, again []time.Duration
		for i := 0; i < sandboxes; i++ {
			d, err := inSandbox(fmt.Sprintf("timed-%d", i))
			if err != nil {
				emu.stop()
				return err
			}
			w, err := inSandbox("warm")
			if err != nil {
				emu.stop()
				return err
			}
			first, again = append(first, d), append(again, w)
		}
		emu.stop()
		slices.Sort(first)
		slices.Sort(again)
		fm, am := first[len(first)/2], again[len(again)/2]
		fmt.Fprintf(w, "  %-34s %6.1f KiB a sandbox (target 16)   first %6.0f µs, warm %6.0f µs: %.2fx (target 1.5x)\n",
			f.name, float64(after-before)/float64(sandboxes), float64(fm.Microseconds()), float64(am.Microseconds()), float64(fm)/float64(am))
	}
	fmt.Fprintln(w)
	return resetFigure(w, credemuBin)
}

// resetFigure compares POST /_emulator/reset of a used sandbox with a warm
// list of the same sandbox (AWX's credentials, every family's state built).
func resetFigure(w io.Writer, credemuBin string) error {
	emu, err := launch(credemuBin, "serve", "--addr", "127.0.0.1:0", "--log-level", "warn")
	if err != nil {
		return err
	}
	defer emu.stop()
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path string, headers ...string) (time.Duration, error) {
		req, _ := http.NewRequest(method, emu.base+path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return timed(client, req, http.StatusOK)
	}
	list := func() (time.Duration, error) {
		return do("GET", "/api/v2/credentials/", "Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
	}
	for _, f := range figures { // every family's state built
		if f.scenario == "" && f.body == nil {
			req, _ := f.request(emu.base)(0, 0)
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}
	var lists, resets []time.Duration
	for i := 0; i < 300; i++ {
		l, err := list()
		if err != nil {
			return err
		}
		r, err := do("POST", "/_emulator/reset")
		if err != nil {
			return err
		}
		lists, resets = append(lists, l), append(resets, r)
	}
	slices.Sort(lists)
	slices.Sort(resets)
	lm, rm := lists[len(lists)/2], resets[len(resets)/2]
	fmt.Fprintf(w, "reset of the default sandbox (every API's state built) %.0f µs against a warm AWX credential list %.0f µs: %.2fx (target 2x)\n",
		float64(rm.Microseconds()), float64(lm.Microseconds()), float64(rm)/float64(lm))
	return nil
}
