package awx

import (
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// FuzzParseList feeds arbitrary query strings to AWX's list parser
// (filters, lookups, not__/or__, search, order_by, paging): it may refuse
// them with an AWX error, never panic, and what it accepts must filter,
// sort and page a sample list.
func FuzzParseList(f *testing.F) {
	for _, s := range []string{
		"name=a", "name__icontains=A&not__id=1", "or__name=a&or__name=b", "id__in=1,2,x", "organization__isnull=true",
		"created__gt=2026-01-01", "name__regex=[", "order_by=-name,id", "order_by=nope", "page=0", "page_size=500&page=3",
		"search=a,b", "inputs__username=x", "credential_type__name__iexact=machine", "managed=maybe",
	} {
		f.Add(s)
	}
	rows := []row{
		{"id": 1, "name": "a", "description": "", "credential_type": 1, "organization": nil, "managed": false, "created": time.Unix(0, 0), "modified": time.Unix(0, 0)},
		{"id": 2, "name": "B", "description": "d", "credential_type": 2, "organization": 1, "managed": false, "created": time.Unix(9, 0), "modified": time.Unix(9, 0)},
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		lq, e := credListSpec.parseList(q)
		if e != nil {
			if e.Message == "" {
				t.Fatalf("refusal without a message: %+v", e)
			}
			return
		}
		var kept []row
		for _, r := range rows {
			if lq.match(credListSpec, r) {
				kept = append(kept, r)
			}
		}
		lq.sortRows(credListSpec, kept)
		_, _, _, _ = lq.paginate(httptest.NewRequest("GET", "/api/v2/credentials/?"+q.Encode(), nil), len(kept))
	})
}
