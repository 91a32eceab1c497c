// Command credemu-scale proves the scale-out set-up of deploy/haproxy on
// loopback: it starts credemu replicas and Debian's haproxy with the
// shipped haproxy.cfg (its server lines swapped for the replicas, its
// health checks made fast), and checks through the proxy that every
// sandbox sticks to one replica, that sandboxes stay apart, that the
// control API works per sandbox, that a new replica takes only its share
// and that a lost one moves only its own sandboxes. It prints one line per
// check and "N passed, M failed"; it exits 1 when a check failed or the
// set-up could not start, 2 on a usage error.
//
//	go run ./cmd/credemu-scale -binary bin/credemu
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

func cli(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("credemu-scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{out: stdout}
	fs.StringVar(&cfg.binary, "binary", "", "credemu binary to run as the replicas (default: build ./cmd/credemu)")
	fs.StringVar(&cfg.haproxy, "haproxy", "haproxy", "haproxy binary (Debian: apt-get install haproxy)")
	fs.StringVar(&cfg.template, "config", filepath.Join("deploy", "haproxy", "haproxy.cfg"), "the haproxy.cfg to prove")
	fs.IntVar(&cfg.sandboxes, "sandboxes", 120, "sandboxes to spread over the replicas (10 to 1000)")
	fs.IntVar(&cfg.replicas, "replicas", 3, "replicas to start with (2 to 8); one more joins during the run")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "credemu-scale: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if cfg.sandboxes < 10 || cfg.sandboxes > 1000 || cfg.replicas < 2 || cfg.replicas > 8 {
		fmt.Fprintln(stderr, "credemu-scale: --sandboxes must be 10 to 1000 and --replicas 2 to 8")
		return 2
	}
	if cfg.binary == "" {
		dir, err := os.MkdirTemp("", "credemu-scale-")
		if err != nil {
			fmt.Fprintln(stderr, "credemu-scale:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		cfg.binary = filepath.Join(dir, "credemu")
		if out, err := exec.Command("go", "build", "-o", cfg.binary, "./cmd/credemu").CombinedOutput(); err != nil {
			fmt.Fprintf(stderr, "credemu-scale: go build: %v\n%s", err, out)
			return 1
		}
	}
	passed, failed, err := run(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "credemu-scale:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}
