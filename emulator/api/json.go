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
	buf := encodeBuffers.Get().(*bytes.Buffer)
	defer putEncodeBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	b := []byte(fallback)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
	} else {
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b) // w copies b: the buffer goes back to the pool
}

// encodeBuffers holds the buffers answers are encoded in, so that a list
// page does not grow a fresh buffer on every request.
var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps a rare huge answer from pinning its buffer.
const maxPooledBuffer = 1 << 20

func putEncodeBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	encodeBuffers.Put(b)
}
