package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// command is one subcommand's flags, help and usage errors. Help (--help)
// goes to stdout and exits 0; a usage error prints one line and where to
// read more, not the whole help, and exits 2.
type command struct {
	*flag.FlagSet
	name     string
	synopsis string
	about    string
	// groups orders the help by theme; a command without groups lists its
	// flags under "Flags".
	groups   []flagGroup
	examples []string
	stdout   io.Writer
	stderr   io.Writer
}

// helpColumn is where a flag's text starts in the help.
const helpColumn = 28

// flagGroup is a heading of a command's help and the flags under it.
type flagGroup struct {
	title string
	names []string
}

func newCommand(name, synopsis, about string, stdout, stderr io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package's own messages (the error, then every default) are
	// replaced by parse's shorter ones.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{FlagSet: fs, name: name, synopsis: synopsis, about: about, stdout: stdout, stderr: stderr}
}

// parse reads args. --help prints the help and returns flag.ErrHelp; a bad
// flag or value is a usage error.
func (c *command) parse(args []string) error {
	err := c.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		c.help(c.stdout)
		return err
	}
	return c.usage("%s", strings.Replace(err.Error(), " -", " --", 1))
}

// usage reports a usage error in one line, with where to read more, and
// returns errUsage (exit 2).
func (c *command) usage(format string, args ...any) error {
	fmt.Fprintf(c.stderr, "credemu %s: %s\nsee 'credemu %s --help'\n", c.name, fmt.Sprintf(format, args...), c.name)
	return errUsage
}

// help writes the command's help: synopsis, what it does, its flags by
// group and its examples.
func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "Usage: credemu %s\n", c.synopsis)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", c.about)
	}
	groups := c.groups
	if len(groups) == 0 {
		var names []string
		c.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if len(names) > 0 {
			groups = []flagGroup{{"Flags", names}}
		}
	}
	// A flag no group names is still listed, under "Other" (a test keeps
	// that group empty for serve).
	listed := map[string]bool{}
	for _, g := range groups {
		for _, n := range g.names {
			listed[n] = true
		}
	}
	var other []string
	c.VisitAll(func(f *flag.Flag) {
		if !listed[f.Name] {
			other = append(other, f.Name)
		}
	})
	if len(other) > 0 {
		groups = append(slices.Clone(groups), flagGroup{"Other", other})
	}
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range g.names {
			f := c.Lookup(name)
			if f == nil {
				continue
			}
			kind, text := flag.UnquoteUsage(f)
			head := "  --" + f.Name
			if kind != "" {
				head += " " + kind
			}
			if def := f.DefValue; def != "" && def != "false" && def != "0" && def != "0s" && def != "[]" {
				text += fmt.Sprintf(" (default %s)", def)
			}
			if len(head) < helpColumn {
				fmt.Fprintf(w, "%-*s%s\n", helpColumn, head, text)
			} else {
				fmt.Fprintf(w, "%s\n%*s%s\n", head, helpColumn, "", text)
			}
		}
	}
	if len(c.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// serveGroups is serve's help, by theme. Every serve flag is in exactly
// one group (a test holds it so).
var serveGroups = []flagGroup{
	{"Listening", []string{"addr", "read-timeout", "idle-timeout", "max-connections"}},
	{"TLS", []string{"tls", "tls-addr", "tls-ca-out", "tls-san", "tls-cert", "tls-key"}},
	{"Scenario", []string{"scenario", "seed", "watch", "check-responses"}},
	{"Control API", []string{"admin-token", "allowed-host"}},
	{"Limits", []string{"max-sandboxes", "sandbox-idle", "sandbox-memory", "journal-size", "journal-body-limit", "journal-bytes", "journal-total-bytes", "max-generated", "memory-limit", "gc-percent"}},
	{"Logging", []string{"log-format", "log-level"}},
	{"Coverage", []string{"coverage-out", "coverage-format"}},
	{"State", []string{"state-file", "state-save-interval"}},
}

// serveExamples end serve's help.
var serveExamples = []string{
	"credemu serve                                   # the default scenario on http://127.0.0.1:8080",
	"credemu serve --scenario faults                 # a built-in scenario (credemu scenarios lists them)",
	"credemu serve --scenario ci/credemu.yaml --watch # your own, reloaded when it changes",
	"credemu serve --tls-addr 127.0.0.1:8443 --tls-ca-out /tmp/credemu-ca.pem   # HTTPS beside HTTP",
	"credemu serve --addr 0.0.0.0:8080 --allowed-host credemu --log-format json  # in a container",
	"credemu serve --coverage-out coverage.xml --coverage-format junit           # a report on shutdown",
	"credemu serve --state-file ~/.credemu/state.yaml --state-save-interval 1m   # keep what you build",
}
