package emulator_test

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// familyAuth is a valid credential per family in the default scenario.
var familyAuth = map[string]string{
	"avisi":   "Authorization: Token admin-token",
	"zstack":  "Authorization: OAuth 0123456789abcdef0123456789abcdef",
	"awx":     "Authorization: Basic YWRtaW46cGFzc3dvcmQ=",
	"vsphere": "Authorization: Basic YWRtaW5pc3RyYXRvckB2c3BoZXJlLmxvY2FsOlBhc3N3MHJkIQ==",
}

// pathValues fill path variables: valid (an existing object), badShape
// (wrong syntax) and unknown (well-formed but absent).
var pathValues = map[string][3]string{
	"organisationSlug":     {"acme", "ACME_Corp!", "no-such-org"},
	"cloudAccountIdentity": {"0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a01", "not-a-uuid", "00000000-0000-4000-8000-000000000000"},
	"credentialsIdentity":  {"5f1b7a0e-7c1e-4e8e-8d8b-2a1c9e6f0b12", "not-a-uuid", "00000000-0000-4000-8000-000000000000"},
	"uuid":                 {"894f1c5bf6714a76b08324c69b8cac7c", "NOT-HEX", "00000000000000000000000000000000"},
	"id":                   {"2", "abc", "99999"},
	"username":             {"ops", "-bad-", "ghost-user"},
}

var varRE = regexp.MustCompile(`\{([a-zA-Z]+)(?::[^}]*)?\}`)

func fillPath(tpl string, which int) string {
	return varRE.ReplaceAllStringFunc(tpl, func(m string) string {
		name := varRE.FindStringSubmatch(m)[1]
		return url.PathEscape(pathValues[name][which])
	})
}

type matrixOp struct {
	family, id, method, path string
	query                    []string
	body                     api.BodyMode
	hasVars                  bool
}

func allOps() []matrixOp {
	var out []matrixOp
	for _, f := range emulator.DefaultFamilies() {
		prefixes := f.Prefixes()
		for _, op := range f.Operations() {
			ops := []*api.Operation{op}
			if len(op.Actions) > 0 {
				ops = nil
				keys := make([]string, 0, len(op.Actions))
				for k := range op.Actions {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					ops = append(ops, op.Actions[k])
				}
			}
			for _, o := range ops {
				prefix := o.Prefix
				if prefix == "" {
					prefix = prefixes[0]
				}
				out = append(out, matrixOp{family: f.Name(), id: o.ID, method: o.Method, path: prefix + o.Path,
					query: o.Query, body: o.Body, hasVars: strings.Contains(o.Path, "{")})
			}
		}
	}
	return out
}

func TestBadInputMatrix(t *testing.T) {
	type input struct {
		name    string
		body    any
		headers []string
		path    int // which path values
	}
	bodyInputs := []input{
		{"malformed JSON", `{"a": `, nil, 0},
		{"JSON array", `[1, 2]`, nil, 0},
		{"JSON string", `"text"`, nil, 0},
		{"JSON number", `42`, nil, 0},
		{"JSON null", `null`, nil, 0},
		// Types no API coerces (DRF would take a number for a string).
		{"wrong field types", `{"name": {}, "displayName": [], "config": "x", "params": 1, "password": {}, "username": [], "description": [], "max_days": "x", "policy": "x", "email": 3}`, nil, 0},
		{"empty body", ``, nil, 0},
		{"huge body", `{"x": "` + strings.Repeat("a", 1<<20+10) + `"}`, nil, 0},
		{"text content type", `{}`, []string{"Content-Type: text/plain"}, 0},
		{"invalid UTF-8", []byte("{\"name\": \"\xff\xfe\"}"), nil, 0},
	}
	pathInputs := []input{
		{"path of wrong shape", nil, nil, 1},
		{"unknown ids", nil, nil, 2},
	}
	srv := emulatortest.Start(t, emulator.WithScenario("default"), emulator.WithResponseCheck(true))
	internal := regexp.MustCompile(`"SYS\.1006"|credemuResponseCheck`)
	sandboxes := 0
	for _, op := range allOps() {
		cases := []input{}
		if op.body != api.BodyNone {
			cases = append(cases, bodyInputs...)
		}
		if op.hasVars {
			cases = append(cases, pathInputs...)
		}
		for _, in := range cases {
			if in.name == "empty body" && op.body == api.BodyOptional {
				continue // a body the API may do without (POST /api/v2/tokens/)
			}
			urlFamily := strings.Split(strings.TrimPrefix(op.path, "/"), "/")[0]
			name := fmt.Sprintf("%s/%s/%s/%s", op.family, urlFamily, op.id, in.name)
			sandboxes++
			t.Run(name, func(t *testing.T) {
				sb := srv.Sandbox(fmt.Sprintf("m%04d", sandboxes))
				sb = sb.WithT(t)
				before := sb.State()["apis"]
				path := fillPath(op.path, in.path)
				if len(op.query) > 0 {
					path += "?" + url.QueryEscape(op.query[0]) + "=" + url.QueryEscape(op.query[1])
				}
				body := in.body
				if body == nil && op.body != api.BodyNone {
					body = `{}`
				}
				r := sb.Do(op.method, path, body, append([]string{familyAuth[op.family]}, in.headers...)...)
				if r.Status == 500 || internal.Match(r.Body) {
					t.Fatalf("%s %s: uninjected internal error %d: %.300s", op.method, path, r.Status, r.Body)
				}
				if op.family != "zstack" && r.Status >= 500 {
					t.Fatalf("%s %s: %d %.300s", op.method, path, r.Status, r.Body)
				}
				if r.Status < 400 && in.path == 0 {
					t.Fatalf("%s %s with %s was accepted: %d %.300s", op.method, path, in.name, r.Status, r.Body)
				}
				if diff := cmp.Diff(before, sb.State()["apis"]); diff != "" {
					t.Errorf("state changed by %s %s (%d):\n%s", op.method, path, r.Status, diff)
				}
			})
		}
	}
}
