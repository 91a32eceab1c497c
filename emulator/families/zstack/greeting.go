package zstack

import (
	"fmt"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Greet names the scenario's accounts and ready sessions. The command to
// try lists virtual IDs with a ready session, or else logs in as the first
// account (passwords go as SHA-512 hex, as ZStack's clients send them).
func (f *Family) Greet(aw api.World, url string) family.Greeting {
	w := aw.(*world)
	g := family.NewGreeting(f, url+"/zstack/v1")
	for _, a := range w.accounts {
		g.Login("account %s / %s (sent as its SHA-512 hex)", a.Name, a.Plain)
	}
	for _, s := range w.sessions {
		g.Login("Authorization: OAuth %s (a ready session of %s)", s.uuid, s.account)
	}
	switch {
	case len(w.sessions) > 0:
		g.Curl("-H", "Authorization: OAuth "+w.sessions[0].uuid, g.Base+"/iam2/virtual-ids")
	case len(w.accounts) > 0:
		a := w.accounts[0]
		g.Curl("-X", "PUT", "-H", "Content-Type: application/json",
			"-d", fmt.Sprintf(`{"logInByAccount":{"accountName":%q,"password":%q}}`, a.Name, a.Password), g.Base+"/accounts/login")
	default:
		g.Curl(g.Base + "/iam2/virtual-ids")
		g.Try += "   # no account: answers ID.1001"
	}
	return *g
}
