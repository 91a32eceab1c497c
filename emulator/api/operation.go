package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/credemu/credemu/emulator/clock"
	"github.com/credemu/credemu/emulator/ids"
)

// BodyMode says whether an operation takes a request body.
type BodyMode int

// The body modes of an operation.
const (
	// BodyNone: the operation takes no body; one that is sent is ignored, as
	// most servers do for GET and DELETE.
	BodyNone BodyMode = iota
	// BodyOptional: a body may be sent; when present it must be valid JSON.
	BodyOptional
	// BodyRequired: a missing or empty body is an invalid argument.
	BodyRequired
)

// Operation is one endpoint of a family: a method and path template bound to
// a handler, with the metadata the pipeline needs before calling it.
type Operation struct {
	// ID is the stable lowerCamelCase id used by fault rules, the journal and
	// the coverage report ("createCloudAccount").
	ID string
	// Method is the HTTP method.
	Method string
	// Path is a gorilla/mux path template ("/api/v1/orgs/{organisationSlug}/cloud-accounts").
	Path string
	// Write marks operations that change state (read-only tokens may not call
	// them; commit faults only make sense on them).
	Write bool
	// Body says whether a JSON body is taken.
	Body BodyMode
	// Schema names the request schema ("avisi/createCloudAccount"), which
	// validates {"path": vars, "query": params, "body": json}. Empty: none.
	Schema string
	// ResponseSchema names the schema of a successful response body, used by
	// the response self-check. Empty: no body or not checked.
	ResponseSchema string
	// Handle does the work. It returns a response or an error, never writes.
	Handle func(*Request) (*Response, error)
	// Prefix is the family prefix the operation is mounted under, for
	// families with several (vSphere's /rest and /api); empty means the first.
	Prefix string
	// Query lists query parameters the route requires, as name/value pairs
	// (vAPI's POST .../session?~action=get is another operation than POST
	// .../session).
	Query []string
	// SecretResponse marks operations whose answer is itself a secret (a
	// session id): the journal keeps none of the response body.
	SecretResponse bool
	// Actions, when set, makes this a dispatching route: the request body's
	// top-level key names the action (ZStack's PUT .../actions with
	// {"updateIAM2VirtualID": {...}}), and the matching operation handles
	// the request from then on. Handle is not used.
	Actions map[string]*Operation
}

// Request is what a handler sees: the parsed HTTP request plus everything
// the pipeline worked out before calling it.
type Request struct {
	// HTTP is the underlying request; handlers should prefer the parsed fields.
	HTTP *http.Request
	// Op is the matched operation, nil when no route matched.
	Op *Operation
	// Vars are the path variables of the route.
	Vars map[string]string
	// Query is the parsed query string.
	Query url.Values
	// Body is the raw request body (already size-limited).
	Body []byte
	// JSON is the decoded body, nil when there is none.
	JSON any
	// Principal is who the family's Authenticate decided is calling.
	Principal any
	// State is this family's state in the caller's sandbox.
	State State
	// Now is the sandbox's virtual time when the request arrived.
	Now time.Time
	// Received is the wall-clock time the request arrived, for timings.
	Received time.Time
	// Sandbox is the sandbox name ("" for the default sandbox).
	Sandbox string
}

// Decode unmarshals the request body into v. The pipeline has already checked
// it against the operation's schema, so failures here are rare; they still
// become a clean invalid-argument error.
func (r *Request) Decode(v any) error {
	if len(r.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return &Error{Kind: KindInvalidArgument, Message: "malformed request body: " + err.Error()}
	}
	return nil
}

// Response is a handler's successful answer.
type Response struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Body is encoded as JSON by the family's renderer; nil means no body.
	Body any
	// Header holds extra response headers (Location, ...).
	Header http.Header
}

// World is a family's compiled, immutable scenario section: what a fresh
// sandbox starts from. Each family defines its own concrete type.
type World any

// Env is what a family's state may use from its sandbox.
type Env struct {
	// Clock is the sandbox's virtual clock.
	Clock *clock.Clock
	// IDs generates the sandbox's repeatable identifiers.
	IDs *ids.Gen
}

// State is a family's mutable state in one sandbox. Implementations guard
// their own data and copy objects in and out.
type State interface {
	// Reset replaces the whole state with a fresh copy of world.
	Reset(world World)
	// Export returns a JSON-ready view of the state with secrets redacted.
	Export() any
}

// Sweeper is implemented by states that hold things which expire
// (sessions, API jobs): Sweep drops those expired at now (the sandbox's
// virtual clock). The server sweeps every sandbox now and then, and before
// exporting, so that expired things neither wait for the next login to go
// nor show in /_emulator/state.
type Sweeper interface {
	Sweep(now time.Time)
}
