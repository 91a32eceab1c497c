// Package journal records every request a sandbox answered, in a bounded
// ring buffer, with secrets redacted, so that tests can ask afterwards what
// their client actually did.
package journal

import (
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// DefaultCapacity is the number of entries a journal keeps when the caller
// does not choose: plenty for a CI job, small enough for a long soak.
const DefaultCapacity = 10000

// Entry is one request and its answer.
type Entry struct {
	Seq       int64     `json:"seq"`
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId"`
	Sandbox   string    `json:"sandbox,omitempty"`
	API       string    `json:"api,omitempty"`
	Operation string    `json:"operation,omitempty"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Query     string    `json:"query,omitempty"`
	Status    int       `json:"status"`
	// Kind is the error kind of an error answer.
	Kind string `json:"kind,omitempty"`
	// Fault names the fault rule that fired, if any.
	Fault string `json:"fault,omitempty"`
	// Dropped is true when the connection was dropped instead of answered.
	Dropped      bool            `json:"dropped,omitempty"`
	DurationMS   float64         `json:"durationMs"`
	RequestBody  json.RawMessage `json:"requestBody,omitempty"`
	ResponseBody json.RawMessage `json:"responseBody,omitempty"`
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	API       string
	Operation string
	Method    string
	// Path matches the concrete path exactly, or as a prefix when it ends in "*".
	Path   string
	Status int
	Since  time.Time
	Until  time.Time
	// Limit keeps only the last Limit matches; 0 means all.
	Limit int
}

func (f *Filter) match(e *Entry) bool {
	if f.API != "" && f.API != e.API {
		return false
	}
	if f.Operation != "" && f.Operation != e.Operation {
		return false
	}
	if f.Method != "" && !strings.EqualFold(f.Method, e.Method) {
		return false
	}
	if f.Path != "" {
		if p, ok := strings.CutSuffix(f.Path, "*"); ok {
			if !strings.HasPrefix(e.Path, p) {
				return false
			}
		} else if f.Path != e.Path {
			return false
		}
	}
	if f.Status != 0 && f.Status != e.Status {
		return false
	}
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && e.Time.After(f.Until) {
		return false
	}
	return true
}

// Journal is a bounded, concurrency-safe log of entries. When full, the
// oldest entry is overwritten.
type Journal struct {
	mu      sync.Mutex
	cap     int
	ring    []record // grows up to cap, then wraps
	start   int      // index of the oldest entry once full
	seq     int64
	dropped int64 // entries overwritten since the last clear
}

// New returns a journal that keeps at most capacity entries (DefaultCapacity
// if capacity <= 0). Memory is taken as entries arrive, not up front, so
// that many short-lived emulators in a test binary cost little.
func New(capacity int) *Journal {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Journal{cap: capacity}
}

// record is a stored entry. A response body is kept raw and redacted when
// the journal is read: answers hold no secrets by design, so redacting
// them on every request would only cost time on the hot path; reading
// through the redactor still hides anything that slipped through.
type record struct {
	Entry
	rawResponse []byte
	redactor    *Redactor
}

// Add records e, assigning its sequence number, and returns that number.
func (j *Journal) Add(e Entry) int64 {
	return j.AddWithResponse(e, nil, nil)
}

// AddWithResponse records e with a response body that is redacted by red
// when the journal is read. The body must not be changed afterwards.
func (j *Journal) AddWithResponse(e Entry, response []byte, red *Redactor) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	rec := record{Entry: e, redactor: red}
	if red != nil && len(response) > 0 {
		if len(response) > maxBody {
			rec.ResponseBody = red.Body(response) // a short note, not the body
		} else {
			rec.rawResponse = response
		}
	}
	if len(j.ring) < j.cap {
		j.ring = append(j.ring, rec)
	} else {
		j.ring[j.start] = rec
		j.start = (j.start + 1) % len(j.ring)
		j.dropped++
	}
	return e.Seq
}

// List returns the entries matching f, oldest first.
func (j *Journal) List(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	for i := range j.ring {
		rec := &j.ring[(j.start+i)%len(j.ring)]
		if f.match(&rec.Entry) {
			e := rec.Entry
			if rec.rawResponse != nil {
				e.ResponseBody = rec.redactor.Body(rec.rawResponse)
			}
			out = append(out, e)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// Overwritten reports how many entries were lost to the ring's bound since
// the last Clear, so a reader can tell the journal is incomplete.
func (j *Journal) Overwritten() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dropped
}

// Clear removes every entry. Sequence numbers keep counting up, so a reader
// polling with "since seq" never sees a number twice.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring = nil
	j.start, j.dropped = 0, 0
}
