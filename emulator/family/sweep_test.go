package family

import (
	"testing"
	"time"
)

// TestSweeps: a zero Sweeps is due at once, then not again until
// SweepEvery has passed on the clock it is given; a restart at a time
// moves that, and a restart at the zero time makes it due at once.
func TestSweeps(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var w Sweeps
	for i, c := range []struct {
		restart *time.Time
		at      time.Time
		due     bool
	}{
		{at: t0, due: true},
		{at: t0.Add(time.Second), due: false},
		{at: t0.Add(SweepEvery - time.Nanosecond), due: false},
		{at: t0.Add(SweepEvery), due: true},
		{at: t0.Add(SweepEvery), due: false},
		{restart: &time.Time{}, at: t0.Add(SweepEvery + time.Second), due: true},
		{restart: ptr(t0.Add(time.Hour)), at: t0.Add(time.Hour + time.Second), due: false},
		{at: t0.Add(time.Hour + SweepEvery), due: true},
	} {
		if c.restart != nil {
			w.Restart(*c.restart)
		}
		if got := w.Due(c.at); got != c.due {
			t.Errorf("step %d: Due(%v) = %v; want %v", i, c.at.Sub(t0), got, c.due)
		}
	}
}

func ptr[T any](v T) *T { return &v }
