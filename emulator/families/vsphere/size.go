package vsphere

import (
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// StateBytes estimates a state built from w: SSO users are copied, about
// 500 bytes each; local accounts are forked from the world and cost their
// index entries (ForkedBytes each).
func (f *Family) StateBytes(aw api.World) int64 {
	w, _ := aw.(*world)
	if w == nil {
		return 0
	}
	return 500*int64(len(w.users)) + family.ForkedBytes*int64(len(w.accounts))
}
