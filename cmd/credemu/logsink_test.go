package main

import (
	"strings"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator/emulatortest"
)

// TestLogSink: lines are held back, then written out by the ticker, and
// whatever is left when the sink closes.
func TestLogSink(t *testing.T) {
	var out emulatortest.LogBuffer
	ticks := make(chan time.Time)
	s := newLogSinkTicks(&out, ticks)
	s.Write([]byte("one\n"))
	if out.String() != "" {
		t.Errorf("written at once: %q", out.String())
	}
	ticks <- time.Now()
	<-s.flushed
	if out.String() != "one\n" {
		t.Fatalf("not flushed by the ticker: %q", out.String())
	}
	s.Write([]byte(strings.Repeat("x", 100<<10) + "\n")) // larger than the buffer
	s.Write([]byte("last\n"))
	s.Close()
	if got := out.String(); !strings.HasSuffix(got, "x\nlast\n") || len(got) != 4+100<<10+1+5 {
		t.Errorf("after close: %d bytes, ends %q", len(got), got[max(0, len(got)-10):])
	}
}

// TestLogSinkTicker: the real ticker flushes too, however late it comes.
func TestLogSinkTicker(t *testing.T) {
	var out emulatortest.LogBuffer
	s := newLogSink(&out, time.Millisecond)
	defer s.Close()
	s.Write([]byte("one\n"))
	// A flush that came before the write may have signalled already; the
	// test ends when a flush has written the line (go test's timeout bounds
	// a ticker that never flushes).
	for out.String() != "one\n" {
		<-s.flushed
	}
}
