package vsphere

import (
	"strings"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Greet names the scenario's SSO users; the command to try opens a session
// as the first one.
func (f *Family) Greet(aw api.World, url string) family.Greeting {
	w := aw.(*world)
	g := family.NewGreeting(f, url+"/api")
	for _, u := range w.users {
		roles := strings.Join(u.Roles, ", ")
		if roles == "" {
			roles = "no role"
		}
		g.Login("SSO user %s / %s (%s)", u.Username, u.Password, roles)
	}
	if len(w.users) > 0 {
		g.Curl("-X", "POST", "-u", w.users[0].Username+":"+w.users[0].Password, g.Base+"/session")
	} else {
		g.Curl("-X", "POST", g.Base+"/session")
		g.Try += "   # no SSO user: answers 401"
	}
	return *g
}
