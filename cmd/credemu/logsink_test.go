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
	s := newLogSink(&out, 20*time.Millisecond)
	s.Write([]byte("one\n"))
	if out.String() != "" {
		t.Errorf("written at once: %q", out.String())
	}
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "one\n" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
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
