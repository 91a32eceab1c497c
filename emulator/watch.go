package emulator

import (
	"context"
	"os"
	"strings"
	"time"
)

// LoadScenarioFile loads a scenario file from disk (its relative includes
// resolved next to it) into a sandbox, as LoadScenario does for YAML text.
func (s *Server) LoadScenarioFile(sandboxName, path string) error {
	c, err := s.compileLoaded(s.loader.LoadFile(path))
	if err != nil {
		return err
	}
	return s.applyScenario(sandboxName, c)
}

// scenarioFiles lists the files on disk the server's scenario was read from.
func (s *Server) scenarioFiles() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for _, f := range s.base.sc.Files {
		if !strings.HasPrefix(f, "builtin:") {
			out = append(out, f)
		}
	}
	return out
}

// fileStamps returns the modification times of the files on disk among
// files (built-in ones have none).
func fileStamps(files []string) map[string]time.Time {
	m := map[string]time.Time{}
	for _, f := range files {
		if strings.HasPrefix(f, "builtin:") {
			continue
		}
		if fi, err := os.Stat(f); err == nil {
			m[f] = fi.ModTime()
		}
	}
	return m
}

// Watch reloads the scenario file at path whenever it, or a file it
// includes, changes, until ctx ends. A valid file replaces the world of the
// default sandbox (and of sandboxes made later) at once; an invalid one is
// logged with all its problems and the old world is kept. It polls, which
// works the same on every file system and in containers.
func (s *Server) Watch(ctx context.Context, path string, every time.Duration) {
	stamp := func() map[string]time.Time { return fileStamps(append([]string{path}, s.scenarioFiles()...)) }
	seen := stamp()
	s.mu.RLock()
	for f, m := range s.base.stamps { // as loaded: an edit since then is a change
		if _, watched := seen[f]; watched {
			seen[f] = m
		}
	}
	s.mu.RUnlock()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := stamp()
		changed := len(now) != len(seen)
		for f, m := range now {
			if !seen[f].Equal(m) {
				changed = true
			}
		}
		if !changed {
			continue
		}
		seen = now
		if err := s.LoadScenarioFile("", path); err != nil {
			s.log.Error("scenario reload failed; keeping the previous one", "file", path, "problems", err.Error())
			continue
		}
		s.log.Info("scenario reloaded", "file", path)
	}
}
