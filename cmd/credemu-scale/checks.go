package main

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

// awxAdmin is the default scenario's AWX administrator (admin:password).
const awxAdmin = "Basic YWRtaW46cGFzc3dvcmQ="

// checker runs named checks and counts them.
type checker struct {
	c              *cluster
	passed, failed int
}

func (k *checker) check(name string, fn func() error) {
	if err := fn(); err != nil {
		k.failed++
		fmt.Fprintf(k.c.cfg.out, "FAIL %s: %v\n", name, err)
		return
	}
	k.passed++
	fmt.Fprintf(k.c.cfg.out, "PASS %s\n", name)
}

func sandboxName(i int) string { return fmt.Sprintf("ci-job-%03d", i) }
func marker(sb string) string  { return "marker-" + sb }

// run starts the cluster, runs every check in order (later ones build on
// the state earlier ones leave) and stops the cluster.
func run(cfg config) (passed, failed int, err error) {
	dir, err := os.MkdirTemp("", "credemu-scale-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	c := &cluster{cfg: cfg, dir: dir, client: &http.Client{Timeout: 30 * time.Second}}
	defer c.close()
	if c.front, err = freeAddr(); err != nil {
		return 0, 0, err
	}
	for range cfg.replicas {
		if _, err := c.startReplica(); err != nil {
			return 0, 0, err
		}
	}
	if err := c.startProxy(); err != nil {
		return 0, 0, err
	}
	fmt.Fprintf(cfg.out, "%d replicas behind haproxy at %s, %d sandboxes\n", cfg.replicas, c.front, cfg.sandboxes)
	k := &checker{c: c}
	var sandboxes []string
	for i := range cfg.sandboxes {
		sandboxes = append(sandboxes, sandboxName(i))
	}
	var home map[string][]string

	k.check("every request of a sandbox reaches one replica", func() error {
		for _, sb := range sandboxes {
			for _, req := range []struct{ method, path string }{{"GET", "/api/v2/ping/"}, {"GET", "/api/v2/me/"}} {
				if st, err := c.call(c.front, sb, req.method, req.path, awxAdmin, nil, nil); err != nil || st != 200 {
					return fmt.Errorf("%s %s in %s: %d %v", req.method, req.path, sb, st, err)
				}
			}
			if st, err := c.call(c.front, sb, "POST", "/api/v2/users/", awxAdmin, map[string]string{"username": marker(sb), "password": "pw"}, nil); err != nil || st != 201 {
				return fmt.Errorf("create user in %s: %d %v", sb, st, err)
			}
		}
		var err error
		if home, err = c.locate(); err != nil {
			return err
		}
		for _, sb := range sandboxes {
			if len(home[sb]) != 1 {
				return fmt.Errorf("sandbox %s is on %v, want exactly one replica", sb, home[sb])
			}
			// Its replica's journal holds all three of its requests.
			var j struct {
				Requests []any `json:"requests"`
			}
			r := c.byName(home[sb][0])
			if st, err := c.call(r.addr, sb, "GET", "/_emulator/requests", "Bearer "+adminToken, nil, &j); err != nil || st != 200 || len(j.Requests) != 3 {
				return fmt.Errorf("journal of %s on %s: status %d, %d requests, want 3 (%v)", sb, r.name, st, len(j.Requests), err)
			}
		}
		return nil
	})

	k.check("sandboxes spread over every replica", func() error {
		count := map[string]int{}
		for _, sb := range sandboxes {
			for _, r := range home[sb] {
				count[r]++
			}
		}
		var parts []string
		for _, r := range c.replicas {
			if count[r.name] == 0 {
				return fmt.Errorf("replica %s holds no sandbox (%v)", r.name, count)
			}
			parts = append(parts, fmt.Sprintf("%s %d", r.name, count[r.name]))
		}
		fmt.Fprintf(c.cfg.out, "     spread: %s\n", strings.Join(parts, ", "))
		return nil
	})

	k.check("requests without the header stay on one replica (the default sandbox)", func() error {
		const n = 10
		for range n {
			if st, err := c.call(c.front, "", "GET", "/api/v2/ping/", "", nil, nil); err != nil || st != 200 {
				return fmt.Errorf("ping: %d %v", st, err)
			}
		}
		var got []string
		holders := 0
		for _, r := range c.replicas {
			var j struct {
				Requests []any `json:"requests"`
			}
			if st, err := c.call(r.addr, "", "GET", "/_emulator/requests", "Bearer "+adminToken, nil, &j); err != nil || st != 200 {
				return fmt.Errorf("journal of %s: %d %v", r.name, st, err)
			}
			got = append(got, fmt.Sprintf("%s:%d", r.name, len(j.Requests)))
			switch len(j.Requests) {
			case n:
				holders++
			case 0:
			default:
				return fmt.Errorf("default sandbox split over replicas: %v", got)
			}
		}
		if holders != 1 {
			return fmt.Errorf("%d replicas hold all %d requests, want exactly one: %v", holders, n, got)
		}
		return nil
	})

	k.check("sandboxes are isolated through the proxy", func() error {
		for i, sb := range sandboxes[:10] {
			other := sandboxes[(i+1)%len(sandboxes)]
			if n, err := c.users(sb, marker(sb)); err != nil || n != 1 {
				return fmt.Errorf("%s sees its own user %d times (%v)", sb, n, err)
			}
			if n, err := c.users(sb, marker(other)); err != nil || n != 0 {
				return fmt.Errorf("%s sees %s's user (%d, %v)", sb, other, n, err)
			}
		}
		return nil
	})

	k.check("state, faults, verify, coverage and reset work per sandbox through the proxy", func() error {
		sb, other := sandboxes[0], sandboxes[1]
		tok := "Bearer " + adminToken
		var state struct {
			Sandbox string         `json:"sandbox"`
			APIs    map[string]any `json:"apis"`
		}
		if st, err := c.call(c.front, sb, "GET", "/_emulator/state", tok, nil, &state); err != nil || st != 200 || state.Sandbox != sb {
			return fmt.Errorf("state of %s: %d %q %v", sb, st, state.Sandbox, err)
		}
		if s := fmt.Sprint(state.APIs["awx"]); !strings.Contains(s, marker(sb)) || strings.Contains(s, marker(other)) {
			return fmt.Errorf("state of %s does not hold just its own user", sb)
		}
		rule := map[string]any{"match": map[string]any{"operation": "ping"}, "respond": map[string]any{"status": 503}}
		if st, err := c.call(c.front, sb, "POST", "/_emulator/faults", tok, rule, nil); err != nil || st != 201 {
			return fmt.Errorf("add fault: %d %v", st, err)
		}
		if st, _ := c.call(c.front, sb, "GET", "/api/v2/ping/", "", nil, nil); st != 503 {
			return fmt.Errorf("ping in %s after its fault: %d, want 503", sb, st)
		}
		if st, _ := c.call(c.front, other, "GET", "/api/v2/ping/", "", nil, nil); st != 200 {
			return fmt.Errorf("ping in %s (no fault there): %d, want 200", other, st)
		}
		var v struct {
			OK bool `json:"ok"`
		}
		exp := map[string]any{"operation": "ping", "status": 503, "count": 1}
		if st, err := c.call(c.front, sb, "POST", "/_emulator/verify", tok, exp, &v); err != nil || st != 200 || !v.OK {
			return fmt.Errorf("verify one 503 ping in %s: %d %v", sb, st, err)
		}
		var cov struct {
			APIs []struct {
				API        string `json:"api"`
				Operations []struct {
					Operation string         `json:"operation"`
					Statuses  map[string]int `json:"statuses"`
				} `json:"operations"`
			} `json:"apis"`
		}
		if st, err := c.call(c.front, sb, "GET", "/_emulator/coverage?scope=sandbox", tok, nil, &cov); err != nil || st != 200 {
			return fmt.Errorf("coverage of %s: %d %v", sb, st, err)
		}
		var pings map[string]int
		for _, a := range cov.APIs {
			for _, o := range a.Operations {
				if a.API == "awx" && o.Operation == "ping" {
					pings = o.Statuses
				}
			}
		}
		if pings["200"] != 1 || pings["503"] != 1 {
			return fmt.Errorf("coverage of %s counts pings %v, want one 200 and one 503", sb, pings)
		}
		if st, err := c.call(c.front, sb, "DELETE", "/_emulator/faults", tok, nil, nil); err != nil || st != 204 {
			return fmt.Errorf("clear faults: %d %v", st, err)
		}
		if st, err := c.call(c.front, sb, "POST", "/_emulator/reset", tok, nil, nil); err != nil || st != 200 {
			return fmt.Errorf("reset: %d %v", st, err)
		}
		if n, _ := c.users(sb, marker(sb)); n != 0 {
			return fmt.Errorf("%s still has its user after its reset", sb)
		}
		if n, _ := c.users(other, marker(other)); n != 1 {
			return fmt.Errorf("reset of %s reached %s", sb, other)
		}
		// Put the marker back for the checks that follow.
		if st, err := c.call(c.front, sb, "POST", "/api/v2/users/", awxAdmin, map[string]string{"username": marker(sb), "password": "pw"}, nil); err != nil || st != 201 {
			return fmt.Errorf("re-create user: %d %v", st, err)
		}
		return nil
	})

	k.check("a new replica takes only its share of the sandboxes", func() error {
		r, err := c.startReplica()
		if err != nil {
			return err
		}
		if err := c.startProxy(); err != nil {
			return err
		}
		for _, sb := range sandboxes {
			if st, err := c.call(c.front, sb, "GET", "/api/v2/ping/", "", nil, nil); err != nil || st != 200 {
				return fmt.Errorf("ping in %s: %d %v", sb, st, err)
			}
		}
		now, err := c.locate()
		if err != nil {
			return err
		}
		moved := 0
		for _, sb := range sandboxes {
			for _, at := range now[sb] {
				if at != home[sb][0] && at != r.name {
					return fmt.Errorf("sandbox %s moved from %s to %s, not to the new replica", sb, home[sb][0], at)
				}
			}
			want := 1
			if slices.Contains(now[sb], r.name) {
				moved++
				home[sb] = []string{r.name}
				want = 0 // it starts fresh on the new replica
			}
			if n, err := c.users(sb, marker(sb)); err != nil || n != want {
				return fmt.Errorf("sandbox %s: its user found %d times, want %d (%v)", sb, n, want, err)
			}
			if want == 0 { // give it its marker again for the next check
				if st, err := c.call(c.front, sb, "POST", "/api/v2/users/", awxAdmin, map[string]string{"username": marker(sb), "password": "pw"}, nil); err != nil || st != 201 {
					return fmt.Errorf("re-create user in %s: %d %v", sb, st, err)
				}
			}
		}
		share := len(sandboxes) / len(c.replicas)
		fmt.Fprintf(c.cfg.out, "     moved %d of %d sandboxes to %s (an even share: %d)\n", moved, len(sandboxes), r.name, share)
		if moved == 0 || moved > 2*share {
			return fmt.Errorf("%d sandboxes moved to the new replica; want 1 to %d (twice an even share)", moved, 2*share)
		}
		return nil
	})

	k.check("a lost replica moves only its own sandboxes; the others keep their state", func() error {
		lost := c.replicas[1]
		var own []string
		for _, sb := range sandboxes {
			if home[sb][0] == lost.name {
				own = append(own, sb)
			}
		}
		if len(own) == 0 {
			return fmt.Errorf("replica %s holds no sandbox to lose", lost.name)
		}
		before, err := c.locate()
		if err != nil {
			return err
		}
		c.kill(lost)
		// Until haproxy's check sees it gone, its sandboxes get 503.
		deadline := time.Now().Add(time.Minute)
		for {
			st, _ := c.call(c.front, own[0], "GET", "/api/v2/ping/", "", nil, nil)
			if st == 200 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("sandbox %s never answered again after %s was lost (last %d)", own[0], lost.name, st)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, sb := range sandboxes {
			if st, err := c.call(c.front, sb, "GET", "/api/v2/ping/", "", nil, nil); err != nil || st != 200 {
				return fmt.Errorf("ping in %s: %d %v", sb, st, err)
			}
		}
		after, err := c.locate()
		if err != nil {
			return err
		}
		for _, sb := range sandboxes {
			lostOne := home[sb][0] == lost.name
			want := 1
			if lostOne {
				want = 0 // started fresh where the hash moved it
			} else if was := slices.DeleteFunc(slices.Clone(before[sb]), func(r string) bool { return r == lost.name }); !slices.Equal(was, after[sb]) {
				// (A stale copy on the lost replica, left by the join, goes
				// with it; nothing else may change.)
				return fmt.Errorf("sandbox %s of %s moved (%v → %v) when %s was lost", sb, home[sb][0], before[sb], after[sb], lost.name)
			}
			if n, err := c.users(sb, marker(sb)); err != nil || n != want {
				return fmt.Errorf("sandbox %s (on %s): its user found %d times, want %d (%v)", sb, home[sb][0], n, want, err)
			}
		}
		fmt.Fprintf(c.cfg.out, "     %s lost: %d sandboxes started fresh elsewhere, %d kept their state\n", lost.name, len(own), len(sandboxes)-len(own))
		return nil
	})
	return k.passed, k.failed, nil
}

// users counts the AWX users named name that sandbox sb sees through the
// proxy.
func (c *cluster) users(sb, name string) (int, error) {
	var page struct {
		Count int `json:"count"`
	}
	st, err := c.call(c.front, sb, "GET", "/api/v2/users/?username="+name, awxAdmin, nil, &page)
	if err != nil {
		return 0, err
	}
	if st != 200 {
		return 0, fmt.Errorf("list users in %s: %d", sb, st)
	}
	return page.Count, nil
}
