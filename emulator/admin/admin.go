// Package admin serves the /_emulator control API: health, reset, state,
// scenario loading, fault rules, the request journal, the virtual clock,
// snapshots, and the dashboard at /_emulator/ui/ that drives them.
// Every call takes the X-Emulator-Sandbox header and works on that sandbox.
// Answers are plain JSON; errors are {"error": "...", "errors": [...]}.
package admin

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"

	"github.com/credemu/credemu/emulator/clock"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/internal/segmatch"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/ui"
)

// Prefix is where the control API is mounted.
const Prefix = "/_emulator"

// ErrTooManySandboxes marks a refused sandbox creation; it is answered 429.
var ErrTooManySandboxes = errors.New("too many sandboxes")

// DefaultPageSize and MaxPageSize bound one answer of GET /requests; the
// answer's "next" is the "after" of the following page.
const (
	DefaultPageSize = 500
	MaxPageSize     = 10000
)

// quote cuts a value quoted back in an error to a short prefix, so that an
// error never echoes a huge input.
func quote(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

// maxScenarioBody bounds PUT /scenario (scenarios can be large) and
// maxBody every other control body.
const (
	maxScenarioBody = 32 << 20
	maxBody         = 1 << 20
)

// Sandbox is what the control API needs of one sandbox.
type Sandbox interface {
	Name() string
	Scenario() string
	Reset()
	State() map[string]any
	Faults() *fault.Engine
	Journal() *journal.Journal
	Clock() *clock.Clock
	// Snapshot writes the sandbox's world as scenario YAML.
	Snapshot() ([]byte, error)
}

// Backend is what the control API needs of the server.
type Backend interface {
	// Sandbox returns (creating on first use) the sandbox for a request.
	Sandbox(r *http.Request) (Sandbox, error)
	// LoadScenario applies YAML to the request's sandbox.
	LoadScenario(r *http.Request, name string, data []byte) error
	// CheckRule validates a rule against the known APIs and operations.
	CheckRule(*fault.Rule) error
	// DropSandbox deletes a named sandbox.
	DropSandbox(name string) bool
	// Info describes the server for /health.
	Info() map[string]any
	// Coverage reports calls per operation, for the whole server, or with
	// scoped for the named sandbox alone.
	Coverage(sandbox string, scoped bool) any
	// ClearCoverage zeroes the coverage counts.
	ClearCoverage()
	// Closing is closed when the server begins to shut down, ending verify
	// calls that wait.
	Closing() <-chan struct{}
	// AllowedHosts are the host names, besides localhost and IP literals,
	// that control requests may be addressed to when no admin token guards
	// the control API (a defence against DNS rebinding).
	AllowedHosts() []string
	// SaveState writes the default sandbox's world to the state file and
	// returns the file's path; an error wrapping ErrNoStateFile when the
	// server has none.
	SaveState() (string, error)
}

// handler serves one control call for one backend.
type handler struct {
	b     Backend
	token string
}

// Resolver returns the backend serving a request and the admin token it
// requires ("" for none). One router can so serve many emulators.
type Resolver func(*http.Request) (Backend, string)

// Mount registers the control API on r, at its full paths under Prefix.
// r needs no PathPrefix of its own: no route matches outside Prefix.
func Mount(r *mux.Router, resolve Resolver) {
	h := func(fn func(*handler, http.ResponseWriter, *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, token := resolve(r)
			hd := &handler{b: b, token: token}
			// GET /health answers without the token (a container's health
			// probe has none), saying only "ok" unless the token was given.
			if r.URL.Path == Prefix+"/health" && r.Method == http.MethodGet && token != "" && !hd.tokenGiven(r) {
				WriteJSON(w, http.StatusOK, map[string]any{"status": "ok"})
				return
			}
			if !hd.authorized(w, r) || !hd.fromTool(w, r) {
				return
			}
			fn(hd, w, r)
		}
	}
	mk := func(m map[string]func(*handler, http.ResponseWriter, *http.Request)) map[string]http.HandlerFunc {
		out := map[string]http.HandlerFunc{}
		for k, fn := range m {
			out[k] = h(fn)
		}
		return out
	}
	type fns = map[string]func(*handler, http.ResponseWriter, *http.Request)
	// inSandbox is the preamble of the calls that work in one sandbox: the
	// X-Emulator-Sandbox header names it, and a bad name or one past the
	// cap is answered here.
	inSandbox := func(fn func(*handler, http.ResponseWriter, *http.Request, Sandbox)) func(*handler, http.ResponseWriter, *http.Request) {
		return func(h *handler, w http.ResponseWriter, r *http.Request) {
			if sb, ok := h.sandbox(w, r); ok {
				fn(h, w, r, sb)
			}
		}
	}
	routes := []struct {
		path    string
		methods fns
	}{
		{"/health", fns{http.MethodGet: (*handler).health}},
		{"/reset", fns{http.MethodPost: inSandbox((*handler).reset)}},
		{"/state", fns{http.MethodGet: inSandbox((*handler).state)}},
		{"/scenario", fns{http.MethodPut: (*handler).scenario}},
		{"/faults", fns{http.MethodGet: inSandbox((*handler).listFaults), http.MethodPost: inSandbox((*handler).addFault), http.MethodDelete: inSandbox((*handler).clearFaults)}},
		{"/faults/{id:[0-9]+}", fns{http.MethodDelete: inSandbox((*handler).deleteFault)}},
		{"/requests", fns{http.MethodGet: inSandbox((*handler).listRequests), http.MethodDelete: inSandbox((*handler).clearRequests)}},
		{"/clock", fns{http.MethodGet: inSandbox((*handler).getClock), http.MethodPost: inSandbox((*handler).setClock)}},
		{"/sandboxes/{name}", fns{http.MethodDelete: (*handler).dropSandbox}},
		{"/coverage", fns{http.MethodGet: (*handler).coverage, http.MethodDelete: (*handler).clearCoverage}},
		{"/verify", fns{http.MethodPost: inSandbox((*handler).verify)}},
		{"/snapshot", fns{http.MethodGet: (*handler).snapshot, http.MethodPost: (*handler).saveSnapshot}},
	}
	for _, rt := range routes {
		limit := int64(maxBody)
		if rt.path == "/scenario" {
			limit = maxScenarioBody
		}
		h := limitBody(limit, byMethod(mk(rt.methods)))
		// Paths are matched without mux's expressions, which it would
		// compile for every route (a third of building the router): a
		// literal path is compared whole, one with variables segment by
		// segment.
		full := Prefix + rt.path
		if !strings.Contains(rt.path, "{") {
			r.NewRoute().MatcherFunc(escapedPathIs(full)).Handler(h)
		} else if m := segmatch.Matcher("", full); m != nil {
			r.NewRoute().MatcherFunc(m).Handler(h)
		} else { // a template the segment matcher cannot judge
			r.Path(full).Handler(h)
		}
	}
	// The dashboard's files hold no data, so they are served without the
	// token: the page asks for it and sends it on every call it makes.
	r.NewRoute().MatcherFunc(escapedPathIs(Prefix + "/ui")).Handler(http.RedirectHandler(Prefix+"/ui/", http.StatusMovedPermanently))
	r.NewRoute().MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool {
		return strings.HasPrefix(req.URL.EscapedPath(), Prefix+"/ui/")
	}).Handler(ui.Handler(Prefix + "/ui/"))
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no control endpoint %s %s", r.Method, r.URL.Path))
	})
}

// escapedPathIs matches the path as mux matches a literal one (the escaped
// path, as the router uses it).
func escapedPathIs(path string) mux.MatcherFunc {
	return func(req *http.Request, _ *mux.RouteMatch) bool { return req.URL.EscapedPath() == path }
}

// limitBody caps the body of every call to a control path.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

// bodyError answers a failed body read or decode: 413 past the limit, else
// 400 with what (a short prefix of) the input got wrong.
func bodyError(w http.ResponseWriter, what string, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", tooLarge.Limit))
		return
	}
	writeError(w, http.StatusBadRequest, what+": "+quote(err.Error()))
}

// fromTool refuses control requests a web page could have made, unless an
// admin token guards the API (a page cannot send it): a Host that is
// neither localhost, an IP address nor an allowed name (DNS rebinding); an
// Origin other than the Host itself (a cross-site request); or a body that
// is not declared JSON or YAML (a "simple" cross-site POST sends text/plain
// or a form without asking first).
func (h *handler) fromTool(w http.ResponseWriter, r *http.Request) bool {
	if h.token != "" {
		return true
	}
	if !h.hostAllowed(r.Host) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("control requests must be addressed to localhost, an IP address or an allowed host name (--allowed-host), not %q", quote(r.Host)))
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			writeError(w, http.StatusForbidden, fmt.Sprintf("cross-origin control requests are refused (Origin %q); set --admin-token to allow them", quote(o)))
			return false
		}
	}
	if r.ContentLength != 0 && r.Method != http.MethodGet {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/json" && !strings.Contains(mt, "yaml") {
			writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("control bodies must be application/json or YAML, not %q", quote(mt)))
			return false
		}
	}
	return true
}

func (h *handler) hostAllowed(hostport string) bool {
	host := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		host = hh
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "" || strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil {
		return true
	}
	for _, a := range h.b.AllowedHosts() {
		if strings.EqualFold(a, host) {
			return true
		}
	}
	return false
}

// byMethod dispatches one control path on the method, answering 405 with
// an Allow header for any other.
func byMethod(m map[string]http.HandlerFunc) http.Handler {
	allow := make([]string, 0, len(m))
	for k := range m {
		allow = append(allow, k)
	}
	sort.Strings(allow)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := m[r.Method]; ok {
			h(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s", r.Method, r.URL.Path))
	})
}

// WriteJSON writes v as an indented JSON answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string, details ...string) {
	body := map[string]any{"error": msg}
	if len(details) > 0 {
		body["errors"] = details
	}
	WriteJSON(w, status, body)
}

// tokenGiven reports whether the request carries the admin token.
func (h *handler) tokenGiven(r *http.Request) bool {
	got := r.Header.Get("X-Emulator-Token")
	if got == "" {
		got, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(h.token)) == 1
}

// authorized checks the admin token, answering 401 when it is wrong.
func (h *handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	if h.token == "" {
		return true
	}
	if !h.tokenGiven(r) {
		writeError(w, http.StatusUnauthorized, "the control API needs the admin token (Authorization: Bearer <token> or X-Emulator-Token)")
		return false
	}
	return true
}

func (h *handler) sandbox(w http.ResponseWriter, r *http.Request) (Sandbox, bool) {
	sb, err := h.b.Sandbox(r)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrTooManySandboxes) {
			status = http.StatusTooManyRequests
		}
		writeError(w, status, err.Error())
		return nil, false
	}
	return sb, true
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	info := h.b.Info()
	info["status"] = "ok"
	WriteJSON(w, http.StatusOK, info)
}

func (h *handler) reset(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	sb.Reset()
	WriteJSON(w, http.StatusOK, map[string]any{"status": "reset", "sandbox": sb.Name(), "scenario": sb.Scenario()})
}

func (h *handler) state(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	WriteJSON(w, http.StatusOK, map[string]any{
		"sandbox": sb.Name(), "scenario": sb.Scenario(), "now": sb.Clock().Now(), "apis": sb.State(),
	})
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		bodyError(w, "could not read the body", err)
		return nil, false
	}
	return b, true
}

func (h *handler) scenario(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "scenario.yaml"
	}
	if err := h.b.LoadScenario(r, name, body); err != nil {
		var lines []string
		for _, e := range scenario.Errors(name, err) {
			lines = append(lines, e.Error())
		}
		writeError(w, http.StatusBadRequest, "scenario rejected; the previous one is still in force", lines...)
		return
	}
	sb, ok := h.sandbox(w, r)
	if !ok {
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"status": "loaded", "sandbox": sb.Name(), "scenario": sb.Scenario()})
}

func (h *handler) listFaults(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	WriteJSON(w, http.StatusOK, map[string]any{"faults": sb.Faults().List()})
}

// addFault takes one rule, as JSON or YAML (the same shape as a scenario's
// faults: entry); unknown keys are rejected either way.
func (h *handler) addFault(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var rule fault.Rule
	var err error
	if ct := r.Header.Get("Content-Type"); strings.Contains(ct, "yaml") {
		var node yaml.Node
		if err = yaml.Unmarshal(body, &node); err == nil {
			err = scenario.DecodeNode("fault", &node, &rule)
		}
	} else {
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		err = dec.Decode(&rule)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid fault rule: "+quote(err.Error()))
		return
	}
	if err := errors.Join(rule.Validate(), h.b.CheckRule(&rule)); err != nil {
		writeError(w, http.StatusBadRequest, "invalid fault rule", strings.Split(err.Error(), "\n")...)
		return
	}
	id, err := sb.Faults().Add(rule)
	if err != nil {
		writeError(w, http.StatusTooManyRequests, err.Error())
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"id": id, "rule": rule})
}

func (h *handler) clearFaults(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	sb.Faults().Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) deleteFault(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	id, _ := strconv.Atoi(mux.Vars(r)["id"])
	if !sb.Faults().Remove(id) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no fault rule with id %d", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ParseFilter reads a journal filter from query parameters: api, operation,
// method, path (a trailing * matches a prefix), status, since and until
// (RFC 3339), limit, and after (a sequence number: the paging cursor).
func ParseFilter(q map[string][]string) (journal.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f := journal.Filter{API: get("api"), Operation: get("operation"), Method: get("method"), Path: get("path")}
	var err error
	if s := get("status"); s != "" {
		if f.Status, err = strconv.Atoi(s); err != nil {
			return f, fmt.Errorf("status: expected a number, got %q", s)
		}
	}
	if s := get("limit"); s != "" {
		if f.Limit, err = strconv.Atoi(s); err != nil || f.Limit < 0 {
			return f, fmt.Errorf("limit: expected a whole number, got %q", quote(s))
		}
	}
	if s := get("after"); s != "" {
		if f.AfterSeq, err = strconv.ParseInt(s, 10, 64); err != nil || f.AfterSeq < 0 {
			return f, fmt.Errorf("after: expected a sequence number, got %q", quote(s))
		}
	}
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if s := get(p.key); s != "" {
			if *p.dst, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return f, fmt.Errorf("%s: expected an RFC 3339 time, got %q", p.key, s)
			}
		}
	}
	return f, nil
}

func (h *handler) listRequests(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	size := DefaultPageSize
	if v := r.URL.Query().Get("pageSize"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > MaxPageSize {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("pageSize: expected a whole number from 1 to %d, got %q", MaxPageSize, quote(v)))
			return
		}
	}
	page := sb.Journal().ListPage(f, size)
	var next any
	if page.Next > 0 {
		next = page.Next
	}
	WriteJSON(w, http.StatusOK, map[string]any{
		"requests": page.Entries, "next": next, "overwritten": sb.Journal().Overwritten(),
	})
}

func (h *handler) clearRequests(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	sb.Journal().Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) getClock(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	WriteJSON(w, http.StatusOK, map[string]any{"now": sb.Clock().Now(), "fixed": sb.Clock().Fixed()})
}

// setClock takes {"advance": "90m"} or {"set": "2026-01-02T00:00:00Z"}.
func (h *handler) setClock(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	var req struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		bodyError(w, `expected {"advance": "<duration>"} or {"set": "<RFC 3339 time>"}`, err)
		return
	}
	switch {
	case req.Advance != "" && req.Set == "":
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("advance: expected a duration such as 90m or 25h, got %q", quote(req.Advance)))
			return
		}
		if _, err := sb.Clock().Advance(d); err != nil {
			writeError(w, http.StatusBadRequest, "advance: "+err.Error())
			return
		}
	case req.Set != "" && req.Advance == "":
		t, err := time.Parse(time.RFC3339Nano, req.Set)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("set: expected an RFC 3339 time, got %q", quote(req.Set)))
			return
		}
		if err := sb.Clock().Set(t); err != nil {
			writeError(w, http.StatusBadRequest, "set: "+err.Error())
			return
		}
	default:
		writeError(w, http.StatusBadRequest, `give exactly one of "advance" or "set"`)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"now": sb.Clock().Now(), "fixed": sb.Clock().Fixed()})
}

func (h *handler) dropSandbox(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	if !h.b.DropSandbox(name) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no sandbox named %q (the default sandbox cannot be dropped)", name))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// coverage answers the whole server's counts, or with ?scope=sandbox
// those of the sandbox the request names (X-Emulator-Sandbox).
func (h *handler) coverage(w http.ResponseWriter, r *http.Request) {
	switch scope := r.URL.Query().Get("scope"); scope {
	case "", "server":
		WriteJSON(w, http.StatusOK, h.b.Coverage("", false))
	case "sandbox":
		sb, ok := h.sandbox(w, r)
		if !ok {
			return
		}
		WriteJSON(w, http.StatusOK, h.b.Coverage(sb.Name(), true))
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("scope %q: use server (every sandbox, the default) or sandbox (the one X-Emulator-Sandbox names)", quote(scope)))
	}
}

func (h *handler) clearCoverage(w http.ResponseWriter, r *http.Request) {
	h.b.ClearCoverage()
	w.WriteHeader(http.StatusNoContent)
}

// verify checks an expectation against the sandbox's journal: 200 when it
// holds, 409 with a diff of expected against actual when it does not. With
// "within" it waits (real time) for the expectation to hold.
func (h *handler) verify(w http.ResponseWriter, r *http.Request, sb Sandbox) {
	var x journal.Expectation
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&x); err != nil {
		bodyError(w, "invalid expectation", err)
		return
	}
	within, err := x.Check()
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid expectation: "+err.Error())
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-h.b.Closing():
			cancel()
		case <-ctx.Done():
		}
	}()
	res := sb.Journal().Wait(ctx, x, within)
	status := http.StatusOK
	if !res.OK {
		status = http.StatusConflict
	}
	WriteJSON(w, status, res)
}
