package awx

import "github.com/credemu/credemu/emulator/api"

// StateBytes estimates a state built from w: about 900 bytes per user,
// credential, credential type, organization, team and token (credentials
// carry their inputs and three roles).
func (f *Family) StateBytes(aw api.World) int64 {
	w, _ := aw.(*world)
	if w == nil {
		return 0
	}
	return 900 * int64(len(w.users)+len(w.creds)+len(w.types)+len(w.orgs)+len(w.teams)+len(w.tokens)+len(w.grants))
}
