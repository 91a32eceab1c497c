package journal_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
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
	j := journal.New(journal.Config{Entries: 3})
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

func TestBodiesPathAndQueryAreCutAndMarked(t *testing.T) {
	j := journal.New(journal.Config{BodyLimit: 100})
	red := journal.NewRedactor(nil)
	big := `{"items":"` + strings.Repeat("x", 500) + `","password":"hunter2"}`
	small := `{"ok":true}`
	longPath := "/p/" + strings.Repeat("a", 3000)
	j.AddWithBodies(journal.Entry{Path: longPath, Query: "q=" + strings.Repeat("b", 3000)}, []byte(big), []byte(big), red)
	j.AddWithBodies(journal.Entry{Path: "/short"}, []byte(small), []byte(small), red)
	got := j.List(journal.Filter{})
	cut, whole := got[0], got[1]
	wantCut := map[string]int{"path": len(longPath), "query": 3002, "requestBody": len(big), "responseBody": len(big)}
	if diff := cmp.Diff(wantCut, cut.Truncated); diff != "" {
		t.Errorf("truncated (-want +got):\n%s", diff)
	}
	var prefix string
	if err := json.Unmarshal(cut.RequestBody, &prefix); err != nil || len(prefix) != 100 || !strings.HasPrefix(prefix, `{"items":"xxx`) {
		t.Errorf("cut request body: %v %s", err, cut.RequestBody)
	}
	if len(cut.Path) != 2048 || len(cut.Query) != 2048 {
		t.Errorf("path %d, query %d bytes kept", len(cut.Path), len(cut.Query))
	}
	if whole.Truncated != nil || string(whole.RequestBody) != small || string(whole.ResponseBody) != small {
		t.Errorf("short entry: %+v", whole)
	}
	for _, e := range got {
		if strings.Contains(string(e.RequestBody)+string(e.ResponseBody), "hunter2") {
			t.Errorf("secret kept in a cut body: %s", e.RequestBody)
		}
	}
}

func TestByteBound(t *testing.T) {
	const bound = 20000
	j := journal.New(journal.Config{BodyLimit: 4096, Bytes: bound})
	red := journal.NewRedactor(nil)
	body := []byte(`"` + strings.Repeat("y", 3000) + `"`)
	for i := range 100 {
		j.AddWithBodies(journal.Entry{Operation: fmt.Sprint(i)}, body, body, red)
		if b := j.Bytes(); b > bound {
			t.Fatalf("after %d entries the journal holds %d bytes, bound %d", i+1, b, bound)
		}
	}
	got := j.List(journal.Filter{})
	if len(got) == 0 || got[len(got)-1].Operation != "99" || int64(len(got))+j.Overwritten() != 100 {
		t.Errorf("%d kept, %d overwritten, newest %q", len(got), j.Overwritten(), got[len(got)-1].Operation)
	}
}

func TestRedactsEscapedKeys(t *testing.T) {
	r := journal.NewRedactor([]string{"apiKey"})
	for _, in := range []string{`{"pass\u0077ord":"hunter2"}`, `{"\u0061piKey":"hunter2"}`, `{"a":{"to\u006ben":"hunter2"}}`} {
		if out := string(r.Body([]byte(in))); strings.Contains(out, "hunter2") {
			t.Errorf("Body(%s) = %s: escaped key not redacted", in, out)
		}
	}
}

func TestListPage(t *testing.T) {
	j := journal.New(journal.Config{})
	for i := range 7 {
		j.Add(journal.Entry{Operation: fmt.Sprint(i % 2)})
	}
	var seen []int64
	f := journal.Filter{Operation: "0"}
	for {
		p := j.ListPage(f, 2)
		for _, e := range p.Entries {
			seen = append(seen, e.Seq)
		}
		if p.Next == 0 {
			break
		}
		f.AfterSeq = p.Next
	}
	if diff := cmp.Diff([]int64{1, 3, 5, 7}, seen); diff != "" {
		t.Errorf("paged seqs (-want +got):\n%s", diff)
	}
}

func TestPrefixRedactsWhatTheCutKept(t *testing.T) {
	red := journal.NewRedactor([]string{"ssh_key_data"})
	tests := []struct{ in, want string }{
		{`{"a":1,"password":"hunter2","b":[1,2]}`, `{"a":1,"password":"*****","b":[1,2]}`},
		{`{"a":1, "password" : "hunter2", "b":"x`, `{"a":1, "password":"*****", "b":"x`},
		{`{"a":1,"password":"hunt`, `{"a":1,"password"`},
		{`{"a":1,"password":`, `{"a":1,"password"`},
		{`{"inputs":{"ssh_key_data":{"k":"v"},"user":"u"},"n":`, `{"inputs":{"ssh_key_data":"*****","user":"u"},"n":`},
		{`{"inputs":{"ssh_key_data":{"k":"v`, `{"inputs":{"ssh_key_data"`},
		{`[{"pass\u0077ord":"x"},{"token":""},{"secret":null}]`, `[{"pass\u0077ord":"*****"},{"token":""},{"secret":null}]`},
		{`{"results":[{"name":"password","x":"passw`, `{"results":[{"name":"password","x":"passw`},
		{`{"passw`, `{"passw`},
	}
	for _, tc := range tests {
		if got := red.Prefix([]byte(tc.in)); got != tc.want {
			t.Errorf("Prefix(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func FuzzPrefix(f *testing.F) {
	f.Add([]byte(`{"a":{"password":"p","b":[1,"x"]},"token":"t"}`), 20)
	f.Add([]byte(`[{"secret":{"x":["y"]}}]`), 9)
	red := journal.NewRedactor(nil)
	f.Fuzz(func(t *testing.T, b []byte, cut int) {
		if cut < 0 || cut > len(b) {
			cut = len(b)
		}
		got := red.Prefix(b[:cut])
		// Whatever the input, a secret's value never shows: redacting the
		// whole text and taking the prefix must agree on every secret that
		// the whole text holds.
		var v any
		if json.Unmarshal(b, &v) == nil {
			for _, s := range secretStrings(v, red, false) {
				// Letters only, so the value cannot be mistaken for JSON
				// syntax; it may also stand as an ordinary value or key.
				if len(s) > 3 && isWord(s) && strings.Contains(got, s) && !appearsOutsideSecrets(v, red, s) {
					t.Fatalf("secret %q shown in %q", s, got)
				}
			}
		}
	})
}

// secretStrings lists the string values of secret fields.
func secretStrings(v any, red *journal.Redactor, inSecret bool) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			out = append(out, secretStrings(val, red, inSecret || red.IsSecret(k))...)
		}
	case []any:
		for _, val := range x {
			out = append(out, secretStrings(val, red, inSecret)...)
		}
	case string:
		if inSecret {
			out = append(out, x)
		}
	}
	return out
}

// appearsOutsideSecrets reports whether s is also a key or an ordinary
// value somewhere.
func appearsOutsideSecrets(v any, red *journal.Redactor, s string) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if strings.Contains(k, s) {
				return true
			}
			if !red.IsSecret(k) && appearsOutsideSecrets(val, red, s) {
				return true
			}
		}
	case []any:
		for _, val := range x {
			if appearsOutsideSecrets(val, red, s) {
				return true
			}
		}
	case string:
		return strings.Contains(x, s)
	}
	return false
}

func isWord(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// TestRingMatchesModel adds entries of random sizes to journals of a few
// bounds and compares what each keeps with a plain list that drops its
// oldest entries under the same bounds.
func TestRingMatchesModel(t *testing.T) {
	for _, cfg := range []journal.Config{{Entries: 1}, {Entries: 5}, {Entries: 100, Bytes: 20000}, {Entries: 70, Bytes: 1 << 20}} {
		j := journal.New(cfg)
		var model []int64 // sequence numbers kept
		sizes := map[int64]int{}
		rng := rand.New(rand.NewPCG(uint64(cfg.Entries), 1))
		for i := 0; i < 1000; i++ {
			n := rng.IntN(600)
			seq := j.Add(journal.Entry{Path: "/" + strings.Repeat("p", n)})
			model = append(model, seq)
			sizes[seq] = n
			for len(model) > cfg.Entries {
				model = model[1:]
			}
			if i%97 == 0 {
				var got []int64
				for _, e := range j.List(journal.Filter{}) {
					got = append(got, e.Seq)
					if len(e.Path) != min(sizes[e.Seq]+1, 2048) {
						t.Fatalf("entry %d: path of %d bytes, want %d", e.Seq, len(e.Path), sizes[e.Seq]+1)
					}
				}
				// The byte bound may drop more than the count bound: what
				// is kept is always the newest entries, in order.
				if len(got) == 0 || len(got) > len(model) || !slices.Equal(got, model[len(model)-len(got):]) {
					t.Fatalf("%+v after %d: kept %v, want a suffix of %v", cfg, i+1, got, model)
				}
				if cfg.Bytes == 0 && len(got) != len(model) {
					t.Fatalf("%+v: kept %d entries, want %d", cfg, len(got), len(model))
				}
			}
		}
		if j.Overwritten() != int64(1000-len(j.List(journal.Filter{}))) {
			t.Errorf("%+v: overwritten %d", cfg, j.Overwritten())
		}
	}
}

// TestBodiesInReusedBuffers: once the ring is full each new entry's
// bodies go into the buffers of the entry it evicts. Every entry must
// still list exactly its own bodies, whatever the sizes before and after
// it, and none may change when the caller reuses its buffers.
func TestBodiesInReusedBuffers(t *testing.T) {
	red := journal.NewRedactor(nil)
	for _, cfg := range []journal.Config{{Entries: 1, BodyLimit: 4096}, {Entries: 7, BodyLimit: 4096}, {Entries: 50, BodyLimit: 300}} {
		j := journal.New(cfg)
		rng := rand.New(rand.NewPCG(uint64(cfg.Entries), 2))
		want := map[int64][2]string{}
		var reqBuf, respBuf []byte
		body := func(buf []byte, tag string, n int) []byte {
			buf = append(buf[:0], `{"k":"`...)
			buf = append(buf, tag...)
			for range n {
				buf = append(buf, 'a'+byte(rng.IntN(26)))
			}
			return append(buf, `"}`...)
		}
		for i := 0; i < 600; i++ {
			// Sizes jump about: smaller, alike, far larger than the last.
			n := []int{0, 5, 40, 1500, 3}[rng.IntN(5)] + rng.IntN(20)
			reqBuf = body(reqBuf, fmt.Sprintf("q%d-", i), n)
			respBuf = body(respBuf, fmt.Sprintf("r%d-", i), rng.IntN(2000))
			seq := j.AddWithBodies(journal.Entry{Method: "POST", Path: "/x"}, reqBuf, respBuf, red)
			keep := func(b []byte) string {
				if len(b) > cfg.BodyLimit {
					return "" // cut bodies are listed as text, checked elsewhere
				}
				return string(b)
			}
			want[seq] = [2]string{keep(reqBuf), keep(respBuf)}
			// The caller overwrites its buffers before the next request.
			for k := range reqBuf {
				reqBuf[k] = 'X'
			}
			if i%37 == 0 || i > 590 {
				for _, e := range j.List(journal.Filter{}) {
					w := want[e.Seq]
					if w[0] != "" && string(e.RequestBody) != w[0] || w[1] != "" && string(e.ResponseBody) != w[1] {
						t.Fatalf("%+v after %d: entry %d lists %.40s / %.40s, want %.40s / %.40s", cfg, i, e.Seq, e.RequestBody, e.ResponseBody, w[0], w[1])
					}
				}
			}
		}
	}
}

// TestFullRingCopiesBodiesWithoutAllocating: the bodies of a journal at
// its bound cost no allocation of their own, which for a create's 1.5 KB
// answer was a tenth of what a request allocated.
func TestFullRingCopiesBodiesWithoutAllocating(t *testing.T) {
	j := journal.New(journal.Config{Entries: 16, BodyLimit: 8192})
	red := journal.NewRedactor(nil)
	req := []byte(`{"name":"n","credential_type":1}`)
	resp := []byte(`{"id":1,"name":"` + strings.Repeat("n", 1500) + `"}`)
	add := func() { j.AddWithBodies(journal.Entry{Method: "POST", Path: "/x"}, req, resp, red) }
	for range 32 {
		add()
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const adds = 200
	for range adds {
		add()
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / adds; per >= uint64(len(resp)) {
		t.Errorf("%d bytes allocated per entry of a full ring, want fewer than its %d-byte answer", per, len(resp))
	}
}
