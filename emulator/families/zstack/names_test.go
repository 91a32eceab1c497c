package zstack

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator/internal/patterntest"
)

const (
	hex32Pattern  = `^[0-9a-f]{32}$`
	offsetPattern = `^([+-])(\d{2}):?(\d{2})$`
)

var hex32Cases = patterntest.Cases{
	"": false, "0123456789abcdef0123456789abcdef": true, "0123456789ABCDEF0123456789abcdef": false,
	"0123456789abcdef0123456789abcde": false, "0123456789abcdef0123456789abcdef0": false,
	"0123456789abcdef0123456789abcdeg": false, "0123456789abcdef0123456789abcde\n": false,
	"123e4567-e89b-12d3-a456-426614174000": false,
}

var offsetCases = patterntest.Cases{
	"": false, "+08:00": true, "-0530": true, "+14:59": true, "+99:99": true, "08:00": false,
	"+8:00": false, "+08:0": false, "+08-00": false, "+08::00": false, "+080": false, "+08000": false,
	"±08:00": false, "+0８:00": false, "+08:00\n": false, "UTC": false,
}

func offsetOK(s string) bool { _, _, _, ok := splitOffset(s); return ok }

func TestIsHex32(t *testing.T) { patterntest.Table(t, "isHex32", isHex32, hex32Pattern, hex32Cases) }

func TestSplitOffset(t *testing.T) {
	patterntest.Table(t, "splitOffset", offsetOK, offsetPattern, offsetCases)
	for input, want := range offsetCases {
		if want {
			checkOffsetParts(t, input)
		}
	}
}

// checkOffsetParts compares splitOffset's sign, hours and minutes with the
// pattern's groups.
func checkOffsetParts(t *testing.T, s string) {
	t.Helper()
	m := regexp.MustCompile(offsetPattern).FindStringSubmatch(s)
	neg, h, mins, ok := splitOffset(s)
	if m == nil || !ok {
		return
	}
	wh, _ := strconv.Atoi(m[2])
	wm, _ := strconv.Atoi(m[3])
	if neg != (m[1] == "-") || h != wh || mins != wm {
		t.Errorf("splitOffset(%q) = %v, %d, %d; the pattern's groups say %q, %d, %d", s, neg, h, mins, m[1], wh, wm)
	}
}

func FuzzIsHex32(f *testing.F) { patterntest.Fuzz(f, "isHex32", isHex32, hex32Pattern, hex32Cases) }

// TestSHA512Hex: a stored password is 128 lower-case hex digits, as the
// snapshot loader checks it.
func TestSHA512Hex(t *testing.T) {
	h := sha512Hex("password")
	patterntest.Table(t, "isLowerHex(128)", func(s string) bool { return isLowerHex(s, 128) }, `^[0-9a-f]{128}$`, patterntest.Cases{
		h: true, h[:127]: false, h + "0": false, strings.ToUpper(h): false, "": false, h[:127] + "g": false,
	})
}

func FuzzSplitOffset(f *testing.F) {
	patterntest.Fuzz(f, "splitOffset", offsetOK, offsetPattern, offsetCases, checkOffsetParts)
}
