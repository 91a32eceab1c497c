// Package segmatch matches a request's path against a gorilla/mux route
// template segment by segment, filling the route's variables as mux's own
// path expression would, without compiling or running that expression:
// mux compiles one per route when the router is built, and runs every
// route's in turn on each request.
package segmatch

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gorilla/mux"
)

// Matcher returns a matcher that does what gorilla/mux's path expression
// for template does (match the path, then fill the route's variables)
// without a regular expression, and checks the method first (any method
// for ""). mux runs every route's path expression in turn, even on a
// method mismatch (to tell 405 from 404), and routes of a PathPrefix
// subrouter also run the prefix's; that was a sixth of a request's time.
// A router that tells 405 from 404 itself (credemu's unmatched probes each
// route with each of its methods) may end a route's match at the method.
//
// It returns nil for a template it cannot judge: a variable whose own
// pattern may span segments, or one that shares its segment with literal
// text. A variable matches one or more characters other than "/", as mux's
// default pattern does, or one or more of its pattern's character class.
func Matcher(method, template string) mux.MatcherFunc {
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
		if method != "" && r.Method != method {
			return false
		}
		// Segments come from the path as sent: a "/" the client escaped
		// is part of a segment, never a separator. Where the escaped and
		// the decoded path split alike (RawPath empty), the decoded one is
		// used as it is.
		p, escaped := r.URL.Path, r.URL.RawPath != ""
		if escaped {
			p = r.URL.RawPath
		}
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
			if escaped {
				var err error
				if seg, err = url.PathUnescape(seg); err != nil {
					return false
				}
			}
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

// isClassPlus reports whether a variable pattern is one the matcher
// judges: one character class without "/" (and not negated), repeated once
// or more, so the variable spans exactly one non-empty segment, as in
// {id:[0-9]+}. That is ^\[[^\]/^][^\]/]*\]\+$, written out (its test holds
// it to that pattern) so that package initialisation compiles nothing.
func isClassPlus(pattern string) bool {
	class, open := strings.CutPrefix(pattern, "[")
	class, closed := strings.CutSuffix(class, "]+")
	if !open || !closed || class == "" || class[0] == '^' {
		return false
	}
	return !strings.ContainsAny(class, "]/")
}

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
	if !isClassPlus(pattern) {
		return nil
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return nil
	}
	return re.MatchString
}
