package emulator

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// HTTP/2 bounds: how many streams one connection may have open, and how
// much of a request body each stream and each connection may buffer before
// the handler reads it. Go's defaults (250 streams, 1 MiB per stream) let
// 150 connections of stalled uploads hold about 4 MB each.
const (
	// MaxConcurrentStreams is the most streams an HTTP/2 client may have
	// open on one connection.
	MaxConcurrentStreams = 32
	http2StreamBuffer    = 64 << 10
	http2ConnBuffer      = 256 << 10
)

// DefaultMaxConnections is how many connections credemu serves at once
// unless told otherwise.
const DefaultMaxConnections = 1024

// limitListener accepts at most max connections at once. One past the cap
// is answered at once and closed, never left waiting in the backlog: a
// plain listener writes an HTTP 503 that says why; a TLS one can only
// close, as no handshake has happened.
type limitListener struct {
	net.Listener
	max    int64
	open   atomic.Int64
	plain  bool
	reject []byte
}

func newLimitListener(l net.Listener, max int, plain bool) net.Listener {
	if max <= 0 {
		return l
	}
	// Put together without fmt, whose cold code every start-up would pay.
	body := "too many connections: credemu serves at most " + strconv.Itoa(max) + " at once (--max-connections)\n"
	reject := "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body
	return &limitListener{Listener: l, max: int64(max), plain: plain, reject: []byte(reject)}
}

// Accept returns the next connection within the cap, refusing those past
// it on the way.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			return &countedConn{Conn: c, l: l}, nil
		}
		l.open.Add(-1)
		l.refuse(c)
	}
}

// refusers bounds the connections being refused at once; past it they are
// closed without an answer.
var refusers = make(chan struct{}, 64)

// refuse answers a connection past the cap and closes it. The request's
// head is read first, so that the 503 answers it: an answer that comes
// before the request is one an HTTP client refuses (Go's: "unsolicited
// response"). Then the sending side is shut and what else the client sent
// drained for a moment before the close, so that the client reads the 503
// instead of a reset (a close with unread bytes sends RST). A client that
// sends nothing gets the answer after a second.
func (l *limitListener) refuse(c net.Conn) {
	if !l.plain {
		_ = c.Close()
		return
	}
	select {
	case refusers <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-refusers }()
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		head := make([]byte, 0, 1024)
		buf := make([]byte, 1024)
		for len(head) < 16<<10 && !bytes.Contains(head, []byte("\r\n\r\n")) {
			n, err := c.Read(buf)
			head = append(head, buf[:n]...)
			if err != nil {
				break
			}
		}
		_ = c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write(l.reject); err != nil {
			return
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	}()
}

// countedConn gives its place back when closed, once.
type countedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

// Close closes the connection and frees its place under the cap.
func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.open.Add(-1) })
	return err
}
