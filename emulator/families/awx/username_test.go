package awx

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/patterntest"
)

// djangoUsername is the validator validUsername writes out, as the regular
// expression it replaced: the oracle both tests hold it to.
const djangoUsername = `^[\p{L}\p{N}_.@+-]+$`

var usernameCases = patterntest.Cases{
	"admin":                    true,
	"bob.smith+ci@example.com": true,
	"under_score-dash":         true,
	"Zoë":                      true,
	"日本":                       true,
	"½":                        true, // a number, not a digit
	"Ⅻ":                        true, // a letter-number
	"٣":                        true, // an Arabic-Indic digit
	"":                         false,
	"a b":                      false,
	"tab\t":                    false,
	"semi;colon":               false,
	"slash/":                   false,
	"€":                        false, // a symbol
	"\xff":                     false,
	"ok\xc3":                   false,
	"🎉":                        false,
	"x@y.z":                    true,
}

func TestValidUsername(t *testing.T) {
	patterntest.Table(t, "validUsername", validUsername, djangoUsername, usernameCases)
}

func FuzzValidUsername(f *testing.F) {
	patterntest.Fuzz(f, "validUsername", validUsername, djangoUsername, usernameCases)
}
