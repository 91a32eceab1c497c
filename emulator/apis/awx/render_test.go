package awx

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/api"
)

// tricky strings: what encoding/json escapes, and what it leaves alone.
var tricky = []string{"", "plain", `quote " and \ backslash`, "<html> & more", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "é ü 日本", "line\u2028sep\u2029para", "bad \xff utf8 \xc3", "emoji 🎉"}

// credentialViews builds views over every optional part: owners of each
// kind, organization or none, capabilities set or not, inputs of every
// JSON type, a nil map, and the tricky strings in every string field.
func credentialViews() []any {
	var out []any
	for i, s := range tricky {
		v := CredentialView{ID: i, Type: "credential", URL: credURL(i), Name: s, Description: tricky[(i+3)%len(tricky)],
			Created: "2026-01-01T00:00:00.123456Z", Modified: s, CredentialType: i + 1, Managed: i%2 == 0,
			Cloud: i%3 == 0, Kubernetes: i%4 == 0,
			Related: credRelated{AccessList: s, ActivityStream: "a", Copy: "c", CredentialType: "t", InputSources: "i",
				ObjectRoles: "o", OwnerTeams: "ot", OwnerUsers: "ou"},
			SummaryFields: credSummary{
				CredentialType:   ref{ID: i, Name: s, Description: s},
				ObjectRoles:      objectRoles("credential", []int{3 * i, 3*i + 1, 3*i + 2}),
				Owners:           []owner{{ID: i, Type: "user", Name: s, URL: userURL(i), Description: s}},
				UserCapabilities: caps{Edit: i%2 == 1, Delete: i%3 == 1},
			},
			Inputs: map[string]any{"username": s, "port": float64(i) * 1.5, "big": 1e21, "small": 1e-7, "on": i%2 == 0,
				"none": nil, "list": []any{s, 1.0, false}, "nested": map[string]any{s: s}, "z" + s: "last"},
		}
		switch i % 3 {
		case 0:
			v.Organization = rawInt(i)
			v.Related.Organization, v.Related.User = orgURL(i), userURL(i)
			v.SummaryFields.Organization = &ref{ID: i, Name: s}
			v.SummaryFields.UserCapabilities.Copy, v.SummaryFields.UserCapabilities.Use = boolp(true), boolp(false)
			v.Kind = strp(s)
		case 1:
			v.Organization = rawNull()
			v.Inputs = nil
			v.SummaryFields.Owners = nil
			v.SummaryFields.ObjectRoles = nil
		case 2:
			v.SummaryFields.Owners = []owner{}
			v.Inputs = map[string]any{}
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
		v.Inputs = map[string]any{s: u, u: flag}
		v.SummaryFields.ObjectRoles = map[string]role{s: {Name: u, ID: n}, u: {Description: s}}
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
