package awx

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
)

// AWX list endpoints: Django-style filters (?field__lookup=value, not__,
// or__), ?search=, ?order_by=, and DRF page-number pagination.

type kind int

const (
	kString kind = iota
	kInt
	kBool
	kTime
)

// listSpec describes one listable model.
type listSpec struct {
	model     string          // "Credential", for messages
	fields    map[string]kind // filterable and orderable fields
	forbidden map[string]string
	search    []string
	order     []string // default ordering
}

// row is one object's filterable values: string, int, bool, time.Time or
// nil (SQL NULL).
type row map[string]any

const (
	defaultPageSize = 25
	maxPageSize     = 200
)

var reserved = map[string]bool{"page": true, "page_size": true, "order_by": true, "order": true, "search": true, "format": true}

var lookups = map[string]bool{"exact": true, "iexact": true, "contains": true, "icontains": true, "startswith": true,
	"istartswith": true, "endswith": true, "iendswith": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"in": true, "isnull": true, "regex": true, "iregex": true}

type filter struct {
	field, lookup string
	not, or       bool
	values        []any // converted; several for __in
	re            *regexp.Regexp
}

type listQuery struct {
	filters  []filter
	search   []string
	order    []string
	page     int
	pageSize int
}

func badRequest(format string, args ...any) *api.Error {
	return &api.Error{Kind: api.KindInvalidArgument, Message: fmt.Sprintf(format, args...)}
}

func invalidPage() *api.Error { return &api.Error{Kind: api.KindNotFound, Message: "Invalid page."} }

// parseList reads a list request's query string.
func (sp *listSpec) parseList(q url.Values) (*listQuery, *api.Error) {
	lq := &listQuery{page: 1, pageSize: defaultPageSize}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, invalidPage()
		}
		lq.page = n
	}
	if n, err := strconv.Atoi(q.Get("page_size")); err == nil && n > 0 {
		lq.pageSize = min(n, maxPageSize)
	}
	for _, s := range q["search"] {
		for _, term := range strings.Split(s, ",") {
			if term = strings.TrimSpace(term); term != "" {
				lq.search = append(lq.search, strings.ToLower(term))
			}
		}
	}
	order := q.Get("order_by")
	if order == "" {
		order = q.Get("order")
	}
	if order != "" {
		for _, o := range strings.Split(order, ",") {
			name := strings.TrimPrefix(strings.TrimSpace(o), "-")
			if _, ok := sp.fields[name]; !ok {
				return nil, badRequest("Cannot resolve keyword '%s' into field. Choices are: %s", name, strings.Join(sp.fieldNames(), ", "))
			}
			lq.order = append(lq.order, strings.TrimSpace(o))
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		if reserved[key] {
			continue
		}
		for _, raw := range q[key] {
			f, err := sp.parseFilter(key, raw)
			if err != nil {
				return nil, err
			}
			lq.filters = append(lq.filters, f)
		}
	}
	return lq, nil
}

func (sp *listSpec) fieldNames() []string {
	names := make([]string, 0, len(sp.fields))
	for n := range sp.fields {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (sp *listSpec) parseFilter(key, raw string) (filter, *api.Error) {
	f := filter{lookup: "exact"}
	name := key
	for {
		if rest, ok := strings.CutPrefix(name, "not__"); ok {
			f.not, name = true, rest
			continue
		}
		if rest, ok := strings.CutPrefix(name, "or__"); ok {
			f.or, name = true, rest
			continue
		}
		break
	}
	if i := strings.LastIndex(name, "__"); i > 0 && lookups[name[i+2:]] {
		name, f.lookup = name[:i], name[i+2:]
	}
	base, _, _ := strings.Cut(name, "__")
	if msg, bad := sp.forbidden[base]; bad {
		return f, &api.Error{Kind: api.KindPermissionDenied, Message: msg}
	}
	k, ok := sp.fields[name]
	if !ok {
		return f, badRequest("%s has no field named '%s'", sp.model, name)
	}
	f.field = name
	switch f.lookup {
	case "isnull":
		b, ok := toBool(raw)
		if !ok {
			return f, notBool(raw)
		}
		f.values = []any{b}
		return f, nil
	case "regex", "iregex":
		pat := raw
		if f.lookup == "iregex" {
			pat = "(?i)" + pat
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return f, badRequest("Invalid regular expression: %s", raw)
		}
		f.re = re
		return f, nil
	case "in":
		for _, part := range strings.Split(raw, ",") {
			v, err := convert(name, k, part)
			if err != nil {
				return f, err
			}
			f.values = append(f.values, v)
		}
		return f, nil
	}
	if strings.Contains(f.lookup, "contains") || strings.Contains(f.lookup, "with") || f.lookup == "iexact" {
		f.values = []any{raw}
		return f, nil
	}
	v, err := convert(name, k, raw)
	if err != nil {
		return f, err
	}
	f.values = []any{v}
	return f, nil
}

// toBool reads a filter value as AWX does; ok is false for anything else.
func toBool(s string) (b, ok bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on", "t", "y":
		return true, true
	case "false", "0", "no", "off", "f", "n", "":
		return false, true
	}
	return false, false
}

// notBool is AWX's message for a value toBool refuses.
func notBool(s string) *api.Error { return badRequest("Unable to convert \"%s\" to boolean", s) }

func convert(field string, k kind, raw string) (any, *api.Error) {
	switch k {
	case kInt:
		if strings.EqualFold(raw, "null") || strings.EqualFold(raw, "none") {
			return nil, nil
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			return nil, badRequest("Field '%s' expected a number but got '%s'.", field, raw)
		}
		return n, nil
	case kBool:
		b, ok := toBool(raw)
		if !ok {
			return nil, notBool(raw)
		}
		return b, nil
	case kTime:
		for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(l, raw); err == nil {
				return t, nil
			}
		}
		return nil, badRequest("“%s” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.", raw)
	}
	return raw, nil
}

// match applies filters (and-ed; or__ filters or-ed among themselves) and
// the search terms to a row.
func (lq *listQuery) match(sp *listSpec, r row) bool {
	return lq.matchField(sp, func(k string) any { return r[k] })
}

// matchField is match reading fields through get, so that a large list
// can be filtered without building a row for every object.
func (lq *listQuery) matchField(sp *listSpec, get func(string) any) bool {
	anyOr, orHit := false, false
	for _, f := range lq.filters {
		hit := f.test(get(f.field)) != f.not
		if f.or {
			anyOr = true
			orHit = orHit || hit
			continue
		}
		if !hit {
			return false
		}
	}
	if anyOr && !orHit {
		return false
	}
	for _, term := range lq.search {
		found := false
		for _, field := range sp.search {
			if s, ok := get(field).(string); ok && strings.Contains(strings.ToLower(s), term) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (f *filter) test(v any) bool {
	switch f.lookup {
	case "isnull":
		return (v == nil) == f.values[0].(bool)
	case "regex", "iregex":
		s, ok := v.(string)
		return ok && f.re.MatchString(s)
	case "in":
		for _, want := range f.values {
			if compare(v, want) == 0 && (v == nil) == (want == nil) {
				return true
			}
		}
		return false
	}
	want := f.values[0]
	if v == nil || want == nil {
		return f.lookup == "exact" && v == nil && want == nil
	}
	switch f.lookup {
	case "exact":
		return compare(v, want) == 0
	case "gt":
		return compare(v, want) > 0
	case "gte":
		return compare(v, want) >= 0
	case "lt":
		return compare(v, want) < 0
	case "lte":
		return compare(v, want) <= 0
	}
	s := strings.ToLower(fmt.Sprint(v))
	w := strings.ToLower(want.(string))
	switch f.lookup {
	case "iexact":
		return s == w
	case "contains":
		return strings.Contains(fmt.Sprint(v), want.(string))
	case "icontains":
		return strings.Contains(s, w)
	case "startswith":
		return strings.HasPrefix(fmt.Sprint(v), want.(string))
	case "istartswith":
		return strings.HasPrefix(s, w)
	case "endswith":
		return strings.HasSuffix(fmt.Sprint(v), want.(string))
	case "iendswith":
		return strings.HasSuffix(s, w)
	}
	return false
}

// compare orders two row values of one field; NULL sorts first.
func compare(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case int:
		if y, ok := b.(int); ok {
			return cmp.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// sortRows orders rows by the query's order_by, else the model's default,
// with id as the last tie-breaker.
func (lq *listQuery) sortRows(sp *listSpec, rows []row) {
	order := lq.order
	if len(order) == 0 {
		order = sp.order
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		for _, o := range order {
			desc := strings.HasPrefix(o, "-")
			name := strings.TrimPrefix(o, "-")
			c := compare(a[name], b[name])
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return compare(a["id"], b["id"])
	})
}

// Page is DRF's paginated answer.
type Page struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []any   `json:"results"`
}

// paginate works out the page of n results (start and end indexes) and
// builds next/previous links from the request's own path and query, as
// AWX's Pagination does (relative URLs, sorted parameters; unlike plain DRF
// it keeps page=1 in the link back to the first page, and caps page_size).
func (lq *listQuery) paginate(r *http.Request, n int) (int, int, Page, *api.Error) {
	pages := max(1, (n+lq.pageSize-1)/lq.pageSize)
	if lq.page > pages {
		return 0, 0, Page{}, invalidPage()
	}
	start := (lq.page - 1) * lq.pageSize
	end := min(start+lq.pageSize, n)
	p := Page{Count: n, Results: []any{}}
	link := func(page int) *string {
		q := r.URL.Query()
		q.Set("page", itoa(page))
		if n, err := strconv.Atoi(q.Get("page_size")); err == nil && n > maxPageSize {
			q.Set("page_size", itoa(maxPageSize))
		}
		s := r.URL.Path
		if enc := q.Encode(); enc != "" {
			s += "?" + enc
		}
		return &s
	}
	if lq.page < pages {
		p.Next = link(lq.page + 1)
	}
	if lq.page > 1 {
		p.Previous = link(lq.page - 1)
	}
	return start, end, p, nil
}

// seq yields objects until yield returns false.
type seq[T any] func(yield func(T) bool)

// listAll answers a list endpoint: parse the query, and under the read
// lock page what all yields for the caller (all may refuse, as a sub-list
// of a hidden parent does), rendered for them.
func listAll[T, V any](s *State, r *api.Request, sp *listSpec, all func(me *user) (seq[T], error),
	rowOf func(T) row, idOf func(T) int, view func(T, *user) V) (*api.Response, error) {
	lq, e := sp.parseList(r.Query)
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	me := caller(r)
	scan, err := all(me)
	if err != nil {
		return nil, err
	}
	return listOf(r, lq, sp, scan, rowOf, idOf, func(x T) any { return view(x, me) })
}

// listOf filters the objects scan yields, sorts and pages them, and
// renders the page with view: the shape every AWX list shares.
func listOf[T any](r *api.Request, lq *listQuery, sp *listSpec, scan func(yield func(T) bool),
	rowOf func(T) row, idOf func(T) int, view func(T) any) (*api.Response, error) {
	var rows []row
	byID := map[int]T{}
	scan(func(x T) bool {
		if rw := rowOf(x); lq.match(sp, rw) {
			rows = append(rows, rw)
			byID[idOf(x)] = x
		}
		return true
	})
	lq.sortRows(sp, rows)
	start, end, p, e := lq.paginate(r.HTTP, len(rows))
	if e != nil {
		return nil, e
	}
	for _, rw := range rows[start:end] {
		p.Results = append(p.Results, view(byID[rw["id"].(int)]))
	}
	return ok(p)
}

// visibleOf yields, in id order, the objects of m that canSee accepts.
func visibleOf[T interface{ id() int }](m map[int]T, canSee func(T) bool) seq[T] {
	return func(yield func(T) bool) {
		for _, x := range sortedByID(m) {
			if canSee(x) && !yield(x) {
				return
			}
		}
	}
}

func sortedByID[T interface{ id() int }](m map[int]T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id() < out[j].id() })
	return out
}
