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
	b = append(b, `{"count":`...)
	b = api.AppendInt(b, p.Count)
	b = append(b, `,"next":`...)
	b = api.AppendNullString(b, p.Next)
	b = append(b, `,"previous":`...)
	b = api.AppendNullString(b, p.Previous)
	b = append(b, `,"results":`...)
	if p.Results == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range p.Results {
			if i > 0 {
				b = append(b, ',')
			}
			b = api.AppendValue(b, r)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// AppendJSON writes the credential as AWX serialises it.
func (v CredentialView) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = api.AppendInt(b, v.ID)
	b = append(b, `,"type":`...)
	b = api.AppendString(b, v.Type)
	b = append(b, `,"url":`...)
	b = api.AppendString(b, v.URL)
	b = append(b, `,"related":`...)
	b = v.Related.appendJSON(b)
	b = append(b, `,"summary_fields":`...)
	b = v.SummaryFields.appendJSON(b)
	b = append(b, `,"created":`...)
	b = v.Created.appendJSON(b)
	b = append(b, `,"modified":`...)
	b = v.Modified.appendJSON(b)
	b = append(b, `,"name":`...)
	b = api.AppendString(b, v.Name)
	b = append(b, `,"description":`...)
	b = api.AppendString(b, v.Description)
	if len(v.Organization) > 0 {
		b = append(b, `,"organization":`...)
		b = append(b, v.Organization...) // an id or null, written by rawInt or rawNull
	}
	b = append(b, `,"credential_type":`...)
	b = api.AppendInt(b, v.CredentialType)
	b = append(b, `,"managed":`...)
	b = api.AppendBool(b, v.Managed)
	b = append(b, `,"inputs":`...)
	b = v.Inputs.appendJSON(b)
	b = append(b, `,"kind":`...)
	b = api.AppendNullString(b, v.Kind)
	b = append(b, `,"cloud":`...)
	b = api.AppendBool(b, v.Cloud)
	b = append(b, `,"kubernetes":`...)
	b = api.AppendBool(b, v.Kubernetes)
	return append(b, '}')
}

func (s credSummary) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if s.Organization != nil {
		b = append(b, `"organization":`...)
		b = s.Organization.appendJSON(b)
		b = append(b, ',')
	}
	b = append(b, `"credential_type":`...)
	b = s.CredentialType.appendJSON(b)
	b = append(b, `,"object_roles":`...)
	b = s.ObjectRoles.appendJSON(b)
	b = append(b, `,"owners":`...)
	if s.Owners == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, o := range s.Owners {
			if i > 0 {
				b = append(b, ',')
			}
			b = o.appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"user_capabilities":`...)
	b = s.UserCapabilities.appendJSON(b)
	return append(b, '}')
}

func (r ref) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = api.AppendInt(b, r.ID)
	b = append(b, `,"name":`...)
	b = api.AppendString(b, r.Name)
	b = append(b, `,"description":`...)
	b = api.AppendString(b, r.Description)
	return append(b, '}')
}

func (r role) appendJSON(b []byte) []byte {
	b = append(b, `{"description":`...)
	b = api.AppendString(b, r.Description)
	b = append(b, `,"name":`...)
	b = api.AppendString(b, r.Name)
	b = append(b, `,"id":`...)
	b = api.AppendInt(b, r.ID)
	return append(b, '}')
}

func (o owner) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = api.AppendInt(b, o.ID)
	b = append(b, `,"type":`...)
	b = api.AppendString(b, o.Type)
	b = append(b, `,"name":`...)
	b = api.AppendString(b, o.Name)
	b = append(b, `,"url":`...)
	b = api.AppendString(b, o.URL)
	b = append(b, `,"description":`...)
	b = api.AppendString(b, o.Description)
	return append(b, '}')
}

func (c caps) appendJSON(b []byte) []byte {
	b = append(b, `{"edit":`...)
	b = api.AppendBool(b, c.Edit)
	b = append(b, `,"delete":`...)
	b = api.AppendBool(b, c.Delete)
	if c.Copy != nil {
		b = append(b, `,"copy":`...)
		b = api.AppendBool(b, *c.Copy)
	}
	if c.Use != nil {
		b = append(b, `,"use":`...)
		b = api.AppendBool(b, *c.Use)
	}
	return append(b, '}')
}
