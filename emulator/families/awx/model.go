package awx

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"
)

// timeFormat is Django REST framework's datetime format as AWX sends it:
// microseconds and a Z.
const timeFormat = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// stamp is a time in a view, written as formatTime writes it but straight
// into the answer, without a string in between.
type stamp time.Time

// MarshalJSON writes the time for encoding/json.
func (s stamp) MarshalJSON() ([]byte, error) { return s.appendJSON(nil), nil }

// appendJSON needs no escaping: the layout is digits and "-:.TZ". The
// digits are written directly: time's AppendFormat reads its layout anew
// on each call, and every view has two times.
func (s stamp) appendJSON(b []byte) []byte {
	t := time.Time(s).UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		b = append(b, '"')
		b = t.AppendFormat(b, timeFormat)
		return append(b, '"')
	}
	hour, minute, sec := t.Clock()
	b = append(b, '"')
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1000, 6)
	return append(b, 'Z', '"')
}

// appendDigits writes n (0 <= n < 10^width) in exactly width digits.
func appendDigits(b []byte, n, width int) []byte {
	var buf [9]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, buf[:width]...)
}

// encrypted is what AWX shows instead of a secret input, and what a client
// sends back to keep the stored value.
const encrypted = "$encrypted$"

// Stored types.

type inputField struct {
	ID           string   `yaml:"id,omitempty" json:"id"`
	Label        string   `yaml:"label,omitempty" json:"label"`
	Type         string   `yaml:"type,omitempty" json:"type,omitempty"`
	Secret       bool     `yaml:"secret,omitempty" json:"secret,omitempty"`
	Multiline    bool     `yaml:"multiline,omitempty" json:"multiline,omitempty"`
	HelpText     string   `yaml:"help_text,omitempty" json:"help_text,omitempty"`
	Format       string   `yaml:"format,omitempty" json:"format,omitempty"`
	Choices      []string `yaml:"choices,omitempty" json:"choices,omitempty"`
	AskAtRuntime bool     `yaml:"ask_at_runtime,omitempty" json:"ask_at_runtime,omitempty"`
	Default      any      `yaml:"default,omitempty" json:"default,omitempty"`
}

type typeInputs struct {
	Fields []inputField `yaml:"fields" json:"fields"`
	// Metadata are the inputs a credential input source gives a lookup
	// (credential-plugin types only).
	Metadata     []inputField        `yaml:"metadata,omitempty" json:"metadata,omitempty"`
	Required     []string            `yaml:"required,omitempty" json:"required,omitempty"`
	Dependencies map[string][]string `yaml:"dependencies,omitempty" json:"dependencies,omitempty"`
}

// metadataField is the metadata input with that id (plugin types).
func (in typeInputs) metadataField(id string) *inputField {
	for i := range in.Metadata {
		if in.Metadata[i].ID == id {
			return &in.Metadata[i]
		}
	}
	return nil
}

func (in typeInputs) field(id string) *inputField {
	for i := range in.Fields {
		if in.Fields[i].ID == id {
			return &in.Fields[i]
		}
	}
	return nil
}

type credType struct {
	ID          int            `yaml:"id,omitempty"`
	Name        string         `yaml:"name,omitempty"`
	Description string         `yaml:"description,omitempty"`
	Kind        string         `yaml:"kind,omitempty"`
	Namespace   string         `yaml:"namespace,omitempty"`
	Managed     bool           `yaml:"managed,omitempty"`
	Inputs      typeInputs     `yaml:"inputs,omitempty"`
	Injectors   map[string]any `yaml:"injectors,omitempty"`
	Created     time.Time      `yaml:"created,omitempty"`
	Modified    time.Time      `yaml:"modified,omitempty"`
}

type user struct {
	ID        int       `yaml:"id,omitempty"`
	Username  string    `yaml:"username,omitempty"`
	FirstName string    `yaml:"first_name,omitempty"`
	LastName  string    `yaml:"last_name,omitempty"`
	Email     string    `yaml:"email,omitempty"`
	Superuser bool      `yaml:"is_superuser,omitempty"`
	Auditor   bool      `yaml:"is_system_auditor,omitempty"`
	Password  string    `yaml:"password,omitempty"` // write-only; compared on Basic auth, never shown
	Created   time.Time `yaml:"created,omitempty"`
	Modified  time.Time `yaml:"modified,omitempty"`
}

type credential struct {
	ID          int       `yaml:"id,omitempty"`
	Name        string    `yaml:"name,omitempty"`
	Description string    `yaml:"description,omitempty"`
	TypeID      int       `yaml:"credential_type,omitempty"`
	OrgID       int       `yaml:"organization,omitempty"` // 0: none
	UserID      int       `yaml:"user,omitempty"`         // owner user, 0: none
	TeamID      int       `yaml:"team,omitempty"`         // owner team, 0: none
	Inputs      inputs    `yaml:"inputs,omitempty"`
	Roles       [3]int    `yaml:"roles,omitempty"` // admin, use, read role ids
	Created     time.Time `yaml:"created,omitempty"`
	Modified    time.Time `yaml:"modified,omitempty"`
}

type org struct {
	ID          int       `yaml:"id,omitempty"`
	Name        string    `yaml:"name,omitempty"`
	Description string    `yaml:"description,omitempty"`
	MaxHosts    int       `yaml:"max_hosts,omitempty"`
	Created     time.Time `yaml:"created,omitempty"`
	Modified    time.Time `yaml:"modified,omitempty"`
	// Members and Admins hold user ids (member_role and admin_role).
	Members map[int]bool `yaml:"members,omitempty"`
	Admins  map[int]bool `yaml:"admins,omitempty"`
	// Roles are the role ids, in roleFields["organization"] order.
	Roles []int `yaml:"roles,omitempty"`
}

func (o *org) clone() *org {
	c := *o
	c.Members, c.Admins = maps.Clone(o.Members), maps.Clone(o.Admins)
	return &c
}

type team struct {
	ID          int       `yaml:"id,omitempty"`
	Name        string    `yaml:"name,omitempty"`
	Description string    `yaml:"description,omitempty"`
	OrgID       int       `yaml:"organization,omitempty"`
	Created     time.Time `yaml:"created,omitempty"`
	Modified    time.Time `yaml:"modified,omitempty"`
	// Members holds user ids (member_role).
	Members map[int]bool `yaml:"members,omitempty"`
	// Roles are the role ids, in roleFields["team"] order.
	Roles []int `yaml:"roles,omitempty"`
}

func (t *team) clone() *team {
	c := *t
	c.Members = maps.Clone(t.Members)
	return &c
}

func cloneCred(c *credential) *credential {
	d := *c
	d.Inputs = slices.Clone(c.Inputs)
	return &d
}

func cloneUser(u *user) *user { d := *u; return &d }

func cloneType(t *credType) *credType {
	d := *t
	d.Inputs.Fields = append([]inputField(nil), t.Inputs.Fields...)
	d.Inputs.Required = append([]string(nil), t.Inputs.Required...)
	d.Inputs.Dependencies = maps.Clone(t.Inputs.Dependencies)
	d.Injectors = maps.Clone(t.Injectors)
	return &d
}

// Wire types.

type caps struct {
	Edit   bool  `json:"edit"`
	Delete bool  `json:"delete"`
	Copy   *bool `json:"copy,omitempty"`
	Use    *bool `json:"use,omitempty"`
}

type ref struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type role struct {
	Description string `json:"description"`
	Name        string `json:"name"`
	ID          int    `json:"id"`
}

type owner struct {
	ID          int    `json:"id"`
	Type        string `json:"type"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	Description string `json:"description"`
}

type credSummary struct {
	Organization     *ref    `json:"organization,omitempty"`
	CredentialType   ref     `json:"credential_type"`
	ObjectRoles      roleSet `json:"object_roles"`
	Owners           []owner `json:"owners"`
	UserCapabilities caps    `json:"user_capabilities"`
}

// CredentialView is a credential as AWX serialises it.
type CredentialView struct {
	ID            int         `json:"id"`
	Type          string      `json:"type"`
	URL           string      `json:"url"`
	Related       credRelated `json:"related"`
	SummaryFields credSummary `json:"summary_fields"`
	Created       stamp       `json:"created"`
	Modified      stamp       `json:"modified"`
	Name          string      `json:"name"`
	Description   string      `json:"description"`
	// Organization is an id or null, and left out in a user's sub-list.
	Organization   json.RawMessage `json:"organization,omitempty"`
	CredentialType int             `json:"credential_type"`
	Managed        bool            `json:"managed"`
	Inputs         inputsView      `json:"inputs"`
	// Kind is the type's namespace (ssh, aws, ...); null for a custom type.
	Kind       *string `json:"kind"`
	Cloud      bool    `json:"cloud"`
	Kubernetes bool    `json:"kubernetes"`
}

// credRelated is a credential's "related" links, written from the ids
// they are made of: a page of credentials renders two hundred of them.
type credRelated struct {
	id, typeID, orgID, userID int // 0: no such link
}

// MarshalJSON writes the links for encoding/json.
func (r credRelated) MarshalJSON() ([]byte, error) { return r.appendJSON(nil), nil }

func (r credRelated) appendJSON(b []byte) []byte {
	link := func(b []byte, key, prefix string, id int, suffix string) []byte {
		b = append(b, key...)
		b = append(b, prefix...)
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, '/')
		b = append(b, suffix...)
		return append(b, '"')
	}
	const cred = "/api/v2/credentials/"
	b = link(b, `{"access_list":"`, cred, r.id, "access_list/")
	b = link(b, `,"activity_stream":"`, cred, r.id, "activity_stream/")
	b = link(b, `,"copy":"`, cred, r.id, "copy/")
	b = link(b, `,"credential_type":"`, "/api/v2/credential_types/", r.typeID, "")
	b = link(b, `,"input_sources":"`, cred, r.id, "input_sources/")
	b = link(b, `,"object_roles":"`, cred, r.id, "object_roles/")
	if r.orgID != 0 {
		b = link(b, `,"organization":"`, "/api/v2/organizations/", r.orgID, "")
	}
	b = link(b, `,"owner_teams":"`, cred, r.id, "owner_teams/")
	b = link(b, `,"owner_users":"`, cred, r.id, "owner_users/")
	if r.userID != 0 {
		b = link(b, `,"user":"`, "/api/v2/users/", r.userID, "")
	}
	return append(b, '}')
}

// UserView is a user as AWX serialises it; the password never appears.
type UserView struct {
	ID              int               `json:"id"`
	Type            string            `json:"type"`
	URL             string            `json:"url"`
	Related         map[string]string `json:"related"`
	SummaryFields   map[string]any    `json:"summary_fields"`
	Created         string            `json:"created"`
	Modified        string            `json:"modified"`
	Username        string            `json:"username"`
	FirstName       string            `json:"first_name"`
	LastName        string            `json:"last_name"`
	Email           string            `json:"email"`
	IsSuperuser     bool              `json:"is_superuser"`
	IsSystemAuditor bool              `json:"is_system_auditor"`
	// Password is always "$encrypted$" for a local user (AWX 22.2 and later).
	Password        string  `json:"password"`
	LdapDN          string  `json:"ldap_dn"`
	LastLogin       *string `json:"last_login"`
	ExternalAccount *string `json:"external_account"`
	Auth            []any   `json:"auth"`
}

// CredentialTypeView is a credential type as AWX serialises it.
type CredentialTypeView struct {
	ID            int               `json:"id"`
	Type          string            `json:"type"`
	URL           string            `json:"url"`
	Related       map[string]string `json:"related"`
	SummaryFields map[string]any    `json:"summary_fields"`
	Created       string            `json:"created"`
	Modified      string            `json:"modified"`
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	Kind          string            `json:"kind"`
	Namespace     *string           `json:"namespace"`
	Managed       bool              `json:"managed"`
	Inputs        typeInputs        `json:"inputs"`
	Injectors     map[string]any    `json:"injectors"`
}

func credURL(id int) string { return "/api/v2/credentials/" + itoa(id) + "/" }
func userURL(id int) string { return "/api/v2/users/" + itoa(id) + "/" }
func typeURL(id int) string { return "/api/v2/credential_types/" + itoa(id) + "/" }
func orgURL(id int) string  { return "/api/v2/organizations/" + itoa(id) + "/" }
func teamURL(id int) string { return "/api/v2/teams/" + itoa(id) + "/" }
func itoa(i int) string     { return strconv.Itoa(i) }
func boolp(b bool) *bool    { return &b }
func strp(s string) *string { return &s }
func rawInt(i int) []byte   { return []byte(itoa(i)) }
func rawNull() []byte       { return []byte("null") }

// nullIfEmpty is nil for "" (JSON null), else a pointer to s.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
