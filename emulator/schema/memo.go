package schema

import (
	"sync"

	"github.com/credemu/credemu/emulator/api"
)

// Memo bounds: entries kept, and the longest key worth keeping (a key is a
// request's path and query; hostile 60 KiB queries are validated afresh).
const (
	memoEntries = 4096
	memoKeyMax  = 512
)

// memo remembers validation outcomes by a key that names the validated
// value completely. Validation is a pure function of schema and value, so
// an outcome may be reused for as long as the process runs.
type memo struct {
	mu sync.RWMutex
	m  map[string][]api.FieldError
}

// ValidateKeyed is Validate for a value that key determines completely
// (for a request without a body: its route's path and its query string);
// value builds it only when no outcome is remembered under name and key.
// A client polling one object is then checked once, not on every poll.
// The returned errors are the caller's own copy.
func (s *Set) ValidateKeyed(name, key string, value func() any) ([]api.FieldError, error) {
	return s.keyed(name, key, func() ([]api.FieldError, error) { return s.Validate(name, value()) })
}

// keyed returns the outcome remembered under name and key, else
// validate's, remembered when key is short enough to keep. The returned
// errors are the caller's own copy.
func (s *Set) keyed(name, key string, validate func() ([]api.FieldError, error)) ([]api.FieldError, error) {
	if len(key) > memoKeyMax {
		return validate()
	}
	k := name + "\x00" + key
	s.memo.mu.RLock()
	fes, found := s.memo.m[k]
	s.memo.mu.RUnlock()
	if !found {
		var err error
		if fes, err = validate(); err != nil {
			return nil, err
		}
		s.memo.mu.Lock()
		if s.memo.m == nil || len(s.memo.m) >= memoEntries {
			s.memo.m = make(map[string][]api.FieldError, memoEntries/4)
		}
		s.memo.m[k] = fes
		s.memo.mu.Unlock()
	}
	if fes == nil {
		return nil, nil
	}
	return append([]api.FieldError(nil), fes...), nil
}
