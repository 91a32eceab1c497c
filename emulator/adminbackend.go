package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/credemu/credemu/emulator/admin"
	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/clock"
	"github.com/credemu/credemu/emulator/fault"
	"github.com/credemu/credemu/emulator/journal"
)

// adminBackend adapts the Server to what the control API needs.
type adminBackend struct{ s *Server }

func (b adminBackend) Sandbox(r *http.Request) (admin.Sandbox, error) {
	sb, err := b.s.sandboxFor(r)
	if err != nil {
		return nil, err
	}
	return sandboxView{sb}, nil
}

func (b adminBackend) LoadScenario(r *http.Request, name string, data []byte) error {
	return b.s.LoadScenario(r.Header.Get(SandboxHeader), name, data)
}

func (b adminBackend) CheckRule(r *fault.Rule) error { return b.s.checkRule(r) }

func (b adminBackend) DropSandbox(name string) bool { return b.s.dropSandbox(name) }

func (b adminBackend) Info() map[string]any {
	b.s.mu.RLock()
	name := b.s.base.sc.Name
	b.s.mu.RUnlock()
	return map[string]any{
		"scenario":      name,
		"apis":          b.s.familyNames(),
		"sandboxes":     b.s.sandboxNames(),
		"worldsBuilt":   b.s.worldsBuilt(),
		"uptimeSeconds": time.Since(b.s.started).Seconds(),
		"version":       Version,
	}
}

// AllowedHosts are the names given with WithAllowedHosts and those the
// TLS certificate was made for.
func (b adminBackend) AllowedHosts() []string {
	out := append([]string{}, b.s.opts.allowedHosts...)
	if b.s.opts.tls != nil {
		out = append(out, b.s.opts.tls.Names...)
	}
	return out
}

// Closing is closed when the server shuts down.
func (b adminBackend) Closing() <-chan struct{} { return b.s.closing }

func (b adminBackend) Coverage(sandbox string, scoped bool) any {
	if scoped {
		return b.s.SandboxCoverage(sandbox)
	}
	return b.s.Coverage()
}
func (b adminBackend) ClearCoverage() { b.s.coverage.clear() }

// SaveState writes the state file; without one the error wraps
// admin.ErrNoStateFile.
func (b adminBackend) SaveState() (string, error) {
	err := b.s.SaveState()
	if errors.Is(err, ErrNoStateFile) {
		return "", fmt.Errorf("%w: %v", admin.ErrNoStateFile, err)
	}
	return b.s.opts.stateFile, err
}

// sandboxView exposes a sandbox to the control API.
type sandboxView struct{ sb *sandbox }

func (v sandboxView) Name() string              { return v.sb.name }
func (v sandboxView) Scenario() string          { return v.sb.scenarioName() }
func (v sandboxView) Reset()                    { v.sb.reset() }
func (v sandboxView) Faults() *fault.Engine     { return v.sb.faults }
func (v sandboxView) Journal() *journal.Journal { return v.sb.journal }
func (v sandboxView) Clock() *clock.Clock       { return v.sb.clock }
func (v sandboxView) Snapshot() ([]byte, error) { return v.sb.snapshot(time.Now()) }
func (v sandboxView) State() map[string]any {
	out := map[string]any{}
	now := v.sb.clock.Now()
	for i, f := range v.sb.families {
		st := v.sb.state(i)
		if sw, ok := st.(api.Sweeper); ok {
			sw.Sweep(now)
		}
		out[f.Name()] = st.Export()
	}
	return out
}
