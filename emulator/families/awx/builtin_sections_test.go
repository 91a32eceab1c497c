package awx

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/sectiongen"
)

// TestBuiltinSectionsGenerated: builtin_sections_gen.go holds what each
// awx section of the built-in files decodes to (-update writes it again).
func TestBuiltinSectionsGenerated(t *testing.T) {
	sectiongen.Check(t, "awx", "github.com/credemu/credemu/emulator/families/awx", builtinSection)
}
