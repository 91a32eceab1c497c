package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logSink buffers log lines and writes them out every interval, when the
// buffer fills, and when closed. With a line per request at the default
// level, writing each line straight to stderr was a system call per
// request; a line now reaches the terminal at most one interval late.
type logSink struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
	// flushed receives after each periodic flush (dropped when full).
	flushed chan struct{}
}

// logFlushEvery is how late a buffered log line may be.
const logFlushEvery = 100 * time.Millisecond

func newLogSink(w io.Writer, every time.Duration) *logSink {
	t := time.NewTicker(every)
	s := newLogSinkTicks(w, t.C)
	go func() { <-s.done; t.Stop() }()
	return s
}

// newLogSinkTicks is newLogSink flushing on every value from ticks, so that
// a test can say when a tick comes instead of racing a real ticker.
func newLogSinkTicks(w io.Writer, ticks <-chan time.Time) *logSink {
	s := &logSink{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{}), flushed: make(chan struct{}, 1)}
	go func() {
		defer close(s.done)
		for {
			select {
			case <-ticks:
				s.Flush()
				select {
				case s.flushed <- struct{}{}:
				default:
				}
			case <-s.stop:
				return
			}
		}
	}()
	return s
}

// Write buffers p.
func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// Flush writes out what is buffered.
func (s *logSink) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.w.Flush()
}

// Close stops the periodic flush and writes out the rest; the sink must
// not be written afterwards.
func (s *logSink) Close() {
	close(s.stop)
	<-s.done
	s.Flush()
}
