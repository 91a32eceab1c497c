package avisi

import "github.com/credemu/credemu/emulator/family"

// StateBytes estimates a sandbox's state built from w. Accounts, with their
// credentials inside them, are forked from the world (ForkedBytes each);
// clusters and tokens are copied, about 600 bytes each as
// BenchmarkMemoryPerCreate measures objects with their indexes; the profile
// catalogue is shared, and a sandbox holds an index entry per profile.
func (w *world) StateBytes() int64 {
	copied := int64(len(w.tokens))
	var forked int64
	for _, o := range w.orgs {
		copied += int64(len(o.clusters))
		forked += int64(len(o.accounts))
	}
	return 600*copied + family.ForkedBytes*(forked+int64(len(w.profiles)))
}
