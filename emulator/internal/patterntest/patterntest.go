// Package patterntest holds a hand-written check to the regular expression
// it stands for. Checks that run at start-up or on every request are
// written out by hand, as a compiled expression costs every launch its
// compilation in package initialisation; the expression stays, in the
// test, as the oracle the check must agree with on a table and under
// fuzzing.
package patterntest

import (
	"regexp"
	"testing"
)

// Cases are inputs, each with whether the check should accept it.
type Cases map[string]bool

// Table checks name (the check's name in messages) on every case, and the
// pattern too, so that a wrong case is told apart from a wrong check.
func Table(t *testing.T, name string, check func(string) bool, pattern string, cases Cases) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for input, want := range cases {
		if got := check(input); got != want {
			t.Errorf("%s(%q) = %v, want %v", name, input, got, want)
		}
		if got := re.MatchString(input); got != want {
			t.Errorf("%s says %v for %q: the case is wrong", pattern, got, input)
		}
	}
}

// Fuzz is the body of a fuzz target: on any input, check agrees with the
// pattern. The cases' inputs seed the corpus. Each of also runs on every
// input as well, for what a check returns besides yes or no.
func Fuzz(f *testing.F, name string, check func(string) bool, pattern string, cases Cases, also ...func(t *testing.T, s string)) {
	re := regexp.MustCompile(pattern)
	for input := range cases {
		f.Add(input)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := check(s), re.MatchString(s); got != want {
			t.Errorf("%s(%q) = %v, %s says %v", name, s, got, pattern, want)
		}
		for _, a := range also {
			a(t, s)
		}
	})
}
