package emulator

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gorilla/mux"
)

// segmentMatcher returns a matcher that does what gorilla/mux's path
// expression for template does (match the path, then fill the route's
// variables) without a regular expression, and checks the method first.
// mux runs every route's path expression in turn, even on a method
// mismatch (to tell 405 from 404), and routes of a PathPrefix subrouter
// also run the prefix's; that was a sixth of a request's time. credemu
// tells 405 from 404 itself (unmatched probes each route with each of its
// methods), so a method mismatch may end a route's match at once.
//
// It returns nil for a template it cannot judge: a variable whose own
// pattern may span segments, or one that shares its segment with literal
// text. A variable matches one or more characters other than "/", as mux's
// default pattern does, or one or more of its pattern's character class.
func segmentMatcher(method, template string) mux.MatcherFunc {
	segs := strings.Split(template, "/")
	names := make([]string, len(segs))             // the variable's name, "" for a literal
	checks := make([]func(string) bool, len(segs)) // a variable's own pattern, if any
	nvars := 0
	for i, s := range segs {
		if !strings.Contains(s, "{") {
			continue
		}
		if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") || strings.ContainsAny(s[1:len(s)-1], "{}") {
			return nil
		}
		name, pattern, hasPattern := strings.Cut(s[1:len(s)-1], ":")
		if hasPattern {
			if checks[i] = segmentPattern(pattern); checks[i] == nil {
				return nil
			}
		}
		names[i] = name
		nvars++
	}
	return func(r *http.Request, m *mux.RouteMatch) bool {
		if r.Method != method {
			return false
		}
		p := r.URL.Path
		var vars map[string]string
		for i, s := range segs {
			if i > 0 {
				if p == "" || p[0] != '/' {
					return false
				}
				p = p[1:]
			}
			end := strings.IndexByte(p, '/')
			if end < 0 {
				end = len(p)
			}
			seg := p[:end]
			switch {
			case names[i] == "":
				if seg != s {
					return false
				}
			case seg == "" || (checks[i] != nil && !checks[i](seg)):
				return false
			default:
				if vars == nil {
					vars = make(map[string]string, nvars)
				}
				vars[names[i]] = seg
			}
			p = p[end:]
		}
		if p != "" {
			return false
		}
		// The matched route's variables, as mux's own expression would
		// have set them (its later matchers are method and query checks).
		m.Vars = vars
		return true
	}
}

// classPlus is a variable pattern the matcher judges: one character class
// without "/" (and not negated), repeated once or more, so the variable
// spans exactly one non-empty segment, as in {id:[0-9]+}.
var classPlus = regexp.MustCompile(`^\[[^\]/^][^\]/]*\]\+$`)

// segmentPattern returns a check of one segment against a variable's
// pattern, or nil for a pattern that may span segments or match nothing.
func segmentPattern(pattern string) func(string) bool {
	if pattern == "[0-9]+" {
		return func(seg string) bool {
			for i := 0; i < len(seg); i++ {
				if seg[i] < '0' || seg[i] > '9' {
					return false
				}
			}
			return true
		}
	}
	if !classPlus.MatchString(pattern) {
		return nil
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return nil
	}
	return re.MatchString
}

// hasPrefix matches paths under prefix, as mux's PathPrefix does, without
// an expression that every route of the subrouter would run again.
func hasPrefix(prefix string) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool { return strings.HasPrefix(r.URL.Path, prefix) }
}

// routeGroup is the routes of one method and one path depth (its number
// of slashes).
type routeGroup struct {
	method string
	depth  int
}

func (g routeGroup) match(r *http.Request, _ *mux.RouteMatch) bool {
	return r.Method == g.method && strings.Count(r.URL.Path, "/") == g.depth
}
