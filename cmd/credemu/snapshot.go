package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator"
)

// snapshotCmd fetches GET /_emulator/snapshot from a running emulator and
// writes it to stdout or a file: a world built by driving credemu with a
// real tool, kept as the scenario of later tests.
func snapshotCmd(args []string, stdout, stderr io.Writer) error {
	fs := newCommand("snapshot", "snapshot [--url URL] [--sandbox NAME] [--out FILE]",
		"Prints a running emulator's world (one sandbox's) as a scenario: objects with their ids and times,\n"+
			"passwords, tokens and sessions, fault rules in force, the clock and the id sequence. Loaded back\n"+
			"(serve --scenario FILE, PUT /_emulator/scenario or --state-file) it gives the same /_emulator/state.",
		stdout, stderr)
	fs.examples = []string{
		"credemu snapshot > fixtures/after-terraform-apply.yaml",
		"credemu snapshot --sandbox team-a --out team-a.yaml",
		"credemu serve --scenario team-a.yaml   # start from it",
	}
	url := fs.String("url", "http://"+emulator.DefaultAddr, "base URL of the emulator (http:// or https://)")
	sandbox := fs.String("sandbox", "", "the sandbox to snapshot (its X-Emulator-Sandbox name); default: the default sandbox")
	out := fs.String("out", "", "write the snapshot to this file (atomically, mode 0600: it holds passwords) instead of stdout")
	token := fs.String("admin-token", os.Getenv("CREDEMU_ADMIN_TOKEN"), "the emulator's admin token, if it has one; default $CREDEMU_ADMIN_TOKEN")
	caFile := fs.String("cacert", "", "PEM file of the certificate to trust for an https:// URL (what serve --tls-ca-out wrote)")
	insecure := fs.Bool("insecure", false, "do not verify the server's certificate (https:// only)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fs.usage("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(*url, "/")+"/_emulator/snapshot", nil)
	if err != nil {
		return fs.usage("--url: %v", err)
	}
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	if *sandbox != "" {
		req.Header.Set(emulator.SandboxHeader, *sandbox)
	}
	tr, err := trustingTransport(*caFile, *insecure)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Minute, Transport: tr}).Do(req)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("snapshot: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("snapshot: %s answered %d: %s", *url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if *out == "" {
		_, err = stdout.Write(body)
		return err
	}
	if err := emulator.WriteFileAtomic(*out, body, 0o600); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	fmt.Fprintf(stderr, "snapshot of %d bytes written to %s\n", len(body), *out)
	return nil
}
