package emulator_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// requestLines decodes a JSON log's lines without what varies per run.
func requestLines(t *testing.T, log string) []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		delete(m, "time")
		delete(m, "request_id")
		delete(m, "duration_ms")
		out = append(out, m)
	}
	return out
}

// TestAccessLog: one line per request with what it was and how it ended;
// sandbox, fault and dropped appear only when there is one.
func TestAccessLog(t *testing.T) {
	var sink emulatortest.LogBuffer
	srv := emulatortest.Start(t, emulator.WithScenario("default"),
		emulator.WithLogger(slog.New(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	srv.Do("GET", "/api/v2/credentials/1/", nil, familyAuth["awx"])
	srv.Do("GET", "/api/v2/credentials/1/", nil, familyAuth["awx"], "X-Emulator-Sandbox: mine")
	srv.Do("POST", "/_emulator/faults", map[string]any{"name": "boom", "match": map[string]any{"operation": "getCredential"},
		"respond": map[string]any{"status": 500}})
	srv.Do("GET", "/api/v2/credentials/1/", nil, familyAuth["awx"])
	var got []map[string]any
	for _, l := range requestLines(t, sink.String()) {
		if l["msg"] == "request" {
			got = append(got, l)
		}
	}
	line := func(extra map[string]any, status float64, level string) map[string]any {
		m := map[string]any{"level": level, "msg": "request", "api": "awx", "operation": "getCredential", "method": "GET",
			"path": "/api/v2/credentials/1/", "status": status}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	want := []map[string]any{
		line(nil, 200, "INFO"),
		line(map[string]any{"sandbox": "mine"}, 200, "INFO"),
		line(map[string]any{"fault": "boom"}, 500, "INFO"),
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("access log (-want +got):\n%s", diff)
	}
}
