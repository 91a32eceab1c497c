// Package image_test builds credemu's container image with `make image` and
// runs it, as a user would: buildah (Debian's) in chroot isolation, which
// works where podman run and docker run are refused. CI installs buildah
// and sets CREDEMU_REQUIRE_IMAGE=1, so there the test runs, never skips.
package image_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// maxImageBytes is the bound on the image: 25 MB.
const maxImageBytes = 25_000_000

// repoRoot is the checkout this test runs in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// finalStage returns the instructions of a Containerfile's last stage,
// comments dropped, with the COPY of the staged root filesystem written
// the same whichever stage it comes from.
func finalStage(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasPrefix(l, "FROM ") {
			lines = nil
		}
		if strings.HasPrefix(l, "COPY ") && strings.HasSuffix(l, "rootfs/ /") {
			l = "COPY <rootfs> /"
		}
		lines = append(lines, l)
	}
	return lines
}

// TestDockerfileEndsAsContainerfile: the Dockerfile (for machines that pull
// golang) yields the same image as make image's Containerfile, because its
// last stage is the same, line for line.
func TestDockerfileEndsAsContainerfile(t *testing.T) {
	root := repoRoot(t)
	want := finalStage(t, filepath.Join(root, "deploy/image/Containerfile"))
	got := finalStage(t, filepath.Join(root, "Dockerfile"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the Dockerfile's last stage differs from deploy/image/Containerfile (-Containerfile +Dockerfile):\n%s", diff)
	}
	if len(want) == 0 || want[0] != "FROM scratch" {
		t.Errorf("the image is not FROM scratch: %q", want)
	}
}

// buildah runs buildah on the test's own storage (vfs, in a temporary
// folder), so that it neither needs nor touches the machine's.
type buildah struct {
	t     *testing.T
	flags []string
}

func (b buildah) cmd(args ...string) *exec.Cmd {
	return exec.Command("buildah", append(slices.Clone(b.flags), args...)...)
}

func (b buildah) out(args ...string) string {
	b.t.Helper()
	out, err := b.cmd(args...).CombinedOutput()
	if err != nil {
		b.t.Fatalf("buildah %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// freePort returns a loopback address no one listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// descendants lists the processes below pid, deepest first, from /proc.
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ")".
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 {
			if ppid, err := strconv.Atoi(fields[1]); err == nil {
				children[ppid] = append(children[ppid], child)
			}
		}
	}
	var out []int
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			walk(c)
			out = append(out, c)
		}
	}
	walk(pid)
	return out
}

// imageInfo is what the test reads of buildah inspect.
type imageInfo struct {
	Manifest string `json:"Manifest"`
	Docker   struct {
		Config struct {
			User         string
			ExposedPorts map[string]struct{}
			Entrypoint   []string
			Cmd          []string
			Labels       map[string]string
			Healthcheck  struct{ Test []string }
		} `json:"config"`
	} `json:"Docker"`
}

// TestImage builds the image with make image and checks what the README
// promises of it: FROM scratch, at most 25 MB, a non-root user with a
// writable /tmp, the ports, the default command, the health check and the
// labels; then runs it and calls it from outside.
func TestImage(t *testing.T) {
	if _, err := exec.LookPath("buildah"); err != nil {
		if os.Getenv("CREDEMU_REQUIRE_IMAGE") != "" {
			t.Fatal("CREDEMU_REQUIRE_IMAGE is set but buildah is not installed (make image-deps)")
		}
		t.Skip("buildah is not installed (make image-deps); the image is not built here")
	}
	if testing.Short() {
		t.Skip("builds the image")
	}
	if os.Geteuid() != 0 && os.Getenv("CREDEMU_REQUIRE_IMAGE") == "" {
		t.Skip("buildah's chroot isolation needs root here")
	}
	root := repoRoot(t)
	store := t.TempDir()
	b := buildah{t: t, flags: []string{"--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run"), "--storage-driver", "vfs"}}
	t.Cleanup(func() { _ = b.cmd("rm", "--all").Run() })
	const image = "localhost/credemu-image-test:v9.8.7"
	mk := exec.Command("make", "-C", root, "image", "IMAGE="+image, "VERSION=v9.8.7", "IMAGE_TOOL=buildah",
		"BUILDAH=buildah "+strings.Join(b.flags, " "))
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}

	var info imageInfo
	if err := json.Unmarshal([]byte(b.out("inspect", "--type", "image", image)), &info); err != nil {
		t.Fatalf("inspect: %v", err)
	}
	cfg := info.Docker.Config
	var manifest struct {
		Layers []struct{ Size int64 }
	}
	if err := json.Unmarshal([]byte(info.Manifest), &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var size int64
	for _, l := range manifest.Layers {
		size += l.Size
	}
	if len(manifest.Layers) != 1 || size == 0 || size > maxImageBytes {
		t.Errorf("image: %d layers, %d bytes; want one layer (FROM scratch) of at most %d bytes", len(manifest.Layers), size, maxImageBytes)
	}
	t.Logf("image %s: %d bytes in %d layer", image, size, len(manifest.Layers))
	checks := []struct {
		what      string
		got, want any
	}{
		{"user", cfg.User, "65532:65532"},
		{"exposed ports", cfg.ExposedPorts, map[string]struct{}{"8080/tcp": {}, "8443/tcp": {}}},
		{"entrypoint", cfg.Entrypoint, []string{"/credemu"}},
		{"command", cfg.Cmd[:3], []string{"serve", "--addr", "0.0.0.0:8080"}},
		{"health check", cfg.Healthcheck.Test, []string{"CMD", "/credemu", "healthcheck", "--url", "http://127.0.0.1:8080"}},
		{"version label", cfg.Labels["org.opencontainers.image.version"], "v9.8.7"},
		{"source label", cfg.Labels["org.opencontainers.image.source"], "https://github.com/credemu/credemu"},
		{"licence label", cfg.Labels["org.opencontainers.image.licenses"], "MIT"},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}

	ctr := b.out("from", image)
	run := func(args ...string) *exec.Cmd {
		return b.cmd(append([]string{"run", "--isolation", "chroot", ctr, "--"}, args...)...)
	}
	if out, err := run("/credemu", "version").CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "credemu v9.8.7" {
		t.Errorf("credemu version in the image: %q %v", out, err)
	}
	// Not root: / is not writable, /tmp is.
	if out, err := run("/credemu", "serve", "--addr", "127.0.0.1:0", "--tls", "--tls-ca-out", "/ca.pem").CombinedOutput(); err == nil || !strings.Contains(string(out), "permission denied") {
		t.Errorf("the image's user could write to /: %v\n%s", err, out)
	}
	// buildah run relays a pipe's output only at the end, so the banner
	// cannot be read as it comes: the ports are picked here instead.
	plainAddr, tlsAddr := freePort(t), freePort(t)
	plain, secure := "http://"+plainAddr, "https://"+tlsAddr
	srv := run("/credemu", "serve", "--addr", plainAddr, "--tls-addr", tlsAddr, "--tls-ca-out", "/tmp/credemu-ca.pem")
	var output bytes.Buffer
	srv.Stdout, srv.Stderr = &output, &output
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		// buildah run does not pass signals on: SIGTERM goes to the
		// container's own process, as a container runtime's stop sends it,
		// and to no runtime process in between (they die of it at once,
		// killing the container before it can shut down).
		for _, pid := range descendants(srv.Process.Pid) {
			if comm, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm")); strings.TrimSpace(string(comm)) == "credemu" {
				_ = syscall.Kill(pid, syscall.SIGTERM)
			}
		}
		done := make(chan struct{})
		go func() { _ = srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Minute): // bounds a container that ignores SIGTERM
			t.Error("the container did not stop on SIGTERM")
			for _, pid := range append(descendants(srv.Process.Pid), srv.Process.Pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			<-done
		}
	}
	defer stop()
	// Up when the health endpoint answers; the bound only ends a container
	// that never starts.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(plain + "/_emulator/health"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the container never answered on %s:\n%s", plain, output.String())
		}
	}
	// A real call from outside, as a client would make it.
	req, _ := http.NewRequest(http.MethodGet, plain+"/api/v1/orgs/acme/cloud-accounts", nil)
	req.Header.Set("Authorization", "Token admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Content []struct{ DisplayName string }
	}
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(page.Content) == 0 {
		t.Errorf("Avisi list from the container: %d %v %+v", resp.StatusCode, err, page)
	}
	// The image's own health check, and HTTPS with the CA it wrote to /tmp.
	hc := append(slices.Clone(cfg.Healthcheck.Test[1:4]), plain)
	if out, err := run(hc...).CombinedOutput(); err != nil || !strings.Contains(string(out), "healthy") {
		t.Errorf("%s in the container: %v\n%s", strings.Join(hc, " "), err, out)
	}
	if out, err := run("/credemu", "healthcheck", "--url", secure, "--cacert", "/tmp/credemu-ca.pem").CombinedOutput(); err != nil {
		t.Errorf("HTTPS health check with the CA in /tmp: %v\n%s", err, out)
	}
	stop()
	if !strings.Contains(output.String(), "shutting down") || !strings.Contains(output.String(), "serving scenario") {
		t.Errorf("the container's output lacks its banner or its graceful shutdown:\n%s", output.String())
	}
}
