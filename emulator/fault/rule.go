// Package fault holds fault-injection rules and the engine that matches them
// against requests. A rule says which requests it applies to, when it fires
// (always, after N matches, at most N times, with a seeded probability) and
// what happens (an error in the API's own format, a delay, a dropped
// connection, or a failure after the write was committed).
package fault

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/credemu/credemu/emulator/api"
)

// Duration is a time.Duration written as "2s" or "150ms" in YAML and JSON.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: expected a duration such as 2s or 150ms", n.Line)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: expected a duration such as 2s or 150ms, got %q", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalJSON parses a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("delay: expected a duration string such as \"2s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("delay: expected a duration such as \"2s\", got %q", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string, as UnmarshalYAML reads it.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// Match selects the requests a rule applies to. Every field that is set must
// match; an empty Match matches every request.
type Match struct {
	// API is the family name: avisi, zstack, awx, vsphere.
	API string `yaml:"api,omitempty" json:"api,omitempty"`
	// Operation is the operation id (createCloudAccount).
	Operation string `yaml:"operation,omitempty" json:"operation,omitempty"`
	// Method is the HTTP method, case-insensitive.
	Method string `yaml:"method,omitempty" json:"method,omitempty"`
	// Path is the route template (/api/v1/orgs/{organisationSlug}/cloud-accounts),
	// the concrete path, or a glob over the concrete path where * stands for
	// one path segment.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Headers must all be present with these values; "*" means any value.
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Body fields, by dotted path into the JSON body, must equal these values.
	Body map[string]any `yaml:"body,omitempty" json:"body,omitempty"`
}

// Respond is what a firing rule does.
type Respond struct {
	// Status is the HTTP status the client sees (400..599).
	Status int `yaml:"status,omitempty" json:"status,omitempty"`
	// Kind picks the error body (already_exists, ...); derived from Status when empty.
	Kind api.Kind `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Message replaces the API's default message for the kind.
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
	// Delay holds the request this long first (cut short by the client going away).
	Delay Duration `yaml:"delay,omitempty" json:"delay,omitempty"`
	// Drop ends the connection without an answer: "reset" (TCP RST) or "close" (FIN).
	Drop string `yaml:"drop,omitempty" json:"drop,omitempty"`
}

// Rule is one fault-injection rule, as written in a scenario's faults: list
// or posted to /_emulator/faults.
type Rule struct {
	// Name identifies the rule in listings, the journal and coverage.
	Name  string `yaml:"name,omitempty" json:"name,omitempty"`
	Match Match  `yaml:"match" json:"match"`
	// After skips the first After matching requests.
	After int `yaml:"after,omitempty" json:"after,omitempty"`
	// Times fires the rule at most this many times; 0 means no limit.
	Times int `yaml:"times,omitempty" json:"times,omitempty"`
	// Probability fires the rule on this share of eligible matches, drawn
	// from the sandbox's seeded source so runs repeat; nil means always.
	Probability *float64 `yaml:"probability,omitempty" json:"probability,omitempty"`
	// Commit lets the handler run and commit the write, then replaces the
	// answer with the rule's effect.
	Commit  bool    `yaml:"commit,omitempty" json:"commit,omitempty"`
	Respond Respond `yaml:"respond" json:"respond"`
}

// IsError reports whether the rule answers with an error status.
func (r *Rule) IsError() bool { return r.Respond.Status != 0 || r.Respond.Kind != "" }

// Validate checks the rule on its own and normalises it: methods upper-case,
// body values converted to their JSON forms so they compare with request
// bodies. Checks that need the list of APIs and operations are done by the
// caller through a Checker.
func (r *Rule) Validate() error {
	var errs []error
	p := &r.Respond
	if p.Status != 0 && (p.Status < 400 || p.Status > 599) {
		errs = append(errs, fmt.Errorf("respond.status must be between 400 and 599, got %d", p.Status))
	}
	if p.Kind != "" && !p.Kind.Valid() {
		kinds := make([]string, len(api.Kinds))
		for i, k := range api.Kinds {
			kinds[i] = string(k)
		}
		errs = append(errs, fmt.Errorf("respond.kind %q is not one of: %s", p.Kind, strings.Join(kinds, ", ")))
	}
	switch p.Drop {
	case "", "reset", "close":
	default:
		errs = append(errs, fmt.Errorf("respond.drop must be reset or close, got %q", p.Drop))
	}
	if p.Delay < 0 {
		errs = append(errs, errors.New("respond.delay must not be negative"))
	}
	if !r.IsError() && p.Delay == 0 && p.Drop == "" {
		errs = append(errs, errors.New("respond needs at least one of status, kind, delay or drop"))
	}
	if p.Drop != "" && r.IsError() {
		errs = append(errs, errors.New("respond.drop cannot be combined with status or kind: a dropped connection has no answer"))
	}
	if r.Commit && !r.IsError() && p.Drop == "" {
		errs = append(errs, errors.New("commit: true needs a status, kind or drop to replace the answer with"))
	}
	if r.After < 0 || r.Times < 0 {
		errs = append(errs, errors.New("after and times must not be negative"))
	}
	// Written so that NaN fails too: every comparison with NaN is false.
	if r.Probability != nil && !(*r.Probability >= 0 && *r.Probability <= 1) {
		errs = append(errs, fmt.Errorf("probability must be between 0 and 1, got %v", *r.Probability))
	}
	r.Match.Method = strings.ToUpper(r.Match.Method)
	if len(r.Match.Body) > 0 {
		norm, err := normalise(r.Match.Body)
		if err != nil {
			errs = append(errs, fmt.Errorf("match.body: %v", err))
		} else {
			r.Match.Body = norm
		}
	}
	return errors.Join(errs...)
}

func normalise(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(b, &out)
	return out, err
}

// Request is what the engine knows of a request when matching.
type Request struct {
	API       string
	Operation string
	Method    string
	Template  string
	Path      string
	Header    http.Header
	// Body is the decoded JSON body, or nil.
	Body any
}

// headerWant is one of a Match's header conditions, its name canonical.
type headerWant struct{ name, value string }

// wantedHeaders returns m's header conditions with canonical names, made
// once when the rule is indexed rather than on every request.
func (m *Match) wantedHeaders() []headerWant {
	out := make([]headerWant, 0, len(m.Headers))
	for k, v := range m.Headers {
		out = append(out, headerWant{textproto.CanonicalMIMEHeaderKey(k), v})
	}
	return out
}

// matches reports whether req meets every condition of m; headers are
// m's header conditions as wantedHeaders makes them.
func (m *Match) matches(req *Request, headers []headerWant) bool {
	if m.API != "" && m.API != req.API {
		return false
	}
	if m.Operation != "" && m.Operation != req.Operation {
		return false
	}
	if m.Method != "" && m.Method != req.Method {
		return false
	}
	if m.Path != "" && m.Path != req.Template && m.Path != req.Path && !globMatch(m.Path, req.Path) {
		return false
	}
	for _, h := range headers {
		vals := req.Header[h.name]
		if len(vals) == 0 {
			return false
		}
		if h.value != "*" && !contains(vals, h.value) {
			return false
		}
	}
	for k, want := range m.Body {
		got, ok := lookup(req.Body, k)
		if !ok || !reflect.DeepEqual(got, want) {
			return false
		}
	}
	return true
}

func contains(vals []string, want string) bool {
	for _, v := range vals {
		if v == want {
			return true
		}
	}
	return false
}

// globMatch matches a path against a pattern where "*" stands for exactly
// one segment and "**" for any number of trailing segments.
func globMatch(pattern, path string) bool {
	if !strings.Contains(pattern, "*") {
		return false
	}
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		if p == "**" {
			return true
		}
		if i >= len(xs) || (p != "*" && p != xs[i]) {
			return false
		}
	}
	return len(ps) == len(xs)
}

// lookup follows a dotted path ("config.roles" or "items.0.name") into a
// decoded JSON value.
func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			var i int
			if _, err := fmt.Sscanf(part, "%d", &i); err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
