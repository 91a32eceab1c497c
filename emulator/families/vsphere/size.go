package vsphere

import "github.com/credemu/credemu/emulator/family"

// StateBytes estimates a sandbox's state built from w: SSO users are copied, about
// 500 bytes each; local accounts are forked from the world and cost their
// index entries (ForkedBytes each).
func (w *world) StateBytes() int64 {
	return 500*int64(len(w.users)) + family.ForkedBytes*int64(len(w.accounts))
}
