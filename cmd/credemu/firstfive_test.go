package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator/emulatortest"
)

// TestServeHelpGroupsEveryFlag: serve's help lists every flag under one of
// its themed groups, none under "Other", and names each flag once.
func TestServeHelpGroupsEveryFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"serve", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	help := out.String()
	for _, g := range []string{"Listening", "TLS", "Scenario", "Control API", "Limits", "Logging", "Coverage", "Examples"} {
		if !strings.Contains(help, "\n"+g+":\n") {
			t.Errorf("help lacks the %q group:\n%s", g, help)
		}
	}
	if strings.Contains(help, "\nOther:\n") {
		t.Errorf("a serve flag is in no group:\n%s", help[strings.Index(help, "\nOther:\n"):])
	}
	seen := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^  --([a-z-]+)`).FindAllStringSubmatch(help, -1) {
		seen[m[1]]++
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("--%s is listed %d times", name, n)
		}
	}
	if len(seen) < 25 {
		t.Errorf("only %d flags listed", len(seen))
	}
	// A usage error is short: the error and where to read more.
	out.Reset()
	errb.Reset()
	if code := run([]string{"serve", "--adr", "x"}, &out, &errb); code != 2 || strings.Count(errb.String(), "\n") != 2 {
		t.Errorf("exit %d, a usage error of %d lines:\n%s", code, strings.Count(errb.String(), "\n"), errb.String())
	}
}

// readBanner starts the binary with args and reads its banner: lines until
// the closing hint (text) or until n records (json).
func readBanner(t *testing.T, jsonRecords int, args ...string) (lines []string, stop func()) {
	t.Helper()
	cmd, stdout, stderr := launch(t, args...)
	stop = func() { _ = cmd.Process.Kill() }
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if jsonRecords > 0 && len(lines) == jsonRecords || jsonRecords == 0 && strings.Contains(sc.Text(), "credemu operations") {
			return lines, stop
		}
	}
	t.Fatalf("banner ended early: %q\nstderr: %s", lines, stderr.String())
	return nil, nil
}

// shellWords splits a command as a POSIX shell would, for the single- and
// un-quoted words the banner writes; it stops at a comment.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	in, quoted := false, false
	for _, r := range s {
		switch {
		case in && r == '\'':
			in = false
		case in:
			cur.WriteRune(r)
		case r == '\'':
			in, quoted = true, true
		case r == ' ':
			if cur.Len() > 0 || quoted {
				words = append(words, cur.String())
				cur.Reset()
				quoted = false
			}
		case r == '#' && cur.Len() == 0:
			return words
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 || quoted {
		words = append(words, cur.String())
	}
	return words
}

// curlRequest turns a banner's curl command into the request curl sends.
func curlRequest(t *testing.T, line string) *http.Request {
	t.Helper()
	w := shellWords(line)
	if len(w) == 0 || w[0] != "curl" {
		t.Fatalf("not a curl command: %q", line)
	}
	method, url, body := "", "", ""
	hdr := http.Header{}
	for i := 1; i < len(w); i++ {
		switch w[i] {
		case "-s":
		case "-X":
			i++
			method = w[i]
		case "-H":
			i++
			k, v, _ := strings.Cut(w[i], ": ")
			hdr.Add(k, v)
		case "-u":
			i++
			hdr.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(w[i])))
		case "-d":
			i++
			body = w[i]
		default:
			if strings.HasPrefix(w[i], "-") {
				t.Fatalf("curl option %s in %q: the test does not know it", w[i], line)
			}
			url = w[i]
		}
	}
	if method == "" {
		method = http.MethodGet
		if body != "" {
			method = http.MethodPost
		}
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = hdr
	return req
}

// TestBannerGreetsEveryFamily: the banner names, per family, its base URL,
// the scenario's credentials and a curl to paste, and every one of those
// curls answers with success on the server that printed it.
func TestBannerGreetsEveryFamily(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	lines, _ := readBanner(t, 0, "serve", "--addr", "127.0.0.1:0", "--tls-addr", "127.0.0.1:0", "--tls-ca-out", ca)
	text := strings.Join(lines, "\n")
	base := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(lines[0])
	if base == nil || !strings.HasPrefix(lines[1], "credemu serving HTTPS on https://127.0.0.1:") {
		t.Fatalf("first lines: %q", lines[:2])
	}
	for _, want := range []string{
		"the CA that HTTPS clients trust is in " + ca,
		"avisi    " + base[1] + "/api/v1", "Authorization: Token admin-token (every organisation)",
		"zstack   " + base[1] + "/zstack/v1", "account admin / password",
		"awx      " + base[1] + "/api/v2", "user admin / password (superuser)",
		"vsphere  " + base[1] + "/api", "SSO user administrator@vsphere.local / Passw0rd! (superAdmin)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	tries := 0
	for _, l := range lines {
		cmd, ok := strings.CutPrefix(strings.TrimSpace(l), "try: ")
		if !ok {
			continue
		}
		tries++
		resp, err := http.DefaultClient.Do(curlRequest(t, cmd))
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 || strings.Contains(string(body), `"error"`) {
			t.Errorf("%s answered %d: %s", cmd, resp.StatusCode, body)
		}
	}
	if tries != 4 {
		t.Errorf("%d commands to try, want one per family", tries)
	}
	// The dashboard the banner names answers its page.
	dash := regexp.MustCompile(`dashboard \(objects, journal, faults, coverage\): (\S+)`).FindStringSubmatch(text)
	if dash == nil || dash[1] != base[1]+"/_emulator/ui/" {
		t.Fatalf("banner names no dashboard:\n%s", text)
	}
	resp, err := http.Get(dash[1])
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("dashboard %s: %v %v", dash[1], err, resp)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

// TestBannerJSON: with --log-format json the banner is JSON records too,
// the server's first (with its URL), then one per family.
func TestBannerJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	lines, _ := readBanner(t, 5, "serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--scenario", "empty")
	var families []string
	for i, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %q", i+1, l)
		}
		if i == 0 {
			if rec["msg"] != "credemu serving" || !strings.HasPrefix(rec["url"].(string), "http://127.0.0.1:") || rec["scenario"] != "empty" {
				t.Errorf("first record: %v", rec)
			}
			continue
		}
		if rec["msg"] != "family" || rec["try"] == "" || rec["base_url"] == "" {
			t.Errorf("record %d: %v", i+1, rec)
		}
		families = append(families, rec["family"].(string))
	}
	if strings.Join(families, ",") != "avisi,zstack,awx,vsphere" {
		t.Errorf("families: %v", families)
	}
}

// TestHealthcheckHints: healthcheck against the wrong scheme says which
// one the port speaks.
func TestHealthcheckHints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	tlsURLs, _ := startBinary(t, "serve", "--addr", "127.0.0.1:0", "--tls", "--scenario", "empty")
	plainURLs, _ := startBinary(t, "serve", "--addr", "127.0.0.1:0", "--scenario", "empty")
	cases := []struct{ url, want string }{
		{strings.Replace(tlsURLs[0], "https://", "http://", 1), "speaks HTTPS, not plain HTTP: try --url " + tlsURLs[0] + " with --cacert FILE"},
		{strings.Replace(plainURLs[0], "http://", "https://", 1), "speaks plain HTTP, not HTTPS: try --url " + plainURLs[0]},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := run([]string{"healthcheck", "--url", c.url}, &out, &errb); code != 1 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("healthcheck --url %s: exit %d, %q; want %q", c.url, code, errb.String(), c.want)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"healthcheck", "--url", plainURLs[0]}, &out, &errb); code != 0 {
		t.Errorf("healthcheck of a healthy server: exit %d %s", code, errb.String())
	}
}

// TestAllowedHostsFromEnvironment: CREDEMU_ALLOWED_HOSTS names the hosts
// the control API answers for, as --allowed-host does, for a service
// container whose command cannot be set.
func TestAllowedHostsFromEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Setenv("CREDEMU_ALLOWED_HOSTS", "credemu,emu.internal")
	urls, _ := startBinary(t, "serve", "--addr", "127.0.0.1:0", "--scenario", "empty")
	for host, want := range map[string]int{"credemu": 200, "emu.internal:8080": 200, "evil.example": 403} {
		req, _ := http.NewRequest(http.MethodGet, urls[0]+"/_emulator/health", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// TestOperationsGolden: the operation ids are a contract (fault rules,
// verify and coverage name them), so the whole list is a golden file of
// the repository's own: a renamed or lost operation shows in review.
func TestOperationsGolden(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"operations", "--format", "json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	emulatortest.GoldenAt(t, "../../testdata/golden/operations.json", out.Bytes())
}

// TestValidateCountsGenerated: validate checks generate: counts against
// the budget without building the objects, and names where a scenario
// passes it.
func TestValidateCountsGenerated(t *testing.T) {
	dir := t.TempDir()
	write := func(name, yaml string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.yaml", "include: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  organisations: [{slug: a, generate: {cloudAccounts: 400000, credentialsPerAccount: 0}}]\nawx:\n  generate: {users: 90000}\n")
	var out, errb bytes.Buffer
	if code := run([]string{"validate", big}, &out, &errb); code != 0 {
		t.Fatalf("490,000 generated objects within the budget: exit %d %s", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"validate", "--max-generated", "100000", big}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "big.yaml:3:19: organisation a: generate.cloudAccounts: 400000 generated objects") {
		t.Errorf("past --max-generated: exit %d %s", code, errb.String())
	}
}

// TestValidateSortsByLine: validate lists a file's problems in line order,
// whichever check found them (the loader's unknown keys, the families'
// rules), those without a line last.
func TestValidateSortsByLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "order.yaml")
	yaml := "include: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  organisations: [{slug: UPPER}]\nzstack:\n  accounts: [{name: a, password: p, uuid: nothex}]\nbogus: 1\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"validate", file}, &out, &errb); code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var lines []int
	for _, m := range regexp.MustCompile(`order\.yaml:(\d+):`).FindAllStringSubmatch(errb.String(), -1) {
		n, _ := strconv.Atoi(m[1])
		lines = append(lines, n)
	}
	if len(lines) < 3 || !slices.IsSorted(lines) {
		t.Errorf("problems at lines %v, want at least 3 in line order:\n%s", lines, errb.String())
	}
}
