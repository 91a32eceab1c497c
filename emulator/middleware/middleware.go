// Package middleware holds the HTTP plumbing shared by every API family:
// request ids, a buffering response recorder, body reading with a size limit,
// content-type checks and dropping a connection on purpose.
package middleware

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// RequestIDHeader carries the request id in both directions.
const RequestIDHeader = "X-Request-Id"

type ctxKey int

const requestIDKey ctxKey = 0

var (
	idPrefix = func() string {
		var b [4]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}()
	idSeq atomic.Uint64
)

// RequestIDContext gives a request its id: the caller's X-Request-Id when
// it is short and printable, else a new one. The id is echoed in the
// response, and the returned context carries it for logs and the journal;
// the caller adds its own values and copies the request once.
func RequestIDContext(w http.ResponseWriter, r *http.Request) context.Context {
	id := r.Header.Get(RequestIDHeader)
	if !validID(id) {
		id = idPrefix + "-" + hexUint(idSeq.Add(1))
	}
	w.Header()[RequestIDHeader] = []string{id}
	return context.WithValue(r.Context(), requestIDKey, id)
}

func hexUint(v uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			return string(b[i:])
		}
	}
}

func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// GetRequestID returns the request id stored by RequestIDContext, or "".
func GetRequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Recorder buffers a response so that the pipeline can check it, journal it
// and only then send it. Bodies here are small JSON documents, so buffering
// costs little and makes the self-check possible.
type Recorder struct {
	header http.Header
	Status int
	Body   bytes.Buffer
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{header: http.Header{}} }

// recorders keeps released recorders and their grown buffers: a list page
// of 28 KiB had allocated (and zeroed) a fresh buffer on every request.
var recorders = sync.Pool{New: func() any { return NewRecorder() }}

// maxPooledBody keeps a rare huge answer's buffer out of the pool.
const maxPooledBody = 1 << 20

// GetRecorder returns an empty recorder from the pool; Release gives it
// back once nothing reads its body any more.
func GetRecorder() *Recorder { return recorders.Get().(*Recorder) }

// Release empties the recorder and returns it to the pool. The caller
// must not use it, or any slice of its body, afterwards.
func (r *Recorder) Release() {
	if r.Body.Cap() > maxPooledBody {
		return
	}
	// The map is emptied, not replaced, so that the next answer's headers
	// do not grow a new one (a family sets six to a dozen). The value
	// slices went to the real response by reference in Flush and stay
	// as they are: a header is only ever set to a new slice.
	clear(r.header)
	r.Status = 0
	r.Body.Reset()
	recorders.Put(r)
}

// Header returns the header map to fill.
func (r *Recorder) Header() http.Header { return r.header }

// WriteHeader records the status (the first call wins, as in net/http).
func (r *Recorder) WriteHeader(code int) {
	if r.Status == 0 {
		r.Status = code
	}
}

// Write buffers body bytes.
func (r *Recorder) Write(b []byte) (int, error) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	return r.Body.Write(b)
}

// Reset empties the recorder so that a different answer can be written.
func (r *Recorder) Reset() {
	r.header = http.Header{}
	r.Status = 0
	r.Body.Reset()
}

// Flush sends the buffered response to w.
func (r *Recorder) Flush(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	hasBody := r.Body.Len() > 0 && status != http.StatusNoContent && status != http.StatusNotModified
	if hasBody && h.Get("Content-Length") == "" {
		// The whole answer is at hand: its length goes first, so net/http
		// sends it in one piece instead of chunked.
		h["Content-Length"] = []string{strconv.Itoa(r.Body.Len())}
	}
	w.WriteHeader(status)
	if hasBody {
		_, _ = w.Write(r.Body.Bytes())
	}
}

// ErrTooLarge is returned by ReadBody for bodies over the limit.
var ErrTooLarge = errors.New("request body too large")

// ReadBody reads at most limit bytes of the body; a longer body gives
// ErrTooLarge. The body is read before anything else so that auth, faults
// and validation all see the same bytes.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, ErrTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrTooLarge
	}
	return b, nil
}

// IsJSON reports whether a Content-Type header names JSON
// (application/json, or any type with a +json suffix), ignoring parameters.
func IsJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// Drop ends the connection without an answer. "reset" makes the kernel send
// a TCP RST (SO_LINGER 0); "close" sends a normal FIN. Where the connection
// cannot be taken over (HTTP/2), the handler aborts, which resets the stream.
func Drop(w http.ResponseWriter, mode string) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tc, ok := raw.(*net.TCPConn); ok && mode == "reset" {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
