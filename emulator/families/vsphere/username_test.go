package vsphere

import (
	"regexp"
	"testing"
)

// usernamePattern is the appliance's pattern for a local account's name,
// the oracle validUsername is checked against.
var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9\-.@]*[a-zA-Z0-9]$`)

func TestValidUsername(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"", false},
		{"a", false},
		{"ab", true},
		{"alice.ops@vsphere.local", true},
		{"a-b", true},
		{"-ab", false},
		{"ab-", false},
		{".ab", false},
		{"ab@", false},
		{"a b", false},
		{"a_b", false},
		{"aé", false},
		{"a\nb", false},
		{"A9", true},
	} {
		if got := validUsername(tc.name); got != tc.want {
			t.Errorf("validUsername(%q) = %v, want %v", tc.name, got, tc.want)
		}
		if got := usernamePattern.MatchString(tc.name); got != tc.want {
			t.Errorf("the pattern says %v for %q: the case is wrong", got, tc.name)
		}
	}
}

// FuzzValidUsername: validUsername agrees with the appliance's pattern on
// any input.
func FuzzValidUsername(f *testing.F) {
	for _, s := range []string{"", "a", "ab", "a.b@c", "-a", "a-", "a\u00e9b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validUsername(s), usernamePattern.MatchString(s); got != want {
			t.Errorf("validUsername(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
