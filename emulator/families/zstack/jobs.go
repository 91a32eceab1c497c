package zstack

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/ids"
)

// AsyncHeader switches one request between reply modes: "true" answers a
// write with 202 and an API job, "false" answers it synchronously.
const AsyncHeader = "X-Emulator-Async"

// JobUUIDHeader lets the client choose the job's uuid, as ZStack allows.
const JobUUIDHeader = "X-Job-UUID"

// Defer reports whether a write is answered through an API job: the
// scenario's asyncJobs, unless the request's X-Emulator-Async says otherwise.
func (f *Family) Defer(r *api.Request) bool {
	if !r.Op.Write {
		return false
	}
	switch strings.ToLower(r.HTTP.Header.Get(AsyncHeader)) {
	case "true":
		return true
	case "false":
		return false
	}
	s := r.State.(*State)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg.async
}

// Accept stores a write's outcome in a new job and answers 202 with its
// location, built on the host the client called (ZStack's SDKs rewrite the
// host anyway).
func (f *Family) Accept(r *api.Request, resp *api.Response, e *api.Error) (*api.Response, *api.Error) {
	s := r.State.(*State)
	id := r.HTTP.Header.Get(JobUUIDHeader)
	if id != "" && len(id) != 32 {
		return nil, &api.Error{Kind: api.KindInvalidArgument, Transport: true,
			Message: "Invalid header[" + JobUUIDHeader + "], it must be a UUID with '-' stripped"}
	}
	if id == "" {
		id = ids.Token()
	}
	j := &job{}
	if e != nil {
		j.status, j.body = errorDoc(e, r)
	} else {
		j.status = resp.Status
		if j.status == 0 {
			j.status = http.StatusOK
		}
		j.body = encode(resp.Body)
	}
	s.mu.Lock()
	if _, dup := s.jobs[id]; dup {
		s.mu.Unlock()
		return nil, &api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: "Duplicate job uuid[" + id + "]"}
	}
	s.purge(r.Now)
	j.created = r.Now
	j.pollsLeft = s.cfg.jobPolls
	j.readyAt = r.Now.Add(s.cfg.jobDuration)
	s.jobs[id] = j
	timeout := s.cfg.apiTimeout
	s.mu.Unlock()

	scheme := "http"
	if r.HTTP.TLS != nil {
		scheme = "https"
	}
	return &api.Response{Status: http.StatusAccepted, Body: acceptedBody{
		Location:   scheme + "://" + r.HTTP.Host + "/zstack/v1/api-jobs/" + id,
		APITimeout: timeout.Milliseconds(),
	}}, nil
}

// acceptedBody is ZStack's ApiResponse for an accepted write.
type acceptedBody struct {
	Location string `json:"location"`
	// APITimeout is the message's timeout in milliseconds.
	APITimeout int64 `json:"apiTimeout"`
}

// expired reports whether a finished job is past ZStack's completed-API
// expiry, counted from the job's creation as ZStack's clean-up does,
// whether or not anyone polled it.
func (s *State) expired(j *job, now time.Time) bool {
	return !now.Before(j.readyAt) && now.Sub(j.created) >= s.cfg.jobExpiry
}

// purge drops expired sessions and finished jobs past their expiry, at
// most once per family.SweepEvery of virtual time, so that neither grows
// without bound. Caller holds the write lock.
func (s *State) purge(now time.Time) {
	if s.sweeps.Due(now) {
		maps.DeleteFunc(s.sessions, func(_ string, ss *session) bool { return !now.Before(ss.Expires) })
		maps.DeleteFunc(s.jobs, func(_ string, j *job) bool { return s.expired(j, now) })
	}
}

// getJob answers a poll: 202 {} while the job runs, then its outcome (200
// with the result, or 503 with the error), then 404 once it has expired.
func getJob(s *State, r *api.Request) (*api.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.Vars["uuid"]
	j := s.jobs[id]
	expired := &api.Error{Kind: api.KindNotFound, Transport: true, Message: "the job has been expired"}
	if j == nil {
		return nil, expired
	}
	if j.pollsLeft > 0 || r.Now.Before(j.readyAt) {
		if j.pollsLeft > 0 {
			j.pollsLeft--
		}
		return &api.Response{Status: http.StatusAccepted, Body: map[string]any{}}, nil
	}
	if s.expired(j, r.Now) {
		delete(s.jobs, id)
		return nil, expired
	}
	return &api.Response{Status: j.status, Body: json.RawMessage(j.body)}, nil
}
