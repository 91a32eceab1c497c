// Activity stream: AWX records every create, update, delete, associate and
// disassociate of its objects, with the actor and what changed, and serves
// it at /api/v2/activity_stream/ and under each object
// (/users/{id}/activity_stream/, ...). credemu records the same operations
// of the objects it models, from each successful write.

package awx

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/credemu/credemu/emulator/api"
)

// maxActivity bounds a sandbox's activity stream: the oldest entries go
// first (a tenth at a time), as AWX's cleanup_activitystream job would
// remove them.
const maxActivity = 1000

// activity is one activity-stream entry.
type activity struct {
	ID         int
	Time       time.Time
	Operation  string // create, update, delete, associate, disassociate
	Object1    string // the model affected (associate: the one associated)
	Object2    string // associate: the model it was associated with
	Assoc      string // object_association: "role", or the relationship
	ObjectType string
	Changes    map[string]any
	// body and bodyID are a create's or update's request body, turned into
	// Changes only when the entry is read: writes do not pay for it.
	body      map[string]any
	bodyID    int
	ActorID   int
	ActorName string
	Refs      []objRef
}

// objRef is an object an entry is about, by its AWX model name.
type objRef struct {
	model string
	id    int
}

// models maps a URL segment to AWX's model name.
var models = map[string]string{
	"users": "user", "credentials": "credential", "credential_types": "credential_type",
	"organizations": "organization", "teams": "team", "tokens": "o_auth2_access_token",
	"credential_input_sources": "credential_input_source", "roles": "role", "admins": "user",
}

// segmentOf is models reversed: the URL segment of a model. It is built on
// first use: only the activity stream's views read it.
var segmentOf = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for seg, m := range models {
		if seg != "admins" {
			out[m] = seg
		}
	}
	return out
})

// secretChange is what AWX writes in changes for a secret field.
const secretChange = "hidden"

// withActivity wraps a write handler so that its success is recorded.
func withActivity(h func(*State, *api.Request) (*api.Response, error)) func(*State, *api.Request) (*api.Response, error) {
	return func(s *State, r *api.Request) (*api.Response, error) {
		resp, err := h(s, r)
		if err == nil && resp != nil && resp.Status < 300 {
			s.record(r, resp)
		}
		return resp, err
	}
}

// segments are the parts of a path under /api/v2/.
func segments(path string) []string {
	return strings.Split(strings.Trim(strings.TrimPrefix(path, "/api/v2/"), "/"), "/")
}

// record adds the entry a successful write makes.
func (s *State) record(r *api.Request, resp *api.Response) {
	s.lockWrite()
	defer s.mu.Unlock()
	a := &activity{Time: r.Now}
	if p, ok := r.Principal.(*principal); ok && p.user != nil {
		a.ActorID, a.ActorName = p.user.ID, p.user.Username
	}
	seg := segments(r.HTTP.URL.Path)
	b, _ := r.JSON.(map[string]any)
	if n := r.HTTP.ContentLength; b != nil && (n < 0 || n > maxKeptBody) {
		b = shrunk(b) // a thousand entries must not hold a thousand large bodies
	}
	switch {
	case resp.Status == http.StatusCreated && resp.Header.Get("Location") != "":
		loc := segments(resp.Header.Get("Location"))
		if len(loc) < 2 {
			return
		}
		id, _ := strconv.Atoi(loc[1])
		a.Operation, a.Object1 = "create", models[loc[0]]
		a.Refs = []objRef{{a.Object1, id}}
		a.body, a.bodyID = b, id
	case len(seg) == 2 && (r.HTTP.Method == http.MethodPut || r.HTTP.Method == http.MethodPatch):
		id, _ := strconv.Atoi(seg[1])
		a.Operation, a.Object1 = "update", models[seg[0]]
		a.Refs = []objRef{{a.Object1, id}}
		a.body = b
	case len(seg) == 2 && r.HTTP.Method == http.MethodDelete:
		id, _ := strconv.Atoi(seg[1])
		a.Operation, a.Object1 = "delete", models[seg[0]]
		a.Refs = []objRef{{a.Object1, id}}
		a.Changes = map[string]any{"id": id}
	case len(seg) == 3 && r.HTTP.Method == http.MethodPost && resp.Status == http.StatusNoContent:
		parent, _ := strconv.Atoi(seg[1])
		assoc, _ := readAssociation(r, "")
		sub := assoc.id
		a.Operation = "associate"
		// As the handlers read it: RoleTeamsList tests the key's truth, the
		// other attach views its presence.
		detach := assoc.hasDisassoc
		if seg[0] == "roles" && seg[2] == "teams" {
			detach = assoc.disassoc
		}
		if detach {
			a.Operation = "disassociate"
		}
		pm, sm := models[seg[0]], models[seg[2]]
		if sm == "" {
			return
		}
		// AWX names the member first: a user or team given a role, or
		// a user made a member (admin) of a team or organization.
		if sm == "role" {
			a.Object1, a.Object2, a.Assoc, a.ObjectType = pm, "role", "role", s.roleType(sub)
		} else {
			a.Object1, a.Object2, a.Assoc, a.ObjectType = sm, pm, "role", pm
		}
		a.Refs = []objRef{{pm, parent}, {sm, sub}}
		a.Changes = map[string]any{"object1": a.Object1, "object1_pk": sub, "object2": a.Object2, "object2_pk": parent}
		if sm == "role" {
			a.Changes["object1_pk"], a.Changes["object2_pk"] = parent, sub
		}
	default:
		return
	}
	if a.Object1 == "" {
		return
	}
	s.nextActivity++
	a.ID = s.nextActivity
	if len(s.stream) >= maxActivity {
		// Drop the oldest tenth at once, so that a long run of writes
		// copies the stream once per hundred entries, not on every one.
		s.stream = append(s.stream[:0:0], s.stream[maxActivity/10:]...)
	}
	s.stream = append(s.stream, a)
}

// maxKeptBody is the largest request body an entry keeps whole.
const maxKeptBody = 16 << 10

// shrunk keeps a large body's top-level scalars, strings cut at 1 KiB, and
// stands in "{...}" or "[...]" for nested values.
func shrunk(b map[string]any) map[string]any {
	out := make(map[string]any, len(b))
	for k, v := range b {
		switch x := v.(type) {
		case string:
			if len(x) > 1024 {
				x = x[:1024] + "..."
			}
			out[k] = x
		case map[string]any:
			out[k] = "{...}"
		case []any:
			out[k] = "[...]"
		default:
			out[k] = v
		}
	}
	return out
}

// changesOf is the create or update body as AWX's changes show it: secret
// fields as "hidden".
func changesOf(b map[string]any, id int) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		switch k {
		case "password", "inputs", "token", "refresh_token":
			out[k] = secretChange
		default:
			out[k] = v
		}
	}
	if id != 0 {
		out["id"] = id
	}
	return out
}

func (a *activity) id() int { return a.ID }

func (a *activity) changes() map[string]any {
	if a.Changes != nil {
		return a.Changes
	}
	return changesOf(a.body, a.bodyID)
}

// roleType is the model a role belongs to ("credential", ...).
func (s *State) roleType(rid int) string {
	ref, _ := s.roleIndex.get(rid)
	return ref.kind
}

// nameOf is the name an entry's summary gives an object that still exists:
// "username" for a user, "name" for the others. Caller holds the lock.
func (s *State) nameOf(r objRef) (string, string) {
	switch r.model {
	case "user":
		if u, ok := s.users.PeekID(r.id); ok {
			return "username", u.Username
		}
	case "credential":
		if c, ok := s.creds.PeekID(r.id); ok {
			return "name", c.Name
		}
	case "credential_type":
		if t, ok := s.types.PeekID(r.id); ok {
			return "name", t.Name
		}
	case "organization":
		if o := s.orgs[r.id]; o != nil {
			return "name", o.Name
		}
	case "team":
		if t := s.teams[r.id]; t != nil {
			return "name", t.Name
		}
	}
	return "", ""
}

func (a *activity) about(model string, id int) bool {
	for _, r := range a.Refs {
		if r.model == model && r.id == id {
			return true
		}
	}
	return false
}

func (a *activity) view(s *State) map[string]any {
	related := map[string]any{}
	summary := map[string]any{}
	if a.ActorID != 0 {
		related["actor"] = userURL(a.ActorID)
		summary["actor"] = map[string]any{"id": a.ActorID, "username": a.ActorName, "first_name": "", "last_name": ""}
	}
	for _, r := range a.Refs {
		url := "/api/v2/" + segmentOf()[r.model] + "/" + itoa(r.id) + "/"
		list, _ := related[r.model].([]string)
		related[r.model] = append(list, url)
		sl, _ := summary[r.model].([]map[string]any)
		sum := map[string]any{"id": r.id}
		if k, name := s.nameOf(r); name != "" { // gone since: the id alone, as AWX keeps it
			sum[k] = name
		}
		summary[r.model] = append(sl, sum)
	}
	return map[string]any{
		"id": a.ID, "type": "activity_stream", "url": "/api/v2/activity_stream/" + itoa(a.ID) + "/",
		"related": related, "summary_fields": summary,
		"timestamp": formatTime(a.Time), "operation": a.Operation, "changes": a.changes(),
		"object1": a.Object1, "object2": a.Object2, "object_association": a.Assoc,
		"action_node": "awx-1", "object_type": a.ObjectType,
	}
}

var activityListSpec = &listSpec{
	model: "ActivityStream",
	fields: map[string]kind{"id": kInt, "timestamp": kTime, "operation": kString, "object1": kString, "object2": kString,
		"object_association": kString, "object_type": kString},
	order: []string{"-timestamp"},
}

func activityRow(a *activity) row {
	return row{"id": a.ID, "timestamp": a.Time, "operation": a.Operation, "object1": a.Object1, "object2": a.Object2,
		"object_association": a.Assoc, "object_type": a.ObjectType}
}

// seesActivity: superusers and system auditors see the whole stream;
// others the entries they made (AWX shows them those about objects they
// can read, too; credemu's narrower rule is in the README).
func seesActivity(me *user, a *activity) bool {
	return me.Superuser || me.Auditor || a.ActorID == me.ID
}

func activityIDs(list []*activity, keep func(*activity) bool) map[int]*activity {
	out := map[int]*activity{}
	for _, a := range list {
		if keep(a) {
			out[a.ID] = a
		}
	}
	return out
}

// listActivityStream is GET /activity_stream/.
func listActivityStream(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, activityListSpec, func(me *user) (seq[*activity], error) {
		return visibleOf(activityIDs(s.stream, func(a *activity) bool { return seesActivity(me, a) }), func(*activity) bool { return true }), nil
	}, activityRow, func(a *activity) int { return a.ID }, func(a *activity, _ *user) any { return a.view(s) })
}

// getActivity is GET /activity_stream/{id}/.
func getActivity(s *State, r *api.Request) (*api.Response, error) {
	id, _ := strconv.Atoi(r.Vars["id"])
	s.mu.RLock()
	defer s.mu.RUnlock()
	me := caller(r)
	for _, a := range s.stream {
		if a.ID == id && seesActivity(me, a) {
			return ok(a.view(s))
		}
	}
	return nil, notFound()
}

// objectActivity is GET /<objects>/{id}/activity_stream/: the entries
// about one object, which must be readable as its GET would answer.
func objectActivity(get func(*State, *api.Request) (*api.Response, error)) func(*State, *api.Request) (*api.Response, error) {
	return func(s *State, r *api.Request) (*api.Response, error) {
		if _, err := get(s, r); err != nil {
			return nil, err
		}
		model := models[segments(r.HTTP.URL.Path)[0]]
		id, _ := strconv.Atoi(r.Vars["id"])
		return listAll(s, r, activityListSpec, func(me *user) (seq[*activity], error) {
			return visibleOf(activityIDs(s.stream, func(a *activity) bool { return a.about(model, id) }), func(*activity) bool { return true }), nil
		}, activityRow, func(a *activity) int { return a.ID }, func(a *activity, _ *user) any { return a.view(s) })
	}
}
