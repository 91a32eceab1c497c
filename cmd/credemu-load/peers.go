package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/credemu/credemu/schemas"
)

// make bench-peers: credemu against WireMock's standalone server on the
// same requests, each in its own process, in one run. WireMock answers
// stubs made from credemu's own answers, and checks a create's body with
// the body part of credemu's JSON Schema (matchesJsonSchema), so both
// servers validate the same thing; WireMock stores nothing.

// createSchemas names the request schema of each create figure.
var createSchemas = map[string]string{
	"avisi validated create":   "avisi/createCloudAccount.json",
	"awx validated create":     "awx/createUserCredential.json",
	"zstack validated create":  "zstack/createVirtualID.json",
	"vsphere validated create": "vsphere/api/createLocalAccount.json",
}

// bodySchema returns the body part of a request schema with every $ref
// resolved in place: WireMock cannot follow references to other files.
func bodySchema(file string) (any, error) {
	doc, err := readJSON(file)
	if err != nil {
		return nil, err
	}
	body := doc.(map[string]any)["properties"].(map[string]any)["body"]
	return resolveRefs(body, file, 0)
}

func readJSON(file string) (any, error) {
	data, err := fs.ReadFile(schemas.FS, file)
	if err != nil {
		return nil, err
	}
	var v any
	return v, json.Unmarshal(data, &v)
}

func resolveRefs(v any, file string, depth int) (any, error) {
	if depth > 32 {
		return nil, fmt.Errorf("%s: references nested too deeply", file)
	}
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			target, pointer, _ := strings.Cut(ref, "#")
			tfile := file
			if target != "" {
				tfile = path.Join(path.Dir(file), target)
			}
			doc, err := readJSON(tfile)
			if err != nil {
				return nil, err
			}
			for _, part := range strings.Split(strings.Trim(pointer, "/"), "/") {
				if part != "" {
					doc = doc.(map[string]any)[part]
				}
			}
			return resolveRefs(doc, tfile, depth+1)
		}
		out := map[string]any{}
		for k, e := range x {
			r, err := resolveRefs(e, file, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := resolveRefs(e, file, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startWireMock launches the standalone jar and returns it once it answers,
// with the time that took.
func startWireMock(jar string) (*process, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	// WireMock creates mappings/ and __files/ under its root; without a
	// root of its own it would leave them in the caller's directory.
	dir, err := os.MkdirTemp("", "credemu-wiremock-")
	if err != nil {
		return nil, 0, err
	}
	// Java runs in that root: a jar named relative to the caller's
	// directory (make's) must be made absolute first.
	if jar, err = filepath.Abs(jar); err != nil {
		_ = os.RemoveAll(dir)
		return nil, 0, err
	}
	t0 := time.Now()
	cmd := exec.Command("java", "-jar", jar, "--port", fmt.Sprint(port), "--bind-address", "127.0.0.1",
		"--disable-banner", "--root-dir", dir)
	cmd.Dir = dir
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errOut
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, 0, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	p := &process{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir, exited: exited}
	client := &http.Client{Timeout: time.Second}
	for time.Since(t0) < time.Minute {
		select {
		case <-exited:
			_ = os.RemoveAll(dir)
			return nil, 0, fmt.Errorf("WireMock exited before it answered: %s", strings.TrimSpace(errOut.String()))
		default:
		}
		if resp, err := client.Get(p.base + "/__admin/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(t0), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.stop()
	return nil, 0, fmt.Errorf("WireMock did not answer within a minute")
}

// stub registers a recorded answer with WireMock, a create's with its
// body schema.
func stub(base string, a answer, schemaFile string) error {
	req := map[string]any{"method": a.Method, "url": a.Path}
	if schemaFile != "" {
		s, err := bodySchema(schemaFile)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(s)
		req["bodyPatterns"] = []any{map[string]any{"matchesJsonSchema": string(raw)}}
	}
	headers := map[string]string{}
	for k, v := range a.Header {
		if k != "Date" && k != "Content-Length" && len(v) > 0 {
			headers[k] = v[0]
		}
	}
	body, _ := json.Marshal(map[string]any{"request": req,
		"response": map[string]any{"status": a.Status, "headers": headers, "base64Body": a.Body}})
	return post(base+"/__admin/mappings", string(body))
}

// peerFigures measures credemu and WireMock side by side: cold start, the
// figures' throughput and p99, and peak resident memory after the same
// number of creates.
func peerFigures(w io.Writer, credemuBin, jar string, d time.Duration, concurrency, creates int, pick *regexp.Regexp) error {
	emu, emuStart, err := startTimed(credemuBin)
	if err != nil {
		return err
	}
	defer emu.stop()
	wm, wmStart, err := startWireMock(jar)
	if err != nil {
		return err
	}
	defer wm.stop()
	fmt.Fprintf(w, "cold start, launch to first answer: credemu %.0f ms, WireMock %.0f ms\n\n", ms(emuStart), ms(wmStart))
	if err := prepare(emu.base); err != nil {
		return err
	}
	var figs []figure
	for _, f := range figures {
		if f.scenario == "" && pick.MatchString(f.name) {
			figs = append(figs, f)
		}
	}
	answers, err := record(emu.base, figs)
	if err != nil {
		return err
	}
	for i, a := range answers {
		if err := stub(wm.base, a, createSchemas[figs[i].name]); err != nil {
			return fmt.Errorf("%s: WireMock stub: %w", figs[i].name, err)
		}
	}
	fmt.Fprintln(w, "throughput in requests per second and p99 in ms, credemu and WireMock 3.13 taking turns in rounds:")
	fmt.Fprintf(w, "  %-34s %10s %10s %7s %9s %9s\n", "figure", "WireMock", "credemu", "ratio", "WM p99", "p99")
	for _, f := range figs {
		if err := prepare(emu.base); err != nil {
			return err
		}
		var wmS, emuS samples
		for r := 0; r < rounds; r++ {
			if err := wmS.drive(d/rounds, concurrency, f.request(wm.base), f.status, r<<24); err != nil {
				return fmt.Errorf("%s on WireMock: %w", f.name, err)
			}
			if err := emuS.drive(d/rounds, concurrency, f.request(emu.base), f.status, r<<24); err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
		}
		a, b := wmS.rate(), emuS.rate()
		fmt.Fprintf(w, "  %-34s %10.0f %10.0f %7.2f %9.2f %9.2f\n", f.name, a.rps, b.rps, b.rps/a.rps, ms(a.p99), ms(b.p99))
	}
	// Equal work: the same creates sent to each.
	for _, f := range figs {
		if f.body == nil {
			continue
		}
		var s1, s2 samples
		if err := s1.driveN(creates, concurrency, f.request(wm.base), f.status, 1<<28); err != nil {
			return err
		}
		if err := s2.driveN(creates, concurrency, f.request(emu.base), f.status, 1<<28); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\npeak resident memory after all of the above (%d more creates per family each): credemu %d MiB, WireMock %d MiB\n",
		creates, emu.status("VmHWM")>>10, wm.status("VmHWM")>>10)
	return nil
}

// startTimed launches credemu on the default scenario and returns it once
// it answers, with the time that took.
func startTimed(bin string) (*process, time.Duration, error) {
	t0 := time.Now()
	p, err := launch(bin, "serve", "--addr", "127.0.0.1:0", "--log-level", "info")
	if err != nil {
		return nil, 0, err
	}
	client := &http.Client{Timeout: time.Second}
	for time.Since(t0) < 10*time.Second {
		if resp, err := client.Get(p.base + "/_emulator/health"); err == nil {
			resp.Body.Close()
			return p, time.Since(t0), nil
		}
		time.Sleep(200 * time.Microsecond)
	}
	p.stop()
	return nil, 0, fmt.Errorf("credemu did not answer")
}
