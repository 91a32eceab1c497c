package journal

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Redacted is what a secret value reads as in the journal and in state dumps.
const Redacted = "*****"

// Redactor replaces the values of secret fields in JSON bodies.
type Redactor struct {
	keys map[string]bool
}

// NewRedactor returns a redactor for the given field names, compared
// case-insensitively. Names containing "password", "secret" or "token" are
// always treated as secret, whatever the list says.
func NewRedactor(keys []string) *Redactor {
	r := &Redactor{keys: map[string]bool{}}
	for _, k := range keys {
		r.keys[strings.ToLower(k)] = true
	}
	return r
}

// IsSecret reports whether a field of that name holds a secret.
func (r *Redactor) IsSecret(key string) bool {
	k := strings.ToLower(key)
	if r.keys[k] {
		return true
	}
	return strings.Contains(k, "password") || strings.Contains(k, "secret") || strings.Contains(k, "token")
}

// Body returns a redacted copy of a body for the journal. Non-JSON bodies
// are not kept at all (they could hold secrets in a form we cannot parse);
// a short note stands in for them.
func (r *Redactor) Body(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	if !r.mayHoldSecret(b) {
		// The common case: nothing to redact, so no parse and re-encode.
		if json.Valid(b) {
			return append(json.RawMessage(nil), b...)
		}
		return json.RawMessage(strconv.Quote("<" + strconv.Itoa(len(b)) + " bytes, not JSON>"))
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return json.RawMessage(strconv.Quote("<" + strconv.Itoa(len(b)) + " bytes, not JSON>"))
	}
	out, err := json.Marshal(r.Value(v))
	if err != nil {
		return nil
	}
	return out
}

// mayHoldSecret reports whether any secret field name could appear in b,
// comparing case-insensitively; false means b certainly holds none. A body
// with escape sequences is always parsed, since a key may be written
// escaped ("pass\u0077ord") and only its decoded form can be compared.
func (r *Redactor) mayHoldSecret(b []byte) bool {
	if bytes.IndexByte(b, '\\') >= 0 {
		return true
	}
	lower := bytes.ToLower(b)
	for _, k := range []string{"password", "secret", "token"} {
		if bytes.Contains(lower, []byte(k)) {
			return true
		}
	}
	for k := range r.keys {
		// Family keys are exact names: look for the quoted key only.
		if bytes.Contains(lower, []byte(`"`+k+`"`)) {
			return true
		}
	}
	return false
}

// Value returns v with every secret field's value replaced by Redacted.
// Maps and slices are copied, never changed in place.
func (r *Redactor) Value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if r.IsSecret(k) && val != nil && val != "" {
				out[k] = Redacted
			} else {
				out[k] = r.Value(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = r.Value(val)
		}
		return out
	}
	return v
}
