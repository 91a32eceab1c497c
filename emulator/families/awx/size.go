package awx

import "github.com/credemu/credemu/emulator/family"

// StateBytes estimates a sandbox's state built from w: users, credentials and
// credential types are forked from the world's base state and cost their
// index entries and role ids (ForkedBytes each); organizations, teams,
// tokens and grants are copied, about 900 bytes each.
func (w *world) StateBytes() int64 {
	return 900*int64(len(w.orgs)+len(w.teams)+len(w.tokens)+len(w.grants)) +
		family.ForkedBytes*int64(len(w.users)+len(w.creds)+len(w.types))
}
