package journal_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/journal"
)

func TestRedact(t *testing.T) {
	r := journal.NewRedactor([]string{"apiKey"})
	tests := []struct{ in, want string }{
		{`{"password":"p","name":"n"}`, `{"name":"n","password":"*****"}`},
		{`{"credentials":{"apiKey":"k","clientSecret":"s","tenantId":"t"}}`, `{"credentials":{"apiKey":"*****","clientSecret":"*****","tenantId":"t"}}`},
		{`[{"ApiKey":"x"}]`, `[{"ApiKey":"*****"}]`},
		{`{"password":""}`, `{"password":""}`},
		{`not json password=x`, `"<19 bytes, not JSON>"`},
	}
	for _, tc := range tests {
		if got := string(r.Body([]byte(tc.in))); got != tc.want {
			t.Errorf("Body(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add(`{"password":"hunter2","a":[{"token":"t"}]}`)
	f.Add(`[1,2,{"secret":{"x":"y"}}]`)
	f.Fuzz(func(t *testing.T, in string) {
		out := journal.NewRedactor(nil).Body([]byte(in))
		if out != nil && !json.Valid(out) {
			t.Fatalf("redacted output is not JSON: %s", out)
		}
		if strings.Contains(in, `"password":"hunter2"`) && strings.Contains(string(out), "hunter2") {
			t.Fatalf("secret kept: %s", out)
		}
	})
}

func TestRingAndFilter(t *testing.T) {
	j := journal.New(3)
	for i, op := range []string{"a", "b", "a", "c", "a"} {
		j.Add(journal.Entry{Operation: op, Status: 200 + i})
	}
	var ops []string
	for _, e := range j.List(journal.Filter{}) {
		ops = append(ops, e.Operation)
	}
	if diff := cmp.Diff([]string{"a", "c", "a"}, ops); diff != "" {
		t.Errorf("ring order (-want +got):\n%s", diff)
	}
	if n := len(j.List(journal.Filter{Operation: "a"})); n != 2 {
		t.Errorf("filter: %d", n)
	}
	if j.Overwritten() != 2 {
		t.Errorf("overwritten %d", j.Overwritten())
	}
}
