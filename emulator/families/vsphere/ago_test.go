package vsphere

import (
	"testing"
	"time"
)

func TestParseAgo(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"30d", now.AddDate(0, 0, -30), true},
		{"0d", now, true},
		{"+2d", now.AddDate(0, 0, -2), true},
		{"720h", now.Add(-720 * time.Hour), true},
		{"90m", now.Add(-90 * time.Minute), true},
		{"2026-01-02T03:04:05Z", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"-1d", time.Time{}, false},
		{"-1h", time.Time{}, false},
		{"5xd", time.Time{}, false},
		{"d", time.Time{}, false},
		{" 5d", time.Time{}, false},
		{"whenever", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, err := parseAgo(tc.in, now)
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseAgo(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
