package vsphere

import (
	"fmt"
	"strings"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Greet names the scenario's SSO users; the command to try opens a session
// as the first one.
func (f *Family) Greet(aw api.World, url string) family.Greeting {
	w := aw.(*world)
	g := family.Greeting{Family: f.Name(), Base: url + "/api"}
	for _, u := range w.users {
		if len(g.Logins) < family.MaxLogins {
			roles := strings.Join(u.Roles, ", ")
			if roles == "" {
				roles = "no role"
			}
			g.Logins = append(g.Logins, fmt.Sprintf("SSO user %s / %s (%s)", u.Username, u.Password, roles))
		}
	}
	if len(w.users) > 0 {
		u := w.users[0]
		g.Try = "curl -s -X POST -u " + family.ShellQuote(u.Username+":"+u.Password) + " " + family.ShellQuote(g.Base+"/session")
	} else {
		g.Try = "curl -s -X POST " + family.ShellQuote(g.Base+"/session") + "   # no SSO user: answers 401"
	}
	return g
}
