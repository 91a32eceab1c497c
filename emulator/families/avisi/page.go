package avisi

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/credemu/credemu/emulator/api"
)

// Spring Data's paging, as Avisi's API exposes it.

// maxPageSize is Spring Data's default cap on size; larger values are cut
// down to it, not refused.
const maxPageSize = 2000

type sortOrder struct {
	field string
	desc  bool
}

type pageRequest struct {
	page  int
	size  int
	order []sortOrder
}

// sortKeys maps each sortable property of a type to a comparison.
type sortKeys[T any] map[string]func(a, b T) int

// parsePage reads page, size and sort the way Spring does: page and size
// that are not numbers, or out of range, fall back to the defaults instead
// of failing; an unknown sort property is a 400.
func parsePage[T any](q url.Values, defSize int, typeName string, keys sortKeys[T]) (pageRequest, error) {
	p := pageRequest{page: 0, size: defSize}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n >= 0 {
		p.page = n
	}
	if n, err := strconv.Atoi(q.Get("size")); err == nil && n > 0 {
		p.size = min(n, maxPageSize)
	}
	for _, s := range q["sort"] {
		parts := strings.Split(s, ",")
		dir := false
		if last := strings.ToLower(parts[len(parts)-1]); len(parts) > 1 && (last == "asc" || last == "desc") {
			dir = last == "desc"
			parts = parts[:len(parts)-1]
		}
		for _, field := range parts {
			field = strings.TrimSpace(field)
			if field == "" {
				continue
			}
			if _, ok := keys[field]; !ok {
				return p, &api.Error{Kind: api.KindInvalidArgument,
					Message: fmt.Sprintf("No property '%s' found for type '%s'", field, typeName)}
			}
			p.order = append(p.order, sortOrder{field: field, desc: dir})
		}
	}
	return p, nil
}

// apply sorts items (stably, so equal keys keep insertion order) and cuts
// out the requested page.
func apply[T any](items []T, p pageRequest, keys sortKeys[T]) []T {
	if len(p.order) > 0 {
		slices.SortStableFunc(items, func(a, b T) int {
			for _, o := range p.order {
				c := keys[o.field](a, b)
				if o.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	start := p.page * p.size
	if start >= len(items) || start < 0 {
		return items[:0]
	}
	return items[start:min(start+p.size, len(items))]
}

type sortInfo struct {
	Empty    bool `json:"empty"`
	Sorted   bool `json:"sorted"`
	Unsorted bool `json:"unsorted"`
}

type pageable struct {
	PageNumber int      `json:"pageNumber"`
	PageSize   int      `json:"pageSize"`
	Sort       sortInfo `json:"sort"`
	Offset     int64    `json:"offset"`
	Paged      bool     `json:"paged"`
	Unpaged    bool     `json:"unpaged"`
}

// Page is Spring Data's serialised Page.
type Page[T any] struct {
	Content          []T      `json:"content"`
	Pageable         pageable `json:"pageable"`
	Last             bool     `json:"last"`
	TotalPages       int      `json:"totalPages"`
	TotalElements    int64    `json:"totalElements"`
	Size             int      `json:"size"`
	Number           int      `json:"number"`
	Sort             sortInfo `json:"sort"`
	First            bool     `json:"first"`
	NumberOfElements int      `json:"numberOfElements"`
	Empty            bool     `json:"empty"`
}

// AppendJSON writes p as MarshalJSON would; its content through each
// item's own AppendJSON where it has one.
func (p Page[T]) AppendJSON(b []byte) []byte {
	pg := p.Pageable
	return api.StartObject(b).
		Field("content", func(b []byte) []byte {
			return api.AppendArray(b, p.Content, func(b []byte, item T) []byte { return api.AppendValue(b, any(item)) })
		}).
		Field("pageable", func(b []byte) []byte {
			return api.StartObject(b).Int("pageNumber", pg.PageNumber).Int("pageSize", pg.PageSize).Field("sort", pg.Sort.appendJSON).
				Int64("offset", pg.Offset).Bool("paged", pg.Paged).Bool("unpaged", pg.Unpaged).End()
		}).
		Bool("last", p.Last).Int("totalPages", p.TotalPages).Int64("totalElements", p.TotalElements).Int("size", p.Size).
		Int("number", p.Number).Field("sort", p.Sort.appendJSON).Bool("first", p.First).
		Int("numberOfElements", p.NumberOfElements).Bool("empty", p.Empty).End()
}

func (s sortInfo) appendJSON(b []byte) []byte {
	return api.StartObject(b).Bool("empty", s.Empty).Bool("sorted", s.Sorted).Bool("unsorted", s.Unsorted).End()
}

func newPage[T any](content []T, p pageRequest, total int) Page[T] {
	if content == nil {
		content = []T{}
	}
	si := sortInfo{Empty: len(p.order) == 0, Sorted: len(p.order) > 0, Unsorted: len(p.order) == 0}
	pages := (total + p.size - 1) / p.size
	return Page[T]{
		Content:          content,
		Pageable:         pageable{PageNumber: p.page, PageSize: p.size, Sort: si, Offset: int64(p.page) * int64(p.size), Paged: true},
		Last:             p.page >= pages-1,
		TotalPages:       pages,
		TotalElements:    int64(total),
		Size:             p.size,
		Number:           p.page,
		Sort:             si,
		First:            p.page == 0,
		NumberOfElements: len(content),
		Empty:            len(content) == 0,
	}
}

func byString[T any](get func(T) string) func(a, b T) int {
	return func(a, b T) int { return cmp.Compare(get(a), get(b)) }
}

func byBool[T any](get func(T) bool) func(a, b T) int {
	return func(a, b T) int {
		x, y := get(a), get(b)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
}
