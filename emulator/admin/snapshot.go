package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// ErrNoStateFile marks a save asked of a server started without a state
// file; it is answered 409.
var ErrNoStateFile = errors.New("no state file")

// snapshot answers GET /snapshot: the sandbox's world as scenario YAML.
// ?download=true adds a Content-Disposition that makes a browser save it.
func (h *handler) snapshot(w http.ResponseWriter, r *http.Request) {
	sb, ok := h.sandbox(w, r)
	if !ok {
		return
	}
	data, err := sb.Snapshot()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if download, _ := strconv.ParseBool(r.URL.Query().Get("download")); download {
		name := "credemu-snapshot.yaml"
		if sb.Name() != "" {
			name = "credemu-snapshot-" + sb.Name() + ".yaml"
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// saveSnapshot answers POST /snapshot?save=true: the default sandbox's
// world written to the state file now.
func (h *handler) saveSnapshot(w http.ResponseWriter, r *http.Request) {
	if save, _ := strconv.ParseBool(r.URL.Query().Get("save")); !save {
		writeError(w, http.StatusBadRequest, "POST /_emulator/snapshot saves the state file and needs ?save=true; GET /_emulator/snapshot answers the snapshot itself")
		return
	}
	sb, ok := h.sandbox(w, r)
	if !ok {
		return
	}
	if sb.Name() != "" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("the state file keeps the default sandbox, not sandbox %q: send no X-Emulator-Sandbox header (GET /_emulator/snapshot answers any sandbox's)", sb.Name()))
		return
	}
	path, err := h.b.SaveState()
	switch {
	case errors.Is(err, ErrNoStateFile):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
	default:
		WriteJSON(w, http.StatusOK, map[string]any{"status": "saved", "file": path})
	}
}
