package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
)

// TestUncleanPaths checks that a path with empty or dot segments is
// answered the way each vendor's server answers it: cleaned and served
// directly (never a 301, which Go's client would follow as a GET), or, for
// Avisi's Spring Security firewall, refused with 400.
func TestUncleanPaths(t *testing.T) {
	const (
		zs    = "Authorization: OAuth 0123456789abcdef0123456789abcdef"
		alice = "894f1c5bf6714a76b08324c69b8cac7c"
		awx   = "Authorization: Basic YWRtaW46cGFzc3dvcmQ="
	)
	tests := []struct {
		name, method, path string
		body               any
		header             string
		status             int
		contains           string
	}{
		{"zstack PUT with //", "PUT", "/zstack/v1//iam2/virtual-ids/" + alice + "/actions",
			map[string]any{"updateIAM2VirtualID": map[string]string{"description": "via //"}}, zs, 200, `"description":"via //"`},
		{"zstack GET with trailing //", "GET", "/zstack/v1/iam2/virtual-ids//" + alice, nil, zs, 200, `"name":"alice"`},
		{"zstack dot segments", "GET", "/zstack/v1/iam2/x/../virtual-ids/./" + alice, nil, zs, 200, `"name":"alice"`},
		{"awx //", "GET", "/api/v2//users/2/", nil, awx, 200, `"username":"bob"`},
		{"vsphere //", "GET", "/rest/appliance//local-accounts", nil, vsphereBasic, 200, `"root"`},
		{"avisi //", "GET", "/api/v1/orgs//acme/cloud-accounts", nil, admin, 400, `potentially malicious String \"//\"`},
		{"avisi dot segment", "GET", "/api/v1/orgs/acme/../acme/cloud-accounts", nil, admin, 400, "not normalized"},
		{"avisi clean", "GET", "/api/v1/orgs/acme/cloud-accounts", nil, admin, 200, "prod-aws"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t, emulator.WithScenario("default"))
			// A client that does not follow redirects, to see what is answered.
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			body := ""
			if tc.body != nil {
				body = mustMarshal(t, tc.body)
			}
			req, _ := http.NewRequest(tc.method, srv.URL()+tc.path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			k, v, _ := strings.Cut(tc.header, ":")
			req.Header.Set(k, strings.TrimSpace(v))
			// Go's client would clean nothing, but make sure the raw path is sent as written.
			req.URL.Opaque = tc.path
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.contains) {
				t.Errorf("%s %s: %d %s, want %d containing %s", tc.method, tc.path, resp.StatusCode, b, tc.status, tc.contains)
			}
		})
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLongHeaders checks that over-long headers are answered 431 in each
// API's own format rather than by Go's plain text.
func TestLongHeaders(t *testing.T) {
	srv := start(t, emulator.WithScenario("default"))
	big := "X-Big: " + strings.Repeat("b", 100<<10)
	for path, want := range map[string]string{
		"/api/v1/orgs/acme/cloud-accounts": `"message":"Request headers are larger than 65536 bytes"`,
		"/api/v2/users/":                   `"detail":"Request headers are larger than 65536 bytes"`,
		"/rest/appliance/local-accounts":   `"type":"com.vmware.vapi.std.errors.invalid_request"`,
	} {
		r := srv.Do("GET", path, nil, big)
		if r.Status != 431 || !strings.Contains(string(r.Body), want) {
			t.Errorf("%s: %d %.200s", path, r.Status, r.Body)
		}
	}
}
