package zstack

import (
	"net/url"
	"testing"
)

// FuzzParseQuery feeds arbitrary query strings to the q/limit/start/sort
// parser: it may refuse them (with a transport error), never panic.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"q=name=alice", "q=name!~=%a%&q=state?=Enabled,Disabled", "q=description is null",
		"limit=ten", "start=-1&limit=0", "sort=-name&fields=uuid,name", "q==", "q=name", "fields=,",
		"q=createDate>=2026-01-01 00:00:00", "replyWithCount=true&count=true",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		vals, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, e := parseQuery(vals)
		if e != nil {
			if !e.Transport || e.Message == "" {
				t.Fatalf("parse error must be a plain-text 400: %+v", e)
			}
			return
		}
		if err := vidResource.check(q); err != nil {
			return
		}
		rec := record{"name": {"alice"}, "createDate": {"Jan 1, 2026 12:00:00 PM"}, "attributes.name": {"a", "b"}}
		vidResource.match(rec, q.conds)
		vidResource.sortRecords([]record{rec, {}}, "name", q.desc)
	})
}
