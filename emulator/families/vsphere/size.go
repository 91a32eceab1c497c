package vsphere

import "github.com/credemu/credemu/emulator/api"

// StateBytes estimates a state built from w: about 500 bytes per local
// account and SSO user.
func (f *Family) StateBytes(aw api.World) int64 {
	w, _ := aw.(*world)
	if w == nil {
		return 0
	}
	return 500 * int64(len(w.accounts)+len(w.users))
}
