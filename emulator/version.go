package emulator

import (
	"github.com/credemu/credemu/emulator/families"
	"github.com/credemu/credemu/emulator/family"
)

// Version is credemu's version, set at build time with
// -ldflags "-X github.com/credemu/credemu/emulator.Version=v1.2.3".
var Version = "dev"

// DefaultFamilies returns every emulated API (families.Default).
func DefaultFamilies() []family.Family { return families.Default() }
