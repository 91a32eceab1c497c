// Package ui is credemu's dashboard: a page at /_emulator/ui/ that shows
// what a sandbox holds and drives the control API, embedded in the binary.
// It is plain HTML, CSS and JavaScript with no build step and nothing
// fetched from elsewhere, so it works offline and in a scratch container.
// The files carry no data: every figure on the page comes from the control
// API, with its token and checks.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var files embed.FS

// Static is the dashboard's files: index.html, app.js, style.css.
var Static, _ = fs.Sub(files, "static")

// csp allows the page its own files and calls to its own origin, and
// nothing else: no inline script, no other site, and no framing (a page
// elsewhere cannot put the dashboard in a frame and click its buttons).
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// Handler serves the dashboard under prefix (e.g. /_emulator/ui/).
func Handler(prefix string) http.Handler {
	fileServer := http.StripPrefix(prefix, http.FileServerFS(Static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "the dashboard's files are read with GET", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		if strings.HasSuffix(r.URL.Path, "/index.html") {
			// FileServer would redirect it to the folder: say so plainly.
			http.Redirect(w, r, prefix, http.StatusMovedPermanently)
			return
		}
		fileServer.ServeHTTP(w, r)
	})
}
