// Package vsphere emulates the vSphere appliance local-accounts API in both
// of its URL families: the older /rest (bodies wrapped in {"value": ...},
// errors as {"type": "com.vmware.vapi.std.errors.<kind>", ...}) and the
// newer /api (bare bodies, errors as {"error_type": "...", ...}), with CIS
// sessions, over one shared state.
package vsphere

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Family is the vSphere appliance API family.
type Family struct {
	family.Base
}

// New returns the vSphere family, with its two URL families. /api is
// mounted after the other families' /api/v1 and /api/v2, which take
// precedence.
func New() *Family {
	f := &Family{Base: family.Base{
		FamilyName:   "vsphere",
		EmptyState:   func(env api.Env) api.State { return &State{env: env} },
		PathPrefixes: []string{"/rest", "/api"},
		Secrets:      []string{"password", "old_password"},
	}}
	f.Ops = f.operations()
	return f
}

// SessionHeader carries the session id on every call after login.
const SessionHeader = "vmware-api-session-id"

const (
	accounts = "/appliance/local-accounts"
	policy   = accounts + "/global-policy"
	one      = accounts + "/{username}"
)

func (f *Family) operations() []*api.Operation {
	op := func(prefix, id, method, path string, write bool, body api.BodyMode, resp string, h func(*State, *api.Request) (*api.Response, error)) *api.Operation {
		o := family.Op(id, method, path, write, body, "", h)
		o.Prefix = prefix
		urls := strings.TrimPrefix(prefix, "/")
		if body != api.BodyNone || id == "createLocalAccount" {
			o.Schema = "vsphere/" + urls + "/" + id
		}
		if resp != "" {
			o.ResponseSchema = "vsphere/responses/" + urls + "-" + resp
		}
		return o
	}
	const rest, v = "/rest", "/api"
	session := "/com/vmware/cis/session"
	ops := []*api.Operation{
		op(rest, "createSession", http.MethodPost, session, false, api.BodyNone, "session", createSession),
		op(rest, "deleteSession", http.MethodDelete, session, false, api.BodyNone, "", deleteSession),
		op(rest, "listLocalAccounts", http.MethodGet, accounts, false, api.BodyNone, "list", listAccounts),
		op(rest, "getGlobalPolicy", http.MethodGet, policy, false, api.BodyNone, "policy", getPolicy),
		op(rest, "setGlobalPolicy", http.MethodPut, policy, true, api.BodyRequired, "", setPolicy),
		op(rest, "getLocalAccount", http.MethodGet, one, false, api.BodyNone, "info", getAccount),
		op(rest, "createLocalAccount", http.MethodPost, one, true, api.BodyRequired, "", createAccount),
		op(rest, "setLocalAccount", http.MethodPut, one, true, api.BodyRequired, "", setAccount),
		op(rest, "updateLocalAccount", http.MethodPatch, one, true, api.BodyRequired, "", updateAccount),
		op(rest, "deleteLocalAccount", http.MethodDelete, one, true, api.BodyNone, "", deleteAccount),
		op(v, "createSession", http.MethodPost, "/session", false, api.BodyNone, "session", createSession),
		op(v, "getSession", http.MethodGet, "/session", false, api.BodyNone, "sessionInfo", getSession),
		op(v, "deleteSession", http.MethodDelete, "/session", false, api.BodyNone, "", deleteSession),
		op(v, "listLocalAccounts", http.MethodGet, accounts, false, api.BodyNone, "list", listAccounts),
		op(v, "createLocalAccount", http.MethodPost, accounts, true, api.BodyRequired, "", createAccount),
		op(v, "getGlobalPolicy", http.MethodGet, policy, false, api.BodyNone, "policy", getPolicy),
		op(v, "setGlobalPolicy", http.MethodPut, policy, true, api.BodyRequired, "", setPolicy),
		op(v, "getLocalAccount", http.MethodGet, one, false, api.BodyNone, "info", getAccount),
		op(v, "setLocalAccount", http.MethodPut, one, true, api.BodyRequired, "", setAccount),
		op(v, "updateLocalAccount", http.MethodPatch, one, true, api.BodyRequired, "", updateAccount),
		op(v, "deleteLocalAccount", http.MethodDelete, one, true, api.BodyNone, "", deleteAccount),
	}
	get := op(rest, "getSession", http.MethodPost, session, false, api.BodyNone, "sessionInfo", getSession)
	get.Query = []string{"~action", "get"}
	ops = append(ops, get)
	for _, o := range ops {
		o.SecretResponse = o.ID == "createSession"
	}
	return ops
}

// isREST reports whether the request came through the /rest family.
func isREST(r *api.Request) bool { return strings.HasPrefix(r.HTTP.URL.Path, "/rest/") }

// Authenticate takes HTTP Basic (for session creation, and on any call) or
// the vmware-api-session-id header or cookie. Sessions end after an idle
// time on the virtual clock. Every call needs a role; writes need
// superAdmin unless an account changes itself (checked by the handler).
func (f *Family) Authenticate(r *api.Request) error {
	s := r.State.(*State)
	s.mu.Lock()
	defer s.mu.Unlock()
	var p *session
	if name, pw, ok := r.HTTP.BasicAuth(); ok {
		p = s.login(name, pw)
		if p == nil {
			return unauthenticated()
		}
	} else if r.Op.ID == "createSession" {
		return unauthenticated()
	} else {
		id := r.HTTP.Header.Get(SessionHeader)
		if id == "" {
			if c, err := r.HTTP.Cookie(SessionHeader); err == nil {
				id = c.Value
			}
		}
		ss := s.sessions[id]
		if ss == nil || r.Now.Sub(ss.LastUsed) > s.idle {
			delete(s.sessions, id)
			return unauthenticated()
		}
		ss.LastUsed = r.Now
		cp := *ss
		p = &cp
	}
	r.Principal = p
	if p.Local {
		// A local account is locked from its inactive_at on: no session,
		// and Basic calls fail too.
		if a, ok := s.accounts.Get(p.User); ok {
			if at := a.inactiveAt(s.policy); at != nil && !r.Now.Before(*at) {
				return unauthenticated()
			}
		}
	}
	if r.Op.ID == "createSession" || r.Op.ID == "deleteSession" || r.Op.ID == "getSession" {
		return nil
	}
	if len(p.Roles) == 0 {
		return unauthorized()
	}
	if r.Op.Write && !slices.Contains(p.Roles, "superAdmin") && !(p.Local && r.Vars["username"] == p.User && r.Op.ID != "deleteLocalAccount") {
		return unauthorized()
	}
	return nil
}

// login checks Basic credentials against the SSO users, then the enabled
// local accounts, and returns a session that is not stored yet. Caller
// holds the lock.
func (s *State) login(name, password string) *session {
	if u := s.users[strings.ToLower(name)]; u != nil && u.Password == password {
		return &session{User: u.Username, Roles: slices.Clone(u.Roles)}
	}
	if a, ok := s.accounts.Get(name); ok && a.Enabled && a.Password != "" && a.Password == password {
		return &session{User: a.Username, Roles: a.Roles, Local: true}
	}
	return nil
}

// Render writes a success: /rest wraps bodies in {"value": ...} and
// answers 200; /api sends bodies bare, 204 for operations with no result.
func (f *Family) Render(w http.ResponseWriter, r *api.Request, resp *api.Response) {
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	if isREST(r) {
		if resp.Body == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": resp.Body})
		return
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
		if resp.Body == nil {
			status = http.StatusNoContent
		}
	}
	if resp.Body == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, resp.Body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	api.WriteJSON(w, status, "application/json", v,
		`{"error_type":"ERROR","messages":[{"args":[],"default_message":"Response encoding failed.","id":"com.vmware.vapi.std.errors.error"}]}`)
}

// Message is a vAPI localizable message.
type Message struct {
	Args           []string `json:"args"`
	DefaultMessage string   `json:"default_message"`
	ID             string   `json:"id"`
}

// vapiKinds maps kinds to the vAPI standard error, its HTTP status and a
// default message.
var vapiKinds = map[api.Kind]struct {
	name   string
	status int
	msg    Message
}{
	api.KindInvalidArgument:      {"invalid_argument", 400, Message{[]string{}, "Invalid argument.", "com.vmware.vapi.std.errors.invalid_argument"}},
	api.KindAlreadyExists:        {"already_exists", 400, Message{[]string{}, "The resource already exists.", "com.vmware.vapi.std.errors.already_exists"}},
	api.KindUnauthenticated:      {"unauthenticated", 401, Message{[]string{}, "Authentication required.", "com.vmware.vapi.endpoint.method.authentication.required"}},
	api.KindPermissionDenied:     {"unauthorized", 403, Message{[]string{}, "Permission denied.", "com.vmware.vapi.endpoint.method.authorization.invalid"}},
	api.KindNotFound:             {"not_found", 404, Message{[]string{}, "Not found.", "com.vmware.vapi.rest.httpNotFound"}},
	api.KindInternal:             {"error", 500, Message{[]string{}, "A server error occurred.", "com.vmware.vapi.std.errors.error"}},
	api.KindMethodNotAllowed:     {"operation_not_found", 405, Message{[]string{}, "Operation not found.", "com.vmware.vapi.rest.httpMethodNotAllowed"}},
	api.KindUnsupportedMediaType: {"invalid_request", 415, Message{[]string{}, "Unsupported media type.", "com.vmware.vapi.rest.unsupportedMediaType"}},
	api.KindPayloadTooLarge:      {"invalid_request", 413, Message{[]string{}, "Request body is too large.", "com.vmware.vapi.rest.requestTooLarge"}},
	api.KindUnavailable:          {"service_unavailable", 503, Message{[]string{}, "Service unavailable.", "com.vmware.vapi.std.errors.service_unavailable"}},
}

// RenderError writes the error in the format of the URL family called.
func (f *Family) RenderError(w http.ResponseWriter, r *api.Request, e *api.Error) {
	k, ok := vapiKinds[e.Kind]
	if !ok {
		k = vapiKinds[api.KindInternal]
	}
	msgs := messages(e, k.msg)
	status := e.StatusOr(k.status)
	if isREST(r) {
		writeJSON(w, status, map[string]any{"type": "com.vmware.vapi.std.errors." + k.name, "value": map[string]any{"messages": msgs}})
		return
	}
	writeJSON(w, status, map[string]any{"error_type": strings.ToUpper(k.name), "messages": msgs})
}

// messages builds the message stack: one message per failing field, else
// the error's own message, else the kind's default.
func messages(e *api.Error, def Message) []Message {
	var out []Message
	for _, fe := range e.Fields {
		name := fe.Field()
		if fe.Location() == "body" && strings.HasPrefix(name, "config.") {
			name = strings.TrimPrefix(name, "config.")
		}
		if fe.Keyword == "required" {
			out = append(out, Message{Args: []string{name}, ID: "vapi.data.structure.field.missing",
				DefaultMessage: fmt.Sprintf("Structure is missing a field '%s'", name)})
			continue
		}
		out = append(out, Message{Args: []string{name}, ID: "vapi.data.validate.invalid",
			DefaultMessage: fmt.Sprintf("Invalid value for field '%s': %s", name, fe.Message)})
	}
	if len(out) > 0 {
		return out
	}
	m := def
	if e.Message != "" {
		m.DefaultMessage = e.Message
		if e.Code != "" {
			m.ID = e.Code
		}
	}
	return []Message{m}
}

func unauthenticated() error {
	return &api.Error{Kind: api.KindUnauthenticated}
}

func unauthorized() error {
	return &api.Error{Kind: api.KindPermissionDenied, Message: "Unable to authorize user", Code: "vapi.security.authorization.invalid"}
}
