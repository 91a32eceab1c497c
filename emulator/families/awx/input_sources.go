// Credential input sources: /api/v2/credential_input_sources/, which
// link a credential's input to an external secret lookup.

package awx

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
)

// sourceIDs returns the ids of the input sources keep accepts. Caller
// holds the lock.
func (s *State) sourceIDs(keep func(*inputSource) bool) map[int]bool {
	out := map[int]bool{}
	for id, x := range s.sources {
		if keep(x) {
			out[id] = true
		}
	}
	return out
}

type inputSource struct {
	ID           int            `yaml:"id,omitempty"`
	Description  string         `yaml:"description,omitempty"`
	InputField   string         `yaml:"input_field_name,omitempty"`
	Metadata     map[string]any `yaml:"metadata,omitempty"`
	TargetCredID int            `yaml:"target_credential,omitempty"`
	SourceCredID int            `yaml:"source_credential,omitempty"`
	Created      time.Time      `yaml:"created,omitempty"`
	Modified     time.Time      `yaml:"modified,omitempty"`
}

var sourceListSpec = &listSpec{
	model: "CredentialInputSource",
	fields: map[string]kind{"id": kInt, "description": kString, "input_field_name": kString, "target_credential": kInt,
		"source_credential": kInt, "created": kTime, "modified": kTime},
	order: []string{"id"},
}

func sourceRow(x *inputSource) row {
	return row{"id": x.ID, "description": x.Description, "input_field_name": x.InputField, "target_credential": x.TargetCredID,
		"source_credential": x.SourceCredID, "created": x.Created, "modified": x.Modified}
}

func (s *State) sourceView(x *inputSource) map[string]any {
	base := fmt.Sprintf("/api/v2/credential_input_sources/%d/", x.ID)
	sf := map[string]any{"user_capabilities": caps{Edit: true, Delete: true}}
	for key, id := range map[string]int{"source_credential": x.SourceCredID, "target_credential": x.TargetCredID} {
		if c, found := s.creds.Get(itoa(id)); found {
			t, _ := s.types.PeekID(c.TypeID)
			m := map[string]any{"id": c.ID, "name": c.Name, "description": c.Description, "credential_type_id": c.TypeID,
				"cloud": t != nil && t.Kind == "cloud", "kubernetes": t != nil && t.Kind == "kubernetes", "kind": nil}
			if t != nil && t.Namespace != "" {
				m["kind"] = t.Namespace
			}
			sf[key] = m
		}
	}
	meta := x.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	return map[string]any{"id": x.ID, "type": "credential_input_source", "url": base,
		"related": map[string]string{"activity_stream": base + "activity_stream/", "source_credential": credURL(x.SourceCredID),
			"target_credential": credURL(x.TargetCredID)},
		"summary_fields": sf, "created": formatTime(x.Created), "modified": formatTime(x.Modified), "description": x.Description,
		"input_field_name": x.InputField, "metadata": meta, "target_credential": x.TargetCredID, "source_credential": x.SourceCredID}
}

func (x *inputSource) id() int { return x.ID }

// clone copies a source with its metadata.
func (x *inputSource) clone() *inputSource {
	c := *x
	c.Metadata = maps.Clone(x.Metadata)
	return &c
}

// listInputSources lists the input sources whose target the caller sees;
// under /credentials/{id}/, those of that credential.
func listInputSources(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, sourceListSpec, func(me *user) (seq[*inputSource], error) {
		target := 0
		if r.Op.ID == "listCredentialInputSourcesOfCredential" {
			c, err := s.cred(r)
			if err != nil {
				return nil, err
			}
			target = c.ID
		}
		return visibleOf(s.sources, func(x *inputSource) bool {
			t, found := s.creds.Get(itoa(x.TargetCredID))
			return (target == 0 || x.TargetCredID == target) && found && s.canSeeCred(me, t)
		}), nil
	}, sourceRow, (*inputSource).id, func(x *inputSource, _ *user) any { return s.sourceView(x) })
}

// applySource copies a body onto x and checks it as AWX's
// CredentialInputSource does. Caller holds the write lock.
func (s *State) applySource(r *api.Request, x *inputSource, b map[string]any) error {
	if v, has := b["description"]; has {
		x.Description = strOf(v)
	}
	if v, has := b["input_field_name"]; has {
		x.InputField = strOf(v)
	}
	if v, has := b["metadata"]; has {
		m, _ := v.(map[string]any)
		x.Metadata = m
	}
	for _, f := range []struct {
		key string
		dst *int
	}{{"target_credential", &x.TargetCredID}, {"source_credential", &x.SourceCredID}} {
		if v, has := b[f.key]; has {
			id, _ := intOf(v)
			if _, found := s.creds.Get(itoa(id)); !found {
				return invalidPK(f.key, v)
			}
			*f.dst = id
		}
	}
	var missing []api.FieldError
	for key, val := range map[string]any{"input_field_name": x.InputField, "target_credential": x.TargetCredID, "source_credential": x.SourceCredID} {
		if val == "" || val == 0 {
			missing = append(missing, fieldErr(key, "This field is required.").Fields...)
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i].Pointer < missing[j].Pointer })
		return &api.Error{Kind: api.KindInvalidArgument, Fields: missing}
	}
	target, _ := s.creds.Get(itoa(x.TargetCredID))
	source, _ := s.creds.Get(itoa(x.SourceCredID))
	me := caller(r)
	if !s.canEditCred(me, target) || !s.canUseCred(me, source) {
		return forbidden()
	}
	tt, _ := s.types.PeekID(target.TypeID)
	st, _ := s.types.PeekID(source.TypeID)
	switch {
	case tt.Kind == "external":
		return fieldErr("target_credential", "Target must be a non-external credential")
	case st.Kind != "external":
		return fieldErr("source_credential", "Source must be an external credential")
	}
	if tt.Inputs.field(x.InputField) == nil {
		var names []string
		for _, f := range tt.Inputs.Fields {
			names = append(names, f.ID)
		}
		sort.Strings(names)
		return fieldErr("input_field_name", "Input field must be defined on target credential (options are %s).", strings.Join(names, ", "))
	}
	for _, other := range s.sources {
		if other.ID != x.ID && other.TargetCredID == x.TargetCredID && other.InputField == x.InputField {
			return &api.Error{Kind: api.KindAlreadyExists, Message: "Credential input source with this Target credential and Input field name already exists."}
		}
	}
	var metaErrs []api.FieldError
	for _, req := range st.Inputs.Required {
		if st.Inputs.metadataField(req) != nil && !present(x.Metadata, req) {
			metaErrs = append(metaErrs, api.FieldError{Pointer: "/body/metadata/" + req, Keyword: awxKeyword, Message: "required for " + st.Name})
		}
	}
	if len(metaErrs) > 0 {
		return &api.Error{Kind: api.KindInvalidArgument, Fields: metaErrs}
	}
	return nil
}

func createInputSource(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	s.lockWrite()
	defer s.mu.Unlock()
	if r.Op.ID == "createCredentialInputSourceOfCredential" {
		c, err := s.cred(r)
		if err != nil {
			return nil, err
		}
		b["target_credential"] = float64(c.ID)
	}
	x := &inputSource{ID: s.nextSource, Created: r.Now, Modified: r.Now, Metadata: map[string]any{}}
	if err := s.applySource(r, x, b); err != nil {
		return nil, err
	}
	s.nextSource++
	s.sources[x.ID] = x
	return created(fmt.Sprintf("/api/v2/credential_input_sources/%d/", x.ID), s.sourceView(x))
}

func (s *State) sourceOf(r *api.Request) (*inputSource, error) {
	x := s.sources[atoiOr(r.Vars["id"])]
	if x == nil {
		return nil, notFound()
	}
	t, found := s.creds.Get(itoa(x.TargetCredID))
	return visible(x, true, found && s.canSeeCred(caller(r), t))
}

func getInputSource(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, s.sourceOf, func(x *inputSource, _ *user) any { return s.sourceView(x) })
}

func updateInputSource(s *State, r *api.Request) (*api.Response, error) {
	return editOne(s, r, s.sourceOf, func(x *inputSource) (*api.Response, error) {
		c := *x
		if err := s.applySource(r, &c, body(r)); err != nil {
			return nil, err
		}
		c.Modified = r.Now
		s.sources[c.ID] = &c
		return ok(s.sourceView(&c))
	})
}

func deleteInputSource(s *State, r *api.Request) (*api.Response, error) {
	return editOne(s, r, s.sourceOf, func(x *inputSource) (*api.Response, error) {
		t, _ := s.creds.Get(itoa(x.TargetCredID))
		if !s.canEditCred(caller(r), t) {
			return nil, forbidden()
		}
		delete(s.sources, x.ID)
		return noContent()
	})
}
