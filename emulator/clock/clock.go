// Package clock is the virtual clock of a sandbox. Every timestamp the
// emulator writes and every expiry it checks reads one of these, so a test can
// fix time with a scenario's `clock:` and move it with POST /_emulator/clock.
package clock

import (
	"errors"
	"sync"
	"time"
)

// Clock is a virtual clock: real time plus an offset, or a fixed instant that
// only moves when advanced. It is safe for concurrent use.
type Clock struct {
	mu     sync.RWMutex
	fixed  bool
	start  time.Time     // the fixed start; zero for a real clock
	offset time.Duration // total advance since the last reset
	now    func() time.Time
}

// New returns a clock. A zero start means real time; otherwise the clock is
// frozen at start and moves only through Advance.
func New(start time.Time) *Clock {
	return &Clock{fixed: !start.IsZero(), start: start.UTC(), now: time.Now}
}

// Now returns the current virtual time in UTC.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.fixed {
		return c.start.Add(c.offset)
	}
	return c.now().UTC().Add(c.offset)
}

// Min and Max bound the instants the clock may show: far enough from any
// start that offsets never overflow time.Duration (about ±292 years).
var (
	Min = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	Max = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ErrOutOfRange is returned for a move that would leave [Min, Max].
var ErrOutOfRange = errors.New("the virtual clock must stay between " + Min.Format(time.DateOnly) + " and " + Max.Format(time.DateOnly))

// Advance moves the clock forward by d (backwards if d is negative) and
// returns the new time; a move out of [Min, Max] is refused.
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	c.mu.Lock()
	base := c.start
	if !c.fixed {
		base = c.now().UTC()
	}
	cur := base.Add(c.offset)
	if limit := Max.Sub(cur); d > limit {
		c.mu.Unlock()
		return cur, ErrOutOfRange
	}
	if limit := Min.Sub(cur); d < limit {
		c.mu.Unlock()
		return cur, ErrOutOfRange
	}
	c.offset += d
	c.mu.Unlock()
	return c.Now(), nil
}

// Set moves the clock to t. On a real clock it sets the offset so that Now
// reads t at this moment and runs on from there. An instant out of
// [Min, Max] is refused.
func (c *Clock) Set(t time.Time) error {
	if t.Before(Min) || t.After(Max) {
		return ErrOutOfRange
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed {
		c.offset = t.Sub(c.start)
		return nil
	}
	c.offset = t.Sub(c.now().UTC())
	return nil
}

// Restart puts the clock back to its start, as a new clock would be: frozen
// at start if start is not zero, else real time. A scenario reload or a reset
// calls it, so every holder of the clock sees the change.
func (c *Clock) Restart(start time.Time) {
	c.mu.Lock()
	c.fixed, c.start, c.offset = !start.IsZero(), start.UTC(), 0
	c.mu.Unlock()
}

// Fixed reports whether the clock is frozen (set by a scenario's clock).
func (c *Clock) Fixed() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.fixed
}
