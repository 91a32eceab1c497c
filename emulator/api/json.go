package api

import (
	"bytes"
	"encoding/json"
	"net/http"
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
	b, err := MarshalJSON(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(fallback)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
