package emulatortest

import (
	"bytes"
	"sync"
)

// LogBuffer is an io.Writer that an emulator's logger and a test may use
// at once: pass it to slog and emulator.WithLogger, then read String.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
