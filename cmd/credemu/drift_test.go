package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator/emulatortest"
)

// TestDriftCommand: exit 0 without drift, 1 with it, 2 on usage errors,
// JSON for CI, and the password never in the output.
func TestDriftCommand(t *testing.T) {
	service := emulatortest.Start(t)
	const pw = "password"
	var out, errb bytes.Buffer
	if code := run([]string{"drift", "--family", "awx", "--target", service.URL(), "--user", "admin", "--password", pw}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "awx: 17 probes, 0 differences") {
		t.Errorf("report: %s", out.String())
	}

	// A service that answers ping with one more field drifts: exit 1.
	u, _ := url.Parse(service.URL())
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path == "/api/v2/ping/" {
			resp.Header.Set("Content-Type", "text/html")
		}
		return nil
	}
	proxy := httptest.NewServer(p)
	defer proxy.Close()
	out.Reset()
	if code := run([]string{"drift", "--family", "awx", "--target", proxy.URL, "--user", "admin", "--password", pw, "--format", "json"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, out.String())
	}
	var rep struct {
		Findings []struct{ Probe, Kind, Service, Credemu string }
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.Findings) != 1 || rep.Findings[0].Kind != "content-type" {
		t.Errorf("json report: %s (%v)", out.String(), err)
	}
	if strings.Contains(out.String(), pw) || strings.Contains(errb.String(), pw) {
		t.Error("the password was printed")
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"drift", "--family", "awx"}, "--target is required"},
		{[]string{"drift", "--family", "nova", "--target", "http://x"}, "--family"},
		{[]string{"drift", "--target", "http://x"}, "--family"},
		{[]string{"drift", "--family", "awx", "--target", "ftp://x"}, "--target"},
		{[]string{"drift", "--family", "awx", "--target", "http://x", "--format", "xml"}, "--format"},
		{[]string{"drift", "--family", "awx", "--target", "http://x", "--ca", "/nonexistent.pem"}, "--ca"},
	} {
		out.Reset()
		errb.Reset()
		if code := run(tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
	// Login refused by the service: exit 1 with a message that names no secret.
	errb.Reset()
	if code := run([]string{"drift", "--family", "zstack", "--target", service.URL(), "--user", "admin", "--password", "wrong-secret"}, &out, &errb); code != 1 ||
		strings.Contains(errb.String(), "wrong-secret") || !strings.Contains(errb.String(), "logging in") {
		t.Errorf("bad login: exit %d, %q", code, errb.String())
	}
}
