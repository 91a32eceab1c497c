package avisi

import (
	"sort"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/scenario"
)

// snapshot is a sandbox's Avisi world as a snapshot writes it under
// avisi.snapshot: tokens, the cloud profiles as served (providers and
// regions with their ids and times), and each organisation's accounts,
// credentials (secrets included) and clusters.
type snapshot struct {
	Tokens        []scenario.Located[tokenSpec]     `yaml:"tokens"`
	CloudProfiles []scenario.Located[*CloudProfile] `yaml:"cloudProfiles"`
	Organisations []scenario.Located[orgSnap]       `yaml:"organisations"`
}

// orgSnap is one organisation in a snapshot.
type orgSnap struct {
	Slug          string                       `yaml:"slug"`
	CloudAccounts []scenario.Located[*account] `yaml:"cloudAccounts"`
	Clusters      []scenario.Located[*cluster] `yaml:"clusters,omitempty"`
}

// snapshotSection is the avisi: section a snapshot writes. The catalogue
// is in the snapshot, as it was served, so the built-in one is not loaded.
type snapshotSection struct {
	BuiltinCloudProfiles bool      `yaml:"builtinCloudProfiles"`
	Snapshot             *snapshot `yaml:"snapshot"`
}

// Snapshot writes st as the avisi: section LoadWorld builds the same
// state from.
func (f *Family) Snapshot(st api.State) any {
	s := st.(*State)
	s.mu.RLock()
	defer s.mu.RUnlock()
	snap := &snapshot{}
	for t, spec := range s.tokens {
		spec.Token = t
		snap.Tokens = append(snap.Tokens, scenario.Located[tokenSpec]{Value: spec})
	}
	sort.Slice(snap.Tokens, func(i, j int) bool { return snap.Tokens[i].Value.Token < snap.Tokens[j].Value.Token })
	for _, id := range s.profileOrder {
		snap.CloudProfiles = append(snap.CloudProfiles, scenario.Located[*CloudProfile]{Value: cloneProfile(s.profiles[id])})
	}
	slugs := make([]string, 0, len(s.orgs))
	for slug := range s.orgs {
		slugs = append(slugs, slug)
	}
	sort.Strings(slugs)
	for _, slug := range slugs {
		o := s.orgs[slug]
		out := orgSnap{Slug: slug, CloudAccounts: scenario.Locate(o.accounts.Copies())}
		for _, c := range o.clusters {
			cc := *c
			out.Clusters = append(out.Clusters, scenario.Located[*cluster]{Value: &cc})
		}
		snap.Organisations = append(snap.Organisations, scenario.Located[orgSnap]{Value: out})
	}
	return snapshotSection{Snapshot: snap}
}

// loadSnapshot checks a snapshot's objects and puts them in w. Clusters
// keep the instant they last used their accounts, as every other time of
// a snapshot is kept.
func loadSnapshot(sec scenario.Section, snap *snapshot, w *world) scenario.ErrorList {
	var errs scenario.ErrorList
	w.lastUseKept = true
	for _, lt := range snap.Tokens {
		t := lt.Value
		if t.Token == "" || len(t.Organisations) == 0 {
			errs = append(errs, sec.ErrorAt(lt.At, "snapshot token: a token and its organisations are required"))
			continue
		}
		w.tokens[t.Token] = t
	}
	profiles := map[string]*CloudProfile{}
	providers := map[string]bool{}
	regions := map[[2]string]bool{}
	for _, lp := range snap.CloudProfiles {
		p := lp.Value
		if p == nil || p.Identity == "" || profiles[p.Identity] != nil || !contains(profileTypes, p.Type) {
			errs = append(errs, sec.ErrorAt(lp.At, "snapshot cloud profile: a unique identity and a type of %v are required", profileTypes))
			continue
		}
		p.Metadata = emptyIfNil(p.Metadata)
		p.CloudProviderResponse.Metadata = emptyIfNil(p.CloudProviderResponse.Metadata)
		if p.Regions == nil {
			p.Regions = []string{}
		}
		if p.CloudProviderRegionResponses == nil {
			p.CloudProviderRegionResponses = []Region{}
		}
		profiles[p.Identity] = p
		w.profiles = append(w.profiles, p)
		if pr := p.CloudProviderResponse; !providers[pr.Slug] {
			providers[pr.Slug] = true
			w.providers = append(w.providers, pr)
		}
		for _, r := range p.CloudProviderRegionResponses {
			if key := [2]string{r.Provider, r.Slug}; !regions[key] {
				regions[key] = true
				w.regions = append(w.regions, r)
			}
		}
	}
	ids := map[string]bool{}
	slugs := map[string]bool{}
	for _, lo := range snap.Organisations {
		o := lo.Value
		if !validSlug(o.Slug) || slugs[o.Slug] {
			errs = append(errs, sec.ErrorAt(lo.At, "snapshot organisation %q: a unique slug matching ^[a-z0-9-]+$ is required", o.Slug))
			continue
		}
		slugs[o.Slug] = true
		ow := &orgWorld{slug: o.Slug}
		accounts := map[string]*account{}
		names := map[string]bool{}
		for _, la := range o.CloudAccounts {
			a := la.Value
			switch {
			case a == nil || !isUUID(a.ID) || ids[a.ID]:
				errs = append(errs, sec.ErrorAt(la.At, "snapshot cloud account: identity must be a unique UUID"))
				continue
			case a.DisplayName == "" || names[a.DisplayName]:
				errs = append(errs, sec.ErrorAt(la.At, "snapshot cloud account %s: displayName must be given and unique in organisation %s", a.ID, o.Slug))
				continue
			case profiles[a.Profile] == nil:
				errs = append(errs, sec.ErrorAt(la.At, "snapshot cloud account %q: cloudProfile %q is not in the snapshot", a.DisplayName, a.Profile))
				continue
			}
			primaryFound := a.Primary == ""
			bad := false
			for _, c := range a.Credentials {
				if c == nil || !isUUID(c.ID) || ids[c.ID] || c.DisplayName == "" {
					bad = true
					break
				}
				ids[c.ID] = true
				c.Metadata = emptyIfNil(c.Metadata)
				primaryFound = primaryFound || c.ID == a.Primary
			}
			if bad || !primaryFound {
				errs = append(errs, sec.ErrorAt(la.At, "snapshot cloud account %q: each credential needs a unique UUID identity and a displayName, and primaryCredentials must name one of them", a.DisplayName))
				continue
			}
			a.Metadata = emptyIfNil(a.Metadata)
			ids[a.ID], names[a.DisplayName], accounts[a.ID] = true, true, a
			ow.accounts = append(ow.accounts, a)
		}
		for _, lc := range o.Clusters {
			c := lc.Value
			if c == nil || c.ID == "" || c.Name == "" || accounts[c.AccountID] == nil {
				errs = append(errs, sec.ErrorAt(lc.At, "snapshot cluster: identity, name and a cloudAccount of organisation %s are required", o.Slug))
				continue
			}
			ow.clusters = append(ow.clusters, c)
		}
		w.orgs = append(w.orgs, ow)
	}
	return errs
}

// hasObjects reports whether a hand-written section adds anything a
// snapshot section may not sit beside.
func (s *section) hasObjects() bool {
	return len(s.Tokens)+len(s.CloudProfiles)+len(s.Organisations) > 0
}
