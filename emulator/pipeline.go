package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/middleware"
)

// call is the life of one request through the pipeline.
type call struct {
	s        *Server
	f        family.Family
	op       *api.Operation
	template string
	sb       *sandbox
	req      *api.Request
	rec      *middleware.Recorder
	err      *api.Error // the error answered, if any
	fault    *fault.Decision
	drop     bool
	// dropMode is how the connection is ended once the request is
	// journalled ("reset" or "close"), so that a client that sees the drop
	// finds it in the journal.
	dropMode string
	// deferrer is set when the request's outcome is delivered later.
	deferrer family.Deferrer
	start    time.Time
	body     []byte
	redact   *journal.Redactor
	// parsed is the body decoded once, when first needed, for action
	// resolution, fault matching and validation alike; parseErr says why
	// it did not decode. An unauthenticated request is not decoded.
	parsed   any
	parseErr error
	decoded  bool
	// famIdx is the family's index in the sandbox; stateBuilt says whether
	// req.State is the sandbox's own state yet, or still the shared one a
	// fresh sandbox starts from (until the request authenticates).
	famIdx     int
	stateBuilt bool
}

// pipeline returns the handler for one operation of a family; template is
// the operation's full route template, which fault rules may match on, and
// redact the family's redactor, which its operations share. With op nil it
// answers the family's not-found, or method-not-allowed when
// Server.unmatched found the path under other methods.
func pipeline(f family.Family, op *api.Operation, template string, redact *journal.Redactor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := serverFrom(r)
		c := &call{s: s, f: f, op: op, template: template, rec: middleware.GetRecorder(), start: time.Now(), redact: redact}
		c.req = &api.Request{HTTP: r, Op: op, Vars: mux.Vars(r), Query: r.URL.Query(), Received: c.start}
		defer c.finish(w)
		defer c.recover()
		sb, err := s.sandboxFor(r)
		if err != nil {
			e := &api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: err.Error()}
			if errors.Is(err, ErrTooManySandboxes) {
				e.Kind, e.Status = api.KindUnavailable, http.StatusTooManyRequests
			}
			c.fail(e)
			return
		}
		c.sb = sb
		c.req.Sandbox = sb.name
		c.famIdx = s.familyIndex[f.Name()]
		c.req.State, c.stateBuilt = sb.stateForAuth(c.famIdx)
		c.req.Now = sb.clock.Now()
		if r.Context().Value(headersTooLargeKey{}) != nil {
			c.fail(&api.Error{Kind: api.KindPayloadTooLarge, Status: http.StatusRequestHeaderFieldsTooLarge, Transport: true,
				Message: fmt.Sprintf("Request headers are larger than %d bytes", MaxHeaderBytes)})
			return
		}
		if msg, refused := r.Context().Value(uncleanPathKey{}).(string); refused {
			c.fail(&api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: msg})
			return
		}
		if op == nil && r.Context().Value(slashRedirectKey{}) != nil {
			loc := RequestPath(r) + "/"
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			f.Render(c.rec, c.req, &api.Response{Status: http.StatusMovedPermanently, Header: http.Header{"Location": {loc}}})
			return
		}
		if op == nil {
			e := &api.Error{Kind: api.KindNotFound, Transport: true}
			if r.Context().Value(methodNotAllowedKey{}) != nil {
				e = &api.Error{Kind: api.KindMethodNotAllowed, Transport: true, Message: fmt.Sprintf("Request method '%s' is not supported", r.Method)}
			}
			c.fail(e)
			return
		}
		c.run(w)
	})
}

func (c *call) run(w http.ResponseWriter) {
	r := c.req.HTTP
	// A body that trickles in is cut short when the server shuts down, so
	// that a stalled upload cannot hold up a graceful drain.
	var body []byte
	var err error
	if r.Body != nil && r.Body != http.NoBody { // a GET has nothing to cut short
		done := c.s.readingBody(w)
		body, err = middleware.ReadBody(r, c.s.opts.bodyLimit)
		done()
	}
	if err != nil {
		if errors.Is(err, middleware.ErrTooLarge) {
			c.fail(&api.Error{Kind: api.KindPayloadTooLarge, Transport: true,
				Message: fmt.Sprintf("Request body is larger than the limit of %d bytes", c.s.opts.bodyLimit)})
		} else {
			c.fail(&api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: "Could not read the request body: " + err.Error()})
		}
		return
	}
	c.body, c.req.Body = body, body

	if len(c.op.Actions) > 0 && !c.resolveAction() {
		return
	}
	if d, ok := c.f.(family.Deferrer); ok && d.Defer(c.req) {
		c.deferrer = d
	}

	if err := c.f.Authenticate(c.req); err != nil {
		if c.deferrer != nil && !c.stateBuilt {
			// A deferred outcome, refusals included, is kept in the
			// sandbox's own state (ZStack's jobs), never the shared one.
			c.req.State, c.stateBuilt = c.sb.state(c.famIdx), true
		}
		c.fail(api.AsError(err))
		return
	}
	if !c.stateBuilt {
		// Authenticated against the state a fresh sandbox starts from: now
		// the sandbox builds its own, and the principal is found again in
		// it (it must point into the state the handler changes).
		st, err := c.sb.buildState(c.famIdx)
		if err != nil {
			c.fail(&api.Error{Kind: api.KindUnavailable, Status: http.StatusTooManyRequests, Transport: true, Message: err.Error()})
			return
		}
		c.req.State, c.stateBuilt = st, true
		c.req.Principal = nil
		if err := c.f.Authenticate(c.req); err != nil {
			c.fail(api.AsError(err))
			return
		}
	}

	c.fault = c.sb.faults.Evaluate(&fault.Request{
		API: c.f.Name(), Operation: c.op.ID, Method: r.Method, Template: c.template,
		Path: RequestPath(r), Header: r.Header, Body: c.lenientBody(),
	})
	if d := c.fault; d != nil {
		if d.Delay > 0 && !c.wait(d.Delay) {
			return // the client went away during the delay
		}
		if !d.Commit {
			if d.Drop != "" {
				c.drop, c.dropMode = true, d.Drop
				return
			}
			if d.Err != nil {
				c.fail(d.Err)
				return
			}
		}
	}

	if err := c.decodeAndValidate(); err != nil {
		c.fail(err)
		return
	}

	resp, err := c.op.Handle(c.req)
	if d := c.fault; d != nil && d.Commit && err == nil {
		// The write happened; the client is told otherwise.
		if d.Drop != "" {
			c.drop, c.dropMode = true, d.Drop
			return
		}
		c.fail(d.Err)
		return
	}
	if err != nil {
		c.fail(api.AsError(err))
		return
	}
	c.respond(resp)
}

// resolveAction picks the operation named by the body's action key; it
// reports false (having answered) when the body names none.
func (c *call) resolveAction() bool {
	if m, ok := c.lenientBody().(map[string]any); ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic when a body names two actions
		for _, k := range keys {
			if op := c.op.Actions[k]; op != nil {
				c.op, c.req.Op = op, op
				return true
			}
		}
	}
	c.fail(&api.Error{Kind: api.KindInvalidArgument, Transport: true,
		Message: fmt.Sprintf("the body doesn't contain action mapping to the URL[%s]", c.req.HTTP.URL.Path)})
	return false
}

// respond renders a success, through the family's deferrer when the
// request's outcome is delivered later.
func (c *call) respond(resp *api.Response) {
	if c.deferrer != nil {
		var e *api.Error
		if resp, e = c.deferrer.Accept(c.req, resp, nil); e != nil {
			c.render(e)
			return
		}
	}
	c.f.Render(c.rec, c.req, resp)
}

// wait sleeps for d unless the client leaves or the server shuts down; it
// reports whether the request should go on.
func (c *call) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.s.closing:
		return true
	case <-c.req.HTTP.Context().Done():
		c.drop = true
		return false
	}
}

// decodeAndValidate checks content type, encoding and JSON syntax, then the
// operation's schema over path, query and body.
func (c *call) decodeAndValidate() *api.Error {
	op, r := c.op, c.req.HTTP
	if op.Body != api.BodyNone && len(c.body) > 0 {
		ct := r.Header.Get("Content-Type")
		if !middleware.IsJSON(ct) && !c.f.Quirks().AnyContentType {
			if ct == "" {
				ct = "(none)"
			}
			return &api.Error{Kind: api.KindUnsupportedMediaType, Transport: true,
				Message: fmt.Sprintf("Content-Type '%s' is not supported", ct)}
		}
		if !utf8.Valid(c.body) {
			return &api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: "Request body is not valid UTF-8"}
		}
		v, err := c.decode()
		if err != nil {
			return &api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: "Malformed JSON request body: " + jsonErrorText(err)}
		}
		c.req.JSON = v
		if fe := unstorableText(c.body, v); fe != nil {
			return &api.Error{Kind: api.KindInvalidArgument, Fields: []api.FieldError{*fe}}
		}
		if c.f.Quirks().ScalarsAsStrings && hasScalars(v) {
			c.req.JSON, c.req.Body = scalarsAsText(c.body)
		}
	}
	if op.Body == api.BodyRequired && len(c.body) == 0 {
		return &api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: "Required request body is missing"}
	}
	if op.Schema == "" {
		return nil
	}
	parts := func() map[string]any {
		return map[string]any{"path": stringMap(c.req.Vars), "query": queryMap(c.req.Query)}
	}
	rest := func() any { return parts() }
	instance := func() any {
		inst := parts()
		if op.Body != api.BodyNone {
			if c.req.JSON != nil || len(c.body) > 0 {
				inst["body"] = c.req.JSON
			}
		}
		return inst
	}
	// Without the body the value is a function of the path (the route
	// gives the variables) and the query string.
	key := r.URL.Path + "?" + r.URL.RawQuery
	var fes []api.FieldError
	var err error
	done := false
	if len(c.body) == 0 {
		fes, err = c.s.schemas.ValidateKeyed(op.Schema, key, instance)
		done = true
	} else if op.Body != api.BodyNone {
		fes, done, err = c.s.schemas.ValidateParts(op.Schema, key, rest, c.req.JSON)
	}
	if !done {
		fes, err = c.s.schemas.Validate(op.Schema, instance())
	}
	if err != nil {
		return &api.Error{Kind: api.KindInternal, Message: "schema check failed: " + err.Error()}
	}
	if len(fes) > 0 {
		return &api.Error{Kind: api.KindInvalidArgument, Fields: fes}
	}
	return nil
}

func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at offset %d", se.Error(), se.Offset)
	}
	return err.Error()
}

// decode returns the body decoded, decoding it on the first call.
func (c *call) decode() (any, error) {
	if !c.decoded && len(c.body) > 0 {
		c.parseErr = json.Unmarshal(c.body, &c.parsed)
	}
	c.decoded = true
	return c.parsed, c.parseErr
}

// lenientBody is the decoded body, or nil where it is not JSON.
func (c *call) lenientBody() any {
	if v, err := c.decode(); err == nil {
		return v
	}
	return nil
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// queryMap turns query parameters into JSON for the schema: a parameter
// given once is a string, one given several times an array of strings.
func queryMap(q map[string][]string) map[string]any {
	out := make(map[string]any, len(q))
	for k, vs := range q {
		if len(vs) == 1 {
			out[k] = vs[0]
		} else {
			arr := make([]any, len(vs))
			for i, v := range vs {
				arr[i] = v
			}
			out[k] = arr
		}
	}
	return out
}

// fail answers with e. For a deferred request an API error (not a
// transport one) becomes the outcome of the request's job instead.
func (c *call) fail(e *api.Error) {
	if c.deferrer != nil && !e.Transport {
		resp, e2 := c.deferrer.Accept(c.req, nil, e)
		c.rec.Reset()
		if e2 != nil {
			c.render(e2)
			return
		}
		c.f.Render(c.rec, c.req, resp)
		return
	}
	c.render(e)
}

func (c *call) render(e *api.Error) {
	c.err = e
	c.rec.Reset()
	c.f.RenderError(c.rec, c.req, e)
}

// recover turns a handler panic into the API's own 500; the stack goes to
// the log, not to the client.
func (c *call) recover() {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	c.s.log.Error("handler panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()),
		"request_id", middleware.GetRequestID(c.req.HTTP.Context()))
	c.fail(&api.Error{Kind: api.KindInternal})
}

// finish checks the response (when asked to), sends it, and records it in
// the journal and the access log.
func (c *call) finish(w http.ResponseWriter) {
	if !c.drop {
		if c.s.opts.checkResponses {
			c.checkResponse()
		}
		c.rec.Flush(w)
	}
	status := c.rec.Status
	if status == 0 {
		status = http.StatusOK
	}
	r := c.req.HTTP
	e := journal.Entry{
		Time:       c.req.Now,
		RequestID:  middleware.GetRequestID(r.Context()),
		API:        c.f.Name(),
		Method:     r.Method,
		Path:       RequestPath(r),
		Query:      r.URL.RawQuery,
		Status:     status,
		DurationMS: float64(time.Since(c.start).Microseconds()) / 1000,
		Dropped:    c.drop,
	}
	var response []byte
	switch {
	case c.drop:
		e.Status = 0
	case c.op != nil && c.op.SecretResponse && status < 300:
		e.ResponseBody = json.RawMessage(`"<a secret: not kept>"`)
	default:
		response = c.rec.Body.Bytes() // the journal copies it: the recorder is reused
	}
	if c.op != nil {
		e.Operation = c.op.ID
	}
	if c.err != nil {
		e.Kind = string(c.err.Kind)
	}
	if c.fault != nil {
		e.Fault = c.fault.Label()
	}
	if c.sb != nil {
		e.Sandbox = c.sb.name
		c.sb.journal.AddWithBodies(e, c.body, response, c.redact)
	}
	if c.op != nil {
		c.s.coverage.record(e.Sandbox, e.API, e.Operation, e.Status, e.Fault)
	}
	// Only unexpected failures are errors: ZStack's 503s are ordinary
	// answers, and injected faults are what the user asked for.
	level := slog.LevelInfo
	if c.err != nil && c.err.Kind == api.KindInternal && !c.err.Injected {
		level = slog.LevelError
	}
	if c.s.log.Enabled(r.Context(), level) {
		// Typed attributes (no boxing into an any); sandbox, fault and
		// dropped only when there is one: a line per request at the
		// default level is formatted on every request.
		attrs := make([]slog.Attr, 0, 10)
		attrs = append(attrs, slog.String("request_id", e.RequestID), slog.String("api", e.API), slog.String("operation", e.Operation),
			slog.String("method", e.Method), slog.String("path", e.Path), slog.Int("status", e.Status),
			slog.Float64("duration_ms", e.DurationMS))
		if e.Sandbox != "" {
			attrs = append(attrs, slog.String("sandbox", e.Sandbox))
		}
		if e.Fault != "" {
			attrs = append(attrs, slog.String("fault", e.Fault))
		}
		if e.Dropped {
			attrs = append(attrs, slog.Bool("dropped", true))
		}
		c.s.log.LogAttrs(r.Context(), level, "request", attrs...)
	}
	c.rec.Release() // sent and journalled (as a copy): nothing reads it now
	if c.dropMode != "" {
		middleware.Drop(w, c.dropMode)
	}
}

// checkResponse validates the buffered response against its schema and, on
// a violation, replaces it with a 500 that says what is wrong.
func (c *call) checkResponse() {
	if c.rec.Body.Len() == 0 || !middleware.IsJSON(c.rec.Header().Get("Content-Type")) {
		return // plain-text answers (ZStack's transport errors) have no schema
	}
	name := ""
	switch {
	case c.rec.Status >= 400:
		name = c.f.Name() + "/responses/error"
	case c.deferrer != nil && c.rec.Status == http.StatusAccepted:
		name = c.f.Name() + "/responses/accepted"
	case c.op != nil:
		name = c.op.ResponseSchema
	}
	if name == "" {
		return
	}
	var v any
	if err := json.Unmarshal(c.rec.Body.Bytes(), &v); err != nil {
		c.violation(name, []string{"body is not JSON: " + err.Error()})
		return
	}
	fes, err := c.s.schemas.Validate(name, v)
	if err != nil {
		c.violation(name, []string{err.Error()})
		return
	}
	if len(fes) > 0 {
		lines := make([]string, len(fes))
		for i, f := range fes {
			lines[i] = f.Pointer + ": " + f.Message
		}
		c.violation(name, lines)
	}
}

func (c *call) violation(schemaName string, problems []string) {
	c.s.log.Error("response breaks its schema", "schema", schemaName, "problems", problems)
	body, _ := json.Marshal(map[string]any{
		"credemuResponseCheck": "the emulator's response broke schema " + schemaName,
		"status":               c.rec.Status,
		"problems":             problems,
		"response":             c.rec.Body.String(),
	})
	c.rec.Reset()
	c.rec.Header().Set("Content-Type", "application/json")
	c.rec.WriteHeader(http.StatusInternalServerError)
	_, _ = c.rec.Write(body)
}
