package vsphere_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
	"github.com/credemu/credemu/emulator/journal"
)

// TestAnsibleVMwareRest runs Ansible's vmware.vmware_rest collection (the
// one Debian's ansible package ships) against credemu's HTTPS listener:
// appliance_localaccounts_info, _globalpolicy and _globalpolicy_info, with
// the certificate verified through the generated CA and, as users often
// do, with verification off. The playbook asserts on every result.
func TestAnsibleVMwareRest(t *testing.T) {
	playbook, err := exec.LookPath("ansible-playbook")
	if err != nil {
		if os.Getenv("CREDEMU_REQUIRE_ANSIBLE") != "" {
			t.Fatal("ansible-playbook is not installed (make ansible-deps installs it)")
		}
		t.Skip("ANSIBLE CONFORMANCE NOT RUN: ansible-playbook is not installed (make ansible-deps installs it)")
	}
	abs, _ := filepath.Abs("testdata/localaccounts.yml")
	for _, validate := range []bool{true, false} {
		name := "verified"
		if !validate {
			name = "validate_certs-false"
		}
		t.Run(name, func(t *testing.T) {
			srv := emulatortest.StartTLS(t, emulator.WithScenario("default"))
			// A short home: the collection's turbo daemon binds a Unix
			// socket under it, and those paths are limited to 108 bytes.
			home, err := os.MkdirTemp("", "credemu-ans")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.RemoveAll(home) })
			tmp := filepath.Join(home, ".ansible", "tmp")
			if err := os.MkdirAll(tmp, 0o700); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(playbook, abs, "-e", "host="+strings.TrimPrefix(srv.URL(), "https://"),
				"-e", "validate="+map[bool]string{true: "true", false: "false"}[validate],
				"-e", "ansible_python_interpreter=/usr/bin/python3")
			cmd.Env = append(os.Environ(), "HOME="+home, "ANSIBLE_LOCAL_TEMP="+tmp, "ANSIBLE_REMOTE_TEMP="+tmp,
				"ANSIBLE_TURBO_LOOKUP_TTL=2", "ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0")
			if validate {
				cmd.Env = append(cmd.Env, "SSL_CERT_FILE="+srv.CAFile())
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("ansible-playbook: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "failed=0") {
				t.Fatalf("playbook failed:\n%s", out)
			}
			// The module always PUTs, reading the policy before and after to
			// tell whether it changed (the playbook asserts it did not, the
			// second time): two writes, six reads with the two _info calls.
			sets := srv.Requests(journal.Filter{Operation: "setGlobalPolicy"})
			gets := srv.Requests(journal.Filter{Operation: "getGlobalPolicy"})
			if len(sets) != 2 || len(gets) != 6 || sets[0].Status != 204 {
				t.Errorf("policy calls: %d writes, %d reads", len(sets), len(gets))
			}
		})
	}
}
