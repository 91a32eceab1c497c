// Package family defines the interface an emulated vendor API implements to
// plug into the credemu pipeline. It is separate from package api so that the
// scenario and fault packages can use api's error kinds without a cycle.
package family

import (
	"fmt"
	"strings"

	"net/http"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/scenario"
)

// Family is one emulated vendor API. The server mounts its operations under
// its prefixes and runs each request through the shared pipeline, calling
// back into the family for what is vendor-specific.
type Family interface {
	// Name is the family's key in scenarios, fault rules and the journal.
	Name() string
	// Prefixes are the URL path prefixes that belong to the family.
	Prefixes() []string
	// Operations lists every endpoint.
	Operations() []*api.Operation
	// LoadWorld compiles the family's scenario sections (one per file that has
	// one, in include order) into a world. Errors name file, line and column.
	LoadWorld(sections []scenario.Section, gen *scenario.Generator) (api.World, error)
	// NewState returns state for one sandbox, filled from world.
	NewState(world api.World, env api.Env) api.State
	// Authenticate sets req.Principal or returns an unauthenticated or
	// permission-denied error. It runs after routing, before faults.
	Authenticate(req *api.Request) error
	// Render writes a successful response in the family's envelope.
	Render(w http.ResponseWriter, req *api.Request, resp *api.Response)
	// RenderError writes err in the family's native error format.
	RenderError(w http.ResponseWriter, req *api.Request, err *api.Error)
	// SecretFields names JSON keys whose values the journal must redact.
	SecretFields() []string
	// Quirks declares how the vendor's HTTP server differs from credemu's
	// default transport behaviour.
	Quirks() Quirks
}

// Deferrer is implemented by families whose writes may answer at once with
// "accepted" and deliver their outcome later (ZStack's API jobs). For a
// deferred request every outcome that is not a transport error (auth,
// injected faults, validation, the handler's result) goes to Accept, and
// what Accept returns is the immediate answer.
type Deferrer interface {
	// Defer reports whether this request's outcome is delivered later.
	Defer(req *api.Request) bool
	// Accept records the outcome (a response, or an error) and returns the
	// immediate answer, or an error when the request cannot be accepted.
	Accept(req *api.Request, resp *api.Response, err *api.Error) (*api.Response, *api.Error)
}

// Greeting is what the start-up banner says of a family, so that a
// newcomer can make a first call without reading further: where its API
// starts, how to log in with the scenario's well-known credentials, and
// one command to paste that answers from the world as loaded.
type Greeting struct {
	// Family is the family's name.
	Family string `json:"family"`
	// Base is the URL its API starts at.
	Base string `json:"base_url"`
	// Logins names the world's credentials ("token admin-token (every
	// organisation)"), a few at most.
	Logins []string `json:"logins"`
	// Try is one curl command.
	Try string `json:"try"`
}

// Greeter is implemented by families that can greet a newcomer: Greet
// describes world as served at url (the server's base URL).
type Greeter interface {
	Greet(world api.World, url string) Greeting
}

// MaxLogins is how many credentials a greeting names at most; a large
// scenario's generated users are not listed.
const MaxLogins = 4

// NewGreeting starts the greeting of f, whose API starts at base.
func NewGreeting(f Family, base string) *Greeting {
	return &Greeting{Family: f.Name(), Base: base}
}

// Login names one credential, unless the greeting names MaxLogins already.
func (g *Greeting) Login(format string, args ...any) {
	if len(g.Logins) < MaxLogins {
		g.Logins = append(g.Logins, fmt.Sprintf(format, args...))
	}
}

// Curl sets the command to try: curl -s, then the words given (each quoted
// for a shell), the URL last.
func (g *Greeting) Curl(words ...string) {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = w
		if !strings.HasPrefix(w, "-") {
			quoted[i] = ShellQuote(w)
		}
	}
	g.Try = strings.Join(append([]string{"curl", "-s"}, quoted...), " ")
}

// ShellQuote quotes s for a POSIX shell, as a pasted curl needs it.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Sizer is implemented by worlds that can say, before a sandbox builds
// its state from them, about how many bytes that state takes: the sandbox
// memory budget counts it. Objects a sandbox forks from its world
// (store.Table.Fork) count ForkedBytes each, what the sandbox's first write
// to their table copies; objects it copies count their full size.
type Sizer interface {
	StateBytes() int64
}

// ForkedBytes is what one object of a forked table costs a sandbox once it
// writes that table: its index entries, not the object (measured at 77 to
// 135 bytes across the families on the large scenario, so this has room).
const ForkedBytes = 160

// Snapshotter is implemented by families whose state can be written back
// as a scenario: Snapshot returns the family's section (a value yaml.v3
// encodes) from which LoadWorld builds a world whose fresh state is st,
// ids, times, passwords and sessions included.
type Snapshotter interface {
	Snapshot(st api.State) any
}
