package emulator

import (
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"
)

// TestSegmentFilterNeverRefusesAMatch compares the filter with gorilla's
// own path expression: the filter may only say no where the expression
// does, and should say no to the paths it was added to turn away cheaply.
func TestSegmentFilterNeverRefusesAMatch(t *testing.T) {
	templates := []string{
		"/api/v2/credentials/", "/api/v2/credentials/{id}/", "/api/v2/users/{id}/credentials/",
		"/zstack/v1/iam2/virtual-ids/{uuid}", "/rest/appliance/local-accounts/{username}",
		"/api/v1/orgs/{org}/cloud-accounts/{id}", "/x/{a}.json", "/",
	}
	paths := []string{
		"/", "//", "/api", "/api/v2/credentials/", "/api/v2/credentials", "/api/v2/credentials/1/",
		"/api/v2/credentials/1", "/api/v2/credentials//", "/api/v2/credentials/1/x/", "/api/v2/users/2/credentials/",
		"/api/v2/users//credentials/", "/zstack/v1/iam2/virtual-ids/abc", "/zstack/v1/iam2/virtual-ids/",
		"/zstack/v1/iam2/virtual-ids/a/b", "/rest/appliance/local-accounts/ops", "/rest/appliance/local-accounts/a%2Fb",
		"/api/v1/orgs/acme/cloud-accounts/7", "/api/v1/orgs/acme/cloud-accounts/", "/x/y.json", "/x/.json", "/x/y.xml",
		"/api/v2/credentials/1/?q=1", "/API/v2/credentials/",
	}
	refused := 0
	for _, tmpl := range templates {
		filter := segmentFilter("GET", tmpl)
		if filter == nil {
			t.Fatalf("%s: no filter", tmpl)
		}
		route := mux.NewRouter().SkipClean(true).Path(tmpl)
		for _, p := range paths {
			req := httptest.NewRequest("GET", "http://h"+p, nil)
			req.URL.Path = p // as the server sees it, decoded and unclean
			want := route.Match(req, &mux.RouteMatch{})
			got := filter(req, &mux.RouteMatch{})
			if want && !got {
				t.Errorf("%s: the filter refuses %q, which the route matches", tmpl, p)
			}
			if !got {
				refused++
			}
		}
	}
	if refused < len(templates)*len(paths)/2 {
		t.Errorf("the filter refused only %d of %d paths", refused, len(templates)*len(paths))
	}
	if segmentFilter("GET", "/api/v2/credentials/")(httptest.NewRequest("POST", "/api/v2/credentials/", nil), &mux.RouteMatch{}) {
		t.Error("another method passes the filter")
	}
	if segmentFilter("GET", "/files/{path:.*}") != nil {
		t.Error("a variable with its own pattern may span segments: no filter")
	}
}
