package main

import (
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// makeIn runs make in the repository with args and returns its output.
func makeIn(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-C", "../.."}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// versionOf runs a built binary's version command.
func versionOf(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", bin, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestMakeInstall: make install puts a working, versioned binary in GOBIN,
// or in PREFIX/bin when PREFIX is given.
func TestMakeInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin := t.TempDir()
	makeIn(t, []string{"GOBIN=" + gobin}, "install", "VERSION=v0.0.1-gobin")
	if got := versionOf(t, filepath.Join(gobin, "credemu")); got != "credemu v0.0.1-gobin" {
		t.Errorf("installed into GOBIN: %q", got)
	}
	prefix := t.TempDir()
	makeIn(t, nil, "install", "PREFIX="+prefix, "VERSION=v0.0.1-prefix")
	if got := versionOf(t, filepath.Join(prefix, "bin", "credemu")); got != "credemu v0.0.1-prefix" {
		t.Errorf("installed into PREFIX/bin: %q", got)
	}
}

// TestMakeDist: make dist builds one static, trimmed, versioned binary per
// platform and a SHA256SUMS file that checks out. Two platforms here (one
// with Windows' .exe); the release runs all six.
func TestMakeDist(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the binary")
	}
	dist := t.TempDir()
	makeIn(t, nil, "dist", "DIST="+dist, "VERSION=v1.2.3", "PLATFORMS=linux/amd64 windows/amd64")
	want := []string{"SHA256SUMS", "credemu_v1.2.3_linux_amd64", "credemu_v1.2.3_windows_amd64.exe"}
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("dist (-want +got):\n%s", diff)
	}
	sums, err := os.Open(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer sums.Close()
	listed := 0
	for sc := bufio.NewScanner(sums); sc.Scan(); listed++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		data, err := os.ReadFile(filepath.Join(dist, name))
		if !ok || err != nil {
			t.Fatalf("SHA256SUMS line %q: %v", sc.Text(), err)
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: SHA256SUMS says %s, the file hashes to %x", name, sum, h)
		}
	}
	if listed != 2 {
		t.Errorf("SHA256SUMS lists %d files, want 2", listed)
	}
	linux := filepath.Join(dist, "credemu_v1.2.3_linux_amd64")
	if got := versionOf(t, linux); got != "credemu v1.2.3" {
		t.Errorf("version: %q", got)
	}
	f, err := elf.Open(linux)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the Linux binary is dynamically linked (it has an interpreter)")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("the Linux binary keeps its symbol table (not built with -s)")
	}
	info, err := exec.Command("go", "version", "-m", linux).CombinedOutput()
	if err != nil || !strings.Contains(string(info), "-trimpath=true") || !strings.Contains(string(info), "CGO_ENABLED=0") {
		t.Errorf("not a trimmed static build: %v\n%s", err, info)
	}
}

// TestGoModuleWithReplace: the README's way for a Go test module to depend
// on a checkout (require plus replace) gives a module whose test starts
// credemu in-process and calls it.
func TestGoModuleWithReplace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/client\n\ngo 1.26\n")
	write("client_test.go", `package client

import (
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

func TestAgainstCredemu(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("default"))
	if r := srv.Do("GET", "/api/v1/orgs/acme/cloud-accounts", nil, "Authorization: Token admin-token"); r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
}
`)
	// The README's two commands, then the module's test.
	for _, args := range [][]string{
		{"mod", "edit", "-require", "github.com/credemu/credemu@v0.0.0", "-replace", "github.com/credemu/credemu=" + root},
		{"mod", "tidy"},
		{"test", "-count=1", "./..."},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
