package zstack

import "github.com/credemu/credemu/emulator/family"

// StateBytes estimates a sandbox's state built from w: accounts and sessions are
// copied, about 600 bytes each; virtual IDs and their attributes are forked
// from the world and cost their index entries (ForkedBytes each).
func (w *world) StateBytes() int64 {
	var forked int64
	for _, v := range w.vids {
		forked += 1 + int64(len(v.Attributes))
	}
	return 600*int64(len(w.accounts)+len(w.sessions)) + family.ForkedBytes*forked
}
