// The route table: which family and operation a request reaches, in what
// order families are tried, how unclean paths and trailing slashes are
// answered; internal/segmatch stands in for mux's path expressions.

package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/credemu/credemu/emulator/admin"
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/internal/segmatch"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/middleware"
	"github.com/gorilla/mux"
)

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
	m map[string]func() http.Handler
}{m: map[string]func() http.Handler{}}

// buildingRoutes starts building the router of s's families in the
// background, unless it is cached or under way, and returns the function
// that waits for it. New calls it first, so that the router (the control
// API's routes at once, each family prefix's on first use) is built while
// the scenario is read and compiled, on a second core where there is one.
func (s *Server) buildingRoutes() func() http.Handler {
	var key strings.Builder
	for _, f := range s.families {
		key.WriteString(reflect.TypeOf(f).String() + "/" + f.Name() + ";")
	}
	routers.Lock()
	defer routers.Unlock()
	get := routers.m[key.String()]
	if get == nil {
		families := s.families
		get = sync.OnceValue(func() http.Handler { return buildRouter(families) })
		routers.m[key.String()] = get
		go get()
	}
	return get
}

// routes is the server's handler: the shared router, behind what every
// request needs first (its id, the server in its context, a cleaned path).
func (s *Server) routes(router http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(middleware.RequestIDContext(w, r), serverKey{}, s)
		if headerBytes(r) > MaxHeaderBytes {
			ctx = context.WithValue(ctx, headersTooLargeKey{}, true)
		}
		// Dot segments are resolved on the path as sent, so that an escaped
		// slash ("1%2f..%2fcredentials") stays inside its segment and never
		// reaches another object.
		if _, ok := cleanPath(RequestPath(r)); !ok {
			clean, _ := cleanPath(r.URL.EscapedPath())
			if f := s.familyOf(clean); f != nil {
				if refuse := f.Quirks().UncleanPath; refuse != nil {
					ctx = context.WithValue(ctx, uncleanPathKey{}, refuse(r.URL.Path))
				} else if decoded, err := url.PathUnescape(clean); err == nil {
					r = r.Clone(ctx)
					r.URL.Path, r.URL.RawPath = decoded, ""
					if r.URL.EscapedPath() != clean {
						r.URL.RawPath = clean
					}
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

// buildRouter returns the handler that routes to every family and the
// control API. A request goes to the first family prefix its path starts
// with, as mux tried a subrouter per prefix in the families' order, then to
// the control API, else it is answered 404. Each prefix's router is built
// when a request first needs it: building them all was most of building
// the router, which a fresh server's first answer (its health check, in a
// CI job) does not need.
func buildRouter(families []family.Family) http.Handler {
	rt := &router{notFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admin.WriteJSON(w, http.StatusNotFound, map[string]any{
			"error": fmt.Sprintf("no emulated API serves %s %s", r.Method, r.URL.Path),
			"apis":  serverFrom(r).familyNames(),
		})
	})}
	for _, f := range families {
		redact := sync.OnceValue(func() *journal.Redactor { return journal.NewRedactor(f.SecretFields()) })
		for i, prefix := range f.Prefixes() {
			rt.prefixes = append(rt.prefixes, prefixRoute{prefix, sync.OnceValue(func() http.Handler {
				return prefixRouter(f, i, prefix, redact())
			})})
		}
	}
	// The control API after the families: API requests, the many, test
	// one prefix fewer.
	// ServeHTTP hands it only paths under admin.Prefix.
	a := newMux()
	admin.Mount(a, func(r *http.Request) (admin.Backend, string) {
		s := serverFrom(r)
		return adminBackend{s}, s.opts.adminToken
	})
	rt.admin = a
	return rt
}

// newMux is a mux router as credemu routes: paths are cleaned (or refused)
// before routing, per family, since gorilla's own cleaning answers 301,
// which Go's client turns into a GET; UseEncodedPath: a route that falls
// back to mux's own expression matches the escaped path too (every route
// of the built-in families has a segment matcher).
func newMux() *mux.Router { return mux.NewRouter().SkipClean(true).UseEncodedPath() }

// router is buildRouter's handler.
type router struct {
	prefixes []prefixRoute // in the families' order, each family's in its own
	admin    http.Handler
	notFound http.Handler
}

// prefixRoute is one family prefix and its router, built once.
type prefixRoute struct {
	prefix string
	router func() http.Handler
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, p := range rt.prefixes {
		if strings.HasPrefix(r.URL.Path, p.prefix) {
			p.router().ServeHTTP(w, r)
			return
		}
	}
	if strings.HasPrefix(r.URL.EscapedPath(), admin.Prefix) {
		rt.admin.ServeHTTP(w, r)
		return
	}
	rt.notFound.ServeHTTP(w, r)
}

// prefixRouter routes the operations of f under its i-th prefix; what
// none takes is answered by unmatched.
func prefixRouter(f family.Family, i int, prefix string, redact *journal.Redactor) http.Handler {
	sub := newMux()
	// Literal paths first, so /credentials/aws is not taken for
	// /credentials/{credentialsIdentity}, and routes that require a query
	// parameter before those that do not; each route also matches on its
	// method, so DELETE /credentials/aws still reaches the variable route,
	// as in Spring's best-match routing.
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
	// mux tries routes one by one; grouped by method and depth, a request
	// is tried only against the routes of its own group. Groups keep the
	// order above within them, and a path matches in one group only,
	// unless some template can span segments.
	grouped := true
	matchers := make([]mux.MatcherFunc, len(ops))
	for i, op := range ops {
		matchers[i] = segmatch.Matcher(op.Method, prefix+op.Path)
		grouped = grouped && matchers[i] != nil
	}
	groups := map[routeGroup]*mux.Router{}
	var routes []*mux.Route
	for i, op := range ops {
		parent := sub
		if grouped {
			g := routeGroup{op.Method, strings.Count(prefix+op.Path, "/")}
			if groups[g] == nil {
				groups[g] = sub.NewRoute().MatcherFunc(g.match).Subrouter()
			}
			parent = groups[g]
		}
		rt := parent.NewRoute()
		if m := matchers[i]; m != nil {
			rt = rt.MatcherFunc(m).Methods(op.Method)
		} else {
			rt = rt.Methods(op.Method).Path(prefix + op.Path)
		}
		if len(op.Query) > 0 {
			rt = rt.Queries(op.Query...)
		}
		routes = append(routes, rt.Handler(pipeline(f, op, prefix+op.Path, redact)))
	}
	unmatched := unmatched(f, routes, redact)
	sub.NotFoundHandler = unmatched
	sub.MethodNotAllowedHandler = unmatched
	return sub
}

// unmatched answers requests under a family's prefix that no operation
// took: 405 with an Allow header when the path exists for other methods,
// else 404, both in the family's own format.
func unmatched(f family.Family, routes []*mux.Route, redact *journal.Redactor) http.Handler {
	notFound := pipeline(f, nil, "", redact)
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

// routeGroup is the routes of one method and one path depth (its number
// of slashes).
type routeGroup struct {
	method string
	depth  int
}

func (g routeGroup) match(r *http.Request, _ *mux.RouteMatch) bool {
	return r.Method == g.method && strings.Count(RequestPath(r), "/") == g.depth
}

// RequestPath is the request's path as the client sent it, escapes kept
// (the journal, the access log and fault rules record and match this).
func RequestPath(r *http.Request) string {
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.Path
}
