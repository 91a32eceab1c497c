package middleware_test

import (
	"net/http/httptest"
	"testing"

	"github.com/credemu/credemu/emulator/middleware"
)

// TestRecorderReuse: a released recorder comes back empty, and what it
// sent before is not changed by its next use.
func TestRecorderReuse(t *testing.T) {
	for i := 0; i < 50; i++ { // the pool may hand back this or another one
		rec := middleware.GetRecorder()
		if rec.Status != 0 || rec.Body.Len() != 0 || len(rec.Header()) != 0 {
			t.Fatalf("round %d: a used recorder: status %d, %d body bytes, header %v", i, rec.Status, rec.Body.Len(), rec.Header())
		}
		rec.Header().Set("X-Round", "first")
		rec.WriteHeader(201)
		_, _ = rec.Write([]byte(`{"a":1}`))
		w := httptest.NewRecorder()
		rec.Flush(w)
		rec.Release()
		again := middleware.GetRecorder()
		again.Header().Set("X-Round", "second")
		_, _ = again.Write([]byte(`{"b":2}`))
		if got := w.Header().Get("X-Round"); got != "first" || w.Body.String() != `{"a":1}` || w.Code != 201 {
			t.Fatalf("round %d: the sent answer changed: %d %q %s", i, w.Code, got, w.Body)
		}
		if w.Header().Get("Content-Length") != "7" {
			t.Errorf("Content-Length %q", w.Header().Get("Content-Length"))
		}
		again.Release()
	}
}
