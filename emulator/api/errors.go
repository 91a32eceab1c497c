// Package api holds the vocabulary shared by the emulator core and every
// emulated API family: error kinds, operations, requests, responses and the
// Family interface that a vendor API implements to plug into the pipeline.
//
// Handlers never write HTTP errors themselves. They return an *Error with a
// Kind; the family's renderer turns the kind into the vendor's native body.
package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Kind is a vendor-neutral error class. Each family maps a kind to its own
// status code and body.
type Kind string

// The error kinds every family can render.
const (
	KindInvalidArgument      Kind = "invalid_argument"
	KindAlreadyExists        Kind = "already_exists"
	KindUnauthenticated      Kind = "unauthenticated"
	KindPermissionDenied     Kind = "permission_denied"
	KindNotFound             Kind = "not_found"
	KindInternal             Kind = "internal"
	KindMethodNotAllowed     Kind = "method_not_allowed"
	KindUnsupportedMediaType Kind = "unsupported_media_type"
	KindPayloadTooLarge      Kind = "payload_too_large"
	KindUnavailable          Kind = "unavailable"
)

// Kinds lists every kind, in the order the README documents them.
var Kinds = []Kind{
	KindInvalidArgument, KindAlreadyExists, KindUnauthenticated, KindPermissionDenied,
	KindNotFound, KindInternal, KindMethodNotAllowed, KindUnsupportedMediaType,
	KindPayloadTooLarge, KindUnavailable,
}

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// DefaultStatus is the HTTP status most APIs use for the kind. Families that
// answer differently (ZStack's 503 for operation failures) override it in
// their renderer.
func (k Kind) DefaultStatus() int {
	switch k {
	case KindInvalidArgument, KindAlreadyExists:
		return http.StatusBadRequest
	case KindUnauthenticated:
		return http.StatusUnauthorized
	case KindPermissionDenied:
		return http.StatusForbidden
	case KindNotFound:
		return http.StatusNotFound
	case KindMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case KindUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case KindPayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// KindForStatus picks the kind whose body fits a bare status code, so that a
// fault rule saying only `status: 403` renders the API's permission-denied body.
func KindForStatus(status int) Kind {
	switch status {
	case http.StatusUnauthorized:
		return KindUnauthenticated
	case http.StatusForbidden:
		return KindPermissionDenied
	case http.StatusNotFound, http.StatusGone:
		return KindNotFound
	case http.StatusMethodNotAllowed:
		return KindMethodNotAllowed
	case http.StatusConflict:
		return KindAlreadyExists
	case http.StatusRequestEntityTooLarge:
		return KindPayloadTooLarge
	case http.StatusUnsupportedMediaType:
		return KindUnsupportedMediaType
	case http.StatusServiceUnavailable:
		return KindUnavailable
	}
	if status >= 500 {
		return KindInternal
	}
	return KindInvalidArgument
}

// FieldError is one failed check of a request against its schema or a
// handler's own rule.
type FieldError struct {
	// Pointer is a JSON pointer into the validated instance, whose top level is
	// {"path": ..., "query": ..., "body": ...}; for example "/body/displayName".
	Pointer string `json:"pointer"`
	// Keyword is the JSON Schema keyword that failed ("maxLength", "required").
	Keyword string `json:"keyword"`
	// Message says what was expected, in plain words.
	Message string `json:"message"`
}

// Location is the part of the request the field is in: "path", "query" or "body".
func (f FieldError) Location() string {
	p := strings.TrimPrefix(f.Pointer, "/")
	loc, _, _ := strings.Cut(p, "/")
	return loc
}

// Field is the field's dotted name inside its location ("credentials.username"),
// or "" for the location as a whole.
func (f FieldError) Field() string {
	p := strings.TrimPrefix(f.Pointer, "/")
	_, rest, _ := strings.Cut(p, "/")
	if rest == "" {
		return ""
	}
	parts := strings.Split(rest, "/")
	for i, s := range parts {
		s = strings.ReplaceAll(s, "~1", "/")
		parts[i] = strings.ReplaceAll(s, "~0", "~")
	}
	return strings.Join(parts, ".")
}

// Error is the typed error handlers return. Only Kind is required; the family
// renderer fills in its own defaults for the rest.
type Error struct {
	Kind Kind
	// Status overrides the family's status for the kind (set by fault rules).
	Status int
	// Message replaces the family's default message for the kind.
	Message string
	// Details are extra lines of explanation (Avisi's "details").
	Details []string
	// Fields are per-field failures, from schema validation or a handler.
	Fields []FieldError
	// Injected marks an error produced by a fault rule, for the journal.
	Injected bool
	// KindImplied is set when a fault rule named only a status and the kind
	// was derived from it; a family may then answer the way its transport
	// layer answers that status (ZStack's plain-text 400/404/500).
	KindImplied bool
	// Transport marks errors raised before the API proper: routing, body
	// framing, content type, required headers. Some vendors answer these
	// differently from API errors (ZStack: plain text, never inside a job).
	Transport bool
	// Code is a vendor error code when the kind alone does not decide it
	// (ZStack's ID.1000 for a failed login against ID.1001 for a bad session).
	Code string
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := string(e.Kind)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	for _, f := range e.Fields {
		msg += "; " + f.Pointer + ": " + f.Message
	}
	return msg
}

// Errorf returns an error of the given kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// AsError converts any error into an *Error; errors that are not already
// typed become internal errors, which is what an unexpected failure is.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, Message: err.Error()}
}

// StatusOr returns e.Status when it is set and def otherwise.
func (e *Error) StatusOr(def int) int {
	if e.Status != 0 {
		return e.Status
	}
	return def
}
