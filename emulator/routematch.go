package emulator

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// segmentFilter returns a matcher that turns a request away from a route,
// without a regular expression, when it cannot match: another method, a
// different number of segments, or a literal segment that differs.
// gorilla/mux tries every route of a subrouter in turn and runs each one's
// path expression even when the method already differs (to tell 405 from
// 404), which was a sixth of a request's time. credemu tells 405 from 404
// itself (unmatched probes each route with each of its methods), so a
// method mismatch may end a route's match at once. The filter only ever
// says no where the route would; nil means a template it cannot judge (a
// variable with its own pattern may span segments).
func segmentFilter(method, template string) mux.MatcherFunc {
	segs := strings.Split(template, "/")
	literal := make([]bool, len(segs))
	for i, s := range segs {
		if strings.Contains(s, "{") {
			if strings.Contains(s, ":") {
				return nil
			}
			continue
		}
		literal[i] = true
	}
	return func(r *http.Request, _ *mux.RouteMatch) bool {
		if r.Method != method {
			return false
		}
		p := r.URL.Path
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
			if literal[i] {
				if seg != s {
					return false
				}
			} else if seg == "" {
				return false // a variable matches one or more characters
			}
			p = p[end:]
		}
		return p == ""
	}
}
