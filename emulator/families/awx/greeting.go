package awx

import (
	"fmt"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Greet names the scenario's first users and tokens; the command to try
// asks /api/v2/me/ as the first user.
func (f *Family) Greet(aw api.World, url string) family.Greeting {
	w := aw.(*world)
	g := family.Greeting{Family: f.Name(), Base: url + "/api/v2"}
	for _, u := range w.users {
		if len(g.Logins) >= family.MaxLogins-1 {
			break
		}
		role := ""
		switch {
		case u.Superuser:
			role = " (superuser)"
		case u.Auditor:
			role = " (system auditor)"
		}
		g.Logins = append(g.Logins, fmt.Sprintf("user %s / %s%s", u.Username, u.Password, role))
	}
	if len(w.tokens) > 0 {
		t := w.tokens[0]
		g.Logins = append(g.Logins, fmt.Sprintf("Authorization: Bearer %s (%s, %s scope)", t.Token, t.User, t.Scope))
	}
	if len(w.users) > 0 {
		u := w.users[0]
		g.Try = "curl -s -u " + family.ShellQuote(u.Username+":"+u.Password) + " " + family.ShellQuote(g.Base+"/me/")
	} else {
		g.Try = "curl -s " + family.ShellQuote(g.Base+"/ping/")
	}
	return g
}
