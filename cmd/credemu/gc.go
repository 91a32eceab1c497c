// The garbage collector's settings: the target a user sets, the one
// start-up runs with, and the floor credemu's default keeps under a small
// heap.

package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
)

// defaultGCPercent is credemu's garbage collector target when neither
// --gc-percent nor GOGC says: Go's 100 let a server that stores what it is
// sent peak at 2.5 to 3 times what it stored (AWX credentials, with their
// journal entries, 1,232 bytes each of resident memory); 50 took that to
// 930 bytes.
const defaultGCPercent = 50

// defaultGCFloor is the least headroom credemu's default leaves between
// the live heap and the next collection. 50% of the few MiB a fresh server
// holds is a collection every megabyte or two of garbage, a tenth to a
// third of its throughput on small answers; past 32 MiB live the floor is
// below 50% and the default is plain 50.
const defaultGCFloor = 16 << 20

// maxTunedPercent bounds the percent the floor asks for under a tiny live
// heap, so that one number stays meaningful to the runtime and a reader.
const maxTunedPercent = 10000

// gcPolicy is how the collector is set: a percent (0: the runtime's own,
// from $GOGC) and, for credemu's default only, a floor of headroom in
// bytes that raises the percent while the live heap is small. A percent
// the user gave is kept as given.
type gcPolicy struct {
	percent int
	floor   uint64
}

// gcTarget returns the policy for --gc-percent (flag) and $GOGC (env):
// the flag when given (a number of at least 1, or off), else the
// runtime's when $GOGC is set (the runtime read it), else credemu's
// default of defaultGCPercent with defaultGCFloor.
func gcTarget(flag, env string) (gcPolicy, error) {
	switch {
	case flag == "off":
		return gcPolicy{percent: -1}, nil
	case flag != "":
		n, err := strconv.Atoi(flag)
		if err != nil || n < 1 {
			return gcPolicy{}, fmt.Errorf("%q is not a percentage of at least 1, or off", flag)
		}
		return gcPolicy{percent: n}, nil
	case env != "":
		return gcPolicy{}, nil
	}
	return gcPolicy{percent: defaultGCPercent, floor: defaultGCFloor}, nil
}

// tunedPercent is the least percent that leaves floor bytes of headroom
// over live, and never less than base (nor more than maxTunedPercent).
func tunedPercent(base int, floor, live uint64) int {
	if floor == 0 || base < 0 {
		return base
	}
	p := uint64(maxTunedPercent)
	if live > 0 {
		p = min(p, (floor*100+live-1)/live)
	}
	return max(base, int(p))
}

// startupHeapCeiling is how much memory start-up may fill with the
// collector off: the default scenario allocates about half a megabyte
// while it is read and compiled (package initialisation two more), and a
// large one is collected as usual once the process passes this.
const startupHeapCeiling = 64 << 20

// gcControl is the collector's setting over a server's life: off during
// start-up, then the policy, retuned after every collection while the
// policy has a floor.
type gcControl struct {
	policy gcPolicy
	// limit is the memory limit start-up lowered to the ceiling, to be put
	// back when it ends; -1 when start-up left the limit as it was.
	limit int64
	once  sync.Once
	// mu makes a retune and stop exclusive, so that no retune lands after
	// stop has put the policy's percent back.
	mu      sync.Mutex
	stopped bool
	live    []metrics.Sample
	last    int // the percent last set
}

// startupGC turns the collector off while the server starts and returns
// the control whose started puts the policy in force (percent 0: the
// percent the runtime had), to be called once the server listens. At Go's
// 2 to 4 MiB minimum heap, start-up otherwise runs half a dozen
// collections that cost a third of the time to the first answer. A large
// scenario or state file is still collected as usual: the memory limit is
// lowered to ceiling meanwhile (a lower one, from --memory-limit or
// GOMEMLIMIT, is kept), so that passing it starts a collection, and the
// first collection of start-up, whatever started it, puts the policy in
// force at once, through a sentinel's finalizer. Nothing polls the heap
// while the server starts.
func startupGC(policy gcPolicy, ceiling uint64) *gcControl {
	prev := debug.SetGCPercent(-1)
	if policy.percent == 0 {
		policy.percent = prev
	}
	c := &gcControl{policy: policy, limit: -1, live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	if l := debug.SetMemoryLimit(-1); l > 0 && uint64(l) > ceiling {
		c.limit = l
		debug.SetMemoryLimit(int64(ceiling))
	}
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) { c.started() })
	return c
}

// started ends start-up: it puts the memory limit back, puts the policy's
// percent in force (with a floor, first the percent firstPercent gives)
// and, with a floor, starts retuning it after each collection. Calls after
// the first do nothing.
func (c *gcControl) started() {
	c.once.Do(func() {
		if c.limit >= 0 {
			debug.SetMemoryLimit(c.limit)
		}
		c.mu.Lock()
		c.last = c.firstPercent()
		debug.SetGCPercent(c.last)
		c.mu.Unlock()
		if c.policy.floor > 0 && c.policy.percent > 0 {
			c.arm()
		}
	})
}

// runtimeHeapMinimum is Go's least heap goal at a GOGC of 100; it scales
// with the percent (the GC guide's "4 MiB × GOGC/100").
const runtimeHeapMinimum = 4 << 20

// firstPercent is the percent start-up hands over with. Until its first
// collection Go paces from its minimum heap, not from a heap it has
// measured, and start-up, run with the collector off, has already filled
// more than that: the policy's own percent would start a collection at
// once, beside the first requests (some 0.7 ms of a fresh server's 8 to
// its first answer). With a floor, the minimum is put the floor above the
// heap start-up left, so the first collection comes once the heap has
// grown by about the floor, and the retune after it sets the floor over
// what it found live. A percent the user gave is handed over as given.
func (c *gcControl) firstPercent() int {
	if c.policy.floor == 0 || c.policy.percent <= 0 {
		return c.policy.percent
	}
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(heap)
	var used uint64
	if heap[0].Value.Kind() == metrics.KindUint64 {
		used = heap[0].Value.Uint64()
	}
	p := ((used+c.policy.floor)*100 + runtimeHeapMinimum - 1) / runtimeHeapMinimum
	return max(c.policy.percent, int(min(p, maxTunedPercent)))
}

// stop ends the retuning and puts the policy's own percent back; the
// server calls it when it is done, so that a process that runs several
// servers, as tests do, has one tuner at a time, and a later server that
// leaves the runtime's percent alone ($GOGC) does not inherit a tuned one.
func (c *gcControl) stop() {
	c.started()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stopped && c.policy.floor > 0 && c.policy.percent > 0 {
		debug.SetGCPercent(c.policy.percent)
	}
	c.stopped = true
}

// gcSentinel is garbage from birth: its finalizer runs once per
// collection, after the collection that found it, as gctuner and
// Go's own runtime tests hook a cycle's end. The pointer keeps it out of
// the tiny allocator, whose blocks may never be finalised.
type gcSentinel struct{ _ *int }

// arm leaves a sentinel for the next collection to find.
func (c *gcControl) arm() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		if c.retune() {
			c.arm()
		}
	})
}

// retune sets the percent that leaves the floor's headroom over the heap
// the last collection found live, asking the runtime only on a change,
// and reports whether it is to go on (false once stopped).
func (c *gcControl) retune() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return false
	}
	metrics.Read(c.live)
	if c.live[0].Value.Kind() == metrics.KindUint64 {
		if p := tunedPercent(c.policy.percent, c.policy.floor, c.live[0].Value.Uint64()); p != c.last {
			c.last = p
			debug.SetGCPercent(p)
		}
	}
	return true
}
