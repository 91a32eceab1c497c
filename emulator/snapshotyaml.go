package emulator

import (
	"bytes"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// yaml.v3's emitter keeps every event of a document until it ends, so one
// document of a large world (a million events) spends most of its time
// growing that queue. writeYAML writes a value as many small documents
// instead: structs field by field and long lists a chunk of items at a
// time, each indented into place. The result is the YAML one Encode of the
// whole value would give.

// chunkItems is how many list items go into one small document.
const chunkItems = 16

var (
	yamlMarshaler = reflect.TypeOf((*yaml.Marshaler)(nil)).Elem()
	timeType      = reflect.TypeOf(time.Time{})
)

// writeYAML writes "key: value" at indent spaces.
func writeYAML(buf *bytes.Buffer, indent int, key string, v reflect.Value) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() || v.Type().Implements(yamlMarshaler) {
			break
		}
		v = v.Elem()
	}
	switch {
	case v.Kind() == reflect.Struct && v.Type() != timeType && !v.Type().Implements(yamlMarshaler) && !reflect.PointerTo(v.Type()).Implements(yamlMarshaler):
		buf.WriteString(strings.Repeat(" ", indent) + key + ":\n")
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fv := v.Field(i)
			if strings.Contains(opts, "omitempty") && (fv.IsZero() || (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0) {
				continue
			}
			if err := writeYAML(buf, indent+2, name, fv); err != nil {
				return err
			}
		}
		return nil
	case v.Kind() == reflect.Slice && v.Len() > chunkItems:
		buf.WriteString(strings.Repeat(" ", indent) + key + ":\n")
		for i := 0; i < v.Len(); i += chunkItems {
			if err := encodeIndented(buf, indent+2, v.Slice(i, min(i+chunkItems, v.Len())).Interface()); err != nil {
				return err
			}
		}
		return nil
	}
	var val any
	if v.IsValid() {
		val = v.Interface()
	}
	return encodeIndented(buf, indent, map[string]any{key: val})
}

// encodeIndented encodes v as one small document, every line indented.
func encodeIndented(buf *bytes.Buffer, indent int, v any) error {
	var doc bytes.Buffer
	enc := yaml.NewEncoder(&doc)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	pad := strings.Repeat(" ", indent)
	for _, line := range bytes.SplitAfter(doc.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if len(line) > 1 {
			buf.WriteString(pad)
		}
		buf.Write(line)
	}
	return nil
}
