package drift

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Target is one side of the comparison: a base URL and the credentials its
// family needs (user and password, or a token; Org for Avisi).
type Target struct {
	URL      string
	User     string
	Password string
	Token    string
	Org      string
	Client   *http.Client
}

// Families are the families drift knows how to probe.
var Families = []string{"avisi", "awx", "vsphere", "zstack"}

// Options say what to compare.
type Options struct {
	Family string
	// Write also creates, reads, updates and deletes one throwaway object
	// (named credemu-drift-<time>) on each side, deleting it even when a
	// step fails.
	Write bool
}

// Report is the outcome: every probe run and every difference found.
type Report struct {
	Family   string    `json:"family"`
	Probes   []string  `json:"probes"`
	Findings []Finding `json:"findings"`
}

// probe is one request sent to both sides.
type probe struct {
	name   string
	method string
	// path may hold {name} placeholders filled from earlier answers (vars).
	path string
	body string
	// auth: "" the side's credentials, "none" none, "bad" wrong ones.
	auth string
	// pick stores a value of the answer for later probes: var name → JSON
	// path such as "results.0.id".
	pick map[string]string
	// write marks the probes of --write: when one fails, only the clean-ups
	// after it run. cleanup marks one that must run even then (the delete
	// of the throwaway object).
	write, cleanup bool
	// skipIf skips the probe on both sides when a var it needs is missing.
	needs []string
}

// side is one target with its session and picked values.
type side struct {
	t       Target
	family  string
	session string
	vars    map[string]string
}

type answer struct {
	status      int
	contentType string
	challenge   string
	body        any
	raw         []byte
}

// Run sends the family's probes to service and credemu and compares what
// came back.
func Run(ctx context.Context, opts Options, service, credemu Target) (*Report, error) {
	probes, err := probesFor(opts)
	if err != nil {
		return nil, err
	}
	rep := &Report{Family: opts.Family, Probes: []string{}, Findings: []Finding{}}
	sides := []*side{{t: service, family: opts.Family, vars: map[string]string{}}, {t: credemu, family: opts.Family, vars: map[string]string{}}}
	for _, s := range sides {
		if err := s.login(ctx); err != nil {
			return nil, fmt.Errorf("%s: logging in: %w", s.t.URL, err)
		}
	}
	defer func() {
		for _, s := range sides {
			s.logout(ctx)
		}
	}()
	failed := false
	for _, p := range probes {
		if failed && !p.cleanup {
			continue
		}
		missing := false
		for _, n := range p.needs {
			if sides[0].vars[n] == "" || sides[1].vars[n] == "" {
				missing = true
			}
		}
		if missing {
			continue
		}
		rep.Probes = append(rep.Probes, p.name)
		a, errA := sides[0].send(ctx, p)
		b, errB := sides[1].send(ctx, p)
		if errA != nil || errB != nil {
			rep.Findings = append(rep.Findings, Finding{Probe: p.name, Kind: "probe-failed", Service: errText(errA), Credemu: errText(errB)})
			failed = failed || p.write
			continue
		}
		rep.Findings = append(rep.Findings, compare(p.name, a, b)...)
		if p.write && (a.status >= 300 || b.status >= 300) {
			failed = true // a write failed: only clean-ups run from here
		}
	}
	return rep, nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func compare(probe string, a, b *answer) []Finding {
	var out []Finding
	if a.status != b.status {
		out = append(out, Finding{Probe: probe, Kind: "status", Service: strconv.Itoa(a.status), Credemu: strconv.Itoa(b.status)})
	}
	if a.contentType != b.contentType {
		out = append(out, Finding{Probe: probe, Kind: "content-type", Service: quoteOrNone(a.contentType), Credemu: quoteOrNone(b.contentType)})
	}
	if a.challenge != b.challenge {
		out = append(out, Finding{Probe: probe, Kind: "auth-challenge", Service: quoteOrNone(a.challenge), Credemu: quoteOrNone(b.challenge)})
	}
	aj, bj := a.body != nil || isJSONNull(a.raw), b.body != nil || isJSONNull(b.raw)
	switch {
	case aj && bj:
		out = append(out, compareShape(probe, "", a.body, b.body)...)
	case aj != bj && (len(a.raw) > 0 || len(b.raw) > 0):
		out = append(out, Finding{Probe: probe, Kind: "body", Service: bodyKind(a), Credemu: bodyKind(b)})
	}
	return out
}

func isJSONNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

func bodyKind(a *answer) string {
	if a.body != nil {
		return "JSON " + jsonType(a.body)
	}
	if len(a.raw) == 0 {
		return "no body"
	}
	return "a body that is not JSON"
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return strconv.Quote(s)
}

// send runs one probe on one side.
func (s *side) send(ctx context.Context, p probe) (*answer, error) {
	path := s.fill(p.path)
	body := s.fill(p.body)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, p.method, strings.TrimSuffix(s.t.URL, "/")+path, rd)
	if err != nil {
		return nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	switch p.auth {
	case "":
		s.authorize(req)
	case "bad":
		s.authorizeBad(req)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusAccepted && s.family == "zstack" {
		// A ZStack write answers with an API job: poll it, as the SDKs do,
		// and compare its outcome.
		if raw, resp, err = s.pollJob(ctx, raw); err != nil {
			return nil, err
		}
		defer resp.Body.Close()
	}
	a := &answer{status: resp.StatusCode, raw: raw}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		a.contentType = mt
	}
	if ch := resp.Header.Get("WWW-Authenticate"); ch != "" {
		a.challenge, _, _ = strings.Cut(ch, " ") // the scheme; realms differ by host
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			a.body = v
		}
	}
	for name, jp := range p.pick {
		if v := lookup(a.body, jp); v != "" {
			s.vars[name] = v
		}
	}
	return a, nil
}

// pollJob follows a ZStack API job's location until it answers other than
// 202, for at most a minute.
func (s *side) pollJob(ctx context.Context, accepted []byte) ([]byte, *http.Response, error) {
	var job struct {
		Location string `json:"location"`
	}
	if err := json.Unmarshal(accepted, &job); err != nil || job.Location == "" {
		return nil, nil, fmt.Errorf("202 without a job location: %.200s", accepted)
	}
	loc := job.Location
	if strings.HasPrefix(loc, "/") {
		loc = strings.TrimSuffix(s.t.URL, "/") + loc
	}
	deadline := time.Now().Add(time.Minute)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
		if err != nil {
			return nil, nil, err
		}
		s.authorize(req)
		resp, err := s.client().Do(req)
		if err != nil {
			return nil, nil, err
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		if err != nil {
			resp.Body.Close()
			return nil, nil, err
		}
		if resp.StatusCode != http.StatusAccepted {
			return raw, resp, nil
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("API job %s still running after a minute", job.Location)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *side) client() *http.Client {
	if s.t.Client != nil {
		return s.t.Client
	}
	return http.DefaultClient
}

func (s *side) fill(text string) string {
	for k, v := range s.vars {
		text = strings.ReplaceAll(text, "{"+k+"}", v)
	}
	return strings.ReplaceAll(text, "{org}", s.t.Org)
}

// lookup reads a dotted path ("results.0.id") as text.
func lookup(v any, path string) string {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// authorize sets the family's credentials: a token or Basic for AWX and
// Avisi, the session for ZStack and vSphere.
func (s *side) authorize(req *http.Request) {
	switch s.family {
	case "avisi":
		req.Header.Set("Authorization", "Token "+s.t.Token)
	case "awx":
		if s.t.Token != "" {
			req.Header.Set("Authorization", "Bearer "+s.t.Token)
		} else {
			req.Header.Set("Authorization", basic(s.t.User, s.t.Password))
		}
	case "zstack":
		req.Header.Set("Authorization", "OAuth "+s.session)
	case "vsphere":
		req.Header.Set("vmware-api-session-id", s.session)
	}
}

// authorizeBad sends credentials of the right form that are wrong.
func (s *side) authorizeBad(req *http.Request) {
	switch s.family {
	case "avisi":
		req.Header.Set("Authorization", "Token credemu-drift-not-a-token")
	case "awx", "vsphere":
		req.Header.Set("Authorization", basic("credemu-drift-nobody", "not-the-password"))
	case "zstack":
		req.Header.Set("Authorization", "OAuth 00000000000000000000000000000000")
	}
}

// login opens a session where the family has them.
func (s *side) login(ctx context.Context) error {
	switch s.family {
	case "zstack":
		sum := sha512.Sum512([]byte(s.t.Password))
		body, _ := json.Marshal(map[string]any{"logInByAccount": map[string]string{"accountName": s.t.User, "password": hex.EncodeToString(sum[:])}})
		var out struct {
			Inventory struct {
				UUID string `json:"uuid"`
			} `json:"inventory"`
		}
		if err := s.call(ctx, http.MethodPut, "/zstack/v1/accounts/login", body, nil, &out); err != nil {
			return err
		}
		s.session = out.Inventory.UUID
	case "vsphere":
		var token string
		h := http.Header{"Authorization": {basic(s.t.User, s.t.Password)}}
		if err := s.call(ctx, http.MethodPost, "/api/session", nil, h, &token); err != nil {
			return err
		}
		s.session = token
	case "avisi":
		if s.t.Token == "" || s.t.Org == "" {
			return errors.New("avisi needs --token and --org")
		}
	case "awx":
		if s.t.Token == "" && (s.t.User == "" || s.t.Password == "") {
			return errors.New("awx needs --token, or --user and --password")
		}
	}
	return nil
}

func (s *side) logout(ctx context.Context) {
	switch s.family {
	case "zstack":
		if s.session != "" {
			_ = s.call(ctx, http.MethodDelete, "/zstack/v1/accounts/sessions/"+s.session, nil, nil, nil)
		}
	case "vsphere":
		if s.session != "" {
			_ = s.call(ctx, http.MethodDelete, "/api/session", nil, http.Header{"vmware-api-session-id": {s.session}}, nil)
		}
	}
}

func (s *side) call(ctx context.Context, method, path string, body []byte, h http.Header, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(s.t.URL, "/")+path, rd)
	if err != nil {
		return err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d", method, path, resp.StatusCode) // the body may echo a secret: not printed
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
