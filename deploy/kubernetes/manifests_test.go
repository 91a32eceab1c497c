package kubernetes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/credemu/credemu/emulator"
)

// kustomization is the part of kustomize's file the test reads.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
}

// decode reads one manifest strictly: a field the Kubernetes type does not
// have (a typo, an indentation slip) fails the test, as kubectl --validate
// would refuse it.
func decode(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

type manifests struct {
	deploy  appsv1.Deployment
	svc     corev1.Service
	cm      corev1.ConfigMap
	ingress networkingv1.Ingress
}

func load(t *testing.T) *manifests {
	t.Helper()
	var k kustomization
	decode(t, "kustomization.yaml", &k)
	files, _ := filepath.Glob("*.yaml")
	var want []string
	for _, f := range files {
		if f != "kustomization.yaml" {
			want = append(want, f)
		}
	}
	got := slices.Clone(k.Resources)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kustomization resources are not the manifests in the folder (-files +listed):\n%s", diff)
	}
	m := &manifests{}
	decode(t, "deployment.yaml", &m.deploy)
	decode(t, "service.yaml", &m.svc)
	decode(t, "configmap.yaml", &m.cm)
	decode(t, "ingress.yaml", &m.ingress)
	for _, o := range []struct{ kind, want string }{
		{m.deploy.Kind, "Deployment"}, {m.svc.Kind, "Service"}, {m.cm.Kind, "ConfigMap"}, {m.ingress.Kind, "Ingress"},
	} {
		if o.kind != o.want {
			t.Errorf("kind %q, want %q", o.kind, o.want)
		}
	}
	return m
}

func (m *manifests) container(t *testing.T) corev1.Container {
	t.Helper()
	cs := m.deploy.Spec.Template.Spec.Containers
	if len(cs) != 1 || cs[0].Name != "credemu" {
		t.Fatalf("want one container named credemu, have %d", len(cs))
	}
	return cs[0]
}

// flag returns the values of --name=value arguments.
func flag(args []string, name string) []string {
	var out []string
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			out = append(out, v)
		}
	}
	return out
}

func env(c corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

// TestDeployment checks what the README promises of the Deployment.
func TestDeployment(t *testing.T) {
	m := load(t)
	c := m.container(t)
	pod := m.deploy.Spec.Template.Spec

	if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 65532 {
		t.Error("pod must run as non-root user 65532 (the image's user)")
	}
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Error("container must have a read-only root filesystem, no privilege escalation and drop ALL capabilities")
	}
	if m.deploy.Spec.Selector == nil || !cmp.Equal(m.deploy.Spec.Selector.MatchLabels, m.deploy.Spec.Template.Labels) {
		t.Error("the selector must match the pod template's labels")
	}

	// Resources, and the soft memory limit derived from them.
	req, lim := c.Resources.Requests[corev1.ResourceMemory], c.Resources.Limits[corev1.ResourceMemory]
	if req.IsZero() || lim.IsZero() || req.Cmp(lim) >= 0 {
		t.Errorf("memory request %s must be set and below the limit %s (the soft limit sits at the request)", req.String(), lim.String())
	}
	if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
		t.Error("no CPU request")
	}
	if got := flag(c.Args, "memory-limit"); !cmp.Equal(got, []string{"$(MEMORY_REQUEST_MIB)MiB"}) {
		t.Errorf("--memory-limit = %q, want it from $(MEMORY_REQUEST_MIB)", got)
	}
	if e := env(c, "MEMORY_REQUEST_MIB"); e == nil || e.ValueFrom == nil || e.ValueFrom.ResourceFieldRef == nil ||
		e.ValueFrom.ResourceFieldRef.Resource != "requests.memory" || !e.ValueFrom.ResourceFieldRef.Divisor.Equal(resource.MustParse("1Mi")) {
		t.Error("MEMORY_REQUEST_MIB must come from requests.memory in MiB")
	}

	// The admin token from a Secret.
	if e := env(c, "CREDEMU_ADMIN_TOKEN"); e == nil || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil ||
		e.ValueFrom.SecretKeyRef.Name != "credemu-admin" || e.ValueFrom.SecretKeyRef.Key != "token" {
		t.Error("CREDEMU_ADMIN_TOKEN must come from Secret credemu-admin, key token (the README's kubectl create secret)")
	}

	// Probes on the health endpoint, on the port the container serves.
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Fatalf("want one port http/8080, have %v", c.Ports)
	}
	if got := flag(c.Args, "addr"); !cmp.Equal(got, []string{"0.0.0.0:8080"}) {
		t.Errorf("--addr = %q, want 0.0.0.0:8080", got)
	}
	for name, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/_emulator/health" || p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe must GET /_emulator/health on port http", name)
		}
	}

	// The scenario from the ConfigMap, at the path --scenario names.
	scen := flag(c.Args, "scenario")
	if len(scen) != 1 {
		t.Fatalf("--scenario given %d times", len(scen))
	}
	mounted := false
	for _, vm := range c.VolumeMounts {
		if rel, ok := strings.CutPrefix(scen[0], vm.MountPath+"/"); ok {
			for _, v := range pod.Volumes {
				if v.Name == vm.Name && v.ConfigMap != nil && v.ConfigMap.Name == m.cm.Name {
					if _, ok := m.cm.Data[rel]; ok {
						mounted = true
					}
				}
			}
		}
	}
	if !mounted {
		t.Errorf("--scenario %s is not a key of ConfigMap %s mounted in the container", scen[0], m.cm.Name)
	}
	// A read-only root still needs a writable /tmp.
	tmp := false
	for _, vm := range c.VolumeMounts {
		for _, v := range pod.Volumes {
			if vm.MountPath == "/tmp" && v.Name == vm.Name && v.EmptyDir != nil {
				tmp = true
			}
		}
	}
	if !tmp {
		t.Error("/tmp must be an emptyDir (the root filesystem is read-only)")
	}
	if got := flag(c.Args, "allowed-host"); !slices.Contains(got, m.svc.Name) {
		t.Errorf("--allowed-host %q does not name the Service %q", got, m.svc.Name)
	}
}

// TestServiceAndIngress checks that the Service reaches the pods and that
// the Ingress hashes on the sandbox header onto that Service.
func TestServiceAndIngress(t *testing.T) {
	m := load(t)
	for k, v := range m.svc.Spec.Selector {
		if m.deploy.Spec.Template.Labels[k] != v {
			t.Errorf("Service selector %s=%s does not select the pods", k, v)
		}
	}
	if len(m.svc.Spec.Ports) != 1 || m.svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("Service must target the container's http port")
	}
	// nginx names a request header $http_<lower-case name, - as _>.
	want := "$http_" + strings.ReplaceAll(strings.ToLower(emulator.SandboxHeader), "-", "_")
	if got := m.ingress.Annotations["nginx.ingress.kubernetes.io/upstream-hash-by"]; got != want {
		t.Errorf("upstream-hash-by = %q, want %q (the sandbox header)", got, want)
	}
	n := 0
	for _, r := range m.ingress.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, p := range r.HTTP.Paths {
			n++
			b := p.Backend.Service
			if b == nil || b.Name != m.svc.Name || b.Port.Name != m.svc.Spec.Ports[0].Name {
				t.Errorf("Ingress path %s does not route to Service %s port %s", p.Path, m.svc.Name, m.svc.Spec.Ports[0].Name)
			}
		}
	}
	if n == 0 {
		t.Error("Ingress has no paths")
	}
}

// TestDeploymentArgsRun runs credemu with the Deployment's own arguments
// and environment, as the kubelet would (the ConfigMap's scenario at its
// path, $(VAR) expanded), and asks what the probes ask.
func TestDeploymentArgsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs credemu")
	}
	m := load(t)
	c := m.container(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "credemu")
	build := exec.Command("go", "build", "-o", bin, "./cmd/credemu")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// The kubelet's view: the ConfigMap's keys as files, env resolved.
	var mount string
	for _, vm := range c.VolumeMounts {
		if vm.Name == "scenario" {
			mount = vm.MountPath
		}
	}
	local := filepath.Join(dir, "etc-credemu")
	if err := os.MkdirAll(local, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, v := range m.cm.Data {
		if err := os.WriteFile(filepath.Join(local, k), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	req := c.Resources.Requests[corev1.ResourceMemory]
	vars := map[string]string{"MEMORY_REQUEST_MIB": fmt.Sprint(req.Value() >> 20)}
	const token = "test-admin-token"
	port := freePort(t)
	var args []string
	for _, a := range c.Args {
		for k, v := range vars {
			a = strings.ReplaceAll(a, "$("+k+")", v)
		}
		a = strings.Replace(a, "="+mount+"/", "="+local+"/", 1)
		if strings.HasPrefix(a, "--addr=") {
			a = "--addr=127.0.0.1:" + port // loopback only, in a test
		}
		args = append(args, a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "CREDEMU_ADMIN_TOKEN="+token)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(time.Minute)
	for {
		status, _ := get(base+"/_emulator/health", "")
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("credemu %q never became healthy:\n%s", args, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The probes carry no token: health answers them, and only the status.
	if _, body := get(base+"/_emulator/health", ""); strings.Contains(body, "sandboxes") {
		t.Errorf("health without the token names sandboxes: %s", body)
	}
	// The rest of the control API needs the Secret's token.
	if status, _ := get(base+"/_emulator/state", ""); status != http.StatusUnauthorized {
		t.Errorf("state without the token: %d, want 401", status)
	}
	// With it, the state is the ConfigMap's scenario's world.
	status, body := get(base+"/_emulator/state", token)
	var st struct {
		Scenario string         `json:"scenario"`
		APIs     map[string]any `json:"apis"`
	}
	if err := json.Unmarshal([]byte(body), &st); status != http.StatusOK || err != nil {
		t.Fatalf("state with the token: %d %s", status, body)
	}
	if st.Scenario != "team" || len(st.APIs) != 4 {
		t.Errorf("serving scenario %q with %d APIs, want the ConfigMap's (team, 4)", st.Scenario, len(st.APIs))
	}
}

func get(url, token string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}
