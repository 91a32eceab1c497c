// Snapshots: a sandbox's whole world written as a scenario that loads back
// to the same state, and the state file that keeps the default sandbox's
// world across restarts.

package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
	"github.com/credemu/credemu/emulator/fault"
)

// Snapshot returns the world of a sandbox ("" for the default one) as
// scenario YAML: every family's objects with their ids, times, passwords
// and sessions, the fault rules still in force (with what is left of their
// after and times), the clock when it is fixed, the seed and where the id
// sequence stands. Loaded back (credemu --scenario, PUT /_emulator/scenario
// or --state-file), it gives the same /_emulator/state, and the ids handed
// out next are those the sandbox would have handed out.
func (s *Server) Snapshot(sandboxName string) ([]byte, error) {
	sb, err := s.sandbox(sandboxName)
	if err != nil {
		return nil, err
	}
	return sb.snapshot(time.Now())
}

func (sb *sandbox) snapshot(taken time.Time) ([]byte, error) {
	// One sandbox lock for the whole snapshot: a reset or a scenario load
	// cannot land between two families. Requests still run; each family
	// is copied under its own lock.
	sb.mu.Lock()
	defer sb.mu.Unlock()
	c := sb.cur
	var buf bytes.Buffer
	add := func(key string, v any) error {
		if err := writeYAML(&buf, 0, key, reflect.ValueOf(v)); err != nil {
			return fmt.Errorf("snapshot: %s: %w", key, err)
		}
		return nil
	}
	where := "the default sandbox"
	if sb.name != "" {
		where = fmt.Sprintf("sandbox %q", sb.name)
	}
	fmt.Fprintf(&buf, "# %s\n", strings.ReplaceAll(fmt.Sprintf("A credemu snapshot of %s, taken %s from scenario %q.\n"+
		"It holds passwords, tokens and sessions: keep it as you keep test credentials.\n"+
		"Load it with credemu --scenario FILE, PUT /_emulator/scenario or --state-file FILE.",
		where, taken.UTC().Format(time.RFC3339), c.sc.Name), "\n", "\n# "))
	now := sb.clock.Now()
	err := add("name", c.sc.Name)
	if err == nil {
		err = add("description", fmt.Sprintf("Snapshot of %s at %s (virtual clock), from scenario %q.", where, now.Format(time.RFC3339), c.sc.Name))
	}
	if err == nil {
		err = add("seed", c.seed)
	}
	if err == nil && sb.clock.Fixed() {
		err = add("clock", now.Format(time.RFC3339Nano))
	}
	if err == nil {
		err = add("idSequence", sb.ids.Position())
	}
	if err != nil {
		return nil, err
	}
	if rules := remainingRules(sb.faults.List()); len(rules) > 0 {
		if err := add("faults", rules); err != nil {
			return nil, err
		}
	}
	for i, f := range sb.families {
		snap, ok := f.(family.Snapshotter)
		if !ok {
			return nil, fmt.Errorf("snapshot: the %s family cannot write its state as a scenario", f.Name())
		}
		st := sb.stateLocked(i)
		// What has expired is not written, as /_emulator/state does not
		// show it.
		if sw, ok := st.(api.Sweeper); ok {
			sw.Sweep(now)
		}
		if err := add(f.Name(), snap.Snapshot(st)); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// remainingRules is what a snapshot writes of the rules in force: each
// with the after it has still to skip and the times it may still fire. A
// rule that has fired its times is spent and left out (times: 0 would mean
// no limit).
func remainingRules(list []fault.Status) []fault.Rule {
	var out []fault.Rule
	for _, st := range list {
		r := st.Rule
		r.After = max(0, r.After-st.Matches)
		if r.Times > 0 {
			if r.Times -= st.Fired; r.Times <= 0 {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// loadStateFile reads the state file, when there is one, as the server's
// scenario. A missing file is no error (the first start writes it); a file
// that is not a scenario credemu can load is, naming its file and line,
// and the file is left as it is.
func (s *Server) loadStateFile(path string) (*compiled, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	sc, err := s.loader.LoadFile(path)
	c, err := s.compileLoaded(sc, err)
	if err != nil {
		return nil, fmt.Errorf("state file %s cannot be loaded, and is left as it is (move it away to start from the scenario):\n%w", path, err)
	}
	return c, nil
}

// SaveState writes the default sandbox's world to the state file (see
// WithStateFile), atomically: a temporary file beside it, synced, renamed
// over it, and the directory synced, so that a crash leaves the old file
// or the new one, never half of one.
func (s *Server) SaveState() error {
	path := s.opts.stateFile
	if path == "" {
		return ErrNoStateFile
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	data, err := s.Snapshot("")
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(path, data, 0o600); err != nil {
		return fmt.Errorf("saving state: %w", err)
	}
	s.log.Info("state saved", "file", path, "bytes", len(data))
	return nil
}

// ErrNoStateFile is SaveState's answer when the server has no state file.
var ErrNoStateFile = errors.New("credemu was started without --state-file, so there is nowhere to save")

// WriteFileAtomic writes data to path through a temporary file in the same
// directory that is synced and renamed over path, then syncs the
// directory: readers see the old file or the new one, never a part.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		// Not every file system can sync a directory; the rename is done.
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// savingState saves the state file every interval until the server closes.
func (s *Server) savingState(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
			if err := s.SaveState(); err != nil {
				s.log.Error("saving state", "file", s.opts.stateFile, "err", err)
			}
		}
	}
}
