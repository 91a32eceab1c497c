// The garbage collector's settings: the target a user sets, and the one
// start-up runs with.

package main

import (
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"
)

// defaultGCPercent is credemu's garbage collector target when neither
// --gc-percent nor GOGC says: Go's 100 let a server that stores what it is
// sent peak at 2.5 to 3 times what it stored (AWX credentials, with their
// journal entries, 1,232 bytes each of resident memory); 50 took that to
// 930 bytes with no throughput change make bench could see.
const defaultGCPercent = 50

// gcTarget returns the GC percent to set, or 0 to leave the runtime's:
// --gc-percent when given (a number of at least 1, or off), else nothing
// when $GOGC is set (the runtime read it), else defaultGCPercent.
func gcTarget(flag, env string) (int, error) {
	switch {
	case flag == "off":
		return -1, nil
	case flag != "":
		n, err := strconv.Atoi(flag)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%q is not a percentage of at least 1, or off", flag)
		}
		return n, nil
	case env != "":
		return 0, nil
	}
	return defaultGCPercent, nil
}

// startupHeapCeiling is how much heap start-up may fill with the collector
// off: the default scenario allocates about 10 MiB while it is read and
// compiled, and a large one is collected as usual once it passes this.
const startupHeapCeiling = 64 << 20

// startupGC turns the collector off while the server starts and returns
// the function that puts target back (0: the percent the runtime had), to
// be called once it listens. At Go's 2 to 4 MiB minimum heap, start-up
// otherwise runs half a dozen collections that cost a third of the time to
// the first answer. A watcher puts the target back early should the heap
// pass ceiling, so a large scenario or state file is collected as usual; a
// memory limit (--memory-limit, GOMEMLIMIT) holds throughout.
func startupGC(target int, ceiling uint64) (done func()) {
	prev := debug.SetGCPercent(-1)
	if target == 0 {
		target = prev
	}
	var once sync.Once
	stop := make(chan struct{})
	restore := func() { once.Do(func() { close(stop); debug.SetGCPercent(target) }) }
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > ceiling {
					restore()
					return
				}
			}
		}
	}()
	return restore
}
