// Answers and errors every AWX handler shares: DRF-style field errors,
// 404 and 403 as AWX words them, and reading one object a viewer may see.

package awx

import (
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/credemu/credemu/emulator/api"
)

func forbidden() error { return &api.Error{Kind: api.KindPermissionDenied} }

// sorted returns a sorted copy, as AWX names fields in its messages.
func sorted(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

func notFound() error { return &api.Error{Kind: api.KindNotFound} }

func fieldErr(field, format string, args ...any) *api.Error {
	return &api.Error{Kind: api.KindInvalidArgument, Fields: []api.FieldError{{Pointer: "/body/" + field, Keyword: awxKeyword, Message: fmt.Sprintf(format, args...)}}}
}

func invalidPK(field string, v any) *api.Error {
	return fieldErr(field, "Invalid pk \"%s\" - object does not exist.", strOf(v))
}

func ok(body any) (*api.Response, error) {
	return &api.Response{Status: http.StatusOK, Body: body}, nil
}

func created(url string, body any) (*api.Response, error) {
	return &api.Response{Status: http.StatusCreated, Body: body, Header: http.Header{"Location": {url}}}, nil
}

func noContent() (*api.Response, error) { return &api.Response{Status: http.StatusNoContent}, nil }

func body(r *api.Request) map[string]any {
	m, _ := r.JSON.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// visible is the check every lookup of one object makes, as AWX's
// detail views do: 404 when it does not exist, 403 when the caller may not
// see it.
func visible[T any](v T, found bool, canSee bool) (T, error) {
	var zero T
	if !found {
		return zero, notFound()
	}
	if !canSee {
		return zero, forbidden()
	}
	return v, nil
}

// getOne answers a GET of one object: under the read lock, find it (with
// visible's checks) and render it for the caller.
func getOne[T, V any](s *State, r *api.Request, find func(*api.Request) (T, error), view func(T, *user) V) (*api.Response, error) {
	return readOne(s, r, find, func(x T) (*api.Response, error) { return ok(view(x, caller(r))) })
}

// readOne runs read on the object find names, under the read lock: the
// preamble of every handler that answers from one object (find answers its
// 404 or 403 itself).
func readOne[T any](s *State, r *api.Request, find func(*api.Request) (T, error), read func(T) (*api.Response, error)) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	x, err := find(r)
	if err != nil {
		return nil, err
	}
	return read(x)
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// msg answers 400 with AWX's {"msg": ...} body, which its attach and
// detach views use instead of DRF's error shapes.
func msg(text string) (*api.Response, error) {
	return &api.Response{Status: http.StatusBadRequest, Body: map[string]string{"msg": text}}, nil
}

// noSuch is get_object_or_400's answer for an id that names nothing.
func noSuch(model string) error {
	return &api.Error{Kind: api.KindInvalidArgument, Message: model + " matching query does not exist."}
}

// truthy is Python's truth test of a decoded JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func atoiOr(s string) int {
	n, _ := intOf(s)
	return n
}

// editOne runs edit on the object find names, under the write lock: the
// preamble of every update and delete (find answers 404 or 403 itself).
func editOne[T any](s *State, r *api.Request, find func(*api.Request) (T, error), edit func(T) (*api.Response, error)) (*api.Response, error) {
	s.lockWrite()
	defer s.mu.Unlock()
	x, err := find(r)
	if err != nil {
		return nil, err
	}
	return edit(x)
}
