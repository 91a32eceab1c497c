package segmatch

import (
	"net/http/httptest"
	"testing"

	"github.com/credemu/credemu/emulator/internal/patterntest"
	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/mux"
)

// TestMatcherAgreesWithMux compares the matcher with gorilla's own
// path expression over templates and paths, clean and not: same answer,
// same variables.
func TestMatcherAgreesWithMux(t *testing.T) {
	templates := []string{
		"/api/v2/credentials/", "/api/v2/credentials/{id}/", "/api/v2/users/{id}/credentials/",
		"/zstack/v1/iam2/virtual-ids/{uuid}", "/rest/appliance/local-accounts/{username}",
		"/api/v1/orgs/{org}/cloud-accounts/{id}", "/", "/a/{x}/{y}", "/api/v2/users/{id:[0-9]+}/",
		"/n/{id:[a-f0-9-]+}/x",
	}
	paths := []string{
		"/", "//", "/api", "/api/v2/credentials/", "/api/v2/credentials", "/api/v2/credentials/1/",
		"/api/v2/credentials/1", "/api/v2/credentials//", "/api/v2/credentials/1/x/", "/api/v2/users/2/credentials/",
		"/api/v2/users//credentials/", "/zstack/v1/iam2/virtual-ids/abc", "/zstack/v1/iam2/virtual-ids/",
		"/zstack/v1/iam2/virtual-ids/a/b", "/rest/appliance/local-accounts/ops", "/rest/appliance/local-accounts/a b",
		"/api/v1/orgs/acme/cloud-accounts/7", "/api/v1/orgs/acme/cloud-accounts/", "/a/1/2", "/a/1/2/", "/a//2",
		"/api/v2/credentials/1/?q=1", "/API/v2/credentials/", "/a/%2F/2", "/api/v2/users/12/", "/api/v2/users/1a/",
		"/api/v2/users/-1/", "/n/ab-12/x", "/n/AB/x", "/n//x", "/n/a/b/x",
	}
	matched := 0
	for _, tmpl := range templates {
		m := Matcher("GET", tmpl)
		if m == nil {
			t.Fatalf("%s: no matcher", tmpl)
		}
		route := mux.NewRouter().SkipClean(true).Path(tmpl)
		for _, p := range paths {
			req := httptest.NewRequest("GET", "http://h/", nil)
			req.URL.Path = p // as the server sees it, decoded and unclean
			var want, got mux.RouteMatch
			wantOK, gotOK := route.Match(req, &want), m(req, &got)
			if wantOK != gotOK {
				t.Errorf("%s on %q: matcher %v, mux %v", tmpl, p, gotOK, wantOK)
				continue
			}
			if wantOK {
				matched++
				if len(want.Vars) == 0 {
					want.Vars = nil
				}
				if diff := cmp.Diff(want.Vars, got.Vars); diff != "" {
					t.Errorf("%s on %q: variables (-mux +matcher):\n%s", tmpl, p, diff)
				}
			}
		}
	}
	if matched < len(templates) {
		t.Errorf("only %d matches: the table does not exercise the matcher", matched)
	}
	if Matcher("GET", "/api/v2/credentials/")(httptest.NewRequest("POST", "/api/v2/credentials/", nil), &mux.RouteMatch{}) {
		t.Error("another method passes")
	}
	for _, method := range []string{"GET", "POST", "DELETE"} {
		var m mux.RouteMatch
		if !Matcher("", "/faults/{id:[0-9]+}")(httptest.NewRequest(method, "/faults/12", nil), &m) || m.Vars["id"] != "12" {
			t.Errorf("%s with no method set: match %v", method, m.Vars)
		}
	}
	for _, tmpl := range []string{"/files/{path:.*}", "/x/{a}.json", "/x/v{n}", "/x/{n:[^/]+}", "/x/{n:[0-9]*}", "/x/{n:[a/b]+}"} {
		if Matcher("GET", tmpl) != nil {
			t.Errorf("%s: a matcher for a template mux's expression must judge", tmpl)
		}
	}
}

const classPlusPattern = `^\[[^\]/^][^\]/]*\]\+$`

var classPlusCases = patterntest.Cases{
	"[0-9]+": true, "[a-z0-9-]+": true, "[.]+": true, "[^/]+": false, "[/]+": false, "[]+": false,
	"[a]]+": false, "[a]+]+": false, "[a]*": false, "[a]": false, "a+": false, "[a+": false,
	"[a]+\n": false, "[é]+": true, "[\xff]+": true, "": false, "[a^]+": true,
}

func TestIsClassPlus(t *testing.T) {
	patterntest.Table(t, "isClassPlus", isClassPlus, classPlusPattern, classPlusCases)
}

func FuzzIsClassPlus(f *testing.F) {
	patterntest.Fuzz(f, "isClassPlus", isClassPlus, classPlusPattern, classPlusCases)
}
