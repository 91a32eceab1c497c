package api_test

import (
	"net/http/httptest"
	"testing"

	"github.com/credemu/credemu/emulator/api"
)

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	api.WriteJSON(rec, 400, "application/json", map[string]string{"message": "length must be <= 64 & more"}, `{"x":1}`)
	if rec.Code != 400 || rec.Body.String() != `{"message":"length must be <= 64 & more"}` || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %q", rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"))
	}
	rec = httptest.NewRecorder()
	api.WriteJSON(rec, 200, "application/json;charset=UTF-8", map[string]any{"bad": make(chan int)}, `{"fallback":true}`)
	if rec.Code != 500 || rec.Body.String() != `{"fallback":true}` {
		t.Errorf("unencodable value: %d %q", rec.Code, rec.Body.String())
	}
}
