// Command credemu-bare is the baseline credemu's speed is measured
// against: a server that links only Go's standard library and does nothing
// but what any server of these APIs must do. It answers each request it
// was given with the exact bytes credemu answered it with (status, headers,
// body), after reading the request and, for a request with a body,
// decoding the body as JSON and checking it is an object. It keeps no
// state, checks no schema, writes no journal. credemu-load records the
// answers from a running credemu and starts this binary as a separate
// process beside it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

// Answer is one recorded exchange: the request it answers and credemu's
// answer to it.
type Answer struct {
	Method string              `json:"method"`
	Path   string              `json:"path"` // with the query, as sent
	Status int                 `json:"status"`
	Header map[string][]string `json:"header"`
	Body   []byte              `json:"body"`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("credemu-bare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	answersFile := fs.String("answers", "", "JSON list of recorded answers (credemu-load writes it); without it every request gets {\"status\":\"ok\"}")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: credemu-bare [-addr ADDR] [-answers FILE]\n\nA standard-library-only server that answers recorded requests with credemu's exact bytes: the baseline of make bench.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	answers := map[string]*Answer{}
	if *answersFile != "" {
		data, err := os.ReadFile(*answersFile)
		if err != nil {
			fmt.Fprintln(stderr, "credemu-bare:", err)
			return 1
		}
		var list []*Answer
		if err := json.Unmarshal(data, &list); err != nil {
			fmt.Fprintf(stderr, "credemu-bare: %s: %v\n", *answersFile, err)
			return 1
		}
		for _, a := range list {
			// Date and Content-Length are net/http's own, as for credemu.
			delete(a.Header, "Date")
			delete(a.Header, "Content-Length")
			answers[a.Method+" "+a.Path] = a
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "credemu-bare:", err)
		return 1
	}
	fmt.Fprintf(stdout, "credemu-bare serving on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: handler(answers)}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "credemu-bare:", err)
		return 1
	}
	return 0
}

var ok = []byte(`{"status":"ok"}`)

// handler answers from answers; with none, every request gets ok.
func handler(answers map[string]*Answer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// The decoding every server of these APIs must do.
		if len(bytes.TrimSpace(body)) > 0 {
			var v map[string]any
			if err := json.Unmarshal(body, &v); err != nil {
				http.Error(w, "the body is not a JSON object: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		if len(answers) == 0 {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(ok)
			return
		}
		a := answers[r.Method+" "+r.URL.RequestURI()]
		if a == nil {
			http.Error(w, "no recorded answer for "+r.Method+" "+r.URL.RequestURI(), http.StatusNotFound)
			return
		}
		h := w.Header()
		for k, v := range a.Header {
			h[k] = v
		}
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.Body)
	})
}
