package api

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// JSONAppender is a value that writes its own JSON, byte for byte what
// MarshalJSON would write for it, without reflection. WriteJSON uses it for
// the views clients read most (a page of fifty AWX credentials spent most
// of its time in encoding/json's reflection over nested structs and maps).
type JSONAppender interface {
	AppendJSON(b []byte) []byte
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string exactly as MarshalJSON does:
// <, > and & left alone, invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendInt appends an integer.
func AppendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// AppendNullString appends *s as a string, or null when s is nil.
func AppendNullString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return AppendString(b, *s)
}

// AppendValue appends any value: strings, booleans, nil and appenders
// directly, anything else through MarshalJSON.
func AppendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendString(b, x)
	case bool:
		return AppendBool(b, x)
	case int:
		return AppendInt(b, x)
	case JSONAppender:
		return x.AppendJSON(b)
	}
	out, err := MarshalJSON(v)
	if err != nil {
		// Views hold decoded JSON and plain fields only; a value that
		// does not encode is a bug, shown as null rather than as a broken
		// document.
		return append(b, "null"...)
	}
	return append(b, out...)
}

// AppendKey appends a comma when b does not end an opening brace or
// bracket, then "key":.
func AppendKey(b []byte, key string) []byte {
	if n := len(b); n > 0 && b[n-1] != '{' && b[n-1] != '[' {
		b = append(b, ',')
	}
	b = AppendString(b, key)
	return append(b, ':')
}

// AppendMap appends a map with its keys sorted, as MarshalJSON does;
// value appends the value of each key.
func AppendMap[V any](b []byte, m map[string]V, value func(b []byte, key string, v V) []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for _, k := range keys {
		b = AppendKey(b, k)
		b = value(b, k, m[k])
	}
	return append(b, '}')
}

// Object appends a JSON object a field at a time, in the order written,
// each call adding "key":value after a comma where one is due; End closes
// it. Views write themselves as one chain of calls, in struct order, so
// that an encoder reads as the struct it writes. Keys are written as they
// are, unescaped: they are a view's field names, never a client's text.
type Object struct{ b []byte }

// StartObject begins an object at the end of b.
func StartObject(b []byte) Object { return Object{append(b, '{')} }

func (o Object) key(k string) []byte {
	b := o.b
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

// String adds a string field.
func (o Object) String(k, v string) Object { o.b = AppendString(o.key(k), v); return o }

// Int adds an integer field.
func (o Object) Int(k string, v int) Object { o.b = AppendInt(o.key(k), v); return o }

// Int64 adds an integer field.
func (o Object) Int64(k string, v int64) Object { o.b = strconv.AppendInt(o.key(k), v, 10); return o }

// Bool adds a boolean field.
func (o Object) Bool(k string, v bool) Object { o.b = AppendBool(o.key(k), v); return o }

// NullString adds a string field that is null when v is nil.
func (o Object) NullString(k string, v *string) Object { o.b = AppendNullString(o.key(k), v); return o }

// Value adds a field of any value, as AppendValue writes it.
func (o Object) Value(k string, v any) Object { o.b = AppendValue(o.key(k), v); return o }

// Field adds a field whose value write appends.
func (o Object) Field(k string, write func([]byte) []byte) Object { o.b = write(o.key(k)); return o }

// Raw adds a field whose value is already encoded.
func (o Object) Raw(k string, v []byte) Object { o.b = append(o.key(k), v...); return o }

// End closes the object and returns the bytes.
func (o Object) End() []byte { return append(o.b, '}') }

// AppendArray appends items as a JSON array, each written by each; nil
// is null, as MarshalJSON writes a nil slice.
func AppendArray[T any](b []byte, items []T, each func([]byte, T) []byte) []byte {
	if items == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, it)
	}
	return append(b, ']')
}
