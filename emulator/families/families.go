// Package families assembles the emulated vendor APIs: the one place where
// the core meets the vendor packages, so that a new family is one more
// entry here and nowhere else.
package families

import (
	"github.com/credemu/credemu/emulator/families/avisi"
	"github.com/credemu/credemu/emulator/families/awx"
	"github.com/credemu/credemu/emulator/families/vsphere"
	"github.com/credemu/credemu/emulator/families/zstack"
	"github.com/credemu/credemu/emulator/family"
)

// Default returns every emulated API, in routing order.
func Default() []family.Family {
	return []family.Family{
		avisi.New(),
		zstack.New(),
		awx.New(),
		vsphere.New(), // last: its /api prefix must not shadow /api/v1 and /api/v2
	}
}
