package awx

import "github.com/credemu/credemu/emulator/api"

// The views below write their own JSON (api.JSONAppender): credentials are
// what AWX clients read most, a page holds up to two hundred of them, and
// encoding/json's reflection over their nested structs and maps was most
// of a page's time. Each writes the bytes MarshalJSON writes for it, field
// for field in struct order; TestViewsEncodeAsMarshalJSON and
// FuzzCredentialViewJSON hold them to that.

// AppendJSON writes the page, its results through AppendValue.
func (p Page) AppendJSON(b []byte) []byte {
	return api.StartObject(b).Int("count", p.Count).NullString("next", p.Next).NullString("previous", p.Previous).
		Field("results", func(b []byte) []byte { return api.AppendArray(b, p.Results, api.AppendValue) }).End()
}

// AppendJSON writes the credential as AWX serialises it.
func (v CredentialView) AppendJSON(b []byte) []byte {
	o := api.StartObject(b).Int("id", v.ID).String("type", v.Type).String("url", v.URL).
		Field("related", v.Related.appendJSON).Field("summary_fields", v.SummaryFields.appendJSON).
		Field("created", v.Created.appendJSON).Field("modified", v.Modified.appendJSON).
		String("name", v.Name).String("description", v.Description)
	if len(v.Organization) > 0 {
		o = o.Raw("organization", v.Organization) // an id or null, written by rawInt or rawNull
	}
	return o.Int("credential_type", v.CredentialType).Bool("managed", v.Managed).Field("inputs", v.Inputs.appendJSON).
		NullString("kind", v.Kind).Bool("cloud", v.Cloud).Bool("kubernetes", v.Kubernetes).End()
}

func (s credSummary) appendJSON(b []byte) []byte {
	o := api.StartObject(b)
	if s.Organization != nil {
		o = o.Field("organization", s.Organization.appendJSON)
	}
	return o.Field("credential_type", s.CredentialType.appendJSON).Field("object_roles", s.ObjectRoles.appendJSON).
		Field("owners", func(b []byte) []byte {
			return api.AppendArray(b, s.Owners, func(b []byte, o owner) []byte { return o.appendJSON(b) })
		}).
		Field("user_capabilities", s.UserCapabilities.appendJSON).End()
}

func (r ref) appendJSON(b []byte) []byte {
	return api.StartObject(b).Int("id", r.ID).String("name", r.Name).String("description", r.Description).End()
}

func (r role) appendJSON(b []byte) []byte {
	return api.StartObject(b).String("description", r.Description).String("name", r.Name).Int("id", r.ID).End()
}

func (o owner) appendJSON(b []byte) []byte {
	return api.StartObject(b).Int("id", o.ID).String("type", o.Type).String("name", o.Name).String("url", o.URL).
		String("description", o.Description).End()
}

func (c caps) appendJSON(b []byte) []byte {
	o := api.StartObject(b).Bool("edit", c.Edit).Bool("delete", c.Delete)
	if c.Copy != nil {
		o = o.Bool("copy", *c.Copy)
	}
	if c.Use != nil {
		o = o.Bool("use", *c.Use)
	}
	return o.End()
}
