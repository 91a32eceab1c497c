package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Error is one problem in a scenario file, with its position.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

// Error formats the problem as "file:line:col: message", the form editors
// and CI logs turn into links.
func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	default:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
}

// ErrorList is every problem found in one load; loading goes on after the
// first problem so that `credemu validate` can report them all at once.
type ErrorList []*Error

// Error joins the problems one per line.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// MaxReported is how many problems one load reports; the rest are counted.
const MaxReported = 100

// maxMessage bounds one problem's text.
const maxMessage = 500

// Capped returns the list cut to MaxReported problems, each message cut to
// a readable length, with a last entry counting what was left out; a
// hostile file cannot make the error itself huge.
func (l ErrorList) Capped() ErrorList {
	out := make(ErrorList, 0, min(len(l), MaxReported+1))
	for i, e := range l {
		if i == MaxReported {
			out = append(out, &Error{File: e.File, Msg: fmt.Sprintf("... and %d more problems", len(l)-MaxReported)})
			break
		}
		if len(e.Msg) > maxMessage {
			c := *e
			c.Msg = strings.ToValidUTF8(e.Msg[:maxMessage], "") + "..."
			e = &c
		}
		out = append(out, e)
	}
	return out
}

// Sorted returns the list ordered by file, line and column, as an editor
// walks them; problems without a position come last for their file, and
// problems at one place keep the order they were found in.
func (l ErrorList) Sorted() ErrorList {
	out := slices.Clone(l)
	slices.SortStableFunc(out, func(a, b *Error) int {
		pos := func(e *Error) int {
			if e.Line <= 0 {
				return math.MaxInt
			}
			return e.Line
		}
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(pos(a), pos(b)), cmp.Compare(a.Column, b.Column))
	})
	return out
}

// Err returns nil for an empty list, so callers can return it directly.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Errors flattens err into scenario errors: an ErrorList, a single *Error or
// a joined error. Anything else becomes one position-less error for file.
func Errors(file string, err error) ErrorList {
	if err == nil {
		return nil
	}
	var list ErrorList
	if errors.As(err, &list) {
		return list
	}
	var one *Error
	if errors.As(err, &one) {
		return ErrorList{one}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out ErrorList
		for _, e := range j.Unwrap() {
			out = append(out, Errors(file, e)...)
		}
		return out
	}
	return ErrorList{{File: file, Msg: err.Error()}}
}
