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
