package awx

import (
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// StateBytes estimates a state built from w: users, credentials and
// credential types are forked from the world's base state and cost their
// index entries and role ids (ForkedBytes each); organizations, teams,
// tokens and grants are copied, about 900 bytes each.
func (f *Family) StateBytes(aw api.World) int64 {
	w, _ := aw.(*world)
	if w == nil {
		return 0
	}
	return 900*int64(len(w.orgs)+len(w.teams)+len(w.tokens)+len(w.grants)) +
		family.ForkedBytes*int64(len(w.users)+len(w.creds)+len(w.types))
}
