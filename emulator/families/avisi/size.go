package avisi

import "github.com/credemu/credemu/emulator/api"

// StateBytes estimates a state built from w: about 600 bytes per account,
// credential and cluster, as BenchmarkMemoryPerCreate measures them with
// their indexes, and the profile catalogue.
func (f *Family) StateBytes(aw api.World) int64 {
	w, _ := aw.(*world)
	if w == nil {
		return 0
	}
	n := int64(len(w.profiles) + len(w.tokens))
	for _, o := range w.orgs {
		n += int64(len(o.accounts) + len(o.clusters))
		for _, a := range o.accounts {
			n += int64(len(a.Credentials))
		}
	}
	return 600 * n
}
