package avisi

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/sectiongen"
)

// TestBuiltinSectionsGenerated: builtin_sections_gen.go holds what each
// avisi section of the built-in files decodes to (-update writes it again).
func TestBuiltinSectionsGenerated(t *testing.T) {
	sectiongen.Check(t, "avisi", "github.com/credemu/credemu/emulator/families/avisi", builtinSection)
}
