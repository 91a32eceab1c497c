package avisi

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/ids"
	"github.com/credemu/credemu/emulator/scenario"
	"github.com/credemu/credemu/emulator/store"
	"github.com/credemu/credemu/fixtures"
)

// The avisi: section of a scenario.

type tokenSpec struct {
	Token         string   `yaml:"token"`
	Organisations []string `yaml:"organisations"`
	ReadOnly      bool     `yaml:"readOnly"`
}

type providerSpec struct {
	Name                     string            `yaml:"name"`
	Logo                     string            `yaml:"logo"`
	BYON                     bool              `yaml:"byon"`
	PrivateClusterSetting    string            `yaml:"privateClusterSetting"`
	ValidateCloudCredentials *bool             `yaml:"validateCloudCredentials"`
	Metadata                 map[string]string `yaml:"metadata"`
}

type profileSpec struct {
	Identity      string            `yaml:"identity"`
	DisplayName   string            `yaml:"displayName"`
	Type          string            `yaml:"type"`
	CloudProvider string            `yaml:"cloudProvider"`
	Enabled       *bool             `yaml:"enabled"`
	Public        *bool             `yaml:"public"`
	Metadata      map[string]string `yaml:"metadata"`
	Regions       []string          `yaml:"regions"`
	Provider      providerSpec      `yaml:"provider"`
}

type credentialSpec struct {
	Identity    string            `yaml:"identity"`
	DisplayName string            `yaml:"displayName"`
	Type        string            `yaml:"type"`
	Metadata    map[string]string `yaml:"metadata"`
	Secrets     map[string]string `yaml:"secrets"`
	Primary     bool              `yaml:"primary"`
}

type accountSpec struct {
	Identity     string                             `yaml:"identity"`
	DisplayName  string                             `yaml:"displayName"`
	CloudProfile string                             `yaml:"cloudProfile"`
	Enabled      *bool                              `yaml:"enabled"`
	Metadata     map[string]string                  `yaml:"metadata"`
	Credentials  []scenario.Located[credentialSpec] `yaml:"credentials"`
}

type clusterSpec struct {
	Identity     string `yaml:"identity"`
	Name         string `yaml:"name"`
	Environment  string `yaml:"environment"`
	Description  string `yaml:"description"`
	Status       string `yaml:"status"`
	Region       string `yaml:"region"`
	Version      string `yaml:"version"`
	HA           bool   `yaml:"highlyAvailable"`
	CloudAccount string `yaml:"cloudAccount"`
	Credentials  string `yaml:"credentials"`
	// LastUsed is how long ago the cluster last used its account ("2h"), or
	// an RFC 3339 instant.
	LastUsed string `yaml:"lastUsed"`
}

type generateSpec struct {
	CloudAccounts int `yaml:"cloudAccounts"`
	// CredentialsPerAccount adds that many generated credentials to each
	// generated account (default 1).
	CredentialsPerAccount *int `yaml:"credentialsPerAccount"`
}

type orgSpec struct {
	Slug          string                          `yaml:"slug"`
	CloudAccounts []scenario.Located[accountSpec] `yaml:"cloudAccounts"`
	Clusters      []scenario.Located[clusterSpec] `yaml:"clusters"`
	Generate      generateSpec                    `yaml:"generate"`
}

type section struct {
	// BuiltinCloudProfiles loads the vendor's profile catalogue
	// (fixtures/avisi/cloud-profiles.yaml) before the scenario's own
	// profiles; default true. A scenario profile with a catalogue identity
	// replaces that entry.
	BuiltinCloudProfiles *bool                           `yaml:"builtinCloudProfiles"`
	Tokens               []scenario.Located[tokenSpec]   `yaml:"tokens"`
	CloudProfiles        []scenario.Located[profileSpec] `yaml:"cloudProfiles"`
	Organisations        []scenario.Located[orgSpec]     `yaml:"organisations"`
	// Snapshot holds every object of a snapshot (snapshot.go), in place
	// of tokens, cloudProfiles and organisations.
	Snapshot *snapshot `yaml:"snapshot"`
}

// world is the compiled avisi section: immutable, shared by every sandbox
// started from the scenario.
type world struct {
	tokens    map[string]tokenSpec
	profiles  []*CloudProfile
	providers []CloudProvider
	regions   []Region
	orgs      []*orgWorld
	// lastUseKept is set for a snapshot's world: clusters keep the
	// instants they last used their accounts, instead of a distance from
	// the sandbox's start.
	lastUseKept bool
}

type orgWorld struct {
	slug     string
	accounts []*account
	clusters []*cluster
	base     store.Lazy[*org] // accounts as frozen tables (frozen)
}

// The checks below are written out, not compiled from the patterns they
// stand for (each test holds its check to the pattern): package
// initialisation would compile them on every launch.

// validSlug reports whether s matches ^[a-z0-9-]+$, an organisation slug.
func validSlug(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validCredName reports whether s matches ^[a-zA-Z0-9\-\s&]*$, the
// characters a credentials' display name may hold (\s: tab, newline, form
// feed, carriage return and space).
func validCredName(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '&', c == ' ', c == '\t', c == '\n', c == '\f', c == '\r':
		default:
			return false
		}
	}
	return true
}

// isUUID reports whether s is a UUID in its 8-4-4-4-12 hexadecimal form,
// of either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// profileTypes are the cloud profile types the API documents.
var profileTypes = []string{"aws", "azure", "byon", "digitalocean", "empty", "hetzner", "multipass", "none", "openstack", "vsphere"}

// credentialTypes are the types credentials can be created with.
var credentialTypes = []string{"aws", "azure", "digitalocean", "dummy", "hetzner", "openstack", "vsphere"}

// fitsProfile reports whether credentials of credType can live in an account
// whose profile has profileType. Dummy credentials fit the profile types
// that have no real cloud behind them (an assumption: the docs are silent).
func fitsProfile(credType, profileType string) bool {
	if credType == "dummy" {
		switch profileType {
		case "none", "empty", "byon", "multipass":
			return true
		}
		return false
	}
	return credType == profileType
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// builtinProfilesFile is where the vendor's profile catalogue lives.
const builtinProfilesFile = "builtin:fixtures/avisi/cloud-profiles.yaml"

// builtinProfilesYAML reads the catalogue fixture, the source of
// builtin_profiles_gen.go. The server builds the catalogue from that
// generated code, positions included: yaml.v3 spent 0.15 ms of every
// start-up on these 19 lines.
func builtinProfilesYAML() ([]scenario.Located[profileSpec], error) {
	var s struct {
		Avisi section `yaml:"avisi"`
	}
	if err := scenario.DecodeFixture(fixtures.FS, "avisi/cloud-profiles.yaml", &s); err != nil {
		return nil, err
	}
	return s.Avisi.CloudProfiles, nil
}

// catalogue gives every cloud provider and region one integer id, the same
// wherever it appears, in order of first mention.
type catalogue struct {
	providers map[string]*CloudProvider
	regions   map[[2]string]*Region
	w         *world
}

func (c *catalogue) provider(slug string, typ string, spec providerSpec, ts string) CloudProvider {
	if p := c.providers[slug]; p != nil {
		return *p
	}
	name := strOr(spec.Name, providerNames[typ])
	p := &CloudProvider{
		ID: len(c.providers) + 1, Name: strOr(name, slug), Slug: slug, Available: true, CreatedAt: ts, ModifiedAt: ts,
		Logo: spec.Logo, BYON: spec.BYON || typ == "byon", Type: typ,
		PrivateClusterSetting:    strOr(spec.PrivateClusterSetting, "DISABLED"),
		Metadata:                 emptyIfNil(spec.Metadata),
		ValidateCloudCredentials: boolOr(spec.ValidateCloudCredentials, typ != "none" && typ != "empty"),
	}
	c.providers[slug] = p
	c.w.providers = append(c.w.providers, *p)
	return *p
}

func (c *catalogue) region(provider, slug, ts string) Region {
	key := [2]string{provider, slug}
	if r := c.regions[key]; r != nil {
		return *r
	}
	r := &Region{ID: len(c.regions) + 1, Provider: provider, Name: slug, Slug: slug, Available: true, CreatedAt: ts, ModifiedAt: ts}
	c.regions[key] = r
	c.w.regions = append(c.w.regions, *r)
	return *r
}

// LoadWorld compiles the avisi sections of a scenario.
func (f *Family) LoadWorld(sections []scenario.Section, gen *scenario.Generator) (api.World, error) {
	w, err := loadWorld(sections, gen)
	// The catalogue never changes once loaded: each profile is encoded
	// once, when first written, and every account view writes those bytes.
	for _, p := range w.profiles {
		p.json = new(encodedOnce)
	}
	return w, err
}

func loadWorld(sections []scenario.Section, gen *scenario.Generator) (*world, error) {
	w := &world{tokens: map[string]tokenSpec{}}
	var errs scenario.ErrorList
	// Ids of scenario objects come from their own generator so that they do
	// not shift the ids handed out at run time.
	idg := ids.New(gen.Uint64())
	type parsed struct {
		sec scenario.Section
		s   section
	}
	var all []parsed
	useBuiltins := true
	var snap *parsed
	for _, sec := range sections {
		var s section
		if err := scenario.DecodeSection(sec, &s, builtinSection); err != nil {
			errs = append(errs, scenario.Errors(sec.File, err)...)
			continue
		}
		if s.BuiltinCloudProfiles != nil {
			useBuiltins = *s.BuiltinCloudProfiles
		}
		if s.Snapshot != nil && snap == nil {
			snap = &parsed{sec, s}
		}
		all = append(all, parsed{sec, s})
	}
	if snap != nil {
		// A snapshot is the whole world: nothing may be added beside it.
		for _, ps := range all {
			if ps.s.hasObjects() || (ps.s.Snapshot != nil && ps.s.Snapshot != snap.s.Snapshot) {
				errs = append(errs, ps.sec.Errorf(ps.sec.Node, "avisi.snapshot: a snapshot holds every object; tokens, cloudProfiles and organisations cannot be given beside it, or in another file"))
			}
		}
		errs = append(errs, loadSnapshot(snap.sec, snap.s.Snapshot, w)...)
		return w, errs.Err()
	}
	cat := &catalogue{providers: map[string]*CloudProvider{}, regions: map[[2]string]*Region{}, w: w}
	profileByID := map[string]*CloudProfile{}
	builtin := map[string]bool{}
	addProfile := func(sec scenario.Section, at scenario.At, spec profileSpec, isBuiltin bool) {
		p, err := buildProfile(spec, gen.Now, cat)
		if err != nil {
			errs = append(errs, sec.ErrorAt(at, "cloud profile: %v", err))
			return
		}
		if old := profileByID[p.Identity]; old != nil {
			if !builtin[p.Identity] {
				errs = append(errs, sec.ErrorAt(at, "cloud profile %q is defined twice", p.Identity))
				return
			}
			// A scenario's own definition replaces the catalogue entry in place.
			*old = *p
			delete(builtin, p.Identity)
			return
		}
		profileByID[p.Identity] = p
		builtin[p.Identity] = isBuiltin
		w.profiles = append(w.profiles, p)
	}
	if useBuiltins {
		specs := builtinProfiles()
		fixture := scenario.Section{File: builtinProfilesFile}
		for _, lp := range specs {
			addProfile(fixture, lp.At, lp.Value, true)
		}
	}
	for _, ps := range all {
		for _, lp := range ps.s.CloudProfiles {
			addProfile(ps.sec, lp.At, lp.Value, false)
		}
	}
	orgBySlug := map[string]*orgWorld{}
	for _, ps := range all {
		sec, s := ps.sec, ps.s
		for _, lt := range s.Tokens {
			t := lt.Value
			switch {
			case t.Token == "":
				errs = append(errs, sec.ErrorAt(lt.At, "token: must not be empty"))
			case len(t.Organisations) == 0:
				errs = append(errs, sec.ErrorAt(lt.At, "token %q: organisations must list slugs or \"*\"", redactToken(t.Token)))
			default:
				w.tokens[t.Token] = t
			}
		}
		for _, lo := range s.Organisations {
			o := lo.Value
			if !validSlug(o.Slug) {
				errs = append(errs, sec.ErrorAt(lo.At, "organisation slug %q must match ^[a-z0-9-]+$", o.Slug))
				continue
			}
			ow := orgBySlug[o.Slug]
			if ow == nil {
				ow = &orgWorld{slug: o.Slug}
				orgBySlug[o.Slug] = ow
				w.orgs = append(w.orgs, ow)
			}
			errs = append(errs, buildOrg(sec, lo.At, ow, o, profileByID, gen, idg)...)
		}
	}
	return w, errs.Err()
}

func redactToken(t string) string {
	if len(t) <= 4 {
		return "****"
	}
	return t[:4] + "****"
}

var providerNames = map[string]string{
	"aws": "Amazon Web Services", "azure": "Microsoft Azure", "digitalocean": "DigitalOcean",
	"hetzner": "Hetzner Cloud", "openstack": "OpenStack", "vsphere": "VMware vSphere",
	"byon": "Bring Your Own Nodes", "multipass": "Multipass", "empty": "Empty", "none": "None",
}

func buildProfile(s profileSpec, now time.Time, cat *catalogue) (*CloudProfile, error) {
	if s.Identity == "" || len(s.Identity) > 64 {
		return nil, fmt.Errorf("identity is required (1 to 64 characters)")
	}
	if !contains(profileTypes, s.Type) {
		return nil, fmt.Errorf("type %q is not one of %s", s.Type, strings.Join(profileTypes, ", "))
	}
	provider := strOr(s.CloudProvider, s.Type)
	ts := formatTime(now)
	p := &CloudProfile{
		Identity: s.Identity, DisplayName: strOr(s.DisplayName, s.Identity), Type: s.Type, CloudProvider: provider,
		Enabled: boolOr(s.Enabled, true), Public: boolOr(s.Public, true),
		Metadata: emptyIfNil(s.Metadata), Regions: append([]string{}, s.Regions...),
		CloudProviderResponse:        cat.provider(provider, s.Type, s.Provider, ts),
		CloudProviderRegionResponses: []Region{},
	}
	for _, r := range s.Regions {
		p.CloudProviderRegionResponses = append(p.CloudProviderRegionResponses, cat.region(provider, r, ts))
	}
	return p, nil
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func strOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func buildOrg(sec scenario.Section, at scenario.At, ow *orgWorld, o orgSpec, profiles map[string]*CloudProfile, gen *scenario.Generator, idg *ids.Gen) scenario.ErrorList {
	var errs scenario.ErrorList
	names := map[string]*account{}
	for _, a := range ow.accounts {
		names[a.DisplayName] = a
	}
	for _, la := range o.CloudAccounts {
		s := la.Value
		p := profiles[s.CloudProfile]
		switch {
		case s.DisplayName == "" || len(s.DisplayName) > 64:
			errs = append(errs, sec.ErrorAt(la.At, "cloud account: displayName is required (1 to 64 characters)"))
			continue
		case names[s.DisplayName] != nil:
			errs = append(errs, sec.ErrorAt(la.At, "cloud account %q is defined twice in organisation %s", s.DisplayName, o.Slug))
			continue
		case p == nil:
			errs = append(errs, sec.ErrorAt(la.At, "cloud account %q: unknown cloudProfile %q (not in the cloud profile catalogue; define it under avisi.cloudProfiles)", s.DisplayName, s.CloudProfile))
			continue
		case s.Identity != "" && !isUUID(s.Identity):
			errs = append(errs, sec.ErrorAt(la.At, "cloud account %q: identity must be a UUID", s.DisplayName))
			continue
		}
		a := &account{ID: strOr(strings.ToLower(s.Identity), idg.UUID()), DisplayName: s.DisplayName,
			Enabled: boolOr(s.Enabled, true), Metadata: emptyIfNil(s.Metadata), Profile: p.Identity}
		for _, lc := range s.Credentials {
			c := lc.Value
			typ := strOr(c.Type, p.Type)
			switch {
			case c.DisplayName == "" || len(c.DisplayName) > 64 || !validCredName(c.DisplayName):
				errs = append(errs, sec.ErrorAt(lc.At, "credentials: displayName is required, 1 to 64 of letters, digits, '-', '&' and spaces"))
				continue
			case !contains(credentialTypes, typ) || !fitsProfile(typ, p.Type):
				errs = append(errs, sec.ErrorAt(lc.At, "credentials %q: type %q does not fit cloud profile type %q", c.DisplayName, typ, p.Type))
				continue
			case c.Identity != "" && !isUUID(c.Identity):
				errs = append(errs, sec.ErrorAt(lc.At, "credentials %q: identity must be a UUID", c.DisplayName))
				continue
			}
			cr := &credential{ID: strOr(strings.ToLower(c.Identity), idg.UUID()), DisplayName: c.DisplayName, Type: typ,
				Metadata: emptyIfNil(c.Metadata), Secrets: c.Secrets, CreatedAt: gen.Now}
			a.Credentials = append(a.Credentials, cr)
			if c.Primary || a.Primary == "" {
				a.Primary = cr.ID
			}
		}
		names[a.DisplayName] = a
		ow.accounts = append(ow.accounts, a)
	}
	if err := generateAccounts(ow, o, profiles, names, gen, idg); err != nil {
		errs = append(errs, sec.ErrorAt(at, "organisation %s: %v", o.Slug, err))
	}
	for _, lc := range o.Clusters {
		s := lc.Value
		a := names[s.CloudAccount]
		if a == nil {
			errs = append(errs, sec.ErrorAt(lc.At, "cluster %q: no cloud account named %q in organisation %s", s.Name, s.CloudAccount, o.Slug))
			continue
		}
		if s.Name == "" {
			errs = append(errs, sec.ErrorAt(lc.At, "cluster: name is required"))
			continue
		}
		cl := &cluster{ID: strOr(s.Identity, idg.UUID()), Name: s.Name, Slug: slugify(s.Name),
			Description: s.Description, Environment: strOr(s.Environment, "production"),
			Status: strOr(s.Status, "started"), Region: s.Region, Version: strOr(s.Version, "v1.30.4-u-ame.1"),
			HA: s.HA, AccountID: a.ID, CredentialID: a.Primary, CreatedAt: gen.Now.Add(-30 * 24 * time.Hour)}
		if s.Credentials != "" {
			found := false
			for _, c := range a.Credentials {
				if c.DisplayName == s.Credentials {
					cl.CredentialID, found = c.ID, true
				}
			}
			if !found {
				errs = append(errs, sec.ErrorAt(lc.At, "cluster %q: cloud account %q has no credentials named %q", s.Name, s.CloudAccount, s.Credentials))
				continue
			}
		}
		if cl.Region == "" {
			if regions := profiles[a.Profile].Regions; len(regions) > 0 {
				cl.Region = regions[0]
			}
		}
		ago, err := parseLastUsed(s.LastUsed, gen.Now)
		if err != nil {
			errs = append(errs, sec.ErrorAt(lc.At, "cluster %q: %v", s.Name, err))
			continue
		}
		cl.LastUsedAgo = ago
		ow.clusters = append(ow.clusters, cl)
	}
	return errs
}

// parseLastUsed reads "2h" (that long ago) or an RFC 3339 instant, and
// returns how long before now it is. Empty means long ago (a year).
func parseLastUsed(s string, now time.Time) (time.Duration, error) {
	if s == "" {
		return 365 * 24 * time.Hour, nil
	}
	if d, err := time.ParseDuration(strings.TrimSuffix(s, " ago")); err == nil {
		if d < 0 {
			return 0, fmt.Errorf("lastUsed must not be negative")
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("lastUsed: expected a duration such as 2h (that long ago) or an RFC 3339 time, got %q", s)
	}
	return now.Sub(t), nil
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// maxGenerated bounds generate: blocks, so a typo cannot exhaust memory.
const maxGenerated = 1_000_000

// generateAccounts adds generate.cloudAccounts fake accounts, spread over
// the profiles in order, each with generated credentials.
func generateAccounts(ow *orgWorld, o orgSpec, profiles map[string]*CloudProfile, names map[string]*account, gen *scenario.Generator, idg *ids.Gen) error {
	n := o.Generate.CloudAccounts
	if n <= 0 {
		return nil
	}
	if n > maxGenerated {
		return fmt.Errorf("generate.cloudAccounts is %d; at most %d", n, maxGenerated)
	}
	var usable []*CloudProfile
	for _, p := range profiles {
		if p.Type != "byon" {
			usable = append(usable, p)
		}
	}
	if len(usable) == 0 {
		return fmt.Errorf("generate.cloudAccounts needs at least one cloud profile (builtinCloudProfiles is false and none is defined)")
	}
	sort.Slice(usable, func(i, j int) bool { return usable[i].Identity < usable[j].Identity })
	perAccount := 1
	if o.Generate.CredentialsPerAccount != nil {
		perAccount = *o.Generate.CredentialsPerAccount
	}
	if perAccount < 0 || perAccount > 100 {
		return fmt.Errorf("generate.credentialsPerAccount must be between 0 and 100, got %d", perAccount)
	}
	if build, err := gen.Reserve("generate.cloudAccounts", n*(1+perAccount)); !build {
		return err
	}
	for i := 0; i < n; i++ {
		p := usable[i%len(usable)]
		name := fmt.Sprintf("%s %s %d", gen.Company(), gen.Color(), i+1)
		if len(name) > 64 {
			name = name[len(name)-64:]
		}
		for names[name] != nil {
			name = fmt.Sprintf("%s-%d", name[:min(len(name), 56)], gen.Number(1000, 9999))
		}
		a := &account{ID: idg.UUID(), DisplayName: name, Enabled: true, Metadata: map[string]string{}, Profile: p.Identity}
		typ := p.Type
		if !contains(credentialTypes, typ) {
			typ = "dummy"
		}
		for j := 0; j < perAccount; j++ {
			c := &credential{ID: idg.UUID(), DisplayName: fmt.Sprintf("%s %d", capitalise(gen.Noun()), j+1),
				Type: typ, Metadata: map[string]string{}, Secrets: fakeSecrets(typ, gen), CreatedAt: gen.Now}
			if !validCredName(c.DisplayName) {
				c.DisplayName = fmt.Sprintf("credentials %d", j+1)
			}
			a.Credentials = append(a.Credentials, c)
			if a.Primary == "" {
				a.Primary = c.ID
			}
		}
		names[name] = a
		ow.accounts = append(ow.accounts, a)
	}
	return nil
}

func fakeSecrets(typ string, gen *scenario.Generator) map[string]string {
	switch typ {
	case "aws":
		return map[string]string{"accessKeyId": "AKIA" + strings.ToUpper(gen.LetterN(16)), "accessKeySecret": gen.Password(true, true, true, false, false, 40)}
	case "azure":
		return map[string]string{"clientId": gen.UUID(), "clientSecret": gen.Password(true, true, true, false, false, 32), "subscriptionId": gen.UUID(), "tenantId": gen.UUID()}
	case "digitalocean", "hetzner":
		return map[string]string{"apiKey": gen.LetterN(64)}
	case "openstack":
		return map[string]string{"credentialId": gen.LetterN(32), "credentialSecret": gen.LetterN(32)}
	case "vsphere":
		return map[string]string{"username": gen.Username(), "password": gen.Password(true, true, true, true, false, 16)}
	}
	return map[string]string{}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
