package api_test

import (
	"testing"

	"github.com/credemu/credemu/emulator/api"
)

// TestObject: fields come in the order written, with commas only between
// them, values escaped as MarshalJSON escapes them, and nil arrays null.
func TestObject(t *testing.T) {
	s := "<\"x\">"
	got := api.StartObject(nil).Int("a", 1).String("b", s).NullString("c", nil).NullString("d", &s).Bool("e", true).
		Int64("f", -5).Value("g", []int{1}).Raw("h", []byte(`{"x":1}`)).
		Field("i", func(b []byte) []byte { return api.StartObject(b).End() }).
		Field("j", func(b []byte) []byte { return api.AppendArray(b, []string{"p", s}, api.AppendString) }).
		Field("k", func(b []byte) []byte { return api.AppendArray(b, []string(nil), api.AppendString) }).End()
	want := `{"a":1,"b":"<\"x\">","c":null,"d":"<\"x\">","e":true,"f":-5,"g":[1],"h":{"x":1},"i":{},"j":["p","<\"x\">"],"k":null}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := api.StartObject([]byte("[")).End(); string(got) != "[{}" {
		t.Errorf("empty object after a bracket: %s", got)
	}
}
