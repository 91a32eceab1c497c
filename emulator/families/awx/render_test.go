package awx

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/api"
)

// tricky strings: what encoding/json escapes, and what it leaves alone.
var tricky = []string{"", "plain", `quote " and \ backslash`, "<html> & more", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "é ü 日本", "line\u2028sep\u2029para", "bad \xff utf8 \xc3", "emoji 🎉"}

// secretType has secret and plain inputs, to show which a view hides.
var secretType = &credType{Inputs: typeInputs{Fields: []inputField{{ID: "username"}, {ID: "password", Secret: true},
	{ID: "key", Secret: true}, {ID: "token", Secret: true}}}}

// credentialViews builds views over every optional part: owners of each
// kind, organization or none, capabilities set or not, inputs of every
// JSON type, a nil map, and the tricky strings in every string field.
func credentialViews() []any {
	var out []any
	for i, s := range tricky {
		v := CredentialView{ID: i, Type: "credential", URL: credURL(i), Name: s, Description: tricky[(i+3)%len(tricky)],
			Created: stamp(time.Date(2026, 1, 1, 0, 0, 0, 123456789, time.UTC)), Modified: stamp(time.Unix(int64(i)*86400, 0).In(time.FixedZone("x", 3600))),
			CredentialType: i + 1, Managed: i%2 == 0,
			Cloud: i%3 == 0, Kubernetes: i%4 == 0,
			Related: credRelated{id: i, typeID: i + 1},
			SummaryFields: credSummary{
				CredentialType:   ref{ID: i, Name: s, Description: s},
				ObjectRoles:      objectRoles("credential", []int{3 * i, 3*i + 1, 3*i + 2}),
				Owners:           []owner{{ID: i, Type: "user", Name: s, URL: userURL(i), Description: s}},
				UserCapabilities: caps{Edit: i%2 == 1, Delete: i%3 == 1},
			},
			Inputs: inputsView{t: secretType, m: inputsOf(map[string]any{"username": s, "password": s, "key": "", "token": 7.0,
				"port": float64(i) * 1.5, "big": 1e21, "small": 1e-7, "on": i%2 == 0,
				"none": nil, "list": []any{s, 1.0, false}, "nested": map[string]any{s: s}, "z" + s: "last"})},
		}
		switch i % 3 {
		case 0:
			v.Organization = rawInt(i)
			v.Related.orgID, v.Related.userID = i+7, i+8
			v.SummaryFields.Organization = &ref{ID: i, Name: s}
			v.SummaryFields.UserCapabilities.Copy, v.SummaryFields.UserCapabilities.Use = boolp(true), boolp(false)
			v.Kind = strp(s)
		case 1:
			v.Organization = rawNull()
			v.Inputs.m = nil
			v.SummaryFields.Owners = nil
			v.SummaryFields.ObjectRoles = objectRoles("organization", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
		case 2:
			v.SummaryFields.Owners = []owner{}
			v.Inputs.m = nil
		}
		out = append(out, v)
	}
	return out
}

func TestViewsEncodeAsMarshalJSON(t *testing.T) {
	views := credentialViews()
	next := "/api/v2/credentials/?page=2"
	values := append([]any{Page{Count: 3, Next: &next, Results: views}, Page{Results: []any{}}, Page{},
		Page{Results: []any{UserView{ID: 1, Username: "<b>"}, map[string]any{"x": 1.0}}}}, views...)
	for i, v := range values {
		want, err := api.MarshalJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		got := v.(api.JSONAppender).AppendJSON(nil)
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("value %d (-MarshalJSON +AppendJSON):\n%s", i, diff)
		}
	}
}

func FuzzCredentialViewJSON(f *testing.F) {
	for i, s := range tricky {
		f.Add(s, tricky[(i+1)%len(tricky)], i, i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, s, u string, n int, flag bool) {
		v := credentialViews()[abs(n)%len(tricky)].(CredentialView)
		v.Name, v.Description, v.ID = s, u, n
		v.Inputs = inputsView{t: secretType, m: inputsOf(map[string]any{s: u, u: flag, "password": u})}
		v.SummaryFields.ObjectRoles = objectRoles("team", []int{n, n + 1})
		v.SummaryFields.Owners = append(v.SummaryFields.Owners, owner{Name: u, Description: s})
		if flag {
			v.Kind = &u
		}
		want, err := api.MarshalJSON(Page{Count: n, Next: &s, Results: []any{v}})
		if err != nil {
			t.Fatal(err)
		}
		if got := (Page{Count: n, Next: &s, Results: []any{v}}).AppendJSON(nil); string(got) != string(want) {
			t.Errorf("AppendJSON:\n%s\nMarshalJSON:\n%s", got, want)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}

// TestLinksAndRolesEncodeAsMaps holds the parts written from ids and
// times to the maps and strings they stand for, encoded by encoding/json.
func TestLinksAndRolesEncodeAsMaps(t *testing.T) {
	for _, tm := range []time.Time{{}, time.Date(2026, 11, 23, 13, 40, 5, 987654321, time.FixedZone("CET", 3600)),
		time.Date(999, 1, 2, 3, 4, 5, 6000, time.UTC), time.Date(12026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(1e9, 1000)} {
		want, _ := api.MarshalJSON(formatTime(tm))
		if got := stamp(tm).appendJSON(nil); string(got) != string(want) {
			t.Errorf("stamp %v: %s, want %s", tm, got, want)
		}
	}
	for _, r := range []credRelated{{id: 1, typeID: 2}, {id: 10, typeID: 3, orgID: 4}, {id: 5, typeID: 6, userID: 7}, {id: 8, typeID: 9, orgID: 1, userID: 2}} {
		base := credURL(r.id)
		m := map[string]string{"access_list": base + "access_list/", "activity_stream": base + "activity_stream/", "copy": base + "copy/",
			"credential_type": typeURL(r.typeID), "input_sources": base + "input_sources/", "object_roles": base + "object_roles/",
			"owner_teams": base + "owner_teams/", "owner_users": base + "owner_users/"}
		if r.orgID != 0 {
			m["organization"] = orgURL(r.orgID)
		}
		if r.userID != 0 {
			m["user"] = userURL(r.userID)
		}
		want, _ := api.MarshalJSON(m)
		if diff := cmp.Diff(string(want), string(r.appendJSON(nil))); diff != "" {
			t.Errorf("related %+v (-map +appended):\n%s", r, diff)
		}
	}
	for i, m := range []map[string]any{nil, {}, {"username": "u", "password": "p", "key": "", "token": 7.0, "x": []any{"p"}}} {
		want, _ := api.MarshalJSON(showInputs(secretType, inputsOf(m)))
		if got := (inputsView{t: secretType, m: inputsOf(m)}).appendJSON(nil); string(got) != string(want) {
			t.Errorf("inputs %d: %s, want %s", i, got, want)
		}
	}
	for kind, fields := range roleFields {
		ids := make([]int, len(fields))
		m := map[string]role{}
		for i, f := range fields {
			ids[i] = 100 + i
			m[f] = role{ID: ids[i], Name: roleNames[f], Description: roleDescription(kind, f)}
		}
		want, _ := api.MarshalJSON(m)
		if diff := cmp.Diff(string(want), string(objectRoles(kind, ids).appendJSON(nil))); diff != "" {
			t.Errorf("%s roles (-map +appended):\n%s", kind, diff)
		}
	}
}
