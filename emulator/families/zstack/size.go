package zstack

import "github.com/credemu/credemu/emulator/api"

// StateBytes estimates a state built from w: about 600 bytes per account,
// session, virtual ID and attribute.
func (f *Family) StateBytes(aw api.World) int64 {
	w, _ := aw.(*world)
	if w == nil {
		return 0
	}
	n := int64(len(w.accounts) + len(w.sessions))
	for _, v := range w.vids {
		n += 1 + int64(len(v.Attributes))
	}
	return 600 * n
}
