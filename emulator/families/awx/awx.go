// Package awx emulates the AWX (Ansible Automation Platform controller)
// API for users and their credentials under /api/v2/: ping, me, users, a
// user's credentials, credentials and credential types, with Django REST
// framework's paging, filtering, error bodies and trailing-slash redirects.
// Behaviour and messages follow AWX 24.6.1's serializers and access rules.
//
// One file per resource (users.go, credentials.go, credential_types.go,
// organizations.go, teams.go, tokens.go, roles.go, ...), as in moto and vcsim:
// a behaviour is one hop from its name.
package awx

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Family is the AWX API family.
type Family struct {
	family.Base
}

// New returns the AWX family. Django answers a path without its trailing
// slash (/api/v2/users) with a 301 to the slashed one.
func New() *Family {
	f := &Family{Base: family.Base{
		FamilyName:   "awx",
		EmptyState:   func(env api.Env) api.State { return &State{env: env} },
		PathPrefixes: []string{"/api/v2"},
		Secrets: []string{"ssh_key_data", "ssh_key_unlock", "ssh_public_key_data", "become_password", "vault_password",
			"authorize_password", "security_token", "secret", "oauth_token", "bearer_token", "ssl_ca_cert", "inputs"},
		Transport: family.Quirks{TrailingSlashRedirect: true},
	}}
	f.Ops = f.operations()
	return f
}

type principal struct {
	user     *user
	readOnly bool
}

func (f *Family) operations() []*api.Operation {
	type handler = func(*State, *api.Request) (*api.Response, error)
	op := func(id, method, path string, write bool, body api.BodyMode, resp string, h handler) *api.Operation {
		if write {
			h = withActivity(h) // every successful write goes into the activity stream
		}
		o := family.Op(id, method, path, write, body, resp, h)
		if body != api.BodyNone {
			o.Schema = "awx/" + id
		}
		return o
	}
	const (
		users = "/users/"
		user  = "/users/{id:[0-9]+}/"
		creds = "/credentials/"
		cred  = "/credentials/{id:[0-9]+}/"
		types = "/credential_types/"
		ctype = "/credential_types/{id:[0-9]+}/"
		orgs  = "/organizations/"
		org   = "/organizations/{id:[0-9]+}/"
		teams = "/teams/"
		team  = "/teams/{id:[0-9]+}/"
		toks  = "/tokens/"
		tok   = "/tokens/{id:[0-9]+}/"
		role  = "/roles/{id:[0-9]+}/"
		srcs  = "/credential_input_sources/"
		src   = "/credential_input_sources/{id:[0-9]+}/"
	)
	// crud is the six operations Django REST framework's list-create and
	// retrieve-update-destroy views give a resource; PUT and PATCH share a
	// handler, which tells them apart.
	crud := func(name, coll, one, resp string, list, create, get, update, del handler) []*api.Operation {
		r := "awx/responses/" + resp
		return []*api.Operation{
			op("list"+name+"s", http.MethodGet, coll, false, api.BodyNone, r+"Page", list),
			op("create"+name, http.MethodPost, coll, true, api.BodyRequired, r, create),
			op("get"+name, http.MethodGet, one, false, api.BodyNone, r, get),
			op("replace"+name, http.MethodPut, one, true, api.BodyRequired, r, update),
			op("update"+name, http.MethodPatch, one, true, api.BodyRequired, r, update),
			op("delete"+name, http.MethodDelete, one, true, api.BodyNone, "", del),
		}
	}
	ops := []*api.Operation{
		op("ping", http.MethodGet, "/ping/", false, api.BodyNone, "awx/responses/ping", ping),
		op("me", http.MethodGet, "/me/", false, api.BodyNone, "awx/responses/userPage", me),
	}
	ops = append(ops, crud("User", users, user, "user", listUsers, createUser, getUser, updateUser, deleteUser)...)
	ops = append(ops,
		op("listUserCredentials", http.MethodGet, user+"credentials/", false, api.BodyNone, "awx/responses/credentialPage", listUserCredentials),
		op("createUserCredential", http.MethodPost, user+"credentials/", true, api.BodyRequired, "awx/responses/credential", createUserCredential),
	)
	ops = append(ops, crud("Credential", creds, cred, "credential", listCredentials, createCredential, getCredential, updateCredential, deleteCredential)...)
	ops = append(ops, crud("CredentialType", types, ctype, "credentialType", listCredentialTypes, createCredentialType, getCredentialType, updateCredentialType, deleteCredentialType)...)
	ops = append(ops,
		op("listCredentialTypeCredentials", http.MethodGet, ctype+"credentials/", false, api.BodyNone, "awx/responses/credentialPage", listTypeCredentials),
		op("createCredentialTypeCredential", http.MethodPost, ctype+"credentials/", true, api.BodyRequired, "awx/responses/credential", createTypeCredential),
		op("getCredentialCopy", http.MethodGet, cred+"copy/", false, api.BodyNone, "awx/responses/copy", getCredentialCopy),
		op("copyCredential", http.MethodPost, cred+"copy/", true, api.BodyRequired, "awx/responses/credential", copyCredential),
		op("listCredentialObjectRoles", http.MethodGet, cred+"object_roles/", false, api.BodyNone, "awx/responses/rolePage", listObjectRoles),
		op("listCredentialInputSourcesOfCredential", http.MethodGet, cred+"input_sources/", false, api.BodyNone, "awx/responses/inputSourcePage", listInputSources),
		op("createCredentialInputSourceOfCredential", http.MethodPost, cred+"input_sources/", true, api.BodyRequired, "awx/responses/inputSource", createInputSource),
	)
	ops = append(ops, crud("CredentialInputSource", srcs, src, "inputSource", listInputSources, createInputSource, getInputSource, updateInputSource, deleteInputSource)...)
	ops = append(ops, crud("Organization", orgs, org, "organization", listOrganizations, createOrganization, getOrganization, updateOrganization, deleteOrganization)...)
	ops = append(ops,
		op("listOrganizationObjectRoles", http.MethodGet, org+"object_roles/", false, api.BodyNone, "awx/responses/rolePage", listObjectRoles),
		op("listOrganizationUsers", http.MethodGet, org+"users/", false, api.BodyNone, "awx/responses/userPage", listMembers),
		op("addOrganizationUser", http.MethodPost, org+"users/", true, api.BodyRequired, "", addMember),
		op("listOrganizationAdmins", http.MethodGet, org+"admins/", false, api.BodyNone, "awx/responses/userPage", listMembers),
		op("addOrganizationAdmin", http.MethodPost, org+"admins/", true, api.BodyRequired, "", addMember),
	)
	ops = append(ops, crud("Team", teams, team, "team", listTeams, createTeam, getTeam, updateTeam, deleteTeam)...)
	ops = append(ops,
		op("listTeamObjectRoles", http.MethodGet, team+"object_roles/", false, api.BodyNone, "awx/responses/rolePage", listObjectRoles),
		op("listTeamRoles", http.MethodGet, team+"roles/", false, api.BodyNone, "awx/responses/rolePage", listTeamRoles),
		op("listActivityStream", http.MethodGet, "/activity_stream/", false, api.BodyNone, "", listActivityStream),
		op("getActivityStream", http.MethodGet, "/activity_stream/{id:[0-9]+}/", false, api.BodyNone, "", getActivity),
		op("listUserActivityStream", http.MethodGet, user+"activity_stream/", false, api.BodyNone, "", objectActivity(getUser)),
		op("listTeamActivityStream", http.MethodGet, team+"activity_stream/", false, api.BodyNone, "", objectActivity(getTeam)),
		op("listOrganizationActivityStream", http.MethodGet, org+"activity_stream/", false, api.BodyNone, "", objectActivity(getOrganization)),
		op("listCredentialActivityStream", http.MethodGet, cred+"activity_stream/", false, api.BodyNone, "", objectActivity(getCredential)),
		op("listCredentialTypeActivityStream", http.MethodGet, ctype+"activity_stream/", false, api.BodyNone, "", objectActivity(getCredentialType)),
		op("listCredentialInputSourceActivityStream", http.MethodGet, src+"activity_stream/", false, api.BodyNone, "", objectActivity(getInputSource)),
		op("listTokenActivityStream", http.MethodGet, tok+"activity_stream/", false, api.BodyNone, "", objectActivity(getToken)),
		op("listUserAccessList", http.MethodGet, user+"access_list/", false, api.BodyNone, "", accessList(getUser)),
		op("listTeamAccessList", http.MethodGet, team+"access_list/", false, api.BodyNone, "", accessList(getTeam)),
		op("listOrganizationAccessList", http.MethodGet, org+"access_list/", false, api.BodyNone, "", accessList(getOrganization)),
		op("listCredentialAccessList", http.MethodGet, cred+"access_list/", false, api.BodyNone, "", accessList(getCredential)),
		// The related lists every object advertises.
		op("listUserTeams", http.MethodGet, user+"teams/", false, api.BodyNone, "", listUserTeams),
		op("listUserOrganizations", http.MethodGet, user+"organizations/", false, api.BodyNone, "", listUserOrganizations),
		op("listUserAdminOfOrganizations", http.MethodGet, user+"admin_of_organizations/", false, api.BodyNone, "", listUserOrganizations),
		op("listUserTokens", http.MethodGet, user+"tokens/", false, api.BodyNone, "", listUserTokens),
		op("listUserPersonalTokens", http.MethodGet, user+"personal_tokens/", false, api.BodyNone, "", listUserTokens),
		op("listUserAuthorizedTokens", http.MethodGet, user+"authorized_tokens/", false, api.BodyNone, "", listUserTokens),
		op("listOrganizationTeams", http.MethodGet, org+"teams/", false, api.BodyNone, "", listOrganizationTeams),
		op("listOrganizationCredentials", http.MethodGet, org+"credentials/", false, api.BodyNone, "awx/responses/credentialPage", listOrganizationCredentials),
		op("listTeamCredentials", http.MethodGet, team+"credentials/", false, api.BodyNone, "awx/responses/credentialPage", listTeamCredentials),
		op("listCredentialOwnerUsers", http.MethodGet, cred+"owner_users/", false, api.BodyNone, "", listCredentialOwnerUsers),
		op("listCredentialOwnerTeams", http.MethodGet, cred+"owner_teams/", false, api.BodyNone, "", listCredentialOwnerTeams),
		op("grantTeamRole", http.MethodPost, team+"roles/", true, api.BodyRequired, "", grantTeamRole),
		op("listTeamUsers", http.MethodGet, team+"users/", false, api.BodyNone, "awx/responses/userPage", listMembers),
		op("addTeamUser", http.MethodPost, team+"users/", true, api.BodyRequired, "", addMember),
		op("listTokens", http.MethodGet, toks, false, api.BodyNone, "awx/responses/tokenPage", listTokens),
		op("createToken", http.MethodPost, toks, true, api.BodyOptional, "awx/responses/token", createToken),
		op("getToken", http.MethodGet, tok, false, api.BodyNone, "awx/responses/token", getToken),
		op("deleteToken", http.MethodDelete, tok, true, api.BodyNone, "", deleteToken),
		op("getRole", http.MethodGet, role, false, api.BodyNone, "awx/responses/role", getRole),
		op("listRoleUsers", http.MethodGet, role+"users/", false, api.BodyNone, "awx/responses/userPage", listRoleUsers),
		op("grantRoleToUser", http.MethodPost, role+"users/", true, api.BodyRequired, "", grantRoleUser),
		op("listRoleTeams", http.MethodGet, role+"teams/", false, api.BodyNone, "awx/responses/teamPage", listRoleTeams),
		op("grantRoleToTeam", http.MethodPost, role+"teams/", true, api.BodyRequired, "", grantRoleTeam),
		op("listUserRoles", http.MethodGet, user+"roles/", false, api.BodyNone, "awx/responses/rolePage", listUserRoles),
		op("grantUserRole", http.MethodPost, user+"roles/", true, api.BodyRequired, "", grantUserRole),
	)
	// Related lists of objects credemu does not model: an empty page, so
	// that every link the objects advertise answers as AWX's paging does.
	for _, u := range []struct{ parent, base, lists string }{
		{"Organization", org, "applications execution_environments galaxy_credentials instance_groups inventories job_templates notification_templates projects workflow_job_templates"},
		{"Team", team, "projects"},
		{"User", user, "projects"},
	} {
		for _, name := range strings.Fields(u.lists) {
			id := "list" + u.parent + camel(name)
			ops = append(ops, op(id, http.MethodGet, u.base+name+"/", false, api.BodyNone, "", listUnmodelled))
		}
	}
	return ops
}

// camel turns a related list's name into an operation id's part:
// job_templates is JobTemplates.
func camel(name string) string {
	var b strings.Builder
	for _, w := range strings.Split(name, "_") {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

const notProvided = "Authentication credentials were not provided. To establish a login session, visit /api/login/."

// Authenticate accepts HTTP Basic with a user's password and
// "Authorization: Bearer <token>"; ping needs neither.
func (f *Family) Authenticate(r *api.Request) error {
	// Django's <int:pk> converter reads "0002" as 2; so must the lookup.
	if id, ok := r.Vars["id"]; ok {
		if n, err := strconv.Atoi(id); err == nil {
			r.Vars["id"] = strconv.Itoa(n)
		}
	}
	if r.Op.ID == "ping" {
		return nil
	}
	s := r.State.(*State)
	scheme, cred, _ := strings.Cut(r.HTTP.Header.Get("Authorization"), " ")
	cred = strings.TrimSpace(cred)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var p *principal
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		name, pw, ok := strings.Cut(string(raw), ":")
		if err != nil || !ok {
			return &api.Error{Kind: api.KindUnauthenticated, Message: "Invalid basic header. Credentials not correctly base64 encoded."}
		}
		u := s.userByName(name)
		if u == nil || u.Password == "" || u.Password != pw {
			return &api.Error{Kind: api.KindUnauthenticated, Message: "Invalid username/password."}
		}
		p = &principal{user: u}
	case "bearer":
		t, ok := s.tokens[cred]
		if !ok {
			return &api.Error{Kind: api.KindUnauthenticated}
		}
		u := s.userByName(t.User)
		if u == nil || !r.Now.Before(t.Expires) {
			return &api.Error{Kind: api.KindUnauthenticated}
		}
		p = &principal{user: u, readOnly: t.Scope == "read"}
	default:
		return &api.Error{Kind: api.KindUnauthenticated}
	}
	if p.readOnly && r.Op.Write {
		return &api.Error{Kind: api.KindPermissionDenied}
	}
	r.Principal = p
	return nil
}

// userByName returns the stored user, not a copy: every request looks its
// caller up, and stored users are replaced on change, never changed in
// place, so the caller may read it after the lock is gone but must not
// change it. Caller holds the lock.
func (s *State) userByName(name string) *user {
	id, ok := s.byName.Get(name)
	if !ok {
		return nil
	}
	u, _ := s.users.PeekID(id)
	return u
}

func caller(r *api.Request) *user { return r.Principal.(*principal).user }

// setHeaders adds the X-API-* headers AWX sends on every answer.
func (f *Family) setHeaders(w http.ResponseWriter, r *api.Request) {
	version := DefaultVersion
	if s, ok := r.State.(*State); ok && s != nil {
		s.mu.RLock()
		version = s.version
		s.mu.RUnlock()
	}
	h := w.Header()
	// Constant values are shared slices, set under their canonical keys:
	// Header.Set would canonicalise and allocate on every answer.
	h["X-Api-Product-Name"] = productName
	h["X-Api-Product-Version"] = []string{version}
	h["X-Api-Node"] = nodeName
	h["X-Api-Time"] = []string{strconv.FormatFloat(time.Since(r.Received).Seconds(), 'f', 3, 64) + "s"}
	h["Vary"] = varyOn
	h["Allow"] = allowFor(r)
}

// The header values every answer shares; never changed in place.
var (
	productName  = []string{"AWX"}
	nodeName     = []string{"awx-1"}
	varyOn       = []string{"Accept, Authorization, Cookie"}
	allowNone    = []string{""}
	allowRead    = []string{"GET, HEAD, OPTIONS"}
	allowItem    = []string{"GET, PUT, PATCH, DELETE, HEAD, OPTIONS"}
	allowListing = []string{"GET, POST, HEAD, OPTIONS"}
)

// allowFor lists the methods the matched path takes, as DRF's Allow header.
func allowFor(r *api.Request) []string {
	if r.Op == nil {
		return allowNone
	}
	p := r.Op.Path
	switch {
	case p == "/ping/" || p == "/me/" || strings.HasSuffix(p, "}/credentials/") && strings.HasPrefix(p, "/credential_types/"):
		return allowRead
	case strings.HasSuffix(p, "}/"):
		return allowItem
	}
	return allowListing
}

// Render writes a successful answer as JSON.
func (f *Family) Render(w http.ResponseWriter, r *api.Request, resp *api.Response) {
	f.setHeaders(w, r)
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	if resp.Body == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, resp.Body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	api.WriteJSON(w, status, "application/json", v, `{"detail":"A server error has occurred."}`)
}

var defaultDetail = map[api.Kind]string{
	api.KindUnauthenticated:  notProvided,
	api.KindPermissionDenied: "You do not have permission to perform this action.",
	api.KindNotFound:         "Not found.",
	api.KindInternal:         "A server error has occurred.",
	api.KindUnavailable:      "Service temporarily unavailable, try again later.",
	api.KindPayloadTooLarge:  "Request body is too large.",
	api.KindInvalidArgument:  "Invalid input.",
}

// RenderError writes DRF's error bodies: {"detail": ...} for request-level
// errors, {"field": ["..."]} (nested under "inputs") for validation,
// {"__all__": [...]} for uniqueness.
func (f *Family) RenderError(w http.ResponseWriter, r *api.Request, e *api.Error) {
	f.setHeaders(w, r)
	status := e.StatusOr(e.Kind.DefaultStatus())
	var body any
	switch {
	case len(e.Fields) > 0:
		body = fieldErrors(r, e.Fields)
	case e.Kind == api.KindAlreadyExists:
		msg := e.Message
		if msg == "" {
			msg = "Credential with this Organization, Name and Credential type already exists."
		}
		body = map[string][]string{"__all__": {msg}}
	case e.Kind == api.KindMethodNotAllowed:
		body = map[string]string{"detail": fmt.Sprintf("Method \"%s\" not allowed.", r.HTTP.Method)}
	case e.Kind == api.KindUnsupportedMediaType:
		body = map[string]string{"detail": fmt.Sprintf("Unsupported media type \"%s\" in request.", r.HTTP.Header.Get("Content-Type"))}
	case e.Kind == api.KindInvalidArgument && e.Transport && strings.HasPrefix(e.Message, "Malformed JSON"):
		body = map[string]string{"detail": "JSON parse error - " + strings.TrimPrefix(e.Message, "Malformed JSON request body: ")}
	case e.Kind == api.KindNotFound && e.Transport:
		body = map[string]string{"detail": "The requested resource could not be found."}
	default:
		msg := e.Message
		if msg == "" {
			msg = defaultDetail[e.Kind]
		}
		body = map[string]string{"detail": msg}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer realm=api authorization_url=/api/o/authorize/")
	}
	writeJSON(w, status, body)
}

// Compiled on first use: only error bodies need them, and every launch
// would pay for them in package initialisation.
var (
	lengthRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<= (\d+)`) })
	mustRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^must be (\w+)`) })
)

// pkFields are relations DRF validates as primary keys.
var pkFields = map[string]bool{"credential_type": true, "organization": true, "user": true, "team": true}

// fieldErrors turns schema and handler field errors into DRF's shape.
func fieldErrors(r *api.Request, fes []api.FieldError) map[string]any {
	out := map[string]any{}
	add := func(key, msg string) {
		list, _ := out[key].([]string)
		out[key] = append(list, msg)
	}
	for _, fe := range fes {
		parts := strings.Split(strings.TrimPrefix(fe.Pointer, "/body"), "/")[1:]
		if fe.Location() != "body" {
			add("detail", fe.Field()+": "+fe.Message)
			continue
		}
		if len(parts) == 0 {
			add("non_field_errors", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyType(r.JSON)))
			continue
		}
		// inputs and metadata are JSON fields whose checks AWX reports
		// per key, one level down.
		if (parts[0] == "inputs" || parts[0] == "metadata") && fe.Keyword == awxKeyword {
			if len(parts) == 1 {
				add(parts[0], fe.Message)
				continue
			}
			nested, _ := out[parts[0]].(map[string][]string)
			if nested == nil {
				nested = map[string][]string{}
				out[parts[0]] = nested
			}
			nested[parts[1]] = append(nested[parts[1]], fe.Message)
			continue
		}
		add(parts[0], drfMessage(r, fe, parts[0]))
	}
	return out
}

// drfMessage words a schema failure the way Django REST framework does.
func drfMessage(r *api.Request, fe api.FieldError, field string) string {
	value := lookup(r.JSON, field)
	switch fe.Keyword {
	case awxKeyword:
		return fe.Message
	case "required":
		return "This field is required."
	case "minLength":
		return "This field may not be blank."
	case "maxLength":
		if m := lengthRE().FindStringSubmatch(fe.Message); m != nil {
			return fmt.Sprintf("Ensure this field has no more than %s characters.", m[1])
		}
	case "pattern":
		if field == "username" {
			return "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
		}
		if pkFields[field] {
			return fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pyType(value))
		}
	case "format":
		if field == "email" {
			return "Enter a valid email address."
		}
	case "enum", "const":
		return fmt.Sprintf("\"%v\" is not a valid choice.", value)
	case "type":
		if m, _ := r.JSON.(map[string]any); m != nil && pkFields[field] {
			if v, sent := m[field]; sent && v == nil {
				// DRF's Field.validate_empty_values, before any type check,
				// for a relation. AWX's char and boolean fields take null
				// (awx/api/fields.py, NullFieldMixin) and are not worded here.
				return "This field may not be null."
			}
		}
		want := ""
		if m := mustRE().FindStringSubmatch(fe.Message); m != nil {
			want = m[1]
		}
		switch {
		case pkFields[field]:
			return fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pyType(value))
		case want == "string":
			return "Not a valid string."
		case want == "boolean":
			return "Must be a valid boolean."
		case want == "object":
			return fmt.Sprintf("Expected a dictionary of items but got type \"%s\".", pyType(value))
		case want == "integer":
			return "A valid integer is required."
		}
	}
	return fe.Message
}

func lookup(v any, field string) any {
	if m, ok := v.(map[string]any); ok {
		return m[field]
	}
	return nil
}

// intOf reads a DRF primary key: a JSON number or a numeric string.
func intOf(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// strOf reads a DRF CharField, which takes numbers too.
func strOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// boolOf reads a DRF BooleanField.
func boolOf(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		b, _ := toBool(x)
		return b
	case float64:
		return x != 0
	}
	return false
}

// ping answers without authentication.
func ping(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	v := s.version
	s.mu.RUnlock()
	hb := formatTime(r.Now)
	return ok(map[string]any{
		"ha": false, "version": v, "active_node": "awx-1", "install_uuid": "4cfa6d22-5a39-4e0e-9a6c-2b2e7e0c4d61",
		"instances":       []any{map[string]any{"node": "awx-1", "node_type": "hybrid", "uuid": "7c3f3a3e-4c5a-4b1e-9f0b-2a1d5e6f7a8b", "heartbeat": hb, "capacity": 100, "version": v}},
		"instance_groups": []any{map[string]any{"name": "default", "capacity": 100, "instances": []string{"awx-1"}}},
	})
}
