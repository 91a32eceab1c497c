package emulator_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/scenario"
)

// toyFamily is a minimal API family, to show that the core takes any
// family through the Family interface and to reach the pipeline's
// failure paths (a panicking handler) that no real family has.
type toyFamily struct{}

type toyState struct {
	mu    sync.Mutex
	count int
}

func (s *toyState) Reset(api.World) { s.mu.Lock(); s.count = 0; s.mu.Unlock() }
func (s *toyState) Export() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]int{"count": s.count}
}

func (toyFamily) Name() string          { return "toy" }
func (toyFamily) Prefixes() []string    { return []string{"/toy"} }
func (toyFamily) Quirks() family.Quirks { return family.Quirks{} }
func (toyFamily) SecretFields() []string {
	return []string{"pin"}
}
func (toyFamily) Operations() []*api.Operation {
	return []*api.Operation{
		{ID: "boom", Method: "GET", Path: "/boom", Handle: func(*api.Request) (*api.Response, error) { panic("handler bug") }},
		{ID: "count", Method: "POST", Path: "/count", Write: true, Body: api.BodyOptional, Handle: func(r *api.Request) (*api.Response, error) {
			s := r.State.(*toyState)
			s.mu.Lock()
			defer s.mu.Unlock()
			s.count++
			return &api.Response{Status: 201, Body: map[string]int{"count": s.count}}, nil
		}},
	}
}
func (toyFamily) LoadWorld([]scenario.Section, *scenario.Generator) (api.World, error) {
	return nil, nil
}
func (toyFamily) NewState(api.World, api.Env) api.State { return &toyState{} }
func (toyFamily) Authenticate(*api.Request) error       { return nil }
func (toyFamily) Render(w http.ResponseWriter, _ *api.Request, resp *api.Response) {
	w.Header().Set("Content-Type", "application/toy+json")
	w.WriteHeader(resp.Status)
	_ = json.NewEncoder(w).Encode(resp.Body)
}
func (toyFamily) RenderError(w http.ResponseWriter, _ *api.Request, e *api.Error) {
	w.Header().Set("Content-Type", "application/toy+json")
	w.WriteHeader(e.StatusOr(e.Kind.DefaultStatus()))
	_ = json.NewEncoder(w).Encode(map[string]string{"toyError": string(e.Kind)})
}

func TestCustomFamilyAndPanicRecovery(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := emulatortest.Start(t, emulator.WithFamilies(toyFamily{}), emulator.WithLogger(logger),
		emulator.WithScenarioYAML("toy.yaml", []byte("toy: {anything: goes}\n")))

	r := srv.Do("GET", "/toy/boom", nil)
	if r.Status != 500 || !strings.Contains(string(r.Body), `"toyError":"internal"`) {
		t.Fatalf("panic answer: %d %s", r.Status, r.Body)
	}
	if strings.Contains(string(r.Body), "handler bug") {
		t.Error("panic text leaked to the client")
	}
	if !strings.Contains(logs.String(), `"msg":"handler panic"`) || !strings.Contains(logs.String(), "handler bug") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	// The server goes on serving, and state works through the interface.
	r = srv.Do("POST", "/toy/count", `{"pin": "pin-s3cret-value"}`)
	if r.Status != 201 || r.Header.Get("X-Request-Id") == "" {
		t.Fatalf("after panic: %d %v", r.Status, r.Header)
	}
	// Unknown path and wrong method use the family's own renderer.
	if r := srv.Do("GET", "/toy/nope", nil); r.Status != 404 || !strings.Contains(string(r.Body), "not_found") {
		t.Errorf("404: %d %s", r.Status, r.Body)
	}
	if r := srv.Do("DELETE", "/toy/count", nil); r.Status != 405 || r.Header.Get("Allow") != "POST" {
		t.Errorf("405: %d %v", r.Status, r.Header)
	}
	// Access log: one structured line per request, no bodies.
	if !strings.Contains(logs.String(), `"operation":"count"`) || strings.Contains(logs.String(), "pin-s3cret-value") {
		t.Errorf("access log: %s", logs.String())
	}
	// The journal redacts the family's own secret fields.
	if e := srv.Requests(journalFilter("count")); len(e) != 1 || strings.Contains(string(e[0].RequestBody), "pin-s3cret-value") {
		t.Errorf("journal: %+v", e)
	}
	// A caller's request id is echoed.
	if r := srv.Do("GET", "/toy/boom", nil, "X-Request-Id: abc-123"); r.Header.Get("X-Request-Id") != "abc-123" {
		t.Errorf("request id not echoed: %v", r.Header)
	}
}

func journalFilter(op string) journal.Filter { return journal.Filter{Operation: op} }

// schemalessFamily is toyFamily with operations that may name schemas no
// file holds.
type schemalessFamily struct {
	toyFamily
	ops []*api.Operation
}

func (f schemalessFamily) Operations() []*api.Operation { return f.ops }

// TestMissingSchemaRefused: New refuses a family whose operation names a
// request or response schema that does not exist, and says which.
func TestMissingSchemaRefused(t *testing.T) {
	nop := func(*api.Request) (*api.Response, error) { return nil, nil }
	for _, tc := range []struct {
		op   *api.Operation
		want string
	}{
		{&api.Operation{ID: "make", Method: "POST", Path: "/make", Schema: "toy/nonesuch-request", Handle: nop}, `toy.make: request schema "toy/nonesuch-request" is missing`},
		{&api.Operation{ID: "show", Method: "GET", Path: "/show", ResponseSchema: "toy/nonesuch-response", Handle: nop}, `toy.show: response schema "toy/nonesuch-response" is missing`},
	} {
		_, err := emulator.New(emulator.WithFamilies(schemalessFamily{ops: []*api.Operation{tc.op}}), emulator.WithScenarioYAML("toy.yaml", []byte("toy: {}\n")))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New: %v; want an error that says %q", err, tc.want)
		}
	}
}
