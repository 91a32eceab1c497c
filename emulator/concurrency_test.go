package emulator_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// TestConcurrentSameNameCreates checks, for every family, that racing
// creates of one name give exactly one success.
func TestConcurrentSameNameCreates(t *testing.T) {
	tests := []struct {
		family, method, path string
		body                 any
		okStatus             int
	}{
		{"avisi", "POST", accounts, account("race"), 200},
		{"zstack", "POST", "/zstack/v1/iam2/virtual-ids", map[string]any{"params": map[string]string{"name": "race", "password": "x"}}, 200},
		{"awx", "POST", "/api/v2/users/", map[string]string{"username": "race", "password": "x"}, 201},
		{"vsphere", "POST", "/api/appliance/local-accounts", map[string]any{"username": "race", "config": map[string]any{"password": "x", "roles": []string{"operator"}}}, 201},
	}
	for _, tc := range tests {
		t.Run(tc.family, func(t *testing.T) {
			srv := start(t)
			const n = 24
			var ok, failed atomic.Int32
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := srv.Do(tc.method, tc.path, tc.body, familyAuth[tc.family])
					switch {
					case r.Status == tc.okStatus:
						ok.Add(1)
					case r.Status == 400 || r.Status == 503:
						failed.Add(1)
					default:
						t.Errorf("unexpected %d: %s", r.Status, r.Body)
					}
				}()
			}
			wg.Wait()
			if ok.Load() != 1 || failed.Load() != n-1 {
				t.Errorf("%d successes and %d refusals, want 1 and %d", ok.Load(), failed.Load(), n-1)
			}
		})
	}
}

// TestNoTornReads creates, renames and deletes accounts while others list
// and read them: every object read must be whole and consistent.
func TestNoTornReads(t *testing.T) {
	srv := start(t, emulator.WithJournalCapacity(100))
	stop := make(chan struct{})
	var writers, readers sync.WaitGroup
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func(w int) {
			defer writers.Done()
			for i := 0; i < 40; i++ {
				r := srv.Do("POST", accounts, account(fmt.Sprintf("w%d-%d", w, i)), admin)
				if r.Status != 200 {
					t.Errorf("create %d: %s", r.Status, r.Body)
					return
				}
				id := r.JSON(t)["identity"].(string)
				srv.Do("PATCH", accounts+"/"+id, map[string]any{"displayName": fmt.Sprintf("w%d-%d-renamed", w, i)}, admin)
				if i%2 == 0 {
					srv.Do("DELETE", accounts+"/"+id, nil, admin)
				}
			}
		}(w)
	}
	var reads atomic.Int64
	for rd := 0; rd < 4; rd++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := srv.Do("GET", accounts+"?size=200&sort=displayName,asc", nil, admin)
				var p struct {
					Content []struct {
						Identity, DisplayName string
						CloudProfile          *struct{ Identity, Type string }
					}
					TotalElements    int
					NumberOfElements int
				}
				if err := json.Unmarshal(r.Body, &p); err != nil || r.Status != 200 {
					t.Errorf("list: %d %v", r.Status, err)
					return
				}
				if p.NumberOfElements != len(p.Content) || p.TotalElements < len(p.Content) {
					t.Errorf("page counts torn: %+v", p)
				}
				for _, a := range p.Content {
					if a.Identity == "" || a.DisplayName == "" || a.CloudProfile == nil || a.CloudProfile.Type == "" {
						t.Errorf("torn account: %+v", a)
					}
				}
				reads.Add(1)
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if reads.Load() == 0 {
		t.Error("no reads happened")
	}
}

// TestResetDuringLoad resets the sandbox while writers run: nothing a
// writer started after the reset returned may be lost.
func TestResetDuringLoad(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("default"))
	type done struct {
		name    string
		started time.Time
	}
	var mu sync.Mutex
	var created []done
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("load-%d-%d", w, i)
				started := time.Now()
				if r := srv.Do("POST", accounts, account(name), admin); r.Status == 200 {
					mu.Lock()
					created = append(created, done{name, started})
					mu.Unlock()
				}
			}
		}(w)
	}
	// Counts, not sleeps, decide when to reset and when to stop, so that the
	// test sees creates on both sides of the reset at any speed.
	createdSince := func(t0 time.Time) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, c := range created {
			if c.started.After(t0) {
				n++
			}
		}
		return n
	}
	for createdSince(time.Time{}) < 20 {
		time.Sleep(time.Millisecond)
	}
	srv.Reset()
	resetDone := time.Now()
	for createdSince(resetDone) < 20 {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()

	r := srv.Do("GET", accounts+"?size=2000", nil, admin)
	var p struct {
		Content []struct{ DisplayName string }
	}
	_ = json.Unmarshal(r.Body, &p)
	have := map[string]bool{}
	for _, a := range p.Content {
		have[a.DisplayName] = true
	}
	after := 0
	for _, c := range created {
		if c.started.After(resetDone) {
			after++
			if !have[c.name] {
				t.Errorf("%s was created after the reset and is gone", c.name)
			}
		}
	}
	if after == 0 {
		t.Fatal("no create happened after the reset; the test proved nothing")
	}
}
