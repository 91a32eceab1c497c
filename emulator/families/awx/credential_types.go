// Credential types: /api/v2/credential_types/, the managed ones and custom
// ones with their inputs and injectors.

package awx

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/credemu/credemu/emulator/api"
)

var typeSpecList = &listSpec{
	model: "CredentialType",
	fields: map[string]kind{"id": kInt, "name": kString, "description": kString, "kind": kString, "namespace": kString,
		"managed": kBool, "created": kTime, "modified": kTime},
	search: []string{"name", "description"},
	order:  []string{"kind", "name"},
}

func typeRow(t *credType) row {
	rw := row{"id": t.ID, "name": t.Name, "description": t.Description, "kind": t.Kind, "namespace": nil,
		"managed": t.Managed, "created": t.Created, "modified": t.Modified}
	if t.Namespace != "" {
		rw["namespace"] = t.Namespace
	}
	return rw
}

func (s *State) inUse(typeID int) bool {
	used := false
	s.creds.Scan(func(_ string, c *credential) bool {
		used = c.TypeID == typeID
		return !used
	})
	return used
}

func (s *State) typeView(t *credType, viewer *user) CredentialTypeView {
	base := typeURL(t.ID)
	editable := viewer.Superuser && !t.Managed
	v := CredentialTypeView{ID: t.ID, Type: "credential_type", URL: base,
		Related:       map[string]string{"credentials": base + "credentials/", "activity_stream": base + "activity_stream/"},
		SummaryFields: map[string]any{"user_capabilities": caps{Edit: editable, Delete: editable && !s.inUse(t.ID)}},
		Created:       formatTime(t.Created), Modified: formatTime(t.Modified), Name: t.Name, Description: t.Description,
		Kind: t.Kind, Managed: t.Managed, Inputs: t.Inputs, Injectors: t.Injectors}
	if v.Inputs.Fields == nil {
		v.Inputs.Fields = []inputField{}
	}
	if t.Namespace != "" {
		v.Namespace = strp(t.Namespace)
	}
	return v
}

func listCredentialTypes(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, typeSpecList, func(*user) (seq[*credType], error) {
		return func(yield func(*credType) bool) {
			s.types.Scan(func(_ string, t *credType) bool { return yield(t) })
		}, nil
	}, typeRow, func(t *credType) int { return t.ID }, s.typeView)
}

func getCredentialType(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, found := s.types.Peek(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	return ok(s.typeView(t, caller(r)))
}

// injectorVarRE finds the variables an injector template names; compiled
// on first use, as only custom credential types need it.
var injectorVarRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)`) })

// applyType copies a type body onto t and checks inputs and injectors as
// AWX does. Caller holds the write lock.
func (s *State) applyType(t *credType, b map[string]any) error {
	if v, has := b["name"]; has {
		t.Name = strOf(v)
	}
	if v, has := b["description"]; has {
		t.Description = strOf(v)
	}
	if v, has := b["kind"]; has {
		t.Kind = strOf(v)
		if t.Kind != "cloud" && t.Kind != "net" {
			return fieldErr("kind", "Must be 'cloud' or 'net', not %s", t.Kind)
		}
	}
	if v, has := b["inputs"]; has {
		var in typeInputs
		raw, _ := json.Marshal(v)
		if err := json.Unmarshal(raw, &in); err != nil {
			return fieldErr("inputs", "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		if msg := checkTypeInputs(in, false); msg != "" {
			return fieldErr("inputs", "%s", msg)
		}
		t.Inputs = in
	}
	if v, has := b["injectors"]; has {
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		t.Injectors = m
	}
	for _, section := range []string{"env", "extra_vars"} {
		vars, _ := t.Injectors[section].(map[string]any)
		keys := make([]string, 0, len(vars))
		for k := range vars {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, m := range injectorVarRE().FindAllStringSubmatch(fmt.Sprint(vars[k]), -1) {
				if m[1] != "tower" && t.Inputs.field(m[1]) == nil {
					return fieldErr("injectors", "%s uses an undefined field ('%s' is undefined)", k, m[1])
				}
			}
		}
	}
	var dup bool
	s.types.Scan(func(_ string, o *credType) bool {
		dup = o.ID != t.ID && o.Name == t.Name && o.Kind == t.Kind
		return !dup
	})
	if dup {
		return &api.Error{Kind: api.KindAlreadyExists, Message: "Credential type with this Name and Kind already exists."}
	}
	return nil
}

// sameInputs reports whether a body's inputs equal the stored ones, as
// decoded JSON (key order and omitted defaults aside).
func sameInputs(old typeInputs, sent any) bool {
	var a, b any
	ra, _ := json.Marshal(old)
	_ = json.Unmarshal(ra, &a)
	var in typeInputs
	rs, _ := json.Marshal(sent)
	if json.Unmarshal(rs, &in) != nil {
		return false
	}
	rb, _ := json.Marshal(in)
	_ = json.Unmarshal(rb, &b)
	return reflect.DeepEqual(a, b)
}

func createCredentialType(s *State, r *api.Request) (*api.Response, error) {
	if !caller(r).Superuser {
		return nil, forbidden()
	}
	s.lockWrite()
	defer s.mu.Unlock()
	t := &credType{ID: s.nextType, Injectors: map[string]any{}, Created: r.Now, Modified: r.Now}
	if err := s.applyType(t, body(r)); err != nil {
		return nil, err
	}
	s.nextType++
	s.types.Put(itoa(t.ID), t)
	return created(typeURL(t.ID), s.typeView(t, caller(r)))
}

// updateCredentialType serves PUT and PATCH. Managed types cannot be
// changed; the inputs of a type in use cannot be either.
func updateCredentialType(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	t, found := s.types.Get(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	if !caller(r).Superuser {
		return nil, forbidden()
	}
	if t.Managed {
		return nil, &api.Error{Kind: api.KindPermissionDenied, Message: "Modifications not allowed for managed credential types"}
	}
	b := body(r)
	// Only a real change of the inputs is refused: a declarative client
	// sends the whole object back, inputs unchanged.
	if v, has := b["inputs"]; has && s.inUse(t.ID) && !sameInputs(t.Inputs, v) {
		return nil, &api.Error{Kind: api.KindPermissionDenied, Message: "Modifications to inputs are not allowed for credential types that are in use"}
	}
	if err := s.applyType(t, b); err != nil {
		return nil, err
	}
	t.Modified = r.Now
	s.types.Put(itoa(t.ID), t)
	return ok(s.typeView(t, caller(r)))
}

func deleteCredentialType(s *State, r *api.Request) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	t, found := s.types.Get(r.Vars["id"])
	if !found {
		return nil, notFound()
	}
	if t.Managed || !caller(r).Superuser {
		return nil, forbidden()
	}
	if s.inUse(t.ID) {
		return nil, &api.Error{Kind: api.KindPermissionDenied, Message: "Credential types that are in use cannot be deleted"}
	}
	s.types.Delete(itoa(t.ID))
	return noContent()
}
