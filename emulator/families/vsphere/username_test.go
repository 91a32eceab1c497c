package vsphere

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/patterntest"
)

// usernamePattern is the appliance's pattern for a local account's name,
// the oracle validUsername is checked against.
const usernamePattern = `^[a-zA-Z0-9][a-zA-Z0-9\-.@]*[a-zA-Z0-9]$`

var usernameCases = patterntest.Cases{
	"": false, "a": false, "ab": true, "alice.ops@vsphere.local": true, "a-b": true, "-ab": false,
	"ab-": false, ".ab": false, "ab@": false, "a b": false, "a_b": false, "aé": false, "a\nb": false,
	"A9": true, "a\u00e9b": false,
}

func TestValidUsername(t *testing.T) {
	patterntest.Table(t, "validUsername", validUsername, usernamePattern, usernameCases)
}

// FuzzValidUsername: validUsername agrees with the appliance's pattern on
// any input.
func FuzzValidUsername(f *testing.F) {
	patterntest.Fuzz(f, "validUsername", validUsername, usernamePattern, usernameCases)
}
