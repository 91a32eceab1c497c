package awx

import (
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Greet names the scenario's first users and its first token; the command
// to try asks /api/v2/me/ as the first user.
func (f *Family) Greet(aw api.World, url string) family.Greeting {
	w := aw.(*world)
	g := family.NewGreeting(f, url+"/api/v2")
	for _, u := range w.users[:min(len(w.users), family.MaxLogins-1)] {
		role := ""
		if u.Superuser {
			role = " (superuser)"
		} else if u.Auditor {
			role = " (system auditor)"
		}
		g.Login("user %s / %s%s", u.Username, u.Password, role)
	}
	if len(w.tokens) > 0 {
		t := w.tokens[0]
		g.Login("Authorization: Bearer %s (%s, %s scope)", t.Token, t.User, t.Scope)
	}
	if len(w.users) > 0 {
		g.Curl("-u", w.users[0].Username+":"+w.users[0].Password, g.Base+"/me/")
	} else {
		g.Curl(g.Base + "/ping/")
	}
	return *g
}
