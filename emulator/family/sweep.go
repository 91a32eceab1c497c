package family

import "time"

// SweepEvery is how often, on a sandbox's virtual clock, a state sweeps
// what expires (sessions, finished jobs), so that abandoned logins and
// unpolled jobs do not pile up while no request pays for a full scan.
const SweepEvery = time.Minute

// Sweeps throttles a state's sweep of expired entries to once per
// SweepEvery of virtual time. Its zero value is due at once; the caller
// holds the state's write lock.
type Sweeps struct{ last time.Time }

// Due reports whether a sweep is due at now, and if so counts it as done.
func (w *Sweeps) Due(now time.Time) bool {
	if now.Sub(w.last) < SweepEvery {
		return false
	}
	w.last = now
	return true
}

// Restart makes the next sweep due SweepEvery after now (a state reset
// or loaded at now has nothing expired to sweep), or at once for a zero
// now.
func (w *Sweeps) Restart(now time.Time) { w.last = now }
