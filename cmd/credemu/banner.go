package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"

	"github.com/credemu/credemu/emulator"
)

// banner is what serve prints on stdout once it listens: enough for a
// first call without the README. Its first line names the main URL (and
// the HTTPS one follows on the second when --tls-addr is set), which
// scripts read; then, per family, the base URL, the scenario's well-known
// credentials and one curl to paste.
type banner struct {
	scenario string
	url      string
	tlsURL   string // the second, HTTPS listener of --tls-addr
	caFile   string // where --tls-ca-out wrote the CA
	srv      *emulator.Server
}

func (b banner) write(w io.Writer, format string) {
	if format == "json" {
		b.writeJSON(w)
		return
	}
	// The lines scripts wait for go out first, before the rest is put
	// together; each part is one write, as every write to a pipe wakes
	// its reader, which a client that has just read the address needs
	// the CPU for.
	var b1 bytes.Buffer
	fmt.Fprintf(&b1, "credemu %s serving scenario %q on %s (control API: %s/_emulator)\n", emulator.Version, b.scenario, b.url, b.url)
	if b.tlsURL != "" {
		fmt.Fprintf(&b1, "credemu serving HTTPS on %s\n", b.tlsURL)
	}
	if b.caFile != "" {
		fmt.Fprintf(&b1, "the CA that HTTPS clients trust is in %s (curl --cacert %s; Go: SSL_CERT_FILE)\n", b.caFile, b.caFile)
	}
	_, _ = w.Write(b1.Bytes())
	var rest bytes.Buffer
	for _, g := range b.srv.Greetings() {
		fmt.Fprintf(&rest, "\n  %-8s %s\n", g.Family, g.Base)
		for _, l := range g.Logins {
			fmt.Fprintf(&rest, "           %s\n", l)
		}
		fmt.Fprintf(&rest, "           try: %s\n", g.Try)
	}
	fmt.Fprintf(&rest, "\n  dashboard (objects, journal, faults, coverage): %s/_emulator/ui/\n", b.url)
	fmt.Fprintf(&rest, "  operation ids (for fault rules, verify, coverage): credemu operations; stop with Ctrl-C\n")
	_, _ = w.Write(rest.Bytes())
}

// writeJSON writes the banner as JSON log records, one per line: the
// server's, then one per family.
func (b banner) writeJSON(w io.Writer) {
	log := slog.New(slog.NewJSONHandler(w, nil))
	attrs := []any{"version", emulator.Version, "scenario", b.scenario, "url", b.url, "control_api", b.url + "/_emulator", "dashboard", b.url + "/_emulator/ui/"}
	if b.tlsURL != "" {
		attrs = append(attrs, "tls_url", b.tlsURL)
	}
	if b.caFile != "" {
		attrs = append(attrs, "ca_file", b.caFile)
	}
	log.Info("credemu serving", attrs...)
	for _, g := range b.srv.Greetings() {
		log.Info("family", "family", g.Family, "base_url", g.Base, "logins", g.Logins, "try", g.Try)
	}
}
