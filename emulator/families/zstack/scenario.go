package zstack

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zone names work on hosts and images without a zone database

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/ids"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/store"
)

// The zstack: section of a scenario.

type accountSpec struct {
	UUID     string `yaml:"uuid"`
	Name     string `yaml:"name"`
	Password string `yaml:"password"`
	// Admin accounts may manage IAM2; others get ID.1002 on writes. The
	// account named "admin" is an admin unless it says otherwise.
	Admin *bool `yaml:"admin"`
}

type attributeSpec struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
	Type  string `yaml:"type"`
}

type vidSpec struct {
	UUID        string          `yaml:"uuid"`
	Name        string          `yaml:"name"`
	Password    string          `yaml:"password"`
	Description *string         `yaml:"description"`
	State       string          `yaml:"state"`
	Attributes  []attributeSpec `yaml:"attributes"`
}

type sessionSpec struct {
	UUID      string `yaml:"uuid"`
	Account   string `yaml:"account"`
	ExpiresIn string `yaml:"expiresIn"`
}

type jobsSpec struct {
	// Polls is how many polls answer 202 before the job is done.
	Polls *int `yaml:"polls"`
	// Duration is how long, on the virtual clock, the job runs at least.
	Duration string `yaml:"duration"`
	// ExpireAfter is how long after its creation a finished job can still
	// be fetched (ZStack's rest.completedApi.expiredPeriod: 3h).
	ExpireAfter string `yaml:"expireAfter"`
	// APITimeout is what the 202 answer reports as apiTimeout (ZStack's
	// default API timeout: 30m).
	APITimeout string `yaml:"apiTimeout"`
}

type section struct {
	// PlainPasswords also accepts passwords sent in plain text instead of
	// as SHA-512 hex.
	PlainPasswords bool `yaml:"plainPasswords"`
	// SessionTimeout is how long a login session lives (ZStack's default: 2h).
	SessionTimeout string `yaml:"sessionTimeout"`
	// TimeZone is the management server's time zone: ZStack writes dates
	// without a zone, in local time. An IANA name (Asia/Shanghai), UTC, or
	// an offset (+08:00); default +08:00, which is what ZStack's Go SDK
	// assumes when it reads a date.
	TimeZone string `yaml:"timeZone"`
	// AsyncJobs answers writes with 202 and an api-jobs location.
	AsyncJobs  *bool                           `yaml:"asyncJobs"`
	Jobs       jobsSpec                        `yaml:"jobs"`
	Accounts   []scenario.Located[accountSpec] `yaml:"accounts"`
	Sessions   []scenario.Located[sessionSpec] `yaml:"sessions"`
	VirtualIDs []scenario.Located[vidSpec]     `yaml:"virtualIDs"`
	Generate   struct {
		VirtualIDs int `yaml:"virtualIDs"`
	} `yaml:"generate"`
	// Snapshot holds every object of a snapshot (snapshot.go), in place
	// of accounts, sessions, virtualIDs and generate.
	Snapshot *snapshot `yaml:"snapshot"`
}

// config is the behaviour a scenario sets.
type config struct {
	plainPasswords bool
	sessionTimeout time.Duration
	async          bool
	jobPolls       int
	jobDuration    time.Duration
	jobExpiry      time.Duration
	apiTimeout     time.Duration
	loc            *time.Location
}

type seededSession struct {
	uuid    string
	account string
	ttl     time.Duration
}

// world is the compiled zstack section.
type world struct {
	cfg      config
	accounts []*account
	sessions []seededSession
	vids     []*virtualID
	// restored are a snapshot's sessions and jobs, kept as they were.
	restored []*session
	jobs     []jobSnap

	// base is vids as frozen tables, which sandboxes fork (frozen).
	base store.Lazy[*vidTables]
}

// isLowerHex reports whether s is n lower-case hexadecimal digits, as
// ^[0-9a-f]{n}$: a ZStack UUID (32) or a stored SHA-512 password (128).
// It is written out, not compiled from the pattern (its test holds it to
// the pattern): package initialisation would compile that on every launch.
func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isHex32 reports whether s is a ZStack UUID.
func isHex32(s string) bool { return isLowerHex(s, 32) }

const maxGenerated = 1_000_000

// DefaultTimeZone is the zone dates are written in unless a scenario says
// otherwise: ZStack's Go SDK reads zone-less dates as UTC+8.
var DefaultTimeZone = time.FixedZone("+08:00", 8*3600)

func defaultConfig() config {
	return config{sessionTimeout: 2 * time.Hour, jobPolls: 1, jobExpiry: 3 * time.Hour, apiTimeout: 30 * time.Minute, loc: DefaultTimeZone}
}

// splitOffset reads a fixed offset such as +08:00 or -0530, the form
// ^([+-])(\d{2}):?(\d{2})$ (its test holds it to that pattern): the sign,
// hours and minutes, and whether v has that form.
func splitOffset(v string) (negative bool, hours, minutes int, ok bool) {
	digits := func(s string) (int, bool) {
		if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
			return 0, false
		}
		return int(s[0]-'0')*10 + int(s[1]-'0'), true
	}
	switch {
	case len(v) == 6 && v[3] == ':':
		v = v[:3] + v[4:]
	case len(v) != 5:
		return false, 0, 0, false
	}
	if v[0] != '+' && v[0] != '-' {
		return false, 0, 0, false
	}
	h, okh := digits(v[1:3])
	m, okm := digits(v[3:5])
	return v[0] == '-', h, m, okh && okm
}

// parseZone reads an IANA zone name, UTC, or a fixed offset.
func parseZone(v string) (*time.Location, error) {
	if neg, h, mins, ok := splitOffset(v); ok {
		if h > 14 || mins > 59 {
			return nil, fmt.Errorf("offset %q is out of range", v)
		}
		off := h*3600 + mins*60
		if neg {
			off = -off
		}
		return time.FixedZone(v, off), nil
	}
	return time.LoadLocation(v)
}

// LoadWorld compiles the zstack sections of a scenario.
func (f *Family) LoadWorld(sections []scenario.Section, gen *scenario.Generator) (api.World, error) {
	w := &world{cfg: defaultConfig()}
	var errs scenario.ErrorList
	idg := ids.New(gen.Uint64())
	accounts := map[string]*account{}
	names := map[string]bool{}
	uuids := map[string]bool{}
	snapshotted := false
	for _, sec := range sections {
		var s section
		if err := scenario.DecodeSection(sec, &s, builtinSection); err != nil {
			errs = append(errs, scenario.Errors(sec.File, err)...)
			continue
		}
		if (s.Snapshot != nil || snapshotted) && (s.hasObjects() || len(w.accounts)+len(w.vids) > 0) {
			errs = append(errs, sec.Errorf(sec.Node, "zstack.snapshot: a snapshot holds every object; accounts, sessions, virtualIDs and generate cannot be given beside it, or in another file"))
			continue
		}
		if s.Snapshot != nil {
			snapshotted = true
			errs = append(errs, loadSnapshot(sec, s.Snapshot, w)...)
		}
		dur := func(v, what string, def time.Duration) time.Duration {
			if v == "" {
				return def
			}
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				errs = append(errs, sec.Errorf(sec.Node, "zstack.%s: expected a duration such as 2h or 30s, got %q", what, v))
				return def
			}
			return d
		}
		w.cfg.plainPasswords = w.cfg.plainPasswords || s.PlainPasswords
		w.cfg.sessionTimeout = dur(s.SessionTimeout, "sessionTimeout", w.cfg.sessionTimeout)
		if s.AsyncJobs != nil {
			w.cfg.async = *s.AsyncJobs
		}
		if s.Jobs.Polls != nil {
			if *s.Jobs.Polls < 0 {
				errs = append(errs, sec.Errorf(sec.Node, "zstack.jobs.polls must not be negative"))
			} else {
				w.cfg.jobPolls = *s.Jobs.Polls
			}
		}
		w.cfg.jobDuration = dur(s.Jobs.Duration, "jobs.duration", w.cfg.jobDuration)
		w.cfg.jobExpiry = dur(s.Jobs.ExpireAfter, "jobs.expireAfter", w.cfg.jobExpiry)
		w.cfg.apiTimeout = dur(s.Jobs.APITimeout, "jobs.apiTimeout", w.cfg.apiTimeout)
		if s.TimeZone != "" {
			loc, err := parseZone(s.TimeZone)
			if err != nil {
				errs = append(errs, sec.Errorf(sec.Node, "zstack.timeZone: expected an IANA zone name (Asia/Shanghai), UTC or an offset (+08:00), got %q", s.TimeZone))
			} else {
				w.cfg.loc = loc
			}
		}

		for _, la := range s.Accounts {
			a := la.Value
			switch {
			case a.Name == "" || a.Password == "":
				errs = append(errs, sec.ErrorAt(la.At, "account: name and password are required"))
				continue
			case accounts[a.Name] != nil:
				errs = append(errs, sec.ErrorAt(la.At, "account %q is defined twice", a.Name))
				continue
			case a.UUID != "" && !isHex32(a.UUID):
				errs = append(errs, sec.ErrorAt(la.At, "account %q: uuid must be 32 lowercase hex digits", a.Name))
				continue
			}
			uuid := a.UUID
			if uuid == "" {
				if a.Name == "admin" {
					uuid = AdminAccountUUID
				} else {
					uuid = idg.Hex32()
				}
			}
			admin := a.Name == "admin"
			if a.Admin != nil {
				admin = *a.Admin
			}
			acc := &account{UUID: uuid, Name: a.Name, Password: sha512Hex(a.Password), Plain: a.Password, Admin: admin}
			accounts[a.Name] = acc
			w.accounts = append(w.accounts, acc)
		}
		for _, ls := range s.Sessions {
			ss := ls.Value
			if !isHex32(ss.UUID) {
				errs = append(errs, sec.ErrorAt(ls.At, "session: uuid must be 32 lowercase hex digits"))
				continue
			}
			if accounts[ss.Account] == nil {
				errs = append(errs, sec.ErrorAt(ls.At, "session %s: no account named %q", ss.UUID, ss.Account))
				continue
			}
			w.sessions = append(w.sessions, seededSession{uuid: ss.UUID, account: ss.Account, ttl: dur(ss.ExpiresIn, "sessions.expiresIn", 365*24*time.Hour)})
		}
		for _, lv := range s.VirtualIDs {
			v := lv.Value
			switch {
			case v.Name == "" || len(v.Name) > 255:
				errs = append(errs, sec.ErrorAt(lv.At, "virtual ID: name is required (1 to 255 characters)"))
				continue
			case v.Password == "":
				errs = append(errs, sec.ErrorAt(lv.At, "virtual ID %q: password is required", v.Name))
				continue
			case names[strings.ToLower(v.Name)]:
				errs = append(errs, sec.ErrorAt(lv.At, "virtual ID %q is defined twice (names compare without regard to case)", v.Name))
				continue
			case v.UUID != "" && (!isHex32(v.UUID) || uuids[v.UUID]):
				errs = append(errs, sec.ErrorAt(lv.At, "virtual ID %q: uuid must be 32 lowercase hex digits and unique", v.Name))
				continue
			}
			state := v.State
			if state == "" {
				state = "Enabled"
			}
			if state != "Enabled" && state != "Disabled" {
				errs = append(errs, sec.ErrorAt(lv.At, "virtual ID %q: state must be Enabled or Disabled", v.Name))
				continue
			}
			vid := &virtualID{UUID: v.UUID, Name: v.Name, Description: v.Description, Password: sha512Hex(v.Password),
				State: state, Created: gen.Now, LastOp: gen.Now}
			if vid.UUID == "" {
				vid.UUID = idg.Hex32()
			}
			for _, as := range v.Attributes {
				typ := as.Type
				if typ == "" {
					typ = "Customized"
				}
				if as.Name == "" || (typ != "Customized" && typ != "System") {
					errs = append(errs, sec.ErrorAt(lv.At, "virtual ID %q: attributes need a name and a type of Customized or System", v.Name))
					continue
				}
				vid.Attributes = append(vid.Attributes, &attribute{UUID: idg.Hex32(), Name: as.Name, Value: as.Value, Type: typ, Created: gen.Now, LastOp: gen.Now})
			}
			names[strings.ToLower(vid.Name)], uuids[vid.UUID] = true, true
			w.vids = append(w.vids, vid)
		}
		if n := s.Generate.VirtualIDs; n > 0 {
			if n > maxGenerated {
				errs = append(errs, sec.Errorf(sec.Node, "zstack.generate.virtualIDs is %d; at most %d", n, maxGenerated))
				continue
			}
			build, err := gen.Reserve("zstack.generate.virtualIDs", 2*n) // each with one attribute
			if err != nil {
				errs = append(errs, sec.Errorf(sec.Node, "%v", err))
			}
			for i := 0; build && i < n; i++ {
				name := strings.ToLower(gen.FirstName()) + fmt.Sprintf(".%s-%d", strings.ToLower(gen.LastName()), i+1)
				for names[name] {
					name += "x"
				}
				vid := &virtualID{UUID: idg.Hex32(), Name: name, Password: sha512Hex(gen.Password(true, true, true, false, false, 12)),
					State: "Enabled", Created: gen.Now, LastOp: gen.Now,
					Attributes: []*attribute{{UUID: idg.Hex32(), Name: "dept", Value: strings.ToLower(gen.JobDescriptor()), Type: "Customized", Created: gen.Now, LastOp: gen.Now}}}
				names[name], uuids[vid.UUID] = true, true
				w.vids = append(w.vids, vid)
			}
		}
	}
	return w, errs.Err()
}
