package avisi

import (
	"slices"
	"sort"
	"sync"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/journal"
	"github.com/credemu/credemu/emulator/store"
)

// State is the Avisi part of one sandbox. One RWMutex guards it all, so a
// change that touches an account and its credentials is atomic.
type State struct {
	env api.Env

	mu           sync.RWMutex
	tokens       map[string]tokenSpec
	profiles     map[string]*CloudProfile
	profileOrder []string
	// providers and regions are the world's catalogue, shared and never
	// changed, so handlers read them without copying.
	providers []CloudProvider
	regions   []Region
	orgs      map[string]*org
}

type org struct {
	slug     string
	accounts *store.Table[*account]
	// byName indexes accounts by display name (unique per organisation), so
	// the display-name filter and the duplicate check do not scan.
	byName   *store.Index[string, string]
	clusters []*cluster
}

// frozen returns the organisation's accounts and name index as frozen
// tables, built on first use, which sandboxes fork: a sandbox pays for an
// organisation's accounts when it first writes one of them.
func (ow *orgWorld) frozen() *org {
	return ow.base.Get(func() *org {
		o := &org{slug: ow.slug, byName: store.NewIndex[string, string]()}
		o.accounts = store.Frozen(cloneAccount, ow.accounts, func(a *account) string { return a.ID })
		for _, a := range ow.accounts {
			o.byName.Set(a.DisplayName, a.ID)
		}
		o.byName.Freeze()
		return o
	})
}

// Reset replaces the state with a fresh copy of the world. Cluster "last
// used" instants are placed relative to the sandbox clock at this moment, so
// a reset hours later still sees a cluster that used its account "2h ago".
func (s *State) Reset(w api.World) {
	wd, _ := w.(*world)
	if wd == nil {
		wd = &world{}
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.providers, s.regions = wd.providers, wd.regions
	s.tokens = make(map[string]tokenSpec, len(wd.tokens))
	for k, v := range wd.tokens {
		s.tokens[k] = v
	}
	s.profiles = make(map[string]*CloudProfile, len(wd.profiles))
	// A new slice, never the old one refilled: an export may still hold it.
	s.profileOrder = make([]string, 0, len(wd.profiles))
	for _, p := range wd.profiles {
		// The catalogue is shared, not copied: no call changes a profile,
		// and every view copies what it hands out.
		s.profiles[p.Identity] = p
		s.profileOrder = append(s.profileOrder, p.Identity)
	}
	s.orgs = make(map[string]*org, len(wd.orgs))
	for _, ow := range wd.orgs {
		fo := ow.frozen()
		o := &org{slug: ow.slug, accounts: fo.accounts.Fork(), byName: fo.byName.Fork()}
		for _, c := range ow.clusters {
			cc := *c
			if !wd.lastUseKept {
				cc.LastUsed = now.Add(-c.LastUsedAgo)
			}
			o.clusters = append(o.clusters, &cc)
		}
		s.orgs[ow.slug] = o
	}
}

// Export returns the state for GET /_emulator/state, with secrets redacted.
func (s *State) Export() any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	type credOut struct {
		CloudCredentialsView
		Secrets map[string]string `json:"secrets,omitempty"`
	}
	type accountOut struct {
		CloudAccountView
		Credentials []credOut `json:"credentials"`
	}
	type orgOut struct {
		CloudAccounts []accountOut  `json:"cloudAccounts"`
		Clusters      []ClusterView `json:"clusters"`
	}
	tokens := []map[string]any{}
	for t, spec := range s.tokens {
		tokens = append(tokens, map[string]any{"token": redactToken(t), "organisations": spec.Organisations, "readOnly": spec.ReadOnly})
	}
	sort.Slice(tokens, func(i, j int) bool { return tokens[i]["token"].(string) < tokens[j]["token"].(string) })
	orgs := map[string]orgOut{}
	for slug, o := range s.orgs {
		out := orgOut{CloudAccounts: []accountOut{}, Clusters: []ClusterView{}}
		o.accounts.Scan(func(_ string, a *account) bool {
			ao := accountOut{CloudAccountView: s.accountView(a), Credentials: []credOut{}}
			for _, c := range a.Credentials {
				sec := map[string]string{}
				for k := range c.Secrets {
					sec[k] = journal.Redacted
				}
				ao.Credentials = append(ao.Credentials, credOut{credentialView(a, c), sec})
			}
			out.CloudAccounts = append(out.CloudAccounts, ao)
			return true
		})
		for _, c := range o.clusters {
			out.Clusters = append(out.Clusters, s.clusterView(o, c))
		}
		orgs[slug] = out
	}
	// Everything returned is a copy: it is encoded after the lock is released.
	return map[string]any{"tokens": tokens, "cloudProfiles": slices.Clone(s.profileOrder), "organisations": orgs}
}

// accountView renders a stored account. Caller holds the lock.
func (s *State) accountView(a *account) CloudAccountView {
	v := CloudAccountView{Identity: a.ID, DisplayName: a.DisplayName, Enabled: a.Enabled,
		Metadata: emptyIfNil(a.Metadata), PrimaryCloudCredentialsIdentity: a.Primary}
	// The catalogue's own profile, not a copy: no call changes a profile,
	// and the view only reads it.
	v.CloudProfile = s.profiles[a.Profile]
	return v
}

func credentialView(a *account, c *credential) CloudCredentialsView {
	return CloudCredentialsView{Identity: c.ID, DisplayName: c.DisplayName, CloudType: c.Type,
		CloudAccountIdentity: a.ID, CreatedAt: formatTime(c.CreatedAt), Metadata: emptyIfNil(c.Metadata),
		IsPrimary: a.Primary == c.ID}
}

// clusterView renders a cluster. Caller holds the lock.
func (s *State) clusterView(o *org, c *cluster) ClusterView {
	v := ClusterView{Identity: c.ID, Name: c.Name, Slug: c.Slug, Description: c.Description,
		CustomerSlug: o.slug, EnvironmentSlug: c.Environment, Status: c.Status, ProvisionStatus: "DONE",
		Region: c.Region, Version: c.Version, HighlyAvailable: c.HA, AutoUpgrade: true, CNI: "cilium",
		PodSecurityStandard: "baseline", CreatedAt: formatTime(c.CreatedAt), ModifiedAt: formatTime(c.LastUsed)}
	if a, ok := o.accounts.Get(c.AccountID); ok {
		v.CloudAccount = Reference{Identity: a.ID, DisplayName: a.DisplayName}
		if p := s.profiles[a.Profile]; p != nil {
			v.CloudProvider = p.CloudProvider
		}
		if cr, _ := a.credential(c.CredentialID); cr != nil {
			v.CloudCredentials = &Reference{Identity: cr.ID, DisplayName: cr.DisplayName}
		}
	} else {
		v.CloudAccount = Reference{Identity: c.AccountID}
	}
	return v
}
