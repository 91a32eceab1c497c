package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
)

// MarshalJSON encodes v the way the emulated vendors' servers do: without
// escaping <, > and & (Jackson, Gson and Django REST framework leave them
// alone) and without a trailing newline.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// WriteJSON writes v as the answer with status and the given Content-Type.
// Should v not encode, the family's own internal-error body (fallback) is
// sent with 500 instead, so even that failure keeps the vendor's format.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any, fallback string) {
	p := encodeBuffers.Get().(*[]byte)
	b, err := appendJSON((*p)[:0], v)
	if err == nil && cap(b) <= maxPooledBuffer {
		defer func() { *p = b[:0]; encodeBuffers.Put(p) }()
	}
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(fallback)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b) // w copies b: the array goes back to the pool
}

// appendJSON appends v as MarshalJSON encodes it.
func appendJSON(b []byte, v any) ([]byte, error) {
	if a, ok := v.(JSONAppender); ok {
		return a.AppendJSON(b), nil
	}
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encodeBuffers holds the arrays answers are encoded in, so that a list
// page does not grow a fresh buffer on every request.
var encodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer keeps a rare huge answer from pinning its array.
const maxPooledBuffer = 1 << 20
