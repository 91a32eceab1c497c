package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/drift"
)

// errDrift marks a comparison that found differences (exit 1, no message).
var errDrift = errors.New("drift found")

// defaultLogins are the built-in scenario's well-known credentials, which
// the in-process credemu side uses unless told otherwise.
var defaultLogins = map[string]drift.Target{
	"awx":     {User: "admin", Password: "password"},
	"avisi":   {Token: "admin-token", Org: "acme"},
	"zstack":  {User: "admin", Password: "password"},
	"vsphere": {User: "administrator@vsphere.local", Password: "Passw0rd!"},
}

func driftCmd(args []string, stdout, stderr io.Writer) error {
	fs := newCommand("drift", "drift --family NAME --target URL [credentials] [--write] [--format text|json]",
		"Sends a real service and an in-process credemu the same probes (ping or version, lists and gets of the emulated\n"+
			"objects, paging, filters, an unknown id, bad credentials, a malformed body the service refuses before writing)\n"+
			"and reports what a client would notice: status codes, content types, auth challenges, and field names and JSON\n"+
			"types of every body, recursively (values are not compared: the worlds differ). Exit 0: no drift; 1: drift;\n"+
			"2: usage. Nothing is written unless --write; secrets are never printed.",
		stdout, stderr)
	family := fs.String("family", "", "the family to compare: "+strings.Join(drift.Families, ", "))
	target := fs.String("target", "", "base URL of the real service, e.g. https://awx.example (required: nothing is probed by default)")
	user := fs.String("user", "", "the service's user (AWX, ZStack account, vSphere)")
	password := fs.String("password", os.Getenv("CREDEMU_DRIFT_PASSWORD"), "the service's password; default $CREDEMU_DRIFT_PASSWORD (keeps it out of the shell history)")
	token := fs.String("token", os.Getenv("CREDEMU_DRIFT_TOKEN"), "the service's token (Avisi; AWX OAuth2 token instead of a password); default $CREDEMU_DRIFT_TOKEN")
	org := fs.String("org", "", "Avisi organisation slug on the service")
	ca := fs.String("ca", "", "PEM file of the CA the service's certificate chains to")
	insecure := fs.Bool("insecure", false, "do not verify the service's TLS certificate")
	write := fs.Bool("write", false, "also create, read, update and delete one throwaway object (named credemu-drift-<time>), cleaning up even when a step fails")
	format := fs.String("format", "text", "report format: text or json")
	scen := fs.String("scenario", "default", "the scenario the in-process credemu serves")
	cUser := fs.String("credemu-user", "", "credemu's user, for a --scenario other than the default")
	cPassword := fs.String("credemu-password", "", "credemu's password, for a --scenario other than the default")
	cToken := fs.String("credemu-token", "", "credemu's token, for a --scenario other than the default")
	cOrg := fs.String("credemu-org", "", "credemu's Avisi organisation, for a --scenario other than the default")
	fs.groups = []flagGroup{
		{"Service", []string{"family", "target", "user", "password", "token", "org", "ca", "insecure", "write"}},
		{"Report", []string{"format"}},
		{"credemu side", []string{"scenario", "credemu-user", "credemu-password", "credemu-token", "credemu-org"}},
	}
	fs.examples = []string{
		"CREDEMU_DRIFT_PASSWORD=... credemu drift --family awx --target https://awx.lab.example --user admin",
		"credemu drift --family avisi --target https://api.avisi.cloud --token \"$TOKEN\" --org my-org --format json",
		"credemu drift --family vsphere --target https://vcsa.lab --user administrator@vsphere.local --ca lab-ca.pem --write",
	}
	if err := fs.parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fs.usage("unexpected argument %q", fs.Arg(0))
	case !slices.Contains(drift.Families, *family):
		return fs.usage("--family: %q is not one of %s", *family, strings.Join(drift.Families, ", "))
	case *target == "":
		return fs.usage("--target is required: drift probes only a service it is told to")
	case *format != "text" && *format != "json":
		return fs.usage("--format: %q is not text or json", *format)
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fs.usage("--target: %q is not an http:// or https:// URL", *target)
	}
	client, err := driftClient(*ca, *insecure)
	if err != nil {
		return fs.usage("%v", err)
	}

	emu, err := emulator.New(emulator.WithScenario(*scen))
	if err != nil {
		return err
	}
	local := httptest.NewServer(emu.Handler())
	defer local.Close()
	mine := defaultLogins[*family]
	if *scen != "default" || *cUser != "" || *cPassword != "" || *cToken != "" || *cOrg != "" {
		mine = drift.Target{User: *cUser, Password: *cPassword, Token: *cToken, Org: *cOrg}
	}
	mine.URL = local.URL
	mine.Client = &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	service := drift.Target{URL: *target, User: *user, Password: *password, Token: *token, Org: *org, Client: client}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	rep, err := drift.Run(ctx, drift.Options{Family: *family, Write: *write}, service, mine)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, f := range rep.Findings {
			fmt.Fprintln(stdout, f.String())
		}
		fmt.Fprintf(stdout, "%s: %d probes, %d differences\n", *family, len(rep.Probes), len(rep.Findings))
	}
	if len(rep.Findings) > 0 {
		return errDrift
	}
	return nil
}

func driftClient(caFile string, insecure bool) (*http.Client, error) {
	tr, err := trustingTransport(caFile, insecure)
	if err != nil {
		return nil, fmt.Errorf("--ca: %v", err)
	}
	tr.TLSClientConfig.MinVersion = tls.VersionTLS12
	return &http.Client{
		Transport: tr,
		Timeout:   time.Minute,
		// A redirect is something a client notices: report it, do not follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}
