package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// adminToken guards each replica's control API, so that /_emulator/health
// names its sandboxes only to this program.
const adminToken = "credemu-scale-token"

// config is one run's set-up.
type config struct {
	binary, haproxy, template string
	sandboxes, replicas       int
	out                       io.Writer
}

// replica is one credemu process on loopback.
type replica struct {
	name string
	addr string
	cmd  *exec.Cmd
	logs *syncBuffer
}

// cluster is the replicas and the proxy in front of them.
type cluster struct {
	cfg      config
	dir      string
	replicas []*replica
	proxy    *exec.Cmd
	proxyLog *syncBuffer
	front    string // the proxy's address
	client   *http.Client
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 1<<20 {
		return len(p), nil // enough to diagnose; the rest is dropped
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startReplica starts one more credemu on a free loopback port and waits
// for its health check.
func (c *cluster) startReplica() (*replica, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	r := &replica{name: fmt.Sprintf("credemu%d", len(c.replicas)+1), addr: addr, logs: &syncBuffer{}}
	r.cmd = exec.Command(c.cfg.binary, "serve", "--addr", addr, "--admin-token", adminToken, "--log-level", "warn")
	r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	c.replicas = append(c.replicas, r)
	if err := c.waitHealthy("http://"+addr, r.cmd); err != nil {
		return nil, fmt.Errorf("replica %s: %v\n%s", r.name, err, r.logs.String())
	}
	return r, nil
}

func (c *cluster) waitHealthy(base string, cmd *exec.Cmd) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := c.client.Get(base + "/_emulator/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if cmd.ProcessState != nil {
			return fmt.Errorf("exited: %v", cmd.ProcessState)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no healthy answer at %s within a minute", base)
}

var (
	bindRE   = regexp.MustCompile(`(?m)^(\s*bind\s+)\S+`)
	checksRE = regexp.MustCompile(`inter \S+ fall \d+ rise \d+`)
)

// renderConfig is the shipped haproxy.cfg with the proxy's own address,
// one server line per live replica in both backends, and checks fast
// enough for a test. A template that no longer has the marked blocks is an
// error: the file and this program have drifted apart.
func (c *cluster) renderConfig() (string, error) {
	data, err := os.ReadFile(c.cfg.template)
	if err != nil {
		return "", err
	}
	s := string(data)
	if !bindRE.MatchString(s) || !checksRE.MatchString(s) {
		return "", fmt.Errorf("%s: no bind line or no \"inter .. fall .. rise ..\" check settings", c.cfg.template)
	}
	s = bindRE.ReplaceAllString(s, "${1}"+c.front)
	// Fast checks, but three misses in a row before a replica counts as
	// down: a replica that is only slow (a loaded CI machine, -race) keeps
	// its sandboxes; a killed one refuses at once and is out in ~300 ms.
	s = checksRE.ReplaceAllString(s, "inter 100ms fall 3 rise 1")
	var hash, first []string
	for _, r := range c.replicas {
		hash = append(hash, fmt.Sprintf("    server %s %s", r.name, r.addr))
		first = append(first, fmt.Sprintf("    server %s %s track credemu_sandboxes/%s", r.name, r.addr, r.name))
	}
	for _, blk := range []struct {
		marker string
		lines  []string
	}{{"servers", hash}, {"servers-default", first}} {
		re := regexp.MustCompile(`(?s)(# ` + blk.marker + `:begin\n).*?(\s*# ` + blk.marker + `:end)`)
		if !re.MatchString(s) {
			return "", fmt.Errorf("%s: no \"# %s:begin\" ... \"# %s:end\" block", c.cfg.template, blk.marker, blk.marker)
		}
		s = re.ReplaceAllLiteralString(s, "# "+blk.marker+":begin\n"+strings.Join(blk.lines, "\n")+"\n    # "+blk.marker+":end")
	}
	return s, nil
}

// startProxy (re)starts haproxy on the cluster's front address with the
// rendered configuration, stopping the one before.
func (c *cluster) startProxy() error {
	c.stopProxy()
	text, err := c.renderConfig()
	if err != nil {
		return err
	}
	path := filepath.Join(c.dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return err
	}
	if out, err := exec.Command(c.cfg.haproxy, "-c", "-f", path).CombinedOutput(); err != nil {
		return fmt.Errorf("haproxy -c refuses the rendered %s: %v\n%s", c.cfg.template, err, out)
	}
	c.proxyLog = &syncBuffer{}
	c.proxy = exec.Command(c.cfg.haproxy, "-db", "-f", path)
	c.proxy.Stdout, c.proxy.Stderr = c.proxyLog, c.proxyLog
	if err := c.proxy.Start(); err != nil {
		return err
	}
	if err := c.waitHealthy("http://"+c.front, c.proxy); err != nil {
		return fmt.Errorf("haproxy: %v\n%s", err, c.proxyLog.String())
	}
	return nil
}

func (c *cluster) stopProxy() {
	if c.proxy == nil || c.proxy.Process == nil {
		return
	}
	stop(c.proxy)
	c.proxy = nil
}

// stop interrupts a process and waits for it, killing it after 10 s.
func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// close stops everything this run started.
func (c *cluster) close() {
	c.stopProxy()
	for _, r := range c.replicas {
		if r.cmd.ProcessState == nil && r.cmd.Process != nil {
			stop(r.cmd)
		}
	}
}

// kill stops a replica at once, as a lost node would.
func (c *cluster) kill(r *replica) {
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
}

// call sends one request to base (the proxy or a replica) in sandbox sb
// ("" none) and decodes a JSON answer into out when out is not nil.
func (c *cluster) call(base, sb, method, path, auth string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+base+path, rd)
	if err != nil {
		return 0, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if sb != "" {
		req.Header.Set("X-Emulator-Sandbox", sb)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: answer is not JSON: %v: %.200s", method, path, err, data)
		}
	}
	return resp.StatusCode, nil
}

// locate asks every live replica which sandboxes it holds: sandbox → the
// replicas that list it.
func (c *cluster) locate() (map[string][]string, error) {
	out := map[string][]string{}
	for _, r := range c.replicas {
		if r.cmd.ProcessState != nil {
			continue
		}
		var h struct {
			Sandboxes []string `json:"sandboxes"`
		}
		if st, err := c.call(r.addr, "", "GET", "/_emulator/health", "Bearer "+adminToken, nil, &h); err != nil || st != 200 {
			return nil, fmt.Errorf("health of %s: %d %v", r.name, st, err)
		}
		for _, sb := range h.Sandboxes {
			if sb != "" {
				out[sb] = append(out[sb], r.name)
			}
		}
	}
	return out, nil
}

func (c *cluster) byName(name string) *replica {
	for _, r := range c.replicas {
		if r.name == name {
			return r
		}
	}
	return nil
}
