package awx

import (
	"regexp"
	"testing"
)

// djangoUsername is the validator validUsername writes out, as the regular
// expression it replaced: the oracle both tests hold it to.
var djangoUsername = regexp.MustCompile(`^[\p{L}\p{N}_.@+-]+$`)

func TestValidUsername(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"admin", true},
		{"bob.smith+ci@example.com", true},
		{"under_score-dash", true},
		{"Zoë", true},
		{"日本", true},
		{"½", true}, // a number, not a digit
		{"Ⅻ", true}, // a letter-number
		{"٣", true}, // an Arabic-Indic digit
		{"", false},
		{"a b", false},
		{"tab\t", false},
		{"semi;colon", false},
		{"slash/", false},
		{"€", false}, // a symbol
		{"\xff", false},
		{"ok\xc3", false},
		{"🎉", false},
	} {
		if got := validUsername(tc.name); got != tc.want {
			t.Errorf("validUsername(%q) = %v, want %v", tc.name, got, tc.want)
		}
		if oracle := djangoUsername.MatchString(tc.name); oracle != tc.want {
			t.Errorf("the regular expression says %v for %q: the table is wrong", oracle, tc.name)
		}
	}
}

func FuzzValidUsername(f *testing.F) {
	for _, s := range []string{"admin", "a b", "Zoë", "\xff", "½", "", "x@y.z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validUsername(s), djangoUsername.MatchString(s); got != want {
			t.Errorf("validUsername(%q) = %v, the regular expression says %v", s, got, want)
		}
	})
}
