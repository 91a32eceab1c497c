package awx

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/credemu/credemu/emulator/api"
	"gopkg.in/yaml.v3"
)

// awxKeyword marks field errors whose message is already AWX's own, so the
// renderer uses it as it is.
const awxKeyword = "awx"

func inputErr(field, format string, args ...any) api.FieldError {
	ptr := "/body/inputs"
	if field != "" {
		ptr += "/" + field
	}
	return api.FieldError{Pointer: ptr, Keyword: awxKeyword, Message: fmt.Sprintf(format, args...)}
}

// validateInputs checks a credential's inputs against its type's input
// schema the way AWX's CredentialInputField does, with its messages (those
// of Python's jsonschema). stored holds the current inputs on update (nil
// on create): "$encrypted$" for a secret there means "keep the value".
func validateInputs(ct *credType, inputs map[string]any, stored map[string]any) []api.FieldError {
	var out []api.FieldError
	var extras []string
	for k := range inputs {
		if ct.Inputs.field(k) == nil {
			extras = append(extras, "'"+k+"'")
		}
	}
	if len(extras) > 0 {
		sort.Strings(extras)
		verb := "was"
		if len(extras) > 1 {
			verb = "were"
		}
		return []api.FieldError{inputErr("", "Additional properties are not allowed (%s %s unexpected)", strings.Join(extras, ", "), verb)}
	}
	for _, f := range ct.Inputs.Fields {
		v, ok := inputs[f.ID]
		if !ok || v == nil {
			continue
		}
		switch f.Type {
		case "boolean":
			if _, isBool := v.(bool); !isBool {
				out = append(out, inputErr(f.ID, "%s is not of type 'boolean'", pyRepr(v)))
				continue
			}
		default:
			s, isStr := v.(string)
			if !isStr {
				out = append(out, inputErr(f.ID, "%s is not of type 'string'", pyRepr(v)))
				continue
			}
			if f.Format == "ssh_private_key" && s != "" && s != encrypted {
				if _, err := validateSSHPrivateKey(strings.ReplaceAll(s, `\u003d`, "=")); err != nil {
					out = append(out, inputErr(f.ID, "%s", err.Error()))
					continue
				}
			}
			if len(f.Choices) > 0 && !contains(f.Choices, s) {
				quoted := make([]string, len(f.Choices))
				for i, c := range f.Choices {
					quoted[i] = "'" + c + "'"
				}
				out = append(out, inputErr(f.ID, "%s is not one of [%s]", pyRepr(v), strings.Join(quoted, ", ")))
			}
		}
	}
	for field, deps := range ct.Inputs.Dependencies {
		if !present(inputs, field) {
			continue
		}
		for _, d := range deps {
			if !present(inputs, d) {
				label := d
				if df := ct.Inputs.field(d); df != nil {
					label = df.Label
				}
				out = append(out, inputErr(field, "cannot be set unless \"%s\" is set", label))
			}
		}
	}
	// Required inputs are not checked on save (AWX 5.0 and later): a
	// credential may be saved without them and get them from an input
	// source; a job checks them when it starts.
	out = append(out, checkKeyUnlock(ct, inputs, out)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

// checkKeyUnlock applies AWX's rules for ssh_key_unlock on the managed
// types that have it: needed for an encrypted key, refused for a clear one.
func checkKeyUnlock(ct *credType, inputs map[string]any, errs []api.FieldError) []api.FieldError {
	if !ct.Managed || ct.Inputs.field("ssh_key_unlock") == nil {
		return nil
	}
	for _, e := range errs {
		if e.Pointer == "/body/inputs/ssh_key_data" {
			return nil
		}
	}
	key, _ := inputs["ssh_key_data"].(string)
	unlock := present(inputs, "ssh_key_unlock")
	encryptedKey := false
	if key != "" {
		objs, err := validateSSHPrivateKey(key)
		encryptedKey = err == nil && hasEncryptedKey(objs)
	}
	switch {
	case encryptedKey && !unlock:
		return []api.FieldError{inputErr("ssh_key_unlock", "must be set when SSH key is encrypted.")}
	case unlock && !encryptedKey: // no key at all is a key that is not encrypted
		return []api.FieldError{inputErr("ssh_key_unlock", "should not be set when SSH key is not encrypted.")}
	}
	return nil
}

// reservedOnCreate is AWX's refusal of "$encrypted$" in a new credential's
// secret inputs: one message, a flat list under "inputs".
func reservedOnCreate(ct *credType, inputs map[string]any) *api.Error {
	for _, f := range ct.Inputs.Fields {
		if f.Secret && inputs[f.ID] == encrypted {
			return &api.Error{Kind: api.KindInvalidArgument, Fields: []api.FieldError{
				inputErr("", "$encrypted$ is a reserved keyword, and cannot be used for %s.", f.ID)}}
		}
	}
	return nil
}

// dropEmptySecrets removes secret inputs sent as "": AWX stores no value.
func dropEmptySecrets(ct *credType, inputs map[string]any) {
	for k, v := range inputs {
		if f := ct.Inputs.field(k); f != nil && f.Secret && v == "" {
			delete(inputs, k)
		}
	}
}

func present(m map[string]any, k string) bool {
	v, ok := m[k]
	if !ok || v == nil {
		return false
	}
	if s, isStr := v.(string); isStr && s == "" {
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pyRepr writes a decoded JSON value the way Python's repr would, which is
// how AWX's jsonschema messages quote values.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return "'" + strings.ReplaceAll(x, "'", `\'`) + "'"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// pyType names a decoded JSON value's Python type, for DRF's messages.
func pyType(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case float64:
		if x == float64(int64(x)) {
			return "int"
		}
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return "object"
}

func fieldErrorsText(fe []api.FieldError) string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		name := f.Field()
		if name == "" {
			name = f.Location()
		}
		parts[i] = name + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// showInputs returns inputs as AWX shows them: secrets as "$encrypted$".
func showInputs(ct *credType, in inputs) map[string]any {
	out := make(map[string]any, len(in))
	for _, kv := range in {
		out[kv.k] = shownInput(ct, kv.k, kv.v)
	}
	return out
}

// shownInput is an input as a view shows it: a set secret as "$encrypted$".
func shownInput(ct *credType, k string, v any) any {
	if f := ct.Inputs.field(k); f != nil && f.Secret {
		if s, ok := v.(string); ok && s != "" {
			return encrypted
		}
	}
	return v
}

// inputsView is a credential's inputs in a view: the stored map, secrets
// hidden as it is written, so a page of credentials copies no maps. Both
// the map and the type are stored values, which are never changed in
// place (a write stores new ones), so the view may be written after the
// lock is released.
type inputsView struct {
	t *credType
	m inputs
}

// MarshalJSON writes the inputs for encoding/json.
func (v inputsView) MarshalJSON() ([]byte, error) { return api.MarshalJSON(showInputs(v.t, v.m)) }

func (v inputsView) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for _, kv := range v.m {
		b = api.AppendKey(b, kv.k)
		b = api.AppendValue(b, shownInput(v.t, kv.k, kv.v))
	}
	return append(b, '}')
}

// mergeSecrets replaces "$encrypted$" in new inputs with the stored values,
// which is how a client keeps a secret it cannot read.
func mergeSecrets(ct *credType, inputs, stored map[string]any) map[string]any {
	out := make(map[string]any, len(inputs))
	for k, v := range inputs {
		if s, ok := v.(string); ok && s == encrypted {
			if f := ct.Inputs.field(k); f != nil && f.Secret {
				if old, had := stored[k]; had {
					out[k] = old
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

// inputs are a credential's stored input values, sorted by name. A slice of
// pairs holds the two to five inputs a credential has in a quarter of the
// memory of a map (a Go map starts at a group of eight slots), which was a
// third of what a stored credential cost. Writes replace a credential's
// inputs whole; nothing changes them in place.
type inputs []inputKV

type inputKV struct {
	k string
	v any
}

// inputsOf returns m as stored inputs.
func inputsOf(m map[string]any) inputs {
	if len(m) == 0 {
		return nil
	}
	out := make(inputs, 0, len(m))
	for k, v := range m {
		out = append(out, inputKV{k, v})
	}
	slices.SortFunc(out, func(a, b inputKV) int { return strings.Compare(a.k, b.k) })
	return out
}

// toMap returns the inputs as a map, which the checks of a write take.
func (in inputs) toMap() map[string]any {
	m := make(map[string]any, len(in))
	for _, kv := range in {
		m[kv.k] = kv.v
	}
	return m
}

// MarshalYAML writes the inputs as the mapping a scenario has.
func (in inputs) MarshalYAML() (any, error) { return in.toMap(), nil }

// UnmarshalYAML reads the mapping a scenario (or a snapshot) has.
func (in *inputs) UnmarshalYAML(n *yaml.Node) error {
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		return err
	}
	*in = inputsOf(m)
	return nil
}
