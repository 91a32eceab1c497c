package avisi

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/credemu/credemu/emulator/api"
)

// TestAppendJSONIsMarshalJSON: the hand-written encoders of the views
// clients read most write byte for byte what encoding/json writes, for
// awkward text, absent and empty fields, and both a world's encoded
// profile and one encoded on the spot.
func TestAppendJSONIsMarshalJSON(t *testing.T) {
	odd := "<\"é\u2028\\\x01&>\xff"
	loaded := &CloudProfile{Identity: odd, DisplayName: "p", Metadata: map[string]string{"b": odd, "a": ""}, Regions: []string{odd},
		CloudProviderResponse: CloudProvider{ID: 3, Name: odd}, CloudProviderRegionResponses: []Region{{ID: 1, Name: odd}}}
	loaded.json = new(encodedOnce)
	fresh := cloneProfile(loaded)
	views := []CloudAccountView{
		{},
		{Identity: odd, DisplayName: odd, Enabled: true, Metadata: map[string]string{}, CloudProfile: loaded},
		{Identity: "x", Metadata: map[string]string{odd: odd, "k": "v"}, PrimaryCloudCredentialsIdentity: odd, CloudProfile: fresh},
	}
	for i, v := range views {
		want, err := api.MarshalJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(v.AppendJSON(nil))); diff != "" {
			t.Errorf("view %d (-MarshalJSON +AppendJSON):\n%s", i, diff)
		}
	}
	// A loaded profile is encoded the first time it is written, by any
	// of the requests that write it at once, and the same bytes after.
	want, _ := api.MarshalJSON(loaded)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := loaded.AppendJSON(nil); string(got) != string(want) {
				t.Errorf("a loaded profile wrote %s; want %s", got, want)
			}
		})
	}
	wg.Wait()
	if loaded.json.b == nil || fresh.json != nil {
		t.Error("a loaded profile kept no bytes, or its copy shares them")
	}
	pages := []any{
		newPage(views, pageRequest{page: 1, size: 2}, 5),
		newPage([]CloudAccountView(nil), pageRequest{size: 20, order: []sortOrder{{}}}, 0),
		newPage([]CloudCredentialsView{{Identity: odd, Metadata: map[string]string{"a": odd}}}, pageRequest{size: 1}, 1),
	}
	for i, p := range pages {
		want, err := api.MarshalJSON(p)
		if err != nil {
			t.Fatal(err)
		}
		got := p.(api.JSONAppender).AppendJSON(nil)
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("page %d (-MarshalJSON +AppendJSON):\n%s", i, diff)
		}
	}
}
