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

// Prefix redacts the start of a JSON text that was cut short: secret
// fields' values read Redacted, everything else is kept byte for byte, and
// a secret value the cut split is dropped. It lets the journal keep only
// the first bytes of a large answer and redact them when read, instead of
// parsing and re-encoding the whole answer on every request.
func (r *Redactor) Prefix(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out strings.Builder
	last := 0 // b[:last] is accounted for in out
	type frame struct {
		obj       bool
		wantValue bool // in an object: a key was read, its value is next
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			out.Write(b[last:]) // a cut that split an ordinary token
			return out.String()
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].wantValue = false
			}
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].obj && !stack[n-1].wantValue {
			key, _ := tok.(string)
			stack[n-1].wantValue = true
			if !r.IsSecret(key) {
				continue
			}
			keyEnd := int(dec.InputOffset())
			val, err := dec.Token()
			if err != nil {
				out.Write(b[last:keyEnd]) // the cut split the secret
				return out.String()
			}
			stack[n-1].wantValue = false
			if val == nil || val == "" {
				continue
			}
			if _, ok := val.(json.Delim); ok {
				for depth := 1; depth > 0; {
					t, err := dec.Token()
					if err != nil {
						out.Write(b[last:keyEnd])
						return out.String()
					}
					if d, ok := t.(json.Delim); ok {
						if d == '{' || d == '[' {
							depth++
						} else {
							depth--
						}
					}
				}
			}
			out.Write(b[last:keyEnd])
			out.WriteString(`:"` + Redacted + `"`)
			last = int(dec.InputOffset())
			continue
		}
		if n := len(stack); n > 0 {
			stack[n-1].wantValue = false
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{obj: d == '{'})
		}
	}
}
