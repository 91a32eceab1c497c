package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyTheStandardLibrary: the baseline links nothing credemu links
// beyond Go's standard library, so its start-up and speed are the floor.
func TestOnlyTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/credemu/credemu/cmd/credemu-bare" {
			t.Errorf("credemu-bare depends on %s", p)
		}
	}
}

func TestAnswersAsRecorded(t *testing.T) {
	srv := httptest.NewServer(handler(map[string]*Answer{
		"POST /api/x?y=1": {Status: 201, Header: map[string][]string{"Content-Type": {"application/json"}, "X-Api": {"1"}}, Body: []byte(`{"id":1}`)},
	}))
	defer srv.Close()
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/api/x?y=1", `{"name":"a"}`, 201, `{"id":1}`},
		{"POST", "/api/x?y=1", `not json`, 400, "not a JSON object"},
		{"POST", "/api/x?y=1", `[1]`, 400, "not a JSON object"},
		{"GET", "/api/x?y=1", "", 404, "no recorded answer"},
	} {
		resp, err := http.Post(srv.URL+c.path, "application/json", strings.NewReader(c.body))
		if c.method == "GET" {
			resp, err = http.Get(srv.URL + c.path)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s %q: body %q, want %q", c.method, c.path, c.body, body, c.want)
		}
		if resp.StatusCode != c.status {
			t.Errorf("%s %s %q: %d, want %d", c.method, c.path, c.body, resp.StatusCode, c.status)
		}
		if c.status == 201 && resp.Header.Get("X-Api") != "1" {
			t.Errorf("recorded header not sent: %v", resp.Header)
		}
	}
}
