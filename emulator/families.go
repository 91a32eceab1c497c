package emulator

import (
	"github.com/credemu/credemu/emulator/apis/avisi"
	"github.com/credemu/credemu/emulator/apis/awx"
	"github.com/credemu/credemu/emulator/apis/vsphere"
	"github.com/credemu/credemu/emulator/apis/zstack"
	"github.com/credemu/credemu/emulator/family"
)

// Version is credemu's version, set at build time with
// -ldflags "-X github.com/credemu/credemu/emulator.Version=v1.2.3".
var Version = "dev"

// DefaultFamilies returns every emulated API. This is the one place where
// the core meets the API packages: a new family is one more entry here.
func DefaultFamilies() []family.Family {
	return []family.Family{
		avisi.New(),
		zstack.New(),
		awx.New(),
		vsphere.New(), // last: its /api prefix must not shadow /api/v1 and /api/v2
	}
}
