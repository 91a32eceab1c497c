package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// compileCache keeps compiled scenarios per process, so that the hundredth
// emulator a test binary starts on the same scenario does not parse and
// generate it again. Compiled worlds are never changed (every sandbox
// copies them), which is what makes sharing them safe.
var compileCache = struct {
	sync.Mutex
	entries map[string]cacheEntry
}{entries: map[string]cacheEntry{}}

type cacheEntry struct {
	c  *compiled
	at time.Time
}

// realClockReuse bounds how long a scenario on the real clock is reused:
// its generated objects carry the time it was compiled.
const realClockReuse = time.Minute

// cacheKey identifies the scenario source, the seed override and the
// families; "" means the source cannot be cached.
func (s *Server) cacheKey() string {
	o := s.opts
	h := sha256.New()
	switch {
	case o.scenarioYAML != nil:
		fmt.Fprintf(h, "yaml\x00%s\x00", o.scenarioName)
		h.Write(o.scenarioYAML)
	case !strings.ContainsAny(o.scenario, `/\`) && !strings.HasSuffix(o.scenario, ".yaml") && !strings.HasSuffix(o.scenario, ".yml"):
		fmt.Fprintf(h, "builtin\x00%s", o.scenario)
	default:
		fi, err := os.Stat(o.scenario)
		if err != nil {
			return ""
		}
		// Includes of a file on disk may change unseen: do not cache.
		data, err := os.ReadFile(o.scenario)
		if err != nil || strings.Contains(string(data), "include") {
			return ""
		}
		fmt.Fprintf(h, "file\x00%s\x00%d\x00%d", o.scenario, fi.Size(), fi.ModTime().UnixNano())
	}
	if o.seed != nil {
		fmt.Fprintf(h, "\x00seed=%d", *o.seed)
	}
	for _, f := range s.families {
		fmt.Fprintf(h, "\x00%s", f.Name())
	}
	return hex.EncodeToString(h.Sum(nil))
}

func cachedCompiled(key string) *compiled {
	if key == "" {
		return nil
	}
	compileCache.Lock()
	defer compileCache.Unlock()
	e, ok := compileCache.entries[key]
	if !ok || (e.c.sc.Clock.IsZero() && time.Since(e.at) > realClockReuse) {
		return nil
	}
	return e.c
}

func storeCompiled(key string, c *compiled) {
	if key == "" {
		return
	}
	compileCache.Lock()
	defer compileCache.Unlock()
	if len(compileCache.entries) > 256 {
		compileCache.entries = map[string]cacheEntry{}
	}
	compileCache.entries[key] = cacheEntry{c: c, at: time.Now()}
}
