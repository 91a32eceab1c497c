package family

import "github.com/credemu/credemu/emulator/api"

// Base is what every family declares the same way: its name, URL prefixes,
// operation table, the body fields the journal redacts, and its transport
// quirks. A vendor package embeds it and adds what is its own (worlds,
// state, authentication, rendering).
type Base struct {
	// FamilyName is the key in scenarios, fault rules and the journal.
	FamilyName string
	// PathPrefixes are the URL prefixes the family owns; operation paths are
	// relative to the first unless an operation names its own.
	PathPrefixes []string
	// Ops is the operation table.
	Ops []*api.Operation
	// Secrets names the JSON keys the journal redacts, beyond the password,
	// secret and token names redacted everywhere.
	Secrets []string
	// Transport is the family's declared transport behaviour.
	Transport Quirks
	// EmptyState returns a state with nothing in it yet, for NewState to
	// fill from a world.
	EmptyState func(env api.Env) api.State
}

// NewState returns the family's state of one sandbox, filled from world.
func (b *Base) NewState(w api.World, env api.Env) api.State {
	st := b.EmptyState(env)
	st.Reset(w)
	return st
}

// Name returns the family's name.
func (b *Base) Name() string { return b.FamilyName }

// Prefixes returns the URL prefixes the family owns.
func (b *Base) Prefixes() []string { return b.PathPrefixes }

// Operations lists every endpoint.
func (b *Base) Operations() []*api.Operation { return b.Ops }

// SecretFields names the JSON keys the journal must redact.
func (b *Base) SecretFields() []string { return b.Secrets }

// Quirks returns the family's transport behaviour.
func (b *Base) Quirks() Quirks { return b.Transport }

// Quirks are the ways a vendor's HTTP server differs from credemu's default
// transport behaviour, declared in one place per family instead of as
// marker interfaces the core looks for.
type Quirks struct {
	// AnyContentType: the vendor reads a request body whatever its
	// Content-Type says (ZStack). Otherwise a body not declared as JSON is
	// refused with 415.
	AnyContentType bool
	// TrailingSlashRedirect: a path without its trailing slash is answered
	// with a 301 to the slashed one (Django's APPEND_SLASH, AWX).
	TrailingSlashRedirect bool
	// UncleanPath, when set, refuses a path with empty ("//") or dot
	// ("/./", "/../") segments instead of cleaning it, with the message it
	// returns for the path (Spring Security's StrictHttpFirewall, Avisi).
	// Otherwise such paths are cleaned before routing, as Jetty, nginx and
	// Envoy do, and answered directly: never with a redirect, which Go's
	// client would follow as a GET.
	UncleanPath func(path string) string
	// ScalarsAsStrings: the vendor decodes request bodies with Gson, whose
	// String fields read a JSON number or boolean as its text ("name": 12345
	// is the name "12345"). Every field of such a family's bodies is a
	// string (ZStack's IAM2 API), so numbers and booleans anywhere in a body
	// are read as their text before validation.
	ScalarsAsStrings bool
}

// Op builds an operation whose handler works on the family's own state
// type S, so that handlers take their *State instead of asserting it.
func Op[S any](id, method, path string, write bool, body api.BodyMode, resp string, h func(S, *api.Request) (*api.Response, error)) *api.Operation {
	return &api.Operation{ID: id, Method: method, Path: path, Write: write, Body: body, ResponseSchema: resp,
		Handle: func(r *api.Request) (*api.Response, error) { return h(r.State.(S), r) }}
}
