// Package drift compares a real service with credemu as a client would
// notice: it sends both the same read-only probes (and, when asked,
// create-read-update-delete of one throwaway object) and compares status
// codes, content types, auth challenges and the shape of every JSON body
// (field names and JSON types, recursively), never the values, since the
// two worlds hold different objects.
package drift

import (
	"fmt"
	"sort"
)

// Finding is one difference a client would notice.
type Finding struct {
	// Probe names the request in vendor terms ("users list").
	Probe string `json:"probe"`
	// Kind is status, content-type, auth-challenge, missing-in-credemu,
	// missing-on-service, type or probe-failed.
	Kind string `json:"kind"`
	// Path is the JSON path of a field ("results[].last_login_ip"), or "".
	Path string `json:"path,omitempty"`
	// Service and Credemu say what each side had.
	Service string `json:"service,omitempty"`
	Credemu string `json:"credemu,omitempty"`
}

// String writes the finding in vendor terms, one line.
func (f Finding) String() string {
	switch f.Kind {
	case "missing-in-credemu":
		return fmt.Sprintf("%s: field %q present on the service (%s), missing in credemu", f.Probe, f.Path, f.Service)
	case "missing-on-service":
		return fmt.Sprintf("%s: field %q present in credemu (%s), missing on the service", f.Probe, f.Path, f.Credemu)
	case "type":
		return fmt.Sprintf("%s: field %q is %s on the service, %s in credemu", f.Probe, f.Path, f.Service, f.Credemu)
	case "probe-failed":
		return fmt.Sprintf("%s: could not be compared: %s", f.Probe, f.Service+f.Credemu)
	}
	return fmt.Sprintf("%s: %s %s on the service, %s in credemu", f.Probe, f.Kind, f.Service, f.Credemu)
}

// jsonType names a decoded JSON value's type.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// compareShape lists where the shapes of service and credemu differ.
// null on either side matches any type: the vendors' schemas mark many
// fields nullable, and which are null depends on the object. Arrays are
// compared by the union of their elements' shapes, so an empty list
// matches any list.
func compareShape(probe, path string, service, credemu any) []Finding {
	if service == nil || credemu == nil {
		return nil
	}
	st, ct := jsonType(service), jsonType(credemu)
	if st != ct {
		return []Finding{{Probe: probe, Kind: "type", Path: path, Service: st, Credemu: ct}}
	}
	switch sv := service.(type) {
	case map[string]any:
		cv := credemu.(map[string]any)
		keys := map[string]bool{}
		for k := range sv {
			keys[k] = true
		}
		for k := range cv {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		var out []Finding
		for _, k := range names {
			p := k
			if path != "" {
				p = path + "." + k
			}
			s, sok := sv[k]
			c, cok := cv[k]
			switch {
			case sok && !cok:
				out = append(out, Finding{Probe: probe, Kind: "missing-in-credemu", Path: p, Service: jsonType(s)})
			case cok && !sok:
				out = append(out, Finding{Probe: probe, Kind: "missing-on-service", Path: p, Credemu: jsonType(c)})
			default:
				out = append(out, compareShape(probe, p, s, c)...)
			}
		}
		return out
	case []any:
		cv := credemu.([]any)
		s, c := mergeElements(sv), mergeElements(cv)
		if s == nil || c == nil {
			return nil
		}
		return compareShape(probe, path+"[]", s, c)
	}
	return nil
}

// mergeElements folds an array's elements into one value with every field
// any element has (the first non-null value of each), so that an optional
// field present in some elements is not reported as drift.
func mergeElements(list []any) any {
	var out any
	for _, v := range list {
		out = mergeValue(out, v)
	}
	return out
}

func mergeValue(a, b any) any {
	if a == nil {
		return b
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		return a
	}
	out := make(map[string]any, len(am))
	for k, v := range am {
		out[k] = v
	}
	for k, v := range bm {
		out[k] = mergeValue(out[k], v)
	}
	return out
}
