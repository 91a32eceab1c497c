package avisi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Greet names the scenario's tokens and lists the first organisation's
// cloud accounts with the first token that may read them.
func (f *Family) Greet(aw api.World, url string) family.Greeting {
	w := aw.(*world)
	g := family.Greeting{Family: f.Name(), Base: url + "/api/v1"}
	tokens := make([]string, 0, len(w.tokens))
	for t := range w.tokens {
		tokens = append(tokens, t)
	}
	// Tokens for every organisation first: they are the ones to try.
	slices.SortFunc(tokens, func(a, b string) int {
		wa, wb := slices.Contains(w.tokens[a].Organisations, "*"), slices.Contains(w.tokens[b].Organisations, "*")
		if wa != wb {
			if wa {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	org := ""
	if len(w.orgs) > 0 {
		org = w.orgs[0].slug
	}
	try := ""
	for _, t := range tokens {
		spec := w.tokens[t]
		scope := "organisations " + strings.Join(spec.Organisations, ", ")
		if slices.Contains(spec.Organisations, "*") {
			scope = "every organisation"
		}
		if spec.ReadOnly {
			scope += ", read-only"
		}
		if len(g.Logins) < family.MaxLogins {
			g.Logins = append(g.Logins, fmt.Sprintf("Authorization: Token %s (%s)", t, scope))
		}
		if try == "" && (slices.Contains(spec.Organisations, "*") || slices.Contains(spec.Organisations, org)) {
			try = t
		}
	}
	switch {
	case org == "":
		g.Try = "curl -s " + family.ShellQuote(g.Base+"/cloud-profiles")
	case try == "":
		g.Try = "curl -s " + family.ShellQuote(g.Base+"/orgs/"+org+"/cloud-accounts") + "   # no token: answers 401"
	default:
		g.Try = "curl -s -H " + family.ShellQuote("Authorization: Token "+try) + " " + family.ShellQuote(g.Base+"/orgs/"+org+"/cloud-accounts")
	}
	return g
}
