// Package emulator assembles credemu: it loads a scenario, mounts every API
// family behind the shared request pipeline, serves the /_emulator control
// API, and keeps one isolated sandbox per X-Emulator-Sandbox name.
//
// A Server is an http.Handler, so a Go test can mount it in httptest; Start
// and Close run it on a real listener with graceful shutdown.
package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/credemu/credemu/emulator/admin"
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/middleware"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/schema"
	"github.com/credemu/credemu/emulator/tlscert"
	"github.com/credemu/credemu/fixtures"
	"github.com/credemu/credemu/scenarios"
	"github.com/credemu/credemu/schemas"
)

// Server is a running (or mountable) emulator.
type Server struct {
	opts     *options
	log      *slog.Logger
	families []family.Family
	byName   map[string]family.Family
	// familyIndex is each family's position in families (and in a
	// sandbox's states).
	familyIndex map[string]int
	ops         map[string]map[string]*api.Operation // family → op id → op
	schemas     *schema.Set
	loader      *scenario.Loader
	handler     http.Handler
	started     time.Time

	mu        sync.RWMutex
	base      *compiled // the server's scenario: what new sandboxes start from
	sandboxes map[string]*sandbox

	coverage *coverage

	httpSrv     *http.Server
	listener    net.Listener
	tlsListener net.Listener // the HTTPS listener: listener itself, a second one, or nil
	mainTLS     bool
	tlsOnce     sync.Once
	tlsBundle   *tlscert.Bundle
	tlsErr      error
	serveErr    chan error
	closing     chan struct{}
	closeOne    sync.Once

	// readers are the requests reading their body now, cut short on Close.
	readersMu sync.Mutex
	readers   map[*http.ResponseController]struct{}
}

// readingBody registers a request that is reading its body, and returns
// the function that unregisters it. After Close began, the read is cut
// short at once.
func (s *Server) readingBody(w http.ResponseWriter) func() {
	rc := http.NewResponseController(w)
	s.readersMu.Lock()
	defer s.readersMu.Unlock()
	select {
	case <-s.closing:
		_ = rc.SetReadDeadline(time.Now())
		return func() {}
	default:
	}
	if s.readers == nil {
		s.readers = map[*http.ResponseController]struct{}{}
	}
	s.readers[rc] = struct{}{}
	return func() {
		s.readersMu.Lock()
		delete(s.readers, rc)
		s.readersMu.Unlock()
	}
}

// cutReads ends every body read in progress.
func (s *Server) cutReads() {
	s.readersMu.Lock()
	defer s.readersMu.Unlock()
	for rc := range s.readers {
		_ = rc.SetReadDeadline(time.Now())
	}
}

// compiled is a scenario with every family's world built from it.
type compiled struct {
	sc     *scenario.Scenario
	worlds map[string]api.World
	seed   uint64
	// stamps are the modification times of the files read, taken when
	// they were read: Watch compares with these, so an edit made between
	// loading and watching is not missed.
	stamps map[string]time.Time
}

// New builds a server from options. It loads and checks the scenario, so a
// broken scenario fails here with every problem listed (file:line:col).
func New(opts ...Option) (*Server, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(o)
	}
	set, err := schema.Cached(schemas.FS)
	if err != nil {
		return nil, fmt.Errorf("compiling schemas: %w", err)
	}
	s := &Server{
		opts:        o,
		log:         o.logger,
		families:    o.families,
		byName:      map[string]family.Family{},
		familyIndex: map[string]int{},
		ops:         map[string]map[string]*api.Operation{},
		schemas:     set,
		sandboxes:   map[string]*sandbox{},
		closing:     make(chan struct{}),
		started:     time.Now(),
	}
	var names []string
	for _, f := range s.families {
		if _, dup := s.byName[f.Name()]; dup {
			return nil, fmt.Errorf("API family %q registered twice", f.Name())
		}
		s.byName[f.Name()] = f
		s.familyIndex[f.Name()] = len(names)
		names = append(names, f.Name())
		s.ops[f.Name()] = map[string]*api.Operation{}
		for _, op := range allOperations(f.Operations()) {
			if op.Schema != "" && !set.Has(op.Schema) {
				return nil, fmt.Errorf("%s.%s: request schema %q is missing", f.Name(), op.ID, op.Schema)
			}
			if op.ResponseSchema != "" && !set.Has(op.ResponseSchema) {
				return nil, fmt.Errorf("%s.%s: response schema %q is missing", f.Name(), op.ID, op.ResponseSchema)
			}
			s.ops[f.Name()][op.ID] = op
		}
	}
	s.coverage = newCoverage(s)
	s.loader = &scenario.Loader{Families: names, CheckRule: s.checkRule, Fixtures: fixtures.FS, Scenarios: scenarios.FS}

	key := s.cacheKey()
	c := cachedCompiled(key)
	if c == nil {
		var sc *scenario.Scenario
		if o.scenarioYAML != nil {
			sc, err = s.loader.Load(o.scenarioName, o.scenarioYAML, "")
		} else {
			sc, err = s.loader.Resolve(o.scenario)
		}
		if c, err = s.compileLoaded(sc, err); err != nil {
			return nil, err
		}
		storeCompiled(key, c)
	}
	s.base = c
	s.sandboxes[""] = s.newSandbox("", c)
	s.handler = s.routes()
	return s, nil
}

// allOperations lists operations with the actions of dispatching routes
// in their place, which is what fault rules and the journal name.
func allOperations(ops []*api.Operation) []*api.Operation {
	var out []*api.Operation
	for _, op := range ops {
		if len(op.Actions) == 0 {
			out = append(out, op)
			continue
		}
		keys := make([]string, 0, len(op.Actions))
		for k := range op.Actions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, op.Actions[k])
		}
	}
	return out
}

// Loader returns the scenario loader configured with this server's families,
// for tools (credemu validate) that check scenarios without serving them.
func (s *Server) Loader() *scenario.Loader { return s.loader }

// CompileScenario loads and compiles a scenario without applying it, and
// returns every problem found.
func (s *Server) CompileScenario(name string, data []byte, dir string) error {
	_, err := s.compileLoaded(s.loader.Load(name, data, dir))
	return err
}

// compileLoaded compiles what the loader returned. A scenario that loaded
// with problems is still compiled, so that one run reports the loader's
// problems and the families' together.
func (s *Server) compileLoaded(sc *scenario.Scenario, loadErr error) (*compiled, error) {
	if sc == nil {
		return nil, loadErr
	}
	c, err := s.compile(sc)
	if loadErr == nil && err == nil {
		c.stamps = fileStamps(sc.Files)
		return c, nil
	}
	// Every problem, the loader's and the families', in file and line order.
	errs := scenario.Errors(sc.Files[0], loadErr)
	errs = append(errs, scenario.Errors(sc.Files[0], err)...)
	return nil, errs.Sorted().Capped()
}

func (s *Server) compile(sc *scenario.Scenario) (*compiled, error) {
	seed := sc.Seed
	if s.opts.seed != nil {
		seed = *s.opts.seed
		sc.Seed = seed
	}
	now := sc.Clock
	if now.IsZero() {
		now = time.Now().UTC()
	}
	c := &compiled{sc: sc, worlds: map[string]api.World{}, seed: seed}
	var errs scenario.ErrorList
	for _, f := range s.families {
		w, err := f.LoadWorld(sc.Sections[f.Name()], scenario.NewGenerator(seed, f.Name(), now))
		if err != nil {
			errs = append(errs, scenario.Errors(sc.Files[0], err)...)
			continue
		}
		c.worlds[f.Name()] = w
	}
	if n := len(sc.Faults); n > fault.MaxRules {
		errs = append(errs, &scenario.Error{File: sc.Files[0], Msg: fmt.Sprintf("faults: %d rules; a scenario may hold at most %d", n, fault.MaxRules)})
	}
	if len(errs) > 0 {
		return nil, errs.Capped()
	}
	return c, nil
}

// checkRule checks the parts of a fault rule that need to know the families.
func (s *Server) checkRule(r *fault.Rule) error {
	m := r.Match
	if m.API != "" {
		if _, ok := s.byName[m.API]; !ok {
			return fmt.Errorf("match.api %q is not one of: %v", m.API, s.familyNames())
		}
	}
	if m.Operation != "" {
		found := false
		for fam, ops := range s.ops {
			if m.API != "" && fam != m.API {
				continue
			}
			if _, ok := ops[m.Operation]; ok {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("match.operation %q is not an operation of %s (see the README for the list)", m.Operation, orAll(m.API))
		}
	}
	return nil
}

func orAll(api string) string {
	if api == "" {
		return "any API"
	}
	return api
}

func (s *Server) familyNames() []string {
	out := make([]string, 0, len(s.families))
	for _, f := range s.families {
		out = append(out, f.Name())
	}
	sort.Strings(out)
	return out
}

// AdminToken returns the token the control API requires ("" for none), so
// in-process helpers such as emulatortest can call it.
func (s *Server) AdminToken() string { return s.opts.adminToken }

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Start listens on the configured address and serves in the background.
func (s *Server) Start() error {
	var tlsConf *tls.Config
	if s.opts.tls != nil {
		b, err := s.TLSBundle()
		if err != nil {
			return err
		}
		tlsConf = b.ServerConfig()
	}
	mainTLS := tlsConf != nil && s.opts.tls.Addr == ""
	ln, err := net.Listen("tcp", s.opts.addr)
	if err != nil {
		return err
	}
	var tlsLn net.Listener
	if tlsConf != nil && !mainTLS {
		if tlsLn, err = net.Listen("tcp", s.opts.tls.Addr); err != nil {
			ln.Close()
			return fmt.Errorf("TLS listener: %w", err)
		}
	}
	s.listener, s.mainTLS = ln, mainTLS
	if mainTLS {
		s.tlsListener = ln
	} else {
		s.tlsListener = tlsLn
	}
	s.httpSrv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.opts.readTimeout,
		IdleTimeout:       s.opts.idleTimeout,
		TLSConfig:         tlsConf,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.serveErr = make(chan error, 2)
	serve := func(l net.Listener, secure bool) {
		if secure {
			// ServeTLS with the certificate in TLSConfig also turns on HTTP/2.
			s.serveErr <- s.httpSrv.ServeTLS(l, "", "")
		} else {
			s.serveErr <- s.httpSrv.Serve(l)
		}
	}
	go serve(ln, mainTLS)
	if tlsLn != nil {
		go serve(tlsLn, true)
	}
	s.log.Info("credemu listening", "url", s.URL(), "tls_url", s.TLSURL(), "scenario", s.base.sc.Name)
	return nil
}

// TLSBundle returns the certificate HTTPS is served with, generating it
// (once) when WithTLS named no files. A test that serves the emulator over
// its own listener can use it too.
func (s *Server) TLSBundle() (*tlscert.Bundle, error) {
	s.tlsOnce.Do(func() {
		t := s.opts.tls
		if t == nil {
			t = &TLS{}
		}
		if t.CertFile != "" || t.KeyFile != "" {
			s.tlsBundle, s.tlsErr = tlscert.Load(t.CertFile, t.KeyFile)
		} else {
			s.tlsBundle, s.tlsErr = tlscert.Generate(t.Names, time.Now())
		}
	})
	return s.tlsBundle, s.tlsErr
}

// Addr returns the address of the main listener, or "" before Start.
func (s *Server) Addr() string {
	if s.listener == nil {
		return ""
	}
	return s.listener.Addr().String()
}

// URL returns the base URL of the main listener of a started server
// ("http://127.0.0.1:8080", or https:// when it serves TLS).
func (s *Server) URL() string {
	if s.mainTLS {
		return "https://" + s.Addr()
	}
	return "http://" + s.Addr()
}

// TLSURL returns the base URL of the HTTPS listener, or "" when the server
// serves no HTTPS.
func (s *Server) TLSURL() string {
	if s.tlsListener == nil {
		return ""
	}
	return "https://" + s.tlsListener.Addr().String()
}

// Wait blocks until the server stops serving and returns why.
func (s *Server) Wait() error {
	if s.serveErr == nil {
		return errors.New("server not started")
	}
	err := <-s.serveErr
	s.serveErr <- err
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close shuts the server down gracefully: it stops accepting connections,
// cuts injected delays short, and waits for requests in flight until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	s.readersMu.Lock()
	s.closeOne.Do(func() { close(s.closing) })
	s.readersMu.Unlock()
	s.cutReads()
	if s.httpSrv == nil {
		return nil
	}
	return s.httpSrv.Shutdown(ctx)
}

// Reset puts a sandbox ("" for the default one) back to its scenario's
// initial state: objects, fault rules and counters, journal, clock and ids.
func (s *Server) Reset(sandboxName string) error {
	sb, err := s.sandbox(sandboxName)
	if err != nil {
		return err
	}
	sb.reset()
	return nil
}

// LoadScenario replaces a sandbox's scenario with the YAML in data and
// resets it. For the default sandbox ("") the new scenario also becomes the
// one later sandboxes start from.
func (s *Server) LoadScenario(sandboxName, name string, data []byte) error {
	c, err := s.compileLoaded(s.loader.Load(name, data, ""))
	if err != nil {
		return err
	}
	return s.applyScenario(sandboxName, c)
}

// applyScenario puts a compiled scenario in force in a sandbox; for the
// default sandbox it also becomes what later sandboxes start from.
func (s *Server) applyScenario(sandboxName string, c *compiled) error {
	sb, err := s.sandbox(sandboxName)
	if err != nil {
		return err
	}
	if sandboxName == "" {
		s.mu.Lock()
		s.base = c
		s.mu.Unlock()
	}
	sb.load(c)
	s.log.Info("scenario loaded", "scenario", c.sc.Name, "sandbox", sandboxName)
	return nil
}

// serverKey carries the *Server in a request's context, so that one router
// (built once per set of families) can serve every emulator of a process.
type serverKey struct{}

func serverFrom(r *http.Request) *Server { return r.Context().Value(serverKey{}).(*Server) }

// routers caches the router of each set of families, so that a test binary
// that starts many emulators builds each router once (some two hundred
// routes, and the expressions of the templates the segment matcher cannot
// judge).
var routers = struct {
	sync.Mutex
	m map[string]http.Handler
}{m: map[string]http.Handler{}}

func (s *Server) routes() http.Handler {
	var key strings.Builder
	for _, f := range s.families {
		fmt.Fprintf(&key, "%T/%s;", f, f.Name())
	}
	routers.Lock()
	router := routers.m[key.String()]
	if router == nil {
		router = buildRouter(s.families)
		routers.m[key.String()] = router
	}
	routers.Unlock()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(middleware.RequestIDContext(w, r), serverKey{}, s)
		if headerBytes(r) > MaxHeaderBytes {
			ctx = context.WithValue(ctx, headersTooLargeKey{}, true)
		}
		if clean, ok := cleanPath(r.URL.Path); !ok {
			if f := s.familyOf(clean); f != nil {
				if refuse := f.Quirks().UncleanPath; refuse != nil {
					ctx = context.WithValue(ctx, uncleanPathKey{}, refuse(r.URL.Path))
				} else {
					r = r.Clone(ctx)
					r.URL.Path, r.URL.RawPath = clean, ""
				}
			}
		}
		router.ServeHTTP(w, r.WithContext(ctx))
	})
}

// uncleanPathKey holds the message with which a strict family refuses a
// request's path.
type uncleanPathKey struct{}

// headersTooLargeKey marks a request whose headers pass MaxHeaderBytes.
type headersTooLargeKey struct{}

// MaxHeaderBytes bounds a request's headers: larger ones are answered 431
// in the API's own format (past 1 MiB Go's server answers before credemu
// sees the request).
const MaxHeaderBytes = 64 << 10

func headerBytes(r *http.Request) int {
	n := len(r.RequestURI)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// familyOf returns the family whose prefix the (clean) path is under.
func (s *Server) familyOf(path string) family.Family {
	for _, f := range s.families {
		for _, p := range f.Prefixes() {
			if path == p || strings.HasPrefix(path, p+"/") {
				return f
			}
		}
	}
	return nil
}

// cleanPath merges empty segments and resolves dot segments, keeping a
// trailing slash; ok is true when the path was clean already.
func cleanPath(p string) (string, bool) {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p, true
	}
	clean := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean, clean == p
}

func buildRouter(families []family.Family) http.Handler {
	// Paths are cleaned (or refused) before routing, per family; gorilla's
	// own cleaning answers 301, which Go's client turns into a GET.
	r := mux.NewRouter().SkipClean(true)
	for _, f := range families {
		for i, prefix := range f.Prefixes() {
			sub := r.NewRoute().MatcherFunc(hasPrefix(prefix)).Subrouter()
			// Literal paths first, so /credentials/aws is not taken for
			// /credentials/{credentialsIdentity}, and routes that require a
			// query parameter before those that do not; each route also
			// matches on its method, so DELETE /credentials/aws still
			// reaches the variable route, as in Spring's best-match routing.
			var ops []*api.Operation
			for _, op := range f.Operations() {
				if op.Prefix == prefix || (op.Prefix == "" && i == 0) {
					ops = append(ops, op)
				}
			}
			sort.SliceStable(ops, func(i, j int) bool {
				vi, vj := strings.Count(ops[i].Path, "{"), strings.Count(ops[j].Path, "{")
				if vi != vj {
					return vi < vj
				}
				return len(ops[i].Query) > len(ops[j].Query)
			})
			// mux tries routes one by one; grouped by method and depth, a
			// request is tried only against the routes of its own group.
			// Groups keep the order above within them, and a path matches
			// in one group only, unless some template can span segments.
			grouped := true
			for _, op := range ops {
				grouped = grouped && segmentMatcher(op.Method, prefix+op.Path) != nil
			}
			groups := map[routeGroup]*mux.Router{}
			var routes []*mux.Route
			for _, op := range ops {
				parent := sub
				if grouped {
					g := routeGroup{op.Method, strings.Count(prefix+op.Path, "/")}
					if groups[g] == nil {
						groups[g] = sub.NewRoute().MatcherFunc(g.match).Subrouter()
					}
					parent = groups[g]
				}
				rt := parent.NewRoute()
				if m := segmentMatcher(op.Method, prefix+op.Path); m != nil {
					rt = rt.MatcherFunc(m).Methods(op.Method)
				} else {
					rt = rt.Methods(op.Method).Path(prefix + op.Path)
				}
				if len(op.Query) > 0 {
					rt = rt.Queries(op.Query...)
				}
				routes = append(routes, rt.Handler(pipeline(f, op, prefix+op.Path)))
			}
			unmatched := unmatched(f, routes)
			sub.NotFoundHandler = unmatched
			sub.MethodNotAllowedHandler = unmatched
		}
	}
	// The control API last: API requests, the many, then test one prefix
	// fewer.
	admin.Mount(r.PathPrefix(admin.Prefix).Subrouter(), func(r *http.Request) (admin.Backend, string) {
		s := serverFrom(r)
		return adminBackend{s}, s.opts.adminToken
	})
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admin.WriteJSON(w, http.StatusNotFound, map[string]any{
			"error": fmt.Sprintf("no emulated API serves %s %s", r.Method, r.URL.Path),
			"apis":  serverFrom(r).familyNames(),
		})
	})
	return r
}

// unmatched answers requests under a family's prefix that no operation
// took: 405 with an Allow header when the path exists for other methods,
// else 404, both in the family's own format.
func unmatched(f family.Family, routes []*mux.Route) http.Handler {
	notFound := pipeline(f, nil, "")
	slash := f.Quirks().TrailingSlashRedirect
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slash && !strings.HasSuffix(r.URL.Path, "/") && anyRouteMatches(routes, r, r.URL.Path+"/") {
			notFound.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), slashRedirectKey{}, true)))
			return
		}
		var allow []string
		for _, rt := range routes {
			methods, _ := rt.GetMethods()
			for _, m := range methods {
				probe := r.Clone(r.Context())
				probe.Method = m
				if rt.Match(probe, &mux.RouteMatch{}) && !slices.Contains(allow, m) {
					allow = append(allow, m)
				}
			}
		}
		if len(allow) == 0 {
			notFound.ServeHTTP(w, r)
			return
		}
		sort.Strings(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		notFound.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), methodNotAllowedKey{}, true)))
	})
}

type methodNotAllowedKey struct{}

type slashRedirectKey struct{}

// anyRouteMatches reports whether path matches one of routes under any of
// their methods.
func anyRouteMatches(routes []*mux.Route, r *http.Request, path string) bool {
	for _, rt := range routes {
		methods, _ := rt.GetMethods()
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			probe.URL.Path = path
			probe.URL.RawPath = ""
			if rt.Match(probe, &mux.RouteMatch{}) {
				return true
			}
		}
	}
	return false
}
