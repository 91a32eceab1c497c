// Text in request bodies that the vendors' servers treat in their own way:
// what no vendor's database stores (NUL, half a surrogate pair), and the
// numbers and booleans ZStack's Gson reads into string fields.

package emulator

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/credemu/credemu/emulator/api"
)

// unstorableText finds text no vendor's database stores: a NUL character
// (PostgreSQL refuses it in text; Django REST framework says "Null
// characters are not allowed.") or half of a UTF-16 surrogate pair, which
// Go's decoder would quietly turn into U+FFFD. body is the raw JSON, v the
// decoded value; the error points at the first field holding such text.
func unstorableText(body []byte, v any) *api.FieldError {
	if bytes.IndexByte(body, '\\') < 0 {
		return nil // neither can be sent without an escape
	}
	nul, lone := false, false
	for i := 0; i+1 < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if body[i+1] != 'u' || i+6 > len(body) {
			i++ // a two-character escape, such as \\ or \"
			continue
		}
		r, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 32)
		if err != nil {
			return nil // the decoder accepted it, so this cannot happen
		}
		switch {
		case r == 0:
			nul = true
		case r >= 0xD800 && r < 0xDC00:
			next := -1
			if i+12 <= len(body) && body[i+6] == '\\' && body[i+7] == 'u' {
				if n, err := strconv.ParseUint(string(body[i+8:i+12]), 16, 32); err == nil {
					next = int(n)
				}
			}
			if next >= 0xDC00 && next < 0xE000 {
				i += 6 // a whole pair
			} else {
				lone = true
			}
		case r >= 0xDC00 && r < 0xE000:
			lone = true
		}
		i += 5
	}
	if !nul && !lone {
		return nil
	}
	bad, msg, keyword := "\x00", "Null characters are not allowed.", "nullCharacter"
	if !nul {
		bad, msg, keyword = "\uFFFD", "Lone UTF-16 surrogates are not allowed.", "loneSurrogate"
	}
	ptr := findText(v, "/body", bad)
	if ptr == "" {
		ptr = "/body"
	}
	return &api.FieldError{Pointer: ptr, Keyword: keyword, Message: msg}
}

// findText returns the JSON pointer of the first string (or key) under v
// that contains sub, or "".
func findText(v any, at, sub string) string {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, sub) {
			return at
		}
	case []any:
		for i, x := range v {
			if p := findText(x, at+"/"+strconv.Itoa(i), sub); p != "" {
				return p
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			esc := strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
			if strings.Contains(k, sub) {
				return at + "/" + esc
			}
			if p := findText(v[k], at+"/"+esc, sub); p != "" {
				return p
			}
		}
	}
	return ""
}

// hasScalars reports whether a decoded body holds a number or a boolean.
func hasScalars(v any) bool {
	switch v := v.(type) {
	case float64, bool:
		return true
	case []any:
		return slices.ContainsFunc(v, hasScalars)
	case map[string]any:
		for _, x := range v {
			if hasScalars(x) {
				return true
			}
		}
	}
	return false
}

// scalarsAsText decodes body again with every number and boolean as the
// text ZStack's REST server makes of it, and returns the value and its
// encoding, which the handler then reads. The journal keeps what was sent.
// ZStack reads a body into a LinkedHashMap with Gson, where a number is a
// java.lang.Double, then re-encodes the message's part and reads it into
// the API message: a String field so gets Double.toString of the number
// (12345 is "12345.0") and "true" or "false" for a boolean.
func scalarsAsText(body []byte) (any, []byte) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil, body // cannot happen: the body decoded once already
	}
	var conv func(any) any
	conv = func(v any) any {
		switch v := v.(type) {
		case float64:
			return javaDouble(v)
		case bool:
			return strconv.FormatBool(v)
		case []any:
			for i := range v {
				v[i] = conv(v[i])
			}
		case map[string]any:
			for k := range v {
				v[k] = conv(v[k])
			}
		}
		return v
	}
	v = conv(v)
	out, err := json.Marshal(v)
	if err != nil {
		return v, body
	}
	return v, out
}

// javaDouble is Java's Double.toString: plain notation with at least one
// fractional digit from 10^-3 up to 10^7, computerized scientific notation
// ("1.0E7", "1.5E-4") outside it; the digits are the shortest that read
// back to the same double, as since JDK 19.
func javaDouble(f float64) string {
	switch {
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	case math.Abs(f) >= 1e-3 && math.Abs(f) < 1e7:
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.5E-04, 1E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}
