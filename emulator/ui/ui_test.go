package ui_test

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/ui"
)

func TestServedWithItsProtections(t *testing.T) {
	srv := emulatortest.Start(t)
	for _, c := range []struct {
		path, contentType string
	}{
		{"/_emulator/ui/", "text/html"},
		{"/_emulator/ui/app.js", "text/javascript"},
		{"/_emulator/ui/style.css", "text/css"},
	} {
		t.Run(c.path, func(t *testing.T) {
			r := srv.Do("GET", c.path, nil)
			r.Want(t, 200)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, c.contentType) {
				t.Errorf("Content-Type %q", ct)
			}
			for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"} {
				if got := r.Header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			csp := r.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
		})
	}
	r := srv.Do("GET", "/_emulator/ui", nil)
	if r.Status != 301 && r.Status != 200 { // a client following the redirect sees 200
		t.Errorf("/_emulator/ui: %d", r.Status)
	}
	srv.Do("POST", "/_emulator/ui/", nil).Want(t, 405)
	srv.Do("GET", "/_emulator/ui/missing.js", nil).Want(t, 404)
}

// TestPagesWorkOffline: nothing in the dashboard names another site, and
// the page runs no inline script (the CSP would refuse it).
func TestPagesWorkOffline(t *testing.T) {
	external := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	_ = fs.WalkDir(ui.Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(ui.Static, p)
		if m := external.Find(b); m != nil {
			t.Errorf("%s refers to another site: %s", p, m)
		}
		if strings.HasSuffix(p, ".html") && regexp.MustCompile(`<script>|<script [^>]*>[^<]`).Match(b) {
			t.Errorf("%s has an inline script", p)
		}
		return nil
	})
}

// TestKindsMatchTheFaultModel: the fault form offers exactly the error
// kinds a rule may name.
func TestKindsMatchTheFaultModel(t *testing.T) {
	b, _ := fs.ReadFile(ui.Static, "index.html")
	form := string(b)[strings.Index(string(b), `id="fault-kind"`):]
	form = form[:strings.Index(form, "</select>")]
	var got []string
	for _, m := range regexp.MustCompile(`<option>([a-z_]+)</option>`).FindAllStringSubmatch(form, -1) {
		got = append(got, m[1])
	}
	var want []string
	for _, k := range api.Kinds {
		want = append(want, string(k))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the form's kinds %v, want %v", got, want)
	}
}
