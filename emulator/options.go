package emulator

import (
	"log/slog"
	"time"

	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/scenario"
)

// DefaultBodyLimit is the largest request body accepted (1 MiB); larger
// bodies are answered with 413 in the API's own format.
const DefaultBodyLimit = 1 << 20

// DefaultAddr is where Start listens unless told otherwise: loopback only,
// so a developer's emulator is not reachable from the network by accident.
const DefaultAddr = "127.0.0.1:8080"

type options struct {
	addr         string
	earlyListen  bool
	scenario     string
	scenarioName string
	scenarioYAML []byte
	seed         *uint64
	// generateLimit bounds a scenario's generated objects; countOnly
	// checks the counts without building (credemu validate).
	generateLimit int
	countOnly     bool
	// sandboxMemory bounds the estimated bytes of named sandboxes' states.
	sandboxMemory int64
	// journalTotal bounds every sandbox's journal together.
	journalTotal int64
	// maxConnections caps the connections served at once per listener.
	maxConnections int
	// stateFile keeps the default sandbox's world across restarts, saved
	// on shutdown and every stateSaveInterval (0: only on shutdown).
	stateFile         string
	stateSaveInterval time.Duration
	logger            *slog.Logger
	adminToken        string
	bodyLimit         int64
	journalCapacity   int
	journalBodyLimit  int
	journalBytes      int64
	checkResponses    bool
	families          []family.Family
	tls               *TLS
	maxSandboxes      int
	sandboxIdle       time.Duration
	allowedHosts      []string
	readTimeout       time.Duration
	idleTimeout       time.Duration
}

// DefaultReadTimeout bounds reading a whole request, body included: a
// client that trickles a body is cut off. Injected delays are not affected.
const DefaultReadTimeout = 30 * time.Second

// DefaultIdleTimeout closes keep-alive connections idle this long.
const DefaultIdleTimeout = 2 * time.Minute

// DefaultMaxSandboxes is how many named sandboxes may exist at once.
const DefaultMaxSandboxes = 1000

// DefaultSandboxIdle is how long a named sandbox may go unused before it is
// dropped to make room for a new one.
const DefaultSandboxIdle = 15 * time.Minute

// TLS configures HTTPS.
type TLS struct {
	// Addr is a second listener that serves HTTPS beside the plain HTTP one
	// of WithAddr; empty makes the main listener serve HTTPS instead.
	Addr string
	// CertFile and KeyFile name a PEM certificate chain and key to serve;
	// empty generates a private CA and a certificate at start-up.
	CertFile, KeyFile string
	// Names are DNS names or IP addresses the generated certificate covers
	// besides localhost, 127.0.0.1 and ::1.
	Names []string
}

// Option configures a Server.
type Option func(*options)

// WithAddr sets the listen address used by Start ("127.0.0.1:0" picks a free port).
func WithAddr(addr string) Option { return func(o *options) { o.addr = addr } }

// WithEarlyListen makes New open the listener of the address on another
// goroutine while it compiles the scenario, and Start serve on it, so that
// a fresh server answers sooner (credemu serve uses it). The port is taken
// from then on (Close releases it even when Start never ran), and an
// address that cannot be listened on is Start's error, as without it.
func WithEarlyListen() Option { return func(o *options) { o.earlyListen = true } }

// WithScenario loads a built-in scenario by name ("default", "empty",
// "large") or a scenario file by path.
func WithScenario(nameOrPath string) Option {
	return func(o *options) { o.scenario, o.scenarioYAML = nameOrPath, nil }
}

// WithScenarioYAML loads a scenario from YAML text; name is used in error
// messages. Relative includes are resolved among the built-in fixtures.
func WithScenarioYAML(name string, yaml []byte) Option {
	return func(o *options) { o.scenarioName, o.scenarioYAML, o.scenario = name, yaml, "" }
}

// WithSeed overrides the scenario's seed.
func WithSeed(seed uint64) Option { return func(o *options) { o.seed = &seed } }

// WithLogger sets the structured logger; the default discards logs.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithAdminToken guards /_emulator with a token, sent as
// "Authorization: Bearer <token>" or "X-Emulator-Token: <token>".
func WithAdminToken(token string) Option { return func(o *options) { o.adminToken = token } }

// WithBodyLimit sets the largest accepted request body in bytes.
func WithBodyLimit(n int64) Option { return func(o *options) { o.bodyLimit = n } }

// WithJournalCapacity sets how many requests each sandbox's journal keeps.
func WithJournalCapacity(n int) Option { return func(o *options) { o.journalCapacity = n } }

// WithJournalBodyLimit sets how many bytes of each request and response
// body a journal entry keeps (journal.DefaultBodyLimit by default); longer
// bodies are cut, and the entry says so with their full size.
func WithJournalBodyLimit(n int) Option { return func(o *options) { o.journalBodyLimit = n } }

// WithJournalBytes bounds the memory of each sandbox's journal
// (journal.DefaultBytes by default); the oldest entries go first.
func WithJournalBytes(n int64) Option { return func(o *options) { o.journalBytes = n } }

// WithResponseCheck makes the server validate every response it sends
// against the response schemas. A response that breaks its schema is
// replaced by a 500 naming the violation, so a test suite running with this
// on cannot pass while the emulator drifts from the contract.
func WithResponseCheck(on bool) Option { return func(o *options) { o.checkResponses = on } }

// WithTLS serves HTTPS (HTTP/2 and HTTP/1.1) as t says; see TLS.
func WithTLS(t TLS) Option {
	return func(o *options) {
		t.Names = append([]string(nil), t.Names...)
		o.tls = &t
	}
}

// WithSandboxLimits caps the number of named sandboxes (beyond it a new
// one is refused with 429) and sets how long one may go unused before it is
// dropped to make room; zero keeps a default.
func WithSandboxLimits(max int, idle time.Duration) Option {
	return func(o *options) {
		if max > 0 {
			o.maxSandboxes = max
		}
		if idle > 0 {
			o.sandboxIdle = idle
		}
	}
}

// WithAllowedHosts names hosts, besides localhost and IP addresses, that
// control requests may be addressed to when no admin token is set (a
// container's service name, say). Other Host headers are refused, so that a
// web page cannot reach the control API through DNS rebinding.
func WithAllowedHosts(names ...string) Option {
	return func(o *options) { o.allowedHosts = append(o.allowedHosts, names...) }
}

// WithTimeouts sets how long reading one request may take (header and
// body) and how long an idle keep-alive connection stays open; zero keeps a
// default. Injected delays are not affected.
func WithTimeouts(read, idle time.Duration) Option {
	return func(o *options) {
		if read > 0 {
			o.readTimeout = read
		}
		if idle > 0 {
			o.idleTimeout = idle
		}
	}
}

// WithGenerateLimit bounds the objects a scenario's generate: blocks may
// make together, across families and organisations, credentials included
// (default scenario.DefaultGenerateLimit). A scenario past it is refused
// before anything is built.
func WithGenerateLimit(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.generateLimit = n
		}
	}
}

// DefaultSandboxMemory is the default budget of named sandboxes' states:
// about 40 sandboxes of the built-in large scenario, thousands of the
// default one.
const DefaultSandboxMemory = 2 << 30

// WithSandboxMemory bounds, in bytes, what the states of named sandboxes
// take together, as their families estimate them (default
// DefaultSandboxMemory; 0 or less: no bound). A request that would build a
// state past it is refused with 429 in its API's format.
func WithSandboxMemory(n int64) Option { return func(o *options) { o.sandboxMemory = max(n, 0) } }

// WithJournalTotalBytes bounds the journals of every sandbox together
// (default journal.DefaultPoolBytes): past it the oldest entries of any
// sandbox go first, counted in that journal's overwritten.
func WithJournalTotalBytes(n int64) Option { return func(o *options) { o.journalTotal = n } }

// WithMaxConnections caps the connections each listener serves at once
// (default DefaultMaxConnections; 0 or less: no cap). One past the cap is
// answered 503 and closed on a plain listener, closed on a TLS one.
func WithMaxConnections(n int) Option { return func(o *options) { o.maxConnections = n } }

// WithCountOnly makes scenario compilation check generate: counts against
// the limit without building the generated objects: for checking a
// scenario (credemu validate), never for serving one.
func WithCountOnly() Option { return func(o *options) { o.countOnly = true } }

// WithStateFile keeps the default sandbox's world in path: when the file
// exists the server starts from it instead of the scenario (a file that
// cannot be loaded is refused, naming file and line, and left untouched),
// and Close, SaveState and POST /_emulator/snapshot?save=true write the
// world there atomically. every > 0 also saves that often.
func WithStateFile(path string, every time.Duration) Option {
	return func(o *options) { o.stateFile, o.stateSaveInterval = path, max(every, 0) }
}

// WithFamilies replaces the set of emulated APIs (all four by default).
func WithFamilies(f ...family.Family) Option {
	return func(o *options) { o.families = append([]family.Family(nil), f...) }
}

func defaultOptions() *options {
	return &options{
		addr:         DefaultAddr,
		scenario:     "default",
		logger:       slog.New(slog.DiscardHandler), // a disabled handler: no formatting at all
		bodyLimit:    DefaultBodyLimit,
		families:     DefaultFamilies(),
		maxSandboxes: DefaultMaxSandboxes,
		sandboxIdle:  DefaultSandboxIdle,
		readTimeout:  DefaultReadTimeout,
		idleTimeout:  DefaultIdleTimeout,

		generateLimit:  scenario.DefaultGenerateLimit,
		maxConnections: DefaultMaxConnections,
		sandboxMemory:  DefaultSandboxMemory,
	}
}
