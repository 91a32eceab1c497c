package avisi

import (
	"testing"

	"github.com/credemu/credemu/emulator/internal/patterntest"
)

// The patterns the checks stand for, with cases at their edges.
var nameChecks = []struct {
	name    string
	check   func(string) bool
	pattern string
	cases   patterntest.Cases
}{
	{"validSlug", validSlug, `^[a-z0-9-]+$`, patterntest.Cases{
		"": false, "acme": true, "acme-2": true, "-": true, "Acme": false, "ac me": false,
		"acme_2": false, "acmé": false, "acme\n": false, "a/b": false,
	}},
	{"validCredName", validCredName, `^[a-zA-Z0-9\-\s&]*$`, patterntest.Cases{
		"": true, "AWS prod & staging-2": true, "tab\there": true, "new\nline": true, "cr\rff\f": true,
		"vertical\vtab": false, "under_score": false, "dot.": false, "zoë": false, "\xff": false, "nbsp\u00a0": false,
	}},
	{"isUUID", isUUID, `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`, patterntest.Cases{
		"": false, "123e4567-e89b-12d3-a456-426614174000": true, "123E4567-E89B-12D3-A456-426614174000": true,
		"123e4567e89b12d3a456426614174000": false, "123e4567-e89b-12d3-a456-42661417400": false,
		"123e4567-e89b-12d3-a456-4266141740000": false, "123e4567-e89b-12d3-a456_426614174000": false,
		"g23e4567-e89b-12d3-a456-426614174000": false, "123e4567-e89b-12d3-a456-42661417400\n": false,
	}},
}

func TestNameChecks(t *testing.T) {
	for _, c := range nameChecks {
		t.Run(c.name, func(t *testing.T) { patterntest.Table(t, c.name, c.check, c.pattern, c.cases) })
	}
}

func FuzzValidSlug(f *testing.F)     { fuzzNameCheck(f, "validSlug") }
func FuzzValidCredName(f *testing.F) { fuzzNameCheck(f, "validCredName") }
func FuzzIsUUID(f *testing.F)        { fuzzNameCheck(f, "isUUID") }

func fuzzNameCheck(f *testing.F, name string) {
	for _, c := range nameChecks {
		if c.name == name {
			patterntest.Fuzz(f, c.name, c.check, c.pattern, c.cases)
			return
		}
	}
	f.Fatalf("no name check %s", name)
}
