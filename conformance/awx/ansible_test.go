package awx_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/journal"
)

// ansiblePlaybook finds ansible-playbook, or skips the test loudly (fails
// it where CI demands Ansible).
func ansiblePlaybook(t *testing.T) string {
	t.Helper()
	playbook, err := exec.LookPath("ansible-playbook")
	if err != nil {
		if os.Getenv("CREDEMU_REQUIRE_ANSIBLE") != "" {
			t.Fatal("ansible-playbook is not installed (make ansible-deps installs it)")
		}
		t.Skip("ANSIBLE CONFORMANCE NOT RUN: ansible-playbook is not installed (make ansible-deps installs it)")
	}
	return playbook
}

// TestAnsibleAWX runs Ansible's awx.awx collection (the one Debian's
// ansible package ships) against credemu over HTTPS, the certificate
// verified through the generated CA: organization, team, user, credential
// type, credential (with copy_from), credential_input_source, role and
// token, each task twice (the playbook asserts the second pass changes
// nothing), then everything torn down. The playbook asserts on every
// result; this test also checks, from the journal, that the second pass
// wrote nothing and that nothing failed but the one refusal it provokes.
func TestAnsibleAWX(t *testing.T) {
	playbook := ansiblePlaybook(t)
	abs, _ := filepath.Abs("testdata/credentials.yml")
	srv := emulatortest.StartTLS(t, emulator.WithScenario("default"), emulator.WithResponseCheck(true))
	home := t.TempDir()
	tmp := filepath.Join(home, ".ansible", "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(playbook, abs, "-e", "host="+srv.URL(), "-e", "validate=true",
		"-e", "ansible_python_interpreter=/usr/bin/python3")
	cmd.Env = append(os.Environ(), "HOME="+home, "ANSIBLE_LOCAL_TEMP="+tmp, "ANSIBLE_REMOTE_TEMP="+tmp,
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0", "SSL_CERT_FILE="+srv.CAFile())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ansible-playbook: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "failed=0") {
		t.Fatalf("playbook failed:\n%s", out)
	}

	// Every write the build makes is a create or a grant; the second pass
	// makes none, so each happens once. Tokens are the collection's own
	// logins, one per module run.
	writes := map[string]int{}
	var failures []string
	for _, e := range srv.Requests(journal.Filter{}) {
		if e.Status >= 400 {
			failures = append(failures, e.Method+" "+e.Path+" "+e.Operation)
		}
		if e.Method != "GET" && e.Operation != "createToken" && e.Operation != "deleteToken" {
			writes[e.Operation]++
		}
	}
	want := map[string]int{
		"createOrganization": 1, "createTeam": 1, "addOrganizationUser": 1, "createUser": 1, "createCredentialType": 1,
		"createCredential": 3, "copyCredential": 1, "createCredentialInputSource": 1, "grantRoleToUser": 3, "grantRoleToTeam": 1,
		"deleteCredentialInputSource": 1, "deleteCredential": 4, "deleteCredentialType": 1, "deleteTeam": 1, "deleteUser": 2,
		"deleteOrganization": 1,
	}
	for op, n := range want {
		if writes[op] != n {
			t.Errorf("%s: %d calls, want %d", op, writes[op], n)
		}
		delete(writes, op)
	}
	if len(writes) > 0 {
		t.Errorf("unexpected writes (the second pass must change nothing): %v", writes)
	}
	sort.Strings(failures)
	if len(failures) != 1 || !strings.Contains(failures[0], "grantRoleToUser") {
		t.Errorf("failed requests: %v, want only the refused grant to outsider", failures)
	}
}

// TestReadmePlaybook runs the awx.awx playbook the README offers for
// copy and paste, twice: it must work as printed (bar the address) and
// its second run must change nothing.
func TestReadmePlaybook(t *testing.T) {
	playbook := ansiblePlaybook(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const start = "# make run (or credemu serve), then: ansible-playbook awx.yml\n"
	_, rest, found := strings.Cut(string(readme), start)
	block, _, closed := strings.Cut(rest, "```")
	if !found || !closed {
		t.Fatal("the README's awx.awx playbook is gone")
	}
	srv := emulatortest.Start(t, emulator.WithScenario("default"), emulator.WithResponseCheck(true))
	home := t.TempDir()
	path := filepath.Join(home, "awx.yml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(block, "http://127.0.0.1:8080", srv.URL())), 0o600); err != nil {
		t.Fatal(err)
	}
	for run, want := range []string{"changed=4", "changed=0"} {
		cmd := exec.Command(playbook, path, "-e", "ansible_python_interpreter=/usr/bin/python3")
		cmd.Env = append(os.Environ(), "HOME="+home, "ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"), "ANSIBLE_NOCOLOR=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "failed=0") || !strings.Contains(string(out), want) {
			t.Fatalf("run %d: want %s: %v\n%s", run+1, want, err, out)
		}
	}
}
