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
	"sync"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/journal"
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
	idleSwept time.Time // when evictIdle last ran, under mu
	// journals bounds the bytes of every sandbox's journal together.
	journals *journal.Pool
	// stateBudget bounds the estimated bytes of named sandboxes' states.
	stateBudget *stateBudget

	coverage *coverage

	httpSrv  *http.Server
	listener net.Listener
	// early waits for the listener WithEarlyListen opened (nil without it).
	early       func() (net.Listener, error)
	tlsListener net.Listener // the HTTPS listener: listener itself, a second one, or nil
	mainTLS     bool
	tlsOnce     sync.Once
	tlsBundle   *tlscert.Bundle
	tlsErr      error
	serveErr    chan error
	closing     chan struct{}
	closeOne    sync.Once

	// saveMu serialises writes of the state file.
	saveMu sync.Mutex

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

// New builds a server from options. It loads and checks the scenario, so a
// broken scenario fails here with every problem listed (file:line:col).
func New(opts ...Option) (_ *Server, err error) {
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
		journals:    journal.NewPool(o.journalTotal),
		stateBudget: &stateBudget{limit: o.sandboxMemory},
		closing:     make(chan struct{}),
		started:     time.Now(),
	}
	router := s.buildingRoutes()
	// The listener after the router: a second core takes the router first,
	// which New waits for, and the listener next, which only Start does.
	if o.earlyListen {
		s.early = listenSoon(o.addr)
		defer func() {
			if err != nil {
				if ln, _ := s.early(); ln != nil {
					ln.Close()
				}
			}
		}()
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

	var c *compiled
	if o.stateFile != "" {
		if c, err = s.loadStateFile(o.stateFile); err != nil {
			return nil, err
		}
	}
	key := s.cacheKey()
	if c == nil {
		c = cachedCompiled(key)
	}
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
	s.handler = s.routes(router())
	return s, nil
}

// AdminToken returns the token the control API requires ("" for none), so
// in-process helpers such as emulatortest can call it.
func (s *Server) AdminToken() string { return s.opts.adminToken }

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Start listens on the configured address (or takes the listener
// WithEarlyListen opened) and serves in the background.
func (s *Server) Start() error {
	listen := func() (net.Listener, error) { return net.Listen("tcp", s.opts.addr) }
	if s.early != nil {
		listen = s.early
	}
	ln, err := listen()
	if err != nil {
		return err
	}
	return s.StartOn(ln)
}

// listenSoon opens addr's listener on another goroutine and returns the
// function that waits for it.
func listenSoon(addr string) func() (net.Listener, error) {
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		ln, err := net.Listen("tcp", addr)
		ch <- result{ln, err}
	}()
	return sync.OnceValues(func() (net.Listener, error) {
		r := <-ch
		return r.ln, r.err
	})
}

// StartOn serves in the background on ln, a listener the caller opened for
// the main address (with WithTLS and no TLS address of its own, HTTPS is
// served on it). The server owns ln from then and closes it on Close, or
// at once should StartOn fail.
func (s *Server) StartOn(ln net.Listener) error {
	var tlsConf *tls.Config
	if s.opts.tls != nil {
		b, err := s.TLSBundle()
		if err != nil {
			ln.Close()
			return err
		}
		tlsConf = b.ServerConfig()
	}
	mainTLS := tlsConf != nil && s.opts.tls.Addr == ""
	var err error
	var tlsLn net.Listener
	if tlsConf != nil && !mainTLS {
		if tlsLn, err = net.Listen("tcp", s.opts.tls.Addr); err != nil {
			ln.Close()
			return fmt.Errorf("TLS listener: %w", err)
		}
	}
	ln = newLimitListener(ln, s.opts.maxConnections, !mainTLS)
	if tlsLn != nil {
		tlsLn = newLimitListener(tlsLn, s.opts.maxConnections, false)
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
		HTTP2: &http.HTTP2Config{
			MaxConcurrentStreams:          MaxConcurrentStreams,
			MaxReceiveBufferPerStream:     http2StreamBuffer,
			MaxReceiveBufferPerConnection: http2ConnBuffer,
		},
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
	go s.sweeping()
	if s.opts.stateFile != "" && s.opts.stateSaveInterval > 0 {
		go s.savingState(s.opts.stateSaveInterval)
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
	var err error
	if s.httpSrv != nil {
		err = s.httpSrv.Shutdown(ctx)
	}
	if s.early != nil {
		// Closed already when Start served on it; else never served.
		if ln, _ := s.early(); ln != nil {
			_ = ln.Close()
		}
	}
	// Saved after the requests in flight have ended, so that their writes
	// are in the file.
	if s.opts.stateFile != "" {
		err = errors.Join(err, s.SaveState())
	}
	return err
}
