package zstack

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/sectiongen"
)

// TestBuiltinSectionsGenerated: builtin_sections_gen.go holds what each
// zstack section of the built-in files decodes to (-update writes it again).
func TestBuiltinSectionsGenerated(t *testing.T) {
	sectiongen.Check(t, "zstack", "github.com/credemu/credemu/emulator/families/zstack", builtinSection)
}
