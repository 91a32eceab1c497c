package awx

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/store"
	"github.com/credemu/credemu/fixtures"
)

// The awx: section of a scenario.

type userSpec struct {
	Username  string `yaml:"username"`
	Password  string `yaml:"password"`
	Superuser bool   `yaml:"superuser"`
	Auditor   bool   `yaml:"auditor"`
	FirstName string `yaml:"first_name"`
	LastName  string `yaml:"last_name"`
	Email     string `yaml:"email"`
}

type tokenSpec struct {
	Token string `yaml:"token"`
	User  string `yaml:"user"`
	// Scope is "write" (default) or "read"; a read token may not change anything.
	Scope string `yaml:"scope"`
}

type typeSpec struct {
	ID          int            `yaml:"id" json:"id"`
	Name        string         `yaml:"name" json:"name"`
	Description string         `yaml:"description" json:"description"`
	Kind        string         `yaml:"kind" json:"kind"`
	Namespace   string         `yaml:"namespace" json:"namespace"`
	Managed     bool           `yaml:"managed" json:"managed"`
	Inputs      typeInputs     `yaml:"inputs" json:"inputs"`
	Injectors   map[string]any `yaml:"injectors" json:"injectors"`
}

type credSpec struct {
	Name           string         `yaml:"name"`
	Description    string         `yaml:"description"`
	CredentialType string         `yaml:"credentialType"` // name or id
	User           string         `yaml:"user"`
	Team           string         `yaml:"team"`
	Organization   string         `yaml:"organization"`
	Inputs         map[string]any `yaml:"inputs"`
}

type section struct {
	// Version is what /api/v2/ping/ and X-API-Product-Version report.
	Version string `yaml:"version"`
	// BuiltinCredentialTypes loads AWX's managed types (default true).
	BuiltinCredentialTypes *bool                         `yaml:"builtinCredentialTypes"`
	Organizations          []scenario.Located[orgSpec]   `yaml:"organizations"`
	Teams                  []scenario.Located[teamSpec]  `yaml:"teams"`
	Users                  []scenario.Located[userSpec]  `yaml:"users"`
	Tokens                 []scenario.Located[tokenSpec] `yaml:"tokens"`
	CredentialTypes        []scenario.Located[typeSpec]  `yaml:"credentialTypes"`
	Credentials            []scenario.Located[credSpec]  `yaml:"credentials"`
	RoleGrants             []scenario.Located[grantSpec] `yaml:"roleGrants"`
	Generate               struct {
		Users              int `yaml:"users"`
		CredentialsPerUser int `yaml:"credentialsPerUser"`
	} `yaml:"generate"`
	// Snapshot holds every object of a snapshot (snapshot.go), in place
	// of organizations, teams, users, tokens, credentialTypes,
	// credentials, roleGrants and generate.
	Snapshot *snapshot `yaml:"snapshot"`
}

type teamSpec struct {
	Name         string   `yaml:"name"`
	Description  string   `yaml:"description"`
	Organization string   `yaml:"organization"`
	Members      []string `yaml:"members"` // usernames
}

type orgSpec struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Members     []string `yaml:"members"` // usernames
	Admins      []string `yaml:"admins"`  // usernames
}

// grantSpec gives a user or a team a role on a credential.
type grantSpec struct {
	Credential string `yaml:"credential"` // name
	Role       string `yaml:"role"`       // admin, use or read
	User       string `yaml:"user"`
	Team       string `yaml:"team"`
}

// world is the compiled awx section.
type world struct {
	version string
	orgs    []*org
	teams   []*team
	users   []*user
	tokens  []*token
	types   []*credType
	creds   []*credential
	grants  []grant
	// restored is a snapshot's extras (nil for a hand-written scenario).
	restored *restored

	// base is the state built from the world once, frozen, which every
	// sandbox forks (State.Reset).
	base store.Lazy[*State]
}

// grant is a role a scenario gives a user or team on a credential.
type grant struct {
	cred   int
	role   int // 0 admin, 1 use, 2 read
	team   bool
	member int
}

// DefaultVersion is the AWX version reported unless a scenario sets one.
const DefaultVersion = "24.6.1"

const maxGenerated = 1_000_000

// validUsername is Django's UnicodeUsernameValidator, ^[\w.@+-]+$, where
// Python's \w is any Unicode letter or number and the underscore. It is
// written out rather than a regular expression: compiling \p{L}\p{N} took
// 90 µs of every start-up.
func validUsername(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsNumber(r), strings.ContainsRune("_.@+-", r):
		default:
			return false
		}
	}
	return true
}

// builtinTypesYAML decodes fixtures/awx/credential-types.yaml, the source
// of builtin_types_gen.go. The server builds the types from that generated
// code: yaml.v3 took 4 ms over those 32 KB, a fifth of credemu's start-up,
// encoding/json over the same types as JSON still 0.4 ms, and literals
// take a tenth of that.
func builtinTypesYAML() ([]typeSpec, error) {
	var s struct {
		AWX section `yaml:"awx"`
	}
	if err := scenario.DecodeFixture(fixtures.FS, "awx/credential-types.yaml", &s); err != nil {
		return nil, err
	}
	out := make([]typeSpec, len(s.AWX.CredentialTypes))
	for i, lt := range s.AWX.CredentialTypes {
		out[i] = lt.Value
	}
	return out, nil
}

// LoadWorld compiles the awx sections of a scenario.
func (f *Family) LoadWorld(sections []scenario.Section, gen *scenario.Generator) (api.World, error) {
	w := &world{version: DefaultVersion}
	var errs scenario.ErrorList
	now := gen.Now
	useBuiltins := true
	var parsed []struct {
		sec scenario.Section
		s   section
	}
	for _, sec := range sections {
		var s section
		if err := scenario.DecodeSection(sec, &s, builtinSection); err != nil {
			errs = append(errs, scenario.Errors(sec.File, err)...)
			continue
		}
		if s.BuiltinCredentialTypes != nil {
			useBuiltins = *s.BuiltinCredentialTypes
		}
		if s.Version != "" {
			w.version = s.Version
		}
		if s.Snapshot != nil || w.restored != nil {
			if s.hasObjects() || len(parsed) > 0 && w.restored == nil || s.Snapshot != nil && w.restored != nil {
				errs = append(errs, sec.Errorf(sec.Node, "awx.snapshot: a snapshot holds every object; organizations, teams, users, tokens, credentialTypes, credentials, roleGrants and generate cannot be given beside it, or in another file"))
				continue
			}
			if s.Snapshot != nil {
				errs = append(errs, loadSnapshot(sec, s.Snapshot, w)...)
			}
			continue
		}
		parsed = append(parsed, struct {
			sec scenario.Section
			s   section
		}{sec, s})
	}
	if w.restored != nil {
		return w, errs.Err() // a snapshot is the whole world
	}
	typeByName := map[string]*credType{}
	typeByID := map[int]*credType{}
	// builtin types skip checkTypeInputs, which TestBuiltinTypesGenerated
	// runs over them once instead of every start-up.
	addType := func(sec scenario.Section, at scenario.At, t typeSpec, builtin bool) {
		if t.Name == "" || t.Kind == "" {
			errs = append(errs, sec.ErrorAt(at, "credential type: name and kind are required"))
			return
		}
		if typeByName[t.Name] != nil {
			if typeByName[t.Name].Managed && t.Managed {
				return // the built-ins, included twice
			}
			errs = append(errs, sec.ErrorAt(at, "credential type %q is defined twice", t.Name))
			return
		}
		if !builtin {
			if msg := checkTypeInputs(t.Inputs, t.Managed); msg != "" {
				errs = append(errs, sec.ErrorAt(at, "credential type %q: inputs: %s", t.Name, msg))
				return
			}
		}
		id := t.ID
		if id == 0 {
			id = len(typeByID) + 1
			for typeByID[id] != nil {
				id++
			}
		}
		if typeByID[id] != nil {
			errs = append(errs, sec.ErrorAt(at, "credential type %q: id %d is taken by %q", t.Name, id, typeByID[id].Name))
			return
		}
		ct := &credType{ID: id, Name: t.Name, Description: t.Description, Kind: t.Kind, Namespace: t.Namespace,
			Managed: t.Managed, Inputs: t.Inputs, Injectors: t.Injectors, Created: now, Modified: now}
		if ct.Injectors == nil {
			ct.Injectors = map[string]any{}
		}
		typeByName[t.Name], typeByID[id] = ct, ct
		w.types = append(w.types, ct)
	}
	if useBuiltins {
		specs := builtinTypes()
		fixture := scenario.Section{File: "builtin:fixtures/awx/credential-types.yaml"}
		for _, t := range specs {
			addType(fixture, scenario.At{}, t, true)
		}
	}
	orgByName := map[string]*org{}
	teamByName := map[string]*team{}
	userByName := map[string]*user{}
	// Memberships are resolved once every file is read; each spec keeps its
	// place, so that an unknown member is reported at file and line.
	type placed[T any] struct {
		spec T
		sec  scenario.Section
		at   scenario.At
	}
	orgSpecs := map[*org]placed[orgSpec]{}
	teamSpecs := map[*team]placed[teamSpec]{}
	for _, p := range parsed {
		sec, s := p.sec, p.s
		for _, lo := range s.Organizations {
			o := lo.Value
			if o.Name == "" || orgByName[o.Name] != nil {
				errs = append(errs, sec.ErrorAt(lo.At, "organization: a unique name is required"))
				continue
			}
			oo := &org{ID: len(w.orgs) + 1, Name: o.Name, Description: o.Description, Created: now, Modified: now,
				Members: map[int]bool{}, Admins: map[int]bool{}}
			orgSpecs[oo] = placed[orgSpec]{o, sec, lo.At}
			orgByName[o.Name] = oo
			w.orgs = append(w.orgs, oo)
		}
		for _, lt := range s.Teams {
			t := lt.Value
			o := orgByName[t.Organization]
			if t.Name == "" || o == nil {
				errs = append(errs, sec.ErrorAt(lt.At, "team %q: name and an existing organization are required", t.Name))
				continue
			}
			tt := &team{ID: len(w.teams) + 1, Name: t.Name, Description: t.Description, OrgID: o.ID, Created: now, Modified: now,
				Members: map[int]bool{}}
			teamSpecs[tt] = placed[teamSpec]{t, sec, lt.At}
			teamByName[t.Name] = tt
			w.teams = append(w.teams, tt)
		}
		for _, lu := range s.Users {
			u := lu.Value
			switch {
			case u.Username == "" || len(u.Username) > 150 || !validUsername(u.Username):
				errs = append(errs, sec.ErrorAt(lu.At, "user: username is required: 1 to 150 letters, digits and @/./+/-/_"))
				continue
			case userByName[u.Username] != nil:
				errs = append(errs, sec.ErrorAt(lu.At, "user %q is defined twice", u.Username))
				continue
			}
			uu := &user{ID: len(w.users) + 1, Username: u.Username, Password: u.Password, Superuser: u.Superuser,
				Auditor: u.Auditor, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, Created: now, Modified: now}
			userByName[u.Username] = uu
			w.users = append(w.users, uu)
		}
		for _, lt := range s.CredentialTypes {
			addType(sec, lt.At, lt.Value, false)
		}
	}
	for _, p := range parsed {
		sec, s := p.sec, p.s
		for _, lt := range s.Tokens {
			t := lt.Value
			if t.Scope == "" {
				t.Scope = "write"
			}
			switch {
			case t.Token == "" || userByName[t.User] == nil:
				errs = append(errs, sec.ErrorAt(lt.At, "token: a token and an existing user are required"))
			case t.Scope != "read" && t.Scope != "write":
				errs = append(errs, sec.ErrorAt(lt.At, "token: scope must be read or write"))
			default:
				w.tokens = append(w.tokens, &token{ID: len(w.tokens) + 1, Token: t.Token, User: t.User, Scope: t.Scope,
					Description: "from the scenario", Created: now, Expires: now.AddDate(tokenYears, 0, 0)})
			}
		}
		for _, lc := range s.Credentials {
			c := lc.Value
			ct := typeByName[c.CredentialType]
			if id, err := strconv.Atoi(c.CredentialType); err == nil {
				ct = typeByID[id]
			}
			if ct == nil {
				errs = append(errs, sec.ErrorAt(lc.At, "credential %q: unknown credentialType %q", c.Name, c.CredentialType))
				continue
			}
			cr := &credential{ID: len(w.creds) + 1, Name: c.Name, Description: c.Description, TypeID: ct.ID,
				Inputs: inputsOf(c.Inputs), Created: now, Modified: now}
			owners := 0
			if c.User != "" {
				owners++
				if u := userByName[c.User]; u != nil {
					cr.UserID = u.ID
				} else {
					errs = append(errs, sec.ErrorAt(lc.At, "credential %q: no user %q", c.Name, c.User))
					continue
				}
			}
			if c.Team != "" {
				owners++
				if t := teamByName[c.Team]; t != nil {
					cr.TeamID, cr.OrgID = t.ID, t.OrgID
				} else {
					errs = append(errs, sec.ErrorAt(lc.At, "credential %q: no team %q", c.Name, c.Team))
					continue
				}
			}
			if c.Organization != "" {
				owners++
				if o := orgByName[c.Organization]; o != nil {
					cr.OrgID = o.ID
				} else {
					errs = append(errs, sec.ErrorAt(lc.At, "credential %q: no organization %q", c.Name, c.Organization))
					continue
				}
			}
			if c.Name == "" || owners != 1 {
				errs = append(errs, sec.ErrorAt(lc.At, "credential %q: a name and exactly one of user, team or organization are required", c.Name))
				continue
			}
			if fe := validateInputs(ct, c.Inputs, nil); len(fe) > 0 {
				errs = append(errs, sec.ErrorAt(lc.At, "credential %q: inputs: %s", c.Name, fieldErrorsText(fe)))
				continue
			}
			w.creds = append(w.creds, cr)
		}
		if n := s.Generate.Users; n > 0 {
			if n > maxGenerated || s.Generate.CredentialsPerUser*n > maxGenerated {
				errs = append(errs, sec.Errorf(sec.Node, "awx.generate: at most %d users and credentials", maxGenerated))
				continue
			}
			build, err := gen.Reserve("awx.generate", n*(1+s.Generate.CredentialsPerUser))
			if err != nil {
				errs = append(errs, sec.Errorf(sec.Node, "%v", err))
			}
			machine := typeByID[1]
			for i := 0; build && i < n; i++ {
				name := fmt.Sprintf("%s%d", strings.ToLower(gen.FirstName()), i+1)
				for userByName[name] != nil || !validUsername(name) {
					name = fmt.Sprintf("user%d", len(w.users)+1)
				}
				u := &user{ID: len(w.users) + 1, Username: name, Password: gen.Password(true, true, true, false, false, 12),
					FirstName: gen.FirstName(), LastName: gen.LastName(), Email: gen.Email(), Created: now, Modified: now}
				userByName[name] = u
				w.users = append(w.users, u)
				for j := 0; j < s.Generate.CredentialsPerUser && machine != nil; j++ {
					w.creds = append(w.creds, &credential{ID: len(w.creds) + 1, Name: fmt.Sprintf("%s %s %d", u.Username, gen.Noun(), j+1),
						TypeID: machine.ID, UserID: u.ID, Created: now, Modified: now,
						Inputs: inputsOf(map[string]any{"username": u.Username, "password": gen.Password(true, true, true, false, false, 16)})})
				}
			}
		}
	}
	// Memberships and role grants refer to users, teams and credentials of
	// any file, so they are resolved once everything is loaded.
	for _, o := range w.orgs {
		p, ok := orgSpecs[o]
		if !ok {
			continue
		}
		spec := p.spec
		for _, list := range []struct {
			names []string
			into  map[int]bool
		}{{spec.Members, o.Members}, {spec.Admins, o.Admins}} {
			for _, n := range list.names {
				if u := userByName[n]; u != nil {
					list.into[u.ID] = true
				} else {
					errs = append(errs, p.sec.ErrorAt(p.at, "organization %q: no user %q", o.Name, n))
				}
			}
		}
	}
	for _, t := range w.teams {
		p, ok := teamSpecs[t]
		if !ok {
			continue
		}
		for _, n := range p.spec.Members {
			if u := userByName[n]; u != nil {
				t.Members[u.ID] = true
			} else {
				errs = append(errs, p.sec.ErrorAt(p.at, "team %q: no user %q", t.Name, n))
			}
		}
	}
	credByName := map[string]*credential{}
	for _, c := range w.creds {
		if credByName[c.Name] == nil {
			credByName[c.Name] = c
		}
	}
	for _, p := range parsed {
		for _, lg := range p.s.RoleGrants {
			g := lg.Value
			c := credByName[g.Credential]
			idx := map[string]int{"admin": 0, "use": 1, "read": 2}
			role, okRole := idx[g.Role]
			switch {
			case c == nil:
				errs = append(errs, p.sec.ErrorAt(lg.At, "role grant: no credential named %q", g.Credential))
			case !okRole:
				errs = append(errs, p.sec.ErrorAt(lg.At, "role grant: role must be admin, use or read, got %q", g.Role))
			case (g.User == "") == (g.Team == ""):
				errs = append(errs, p.sec.ErrorAt(lg.At, "role grant: give exactly one of user and team"))
			case g.User != "" && userByName[g.User] == nil:
				errs = append(errs, p.sec.ErrorAt(lg.At, "role grant: no user %q", g.User))
			case g.Team != "" && teamByName[g.Team] == nil:
				errs = append(errs, p.sec.ErrorAt(lg.At, "role grant: no team %q", g.Team))
			case g.User != "":
				w.grants = append(w.grants, grant{cred: c.ID, role: role, member: userByName[g.User].ID})
			default:
				w.grants = append(w.grants, grant{cred: c.ID, role: role, team: true, member: teamByName[g.Team].ID})
			}
		}
	}
	return w, errs.Err()
}

// checkTypeInputs checks a credential type's input definition; "" is fine.
// Managed types are AWX's own and skip the id rule custom ones must follow
// (a plugin's metadata has ids such as "account-name").
func checkTypeInputs(in typeInputs, managed bool) string {
	seen := map[string]bool{}
	for _, f := range append(append([]inputField{}, in.Fields...), in.Metadata...) {
		switch {
		case !managed && !fieldIDRE().MatchString(f.ID):
			return fmt.Sprintf("%q is not a valid field id", f.ID)
		case f.Label == "":
			return fmt.Sprintf("field %q needs a label", f.ID)
		case f.Type != "" && f.Type != "string" && f.Type != "boolean":
			return fmt.Sprintf("field %q: type must be string or boolean", f.ID)
		case seen[f.ID]:
			return fmt.Sprintf("field IDs must be unique (%s)", f.ID)
		}
		seen[f.ID] = true
	}
	for _, r := range in.Required {
		if !seen[r] {
			return fmt.Sprintf("required field %q is not defined", r)
		}
	}
	return ""
}

// fieldIDRE is an input field id of a custom type; compiled on first use,
// as only custom credential types need it.
var fieldIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z_]+[a-zA-Z0-9_]*$`) })
