// Package journal records every request a sandbox answered, in a bounded
// ring buffer, with secrets redacted, so that tests can ask afterwards what
// their client actually did.
package journal

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"
	"sync"
	"time"
)

// DefaultCapacity is the number of entries a journal keeps when the caller
// does not choose: plenty for a CI job, small enough for a long soak.
const DefaultCapacity = 10000

// DefaultBodyLimit is how much of each request and response body an entry
// keeps unless configured: a page of 20 of any family's objects fits.
const DefaultBodyLimit = 64 << 10

// DefaultBytes bounds the memory one journal's entries take; the oldest
// entries go first when it is reached.
const DefaultBytes = 64 << 20

// fieldLimit bounds the path and query an entry keeps.
const fieldLimit = 2048

// entryOverhead approximates an entry's fixed cost for the byte bound.
const entryOverhead = 256

// Config sets a journal's bounds; zero fields take the defaults.
type Config struct {
	// Entries is the most entries kept (DefaultCapacity).
	Entries int
	// BodyLimit is the most bytes of one body kept (DefaultBodyLimit); a
	// longer body is kept as a JSON string of its first BodyLimit bytes
	// (after redaction), and its full size goes in the entry's Truncated.
	BodyLimit int
	// Bytes bounds all entries together (DefaultBytes).
	Bytes int64
	// Pool, when set, bounds this journal's bytes together with the other
	// journals of the pool (a process's sandboxes).
	Pool *Pool
}

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
	// Truncated names each part kept only in part ("path", "query",
	// "requestBody", "responseBody") with its full size in bytes.
	Truncated map[string]int `json:"truncated,omitempty"`
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
	// AfterSeq keeps only entries with a larger sequence number: the
	// cursor for reading the journal a page at a time.
	AfterSeq int64
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

// Journal is a bounded, concurrency-safe log of entries. When a bound is
// reached, the oldest entries go first.
type Journal struct {
	mu  sync.Mutex
	cfg Config
	// recs is a ring: the live entries are n records from head on,
	// wrapping around. It grows (doubling) up to Entries records as they
	// arrive, then each new entry takes the oldest one's place, where a
	// slice appended to at one end and cut at the other had copied itself
	// over and again.
	recs    []record
	head, n int
	bytes   int64
	seq     int64
	dropped int64 // entries overwritten since the last clear
	pool    *Pool // nil once the journal has left its pool
	// changed is closed (and replaced) whenever an entry is added or the
	// journal cleared, waking verify calls that wait (Wait) without polling.
	changed chan struct{}
}

// New returns a journal with the given bounds. Memory is taken as entries
// arrive, not up front, so that many short-lived emulators in a test binary
// cost little.
func New(cfg Config) *Journal {
	if cfg.Entries <= 0 {
		cfg.Entries = DefaultCapacity
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.Bytes <= 0 {
		cfg.Bytes = DefaultBytes
	}
	j := &Journal{cfg: cfg, pool: cfg.Pool}
	if j.pool != nil {
		j.pool.join(j)
	}
	return j
}

// record is a stored entry. Bodies are kept raw and redacted when the
// journal is read, the only way out of it: redacting every request's
// password on the hot path (parse, copy, encode) cost a create a tenth of
// its time, for entries most runs never read.
type record struct {
	Entry
	rawRequest, rawResponse []byte
	// requestCut and responseCut say the raw body is only the first
	// BodyLimit bytes of a longer one: it is redacted token by token.
	requestCut, responseCut bool
	redactor                *Redactor
	size                    int64
	stamp                   int64 // order across the journals of a pool
}

// Add records e as it is, assigning its sequence number, and returns that
// number.
func (j *Journal) Add(e Entry) int64 {
	return j.AddWithBodies(e, nil, nil, nil)
}

// AddWithBodies records e with its request and response bodies, which are
// redacted when the journal is read. Path, query and bodies beyond the
// journal's limits are cut, and the cut is noted in Truncated with the
// size sent. The journal keeps copies: the caller may reuse both buffers.
func (j *Journal) AddWithBodies(e Entry, request, response []byte, red *Redactor) int64 {
	limit := j.cfg.BodyLimit
	// Copies: the request's strings are slices of its whole request line,
	// which a journal entry must not keep alive (a 3-letter method could
	// hold a 64 KiB query).
	e.Method = strings.Clone(e.Method)
	e.Path = cutField(&e, "path", e.Path)
	e.Query = cutField(&e, "query", e.Query)
	rec := record{redactor: red}
	var keptRequest, keptResponse []byte // the parts of the bodies to keep
	if red != nil {
		// Only the kept bytes of a long body are copied; parsing and
		// re-encoding a whole large answer here cost a list page three
		// quarters of its time.
		keptRequest, rec.requestCut = keptPart(&e, "requestBody", request, limit)
		keptResponse, rec.responseCut = keptPart(&e, "responseBody", response, limit)
	}
	rec.size = int64(entryOverhead + len(e.Path) + len(e.Query) + len(e.RequestBody) + len(e.ResponseBody) +
		len(keptRequest) + len(keptResponse))
	j.mu.Lock()
	j.seq++
	e.Seq = j.seq
	rec.Entry = e
	// The bodies are copied into the buffers of the oldest entry when the
	// new one evicts it, as it does on every request once the ring is
	// full: a journal then keeps a thousand answers without allocating
	// for each. Readers copy bodies out under j.mu, so no one holds them.
	var spareRequest, spareResponse []byte
	for j.n > 0 && (j.n >= j.cfg.Entries || j.bytes+rec.size > j.cfg.Bytes) {
		if spareRequest == nil && spareResponse == nil {
			spareRequest, spareResponse = j.recs[j.head].rawRequest, j.recs[j.head].rawResponse
		}
		j.evictOldest()
	}
	rec.rawRequest = copyInto(spareRequest, keptRequest)
	rec.rawResponse = copyInto(spareResponse, keptResponse)
	if j.n == len(j.recs) {
		j.grow()
	}
	pool := j.pool
	if pool != nil {
		rec.stamp = pool.stamp.Add(1)
		pool.total.Add(rec.size)
	}
	j.recs[(j.head+j.n)%len(j.recs)] = rec
	j.n++
	j.bytes += rec.size
	j.notify()
	j.mu.Unlock()
	if pool != nil && pool.total.Load() > pool.limit {
		pool.shrink()
	}
	return e.Seq
}

// at returns the i-th live entry, oldest first.
func (j *Journal) at(i int) *record { return &j.recs[(j.head+i)%len(j.recs)] }

// grow doubles the ring (up to Entries), keeping the entries in order.
// Only called with the ring full, which below Entries is the only way.
// It starts at four: a sandbox that answers one request (a test's own)
// should not hold a ring of 64 records, 24 KB, for it.
func (j *Journal) grow() {
	recs := make([]record, min(max(2*len(j.recs), 4), j.cfg.Entries))
	for i := 0; i < j.n; i++ {
		recs[i] = *j.at(i)
	}
	j.recs, j.head = recs, 0
}

// evictOldest drops the oldest entry.
func (j *Journal) evictOldest() {
	j.bytes -= j.recs[j.head].size
	if j.pool != nil {
		j.pool.total.Add(-j.recs[j.head].size)
	}
	j.recs[j.head] = record{}
	j.head = (j.head + 1) % len(j.recs)
	j.n--
	j.dropped++
}

func cutField(e *Entry, name, v string) string {
	if len(v) <= fieldLimit {
		return strings.Clone(v)
	}
	noteCut(e, name, len(v))
	return strings.Clone(v[:fieldLimit])
}

// keptPart returns the bytes of a body to keep: all of it when it fits,
// else its first limit bytes, noted as cut. They are the caller's, to be
// copied (copyInto) before the caller reuses its buffers.
func keptPart(e *Entry, name string, b []byte, limit int) (kept []byte, cut bool) {
	if len(b) <= limit {
		return b, false
	}
	noteCut(e, name, len(b))
	return b[:limit], true
}

// copyInto returns a copy of b in spare when spare has room and is not
// much larger (a kept body must not hold on to a buffer many times its
// size, which the journal's byte bound does not count), else in a buffer
// of its own; nil for an empty b.
func copyInto(spare, b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if cap(spare) >= len(b) && cap(spare) <= 2*len(b)+64 {
		return append(spare[:0], b...)
	}
	return bytes.Clone(b)
}

// redacted is a kept body as a reader sees it: whole bodies through the
// redactor, cut ones redacted token by token and kept as a JSON string.
func redacted(red *Redactor, raw []byte, cut bool) json.RawMessage {
	if cut {
		out, _ := json.Marshal(strings.ToValidUTF8(red.Prefix(raw), ""))
		return out
	}
	return red.Body(raw)
}

func noteCut(e *Entry, name string, size int) {
	if e.Truncated == nil {
		e.Truncated = map[string]int{}
	}
	e.Truncated[name] = size
}

// Page is one page of a journal listing.
type Page struct {
	Entries []Entry
	// Next is the sequence number to pass as Filter.AfterSeq for the next
	// page, or 0 when there is none.
	Next int64
}

// List returns the entries matching f, oldest first.
func (j *Journal) List(f Filter) []Entry {
	return j.ListPage(f, 0).Entries
}

// ListPage returns at most max entries matching f (all when max <= 0),
// oldest first, after f.AfterSeq.
func (j *Journal) ListPage(f Filter, max int) Page {
	j.mu.Lock()
	defer j.mu.Unlock()
	var p Page
	var matched []*record
	for i := 0; i < j.n; i++ {
		rec := j.at(i)
		if rec.Seq > f.AfterSeq && f.match(&rec.Entry) {
			matched = append(matched, rec)
		}
	}
	if f.Limit > 0 && len(matched) > f.Limit {
		matched = matched[len(matched)-f.Limit:]
	}
	if max > 0 && len(matched) > max {
		matched = matched[:max]
		p.Next = matched[max-1].Seq
	}
	p.Entries = make([]Entry, len(matched))
	for i, rec := range matched {
		e := rec.Entry
		if e.Truncated != nil {
			e.Truncated = maps.Clone(e.Truncated)
		}
		if rec.rawRequest != nil {
			e.RequestBody = redacted(rec.redactor, rec.rawRequest, rec.requestCut)
		}
		if rec.rawResponse != nil {
			e.ResponseBody = redacted(rec.redactor, rec.rawResponse, rec.responseCut)
		}
		p.Entries[i] = e
	}
	return p
}

// Overwritten reports how many entries were lost to the journal's bounds
// since the last Clear, so a reader can tell the journal is incomplete.
func (j *Journal) Overwritten() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dropped
}

// Bytes reports the approximate memory the entries take.
func (j *Journal) Bytes() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
}

// Clear removes every entry. Sequence numbers keep counting up, so a reader
// polling with "since seq" never sees a number twice.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.pool != nil {
		j.pool.total.Add(-j.bytes)
	}
	j.recs, j.head, j.n, j.bytes, j.dropped = nil, 0, 0, 0, 0
	j.notify()
}

// notify wakes the waiters of Changed. Caller holds j.mu.
func (j *Journal) notify() {
	if j.changed != nil {
		close(j.changed)
		j.changed = nil
	}
}

// Changed returns a channel that is closed at the next change of the
// journal (an entry added, or the journal cleared).
func (j *Journal) Changed() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.changed == nil {
		j.changed = make(chan struct{})
	}
	return j.changed
}
