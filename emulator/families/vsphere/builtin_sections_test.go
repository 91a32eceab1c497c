package vsphere

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/sectiongen"
)

// TestBuiltinSectionsGenerated: builtin_sections_gen.go holds what each
// vsphere section of the built-in files decodes to (-update writes it again).
func TestBuiltinSectionsGenerated(t *testing.T) {
	sectiongen.Check(t, "vsphere", "github.com/credemu/credemu/emulator/families/vsphere", builtinSection)
}
