package avisi

import (
	"slices"
	"strings"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Greet names the scenario's tokens, those for every organisation first,
// and lists the first organisation's cloud accounts with the first token
// that may read them.
func (f *Family) Greet(aw api.World, url string) family.Greeting {
	w := aw.(*world)
	g := family.NewGreeting(f, url+"/api/v1")
	tokens := make([]string, 0, len(w.tokens))
	for t := range w.tokens {
		tokens = append(tokens, t)
	}
	every := func(t string) bool { return slices.Contains(w.tokens[t].Organisations, "*") }
	slices.SortFunc(tokens, func(a, b string) int {
		if every(a) != every(b) {
			if every(a) {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	org, try := "", ""
	if len(w.orgs) > 0 {
		org = w.orgs[0].slug
	}
	for _, t := range tokens {
		spec := w.tokens[t]
		scope := "organisations " + strings.Join(spec.Organisations, ", ")
		if every(t) {
			scope = "every organisation"
		}
		if spec.ReadOnly {
			scope += ", read-only"
		}
		g.Login("Authorization: Token %s (%s)", t, scope)
		if try == "" && (every(t) || slices.Contains(spec.Organisations, org)) {
			try = t
		}
	}
	switch {
	case org == "":
		g.Curl(g.Base + "/cloud-profiles")
	case try == "":
		g.Curl(g.Base + "/orgs/" + org + "/cloud-accounts")
		g.Try += "   # no token: answers 401"
	default:
		g.Curl("-H", "Authorization: Token "+try, g.Base+"/orgs/"+org+"/cloud-accounts")
	}
	return *g
}
