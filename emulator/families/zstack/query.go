package zstack

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
)

// queryOps are ZStack's query operators in the order its REST server tries
// them: an operator contained in another comes after it ("=" after "!=").
var queryOps = []string{"!=", ">=", "<=", "!?=", "!~=", "~=", "?=", "=", ">", "<", "is null", "not null"}

// opNames are the names ZStack's QueryOp gives the operators in messages.
var opNames = map[string]string{"!?=": "not in", "?=": "in", "~=": "like", "!~=": "not like", "not null": "is not null"}

type condition struct {
	name, op, value string
	like            *regexp.Regexp // compiled once for ~= and !~=
	// in holds the values of ?= and !?=, lower-cased, split once when the
	// query is parsed: a list of thousands is one lookup per row, not a
	// split and a scan of the list for every row.
	in map[string]bool
}

// positive is the condition a negated operator negates.
var positive = map[string]string{"!=": "=", "!?=": "?=", "!~=": "~="}

// query is a parsed ZStack query string.
type query struct {
	conds          []condition
	start, limit   int
	count          bool
	replyWithCount bool
	sortBy         string
	desc           bool
	fields         []string
}

// defaultLimit is APIQueryMessage's default page size.
const defaultLimit = 1000

func badQuery(format string, args ...any) *api.Error {
	return &api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: fmt.Sprintf(format, args...)}
}

// parseQuery reads a query string the way ZStack's RestServer does, with its
// plain-text 400 messages for malformed parameters. Unknown parameters are
// ignored, as there.
func parseQuery(q url.Values) (*query, *api.Error) {
	out := &query{limit: defaultLimit}
	for name, vals := range q {
		name = strings.TrimSpace(name)
		v := strings.TrimSpace(vals[0])
		switch {
		case name == "limit":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, badQuery("Invalid query parameter. 'limit' must be an integer")
			}
			out.limit = n
		case name == "start":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, badQuery("Invalid query parameter. 'start' must be an integer")
			}
			out.start = n
		case name == "count":
			out.count = strings.EqualFold(v, "true")
		case name == "replyWithCount":
			out.replyWithCount = strings.EqualFold(v, "true")
		case name == "sort":
			switch {
			case strings.HasPrefix(v, "+"):
				out.sortBy = strings.TrimLeft(v, "+")
			case strings.HasPrefix(v, "-"):
				out.sortBy, out.desc = strings.TrimLeft(v, "-"), true
			default:
				out.sortBy = v
			}
		case name == "q":
			for _, c := range vals {
				cond, err := parseCondition(c)
				if err != nil {
					return nil, err
				}
				out.conds = append(out.conds, cond)
			}
		case name == "fields":
			for _, f := range strings.Split(v, ",") {
				if f = strings.TrimSpace(f); f != "" {
					out.fields = append(out.fields, f)
				}
			}
			if len(out.fields) == 0 {
				return nil, badQuery("Invalid query parameter. 'fields' contains zero field")
			}
		}
	}
	return out, nil
}

func parseCondition(c string) (condition, *api.Error) {
	for _, op := range queryOps {
		i := strings.Index(c, op)
		if i < 0 {
			continue
		}
		name, value := strings.TrimSpace(c[:i]), c[i+len(op):]
		if op == "is null" || op == "not null" {
			return condition{name: name, op: op}, nil
		}
		if name == "" || value == "" {
			opName := op
			if n, ok := opNames[op]; ok {
				opName = n
			}
			return condition{}, badQuery("Invalid query parameter. The '%s' in parameter[q] is not a key-value pair split by %s", c, opName)
		}
		cond := condition{name: name, op: op, value: value}
		if op == "~=" || op == "!~=" {
			cond.like = likeRE(value)
		}
		if op == "?=" || op == "!?=" {
			vals := strings.Split(value, ",")
			cond.in = make(map[string]bool, len(vals))
			for _, v := range vals {
				cond.in[strings.ToLower(v)] = true
			}
		}
		return cond, nil
	}
	return condition{}, badQuery("Invalid query parameter. The '%s' in the parameter[q] doesn't contain any query operator. Valid query operators are [%s]",
		c, strings.Join(queryOps, ", "))
}

// record is one queryable object: each field's values (several for fields
// of nested lists such as attributes.name); a missing key is null.
type record map[string][]string

// resource describes a queryable inventory type.
type resource struct {
	class  string          // the Java class named in errors
	fields map[string]bool // queryable field names
	dates  map[string]bool // fields holding dates
}

func (r *resource) check(q *query) *api.Error {
	for _, c := range q.conds {
		if !r.fields[c.name] {
			return &api.Error{Kind: api.KindInvalidArgument,
				Message: fmt.Sprintf("condition name[%s] is invalid, no such field on inventory class[%s]", c.name, r.class)}
		}
	}
	if q.sortBy != "" && (!r.fields[q.sortBy] || strings.Contains(q.sortBy, ".")) {
		return &api.Error{Kind: api.KindInvalidArgument,
			Message: fmt.Sprintf("sortBy field[%s] is not a field of inventory class[%s]", q.sortBy, r.class)}
	}
	return nil
}

func (r *resource) match(rec record, conds []condition) bool {
	return r.matchFields(func(name string) ([]string, bool) { v, ok := rec[name]; return v, ok }, conds)
}

// fields reads a field's values (several for a nested list such as
// attributes.name) and whether it is present at all.
type fields func(name string) ([]string, bool)

// matchFields is match reading fields through get, so that a query over
// a large table does not build a record for every object.
func (r *resource) matchFields(get fields, conds []condition) bool {
	for _, c := range conds {
		if !r.matchOne(get, c) {
			return false
		}
	}
	return true
}

func (r *resource) matchOne(get fields, c condition) bool {
	vals, present := get(c.name)
	switch c.op {
	case "is null":
		return !present
	case "not null":
		return present
	case "!=", "!?=", "!~=":
		// Negations hold when no value matches the positive form.
		pos := c
		pos.op = positive[c.op]
		return !r.matchOne(get, pos)
	}
	for _, v := range vals {
		if r.test(c, v) {
			return true
		}
	}
	return false
}

func (r *resource) test(c condition, have string) bool {
	field, op, want := c.name, c.op, c.value
	switch op {
	case "=":
		return strings.EqualFold(have, want) // MySQL's case-insensitive collation
	case "?=":
		return c.in[strings.ToLower(have)] // MySQL's case-insensitive collation
	case "~=":
		return c.like.MatchString(have)
	}
	order := r.compare(field, have, want)
	switch op {
	case ">":
		return order > 0
	case "<":
		return order < 0
	case ">=":
		return order >= 0
	case "<=":
		return order <= 0
	}
	return false
}

// compare orders a field's value against a condition's: as dates for date
// fields, as numbers when both are numbers, else as strings.
func (r *resource) compare(field, have, want string) int {
	if r.dates[field] {
		h, err1 := parseDate(have)
		w, err2 := parseDate(want)
		if err1 == nil && err2 == nil {
			return h.Compare(w)
		}
	}
	hf, err1 := strconv.ParseFloat(have, 64)
	wf, err2 := strconv.ParseFloat(want, 64)
	if err1 == nil && err2 == nil {
		return cmp.Compare(hf, wf)
	}
	return strings.Compare(strings.ToLower(have), strings.ToLower(want))
}

var dateLayouts = []string{javaDate, time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02"}

func parseDate(s string) (time.Time, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms), nil
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

// likeRE turns an SQL LIKE pattern (% any run, _ one character) into a
// case-insensitive regexp, as MySQL's default collation compares.
func likeRE(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// sortRecords orders records by one field; records lacking it come first,
// as NULLs do in MySQL's ascending order.
func (r *resource) sortRecords(recs []record, field string, desc bool) {
	slices.SortStableFunc(recs, func(a, b record) int {
		av, aok := a[field]
		bv, bok := b[field]
		var c int
		switch {
		case !aok && !bok:
			c = 0
		case !aok:
			c = -1
		case !bok:
			c = 1
		default:
			c = r.compare(field, av[0], bv[0])
		}
		if desc {
			return -c
		}
		return c
	})
}

// window applies start and limit.
func window[T any](items []T, start, limit int) []T {
	if start < 0 {
		start = 0
	}
	if start >= len(items) {
		return items[:0]
	}
	end := len(items)
	if limit >= 0 && start+limit < end {
		end = start + limit
	}
	return items[start:end]
}

// project keeps only the named fields of an inventory (the fields parameter).
func project(inv map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return inv
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		if v, ok := inv[f]; ok {
			out[f] = v
		}
	}
	return out
}
